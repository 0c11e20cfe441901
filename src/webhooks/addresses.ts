// What an IP address is, for deciding whether a webhook may be sent to it. The question is asked
// twice: when an endpoint is registered (endpointUrl.ts) and again for the address a connection is
// actually made to (guardedAgent.ts), so a name that later resolves elsewhere cannot slip through.
//
// Loopback and private addresses are allowed on purpose: internal backends and tests receive
// webhooks there. What is refused is what no receiver lives on and what attackers aim for: cloud
// metadata services, link-local, unspecified, multicast and broadcast addresses.
import { isIPv4, isIPv6 } from 'node:net';

/**
 * Single addresses that answer with cloud credentials or platform control to whoever asks, with
 * whose they are where only one cloud uses them (169.254.169.254 serves almost every cloud).
 */
const metadataIPv4 = new Map<string, string>([
  ['169.254.169.254', ''],
  ['169.254.170.2', 'AWS ECS task'],
  ['100.100.100.200', 'Alibaba Cloud'],
  ['168.63.129.16', 'Azure WireServer'],
]);
const metadataIPv6 = new Map<string, string>([['fd00:ec2:0:0:0:0:0:254', 'AWS']]);

/** The four bytes of a dotted IPv4 address as one unsigned number. */
function ipv4Number(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

const ipv4FromNumber = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

function inIPv4Range(n: number, base: string, bits: number): boolean {
  const size = 2 ** (32 - bits);
  return Math.floor(n / size) === Math.floor(ipv4Number(base) / size);
}

/** The eight 16-bit groups of a valid IPv6 address, `::` expanded and a dotted IPv4 tail split in two. */
function ipv6Groups(ip: string): number[] {
  let text = ip.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const n = ipv4Number(dotted[1]);
    text = `${text.slice(0, dotted.index)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [left = '', right] = text.split('::');
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const head = parse(left);
  if (right === undefined) return head;
  const tail = parse(right);
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/**
 * The IPv4 address an IPv6 address stands for, where a translation or tunnel delivers it to that
 * IPv4 address: IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), SIIT (::ffff:0:a.b.c.d),
 * NAT64 (64:ff9b::/96 and 64:ff9b:1::/48) and 6to4 (2002::/16).
 */
function embeddedIPv4(groups: number[]): string | null {
  const at = (i: number): number => groups[i] ?? 0;
  const zeroUpTo = (end: number): boolean => groups.slice(0, end).every((g) => g === 0);
  const fromGroups = (hi: number, lo: number): string => ipv4FromNumber(((hi << 16) | lo) >>> 0);
  const tail = fromGroups(at(6), at(7));
  if (zeroUpTo(5) && at(5) === 0xffff) return tail;
  if (zeroUpTo(4) && at(4) === 0xffff && at(5) === 0) return tail;
  // :: and ::1 are IPv6's own unspecified and loopback addresses, not embeddings.
  if (zeroUpTo(6) && (at(6) !== 0 || at(7) > 1)) return tail;
  if (at(0) === 0x64 && at(1) === 0xff9b && groups.slice(2, 6).every((g) => g === 0)) return tail;
  if (at(0) === 0x64 && at(1) === 0xff9b && at(2) === 1) return tail;
  if (at(0) === 0x2002) return fromGroups(at(1), at(2));
  return null;
}

function ipv4Reason(ip: string): string | null {
  const metadata = metadataIPv4.get(ip);
  if (metadata !== undefined) return `a cloud metadata address${metadata ? ` (${metadata})` : ''}`;
  const n = ipv4Number(ip);
  // Linux delivers a connection to 0.0.0.0 to this host itself, so it is no way to "nowhere".
  if (inIPv4Range(n, '0.0.0.0', 8)) return 'an unspecified address';
  if (inIPv4Range(n, '169.254.0.0', 16)) return 'a link-local address';
  if (inIPv4Range(n, '224.0.0.0', 4)) return 'a multicast address';
  if (ip === '255.255.255.255') return 'a broadcast address';
  return null;
}

function ipv6Reason(groups: number[]): string | null {
  const metadata = metadataIPv6.get(groups.map((g) => g.toString(16)).join(':'));
  if (metadata) return `a cloud metadata address (${metadata})`;
  const first = groups[0] ?? 0;
  if (groups.every((g) => g === 0)) return 'an unspecified address';
  if ((first & 0xffc0) === 0xfe80) return 'a link-local address';
  if ((first & 0xff00) === 0xff00) return 'a multicast address';
  const embedded = embeddedIPv4(groups);
  if (embedded) {
    const reason = ipv4Reason(embedded);
    return reason ? `the IPv6 form of ${embedded}, ${reason}` : null;
  }
  return null;
}

/**
 * Why no webhook may be sent to `ip` ("a link-local address"), or null when it may. Anything that
 * is not an IP address is refused too: this is asked only of addresses about to be connected to.
 */
export function forbiddenAddressReason(ip: string): string | null {
  if (isIPv4(ip)) return ipv4Reason(ip);
  if (isIPv6(ip)) return ipv6Reason(ipv6Groups(ip));
  return 'not an IP address';
}

/** True when no webhook may be sent to `ip`: see forbiddenAddressReason. */
export const isForbiddenAddress = (ip: string): boolean => forbiddenAddressReason(ip) !== null;

/**
 * One spelling per address, so two spellings of the same host compare equal: IPv4 as dotted
 * decimal, an IPv4-mapped IPv6 address as its IPv4 address, other IPv6 as eight full hex groups.
 * Anything else is returned lower-cased.
 */
export function canonicalAddress(ip: string): string {
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return ip.toLowerCase();
  const groups = ipv6Groups(ip);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff)
    return ipv4FromNumber((((groups[6] ?? 0) << 16) | (groups[7] ?? 0)) >>> 0);
  return groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
}

/** 127.0.0.0/8 and ::1, in any spelling: addresses that never leave this host. */
export function isLoopbackAddress(ip: string): boolean {
  const canonical = canonicalAddress(ip);
  if (isIPv4(canonical)) return inIPv4Range(ipv4Number(canonical), '127.0.0.0', 8);
  return canonical === '0000:0000:0000:0000:0000:0000:0000:0001';
}
