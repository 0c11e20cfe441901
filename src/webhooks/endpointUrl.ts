// Whether a URL may become a webhook endpoint. Checked when an endpoint is registered, so the
// person registering it learns at once why it is refused; sendWebhook checks the address it
// actually connects to again (guardedAgent.ts), because DNS can answer differently later.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { canonicalAddress, forbiddenAddressReason, isLoopbackAddress } from './addresses';

export { forbiddenAddressReason, isForbiddenAddress } from './addresses';

/** Every address a host name resolves to. */
export type ResolveHost = (host: string) => Promise<string[]>;

/** The system resolver (getaddrinfo, so /etc/hosts counts), every address in its own order. */
export const resolveHost: ResolveHost = async (host) => (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

// Names that reach a metadata service without DNS (GCE answers "metadata" from its own resolver);
// any other name that resolves to a metadata address is caught by its address.
const metadataNames = new Set(['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal']);

export interface EndpointTarget {
  url: URL;
  /** Without IPv6 brackets or a trailing dot, lower-case: what is resolved and connected to. */
  host: string;
  port: number;
  /** What the request line asks for: the URL's path and query. */
  path: string;
  /** Set when the host is an IP address rather than a name. */
  ip: string | null;
}

/** The URL's port, or the scheme's default when the URL names none. */
const effectivePort = (url: URL): number => (url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80);

function bareHost(url: URL): string {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return host.replace(/\.+$/, '');
}

/**
 * What can be told from the URL alone: a valid http(s) URL without credentials, whose host is not a
 * metadata name or a forbidden IP address. The WHATWG parser has already turned decimal, hex and
 * octal IPv4 spellings (http://2852039166/, http://0xA9FEA9FE/) into dotted decimal.
 */
export function parseEndpointUrl(text: string): EndpointTarget | { problem: string } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: 'not a valid URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { problem: `the scheme ${url.protocol} is not allowed: endpoints are http: or https: URLs` };
  }
  if (url.username || url.password) {
    return { problem: 'the URL carries credentials (user:password@): receivers authenticate Tandem by the webhook signature instead' };
  }
  const host = bareHost(url);
  if (!host) return { problem: 'the URL has no host' };
  const ip = isIP(host) ? host : null;
  if (ip) {
    const reason = forbiddenAddressReason(ip);
    if (reason) return { problem: `${ip} is ${reason}` };
  } else if (metadataNames.has(host)) {
    return { problem: `${host} is a cloud metadata name` };
  }
  return { url, host, port: effectivePort(url), path: `${url.pathname}${url.search}`, ip };
}

const isLocalhostName = (host: string): boolean => host === 'localhost' || host.endsWith('.localhost');

/** Addresses whose connections stay on this machine: loopback, unspecified, and every interface's own. */
function isThisHost(address: string, interfaces: Set<string>): boolean {
  const canonical = canonicalAddress(address);
  return isLoopbackAddress(canonical) || canonical === '0.0.0.0' || /^[0:]+$/.test(canonical) || interfaces.has(canonical);
}

function interfaceAddresses(): Set<string> {
  return new Set(
    Object.values(networkInterfaces())
      .flat()
      .flatMap((entry) => (entry ? [canonicalAddress(entry.address)] : [])),
  );
}

interface HostAddresses {
  host: string;
  port: number;
  addresses: string[];
}

/** Which of `selfOrigins` the target is, compared as host:port without the scheme; null for none. */
async function matchingSelfOrigin(target: HostAddresses, selfOrigins: string[], resolve: ResolveHost): Promise<string | null> {
  const interfaces = interfaceAddresses();
  const targetHere = isLocalhostName(target.host) || target.addresses.some((a) => isThisHost(a, interfaces));
  const targetKeys = new Set(target.addresses.map(canonicalAddress));
  for (const origin of selfOrigins) {
    const url = URL.canParse(origin) ? new URL(origin) : null;
    // "localhost:3000" parses as a URL of scheme "localhost:", and would never match anything.
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new TypeError(`selfOrigins: ${JSON.stringify(origin)} is not a URL such as http://127.0.0.1:3000.`);
    }
    if (effectivePort(url) !== target.port) continue;
    const host = bareHost(url);
    if (host === target.host) return origin;
    // The API's own name may not resolve from here; the name and the addresses that do still count.
    const addresses = isIP(host) ? [host] : await resolve(host).catch(() => []);
    if (addresses.some((a) => targetKeys.has(canonicalAddress(a)))) return origin;
    // Every address of this machine reaches an API listening on it, under whichever name it is known.
    const selfHere = isLocalhostName(host) || addresses.some((a) => isThisHost(a, interfaces));
    if (selfHere && targetHere) return origin;
  }
  return null;
}

function errorCode(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Why an endpoint URL is refused, or null: not http(s); credentials in the URL; a host that is, or
 * resolves (every address) to, a link-local, cloud-metadata, unspecified, multicast or broadcast
 * address; a host that does not resolve; or the API itself (same host:port, scheme aside, as any
 * of `selfOrigins`, by name, by address, or by any address of this machine when the API is on it).
 * Loopback and private addresses are allowed: internal backends and tests receive webhooks there.
 */
export async function endpointUrlProblem(url: string, options: { selfOrigins: string[]; lookup?: ResolveHost }): Promise<string | null> {
  const resolve = options.lookup ?? resolveHost;
  const target = parseEndpointUrl(url);
  if ('problem' in target) return target.problem;
  let addresses: string[];
  if (target.ip) {
    addresses = [target.ip];
  } else {
    try {
      addresses = await resolve(target.host);
    } catch (error) {
      return `${target.host} does not resolve (${errorCode(error)})`;
    }
    if (addresses.length === 0) return `${target.host} resolves to no address`;
    for (const address of addresses) {
      const reason = forbiddenAddressReason(address);
      if (reason) return `${target.host} resolves to ${address}, ${reason}`;
    }
  }
  const self = await matchingSelfOrigin({ host: target.host, port: target.port, addresses }, options.selfOrigins, resolve);
  return self ? `${target.host}:${target.port} is this API itself (${self}): a webhook to it would call Tandem's own routes` : null;
}
