// The addresses that tie mail to a ticket. A reply goes out with Reply-To support+<ticket>@…, so
// the customer's answer names its ticket in the address even when their client drops the
// threading headers; and every outbound mail has a Message-ID derived from Tandem's own id for
// it, so a resent mail carries the same id and the customer's reply to either copy threads.
import { createHash } from 'node:crypto';
import { domainToASCII } from 'node:url';
import { cutMailText } from './mailText';

interface Mailbox {
  local: string;
  domain: string;
}

/** local@domain, from a bare address or 'Name <address>'; null when it has no '@' with text on both sides. */
function mailboxOf(address: string): Mailbox | null {
  const bracketed = /<([^<>]*)>/.exec(address);
  const bare = (bracketed?.[1] ?? address).trim();
  const at = bare.lastIndexOf('@');
  if (at <= 0 || at === bare.length - 1) return null;
  return { local: bare.slice(0, at), domain: bare.slice(at + 1) };
}

function ourMailbox(fromAddress: string): Mailbox {
  const mailbox = mailboxOf(fromAddress);
  if (!mailbox)
    throw new TypeError(
      `"${fromAddress}" is not an email address: give the support address mail is sent from, such as support@acme.example.`,
    );
  return mailbox;
}

/**
 * A domain as DNS spells it, so 'ACME.example', 'acme.example' and a Unicode name decoded by the
 * mail parser compare equal to their punycode form.
 */
const dnsForm = (domain: string): string => domainToASCII(domain.toLowerCase()) || domain.toLowerCase();

// The tag after '+' keeps [a-z0-9_] as is and writes every other byte of the UTF-8 id as -hh.
// Lower case only, because mail systems may fold the case of a local part; no '.', which may not
// start, end or double in a local part; '-' is the escape, so a literal '-' is written -2d.
const plainTagCharacter = /^[a-z0-9_]$/;

function encodeTag(ticketId: string): string {
  let tag = '';
  for (const byte of Buffer.from(ticketId, 'utf8')) {
    const character = String.fromCharCode(byte);
    tag += plainTagCharacter.test(character) ? character : `-${byte.toString(16).padStart(2, '0')}`;
  }
  return tag;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The id a tag encodes, or null when the tag is not one encodeTag writes. */
function decodeTag(tag: string): string | null {
  const bytes: number[] = [];
  for (let i = 0; i < tag.length; i += 1) {
    const character = tag.charAt(i);
    if (character === '-') {
      const hex = tag.slice(i + 1, i + 3);
      if (!/^[0-9a-f]{2}$/.test(hex)) return null;
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (plainTagCharacter.test(character)) {
      bytes.push(character.charCodeAt(0));
    } else {
      return null;
    }
  }
  let id: string;
  try {
    id = strictUtf8.decode(new Uint8Array(bytes));
  } catch {
    return null;
  }
  // Only the one spelling encodeTag writes counts ('-61' is not how 'a' is written), so a
  // hand-made plus-address cannot pass for another ticket's.
  return id.length > 0 && encodeTag(id) === tag ? id : null;
}

/** support@acme.example + ticket id → support+<ticketId>@acme.example: a stable reply-to address per ticket. */
export function replyAddressFor(ticketId: string, fromAddress: string): string {
  if (ticketId.length === 0) throw new TypeError('A reply address needs a ticket id; it was empty.');
  const { local, domain } = ourMailbox(fromAddress);
  return `${local}+${encodeTag(ticketId)}@${domain}`;
}

/** The ticket id a reply was addressed to (plus-address of our from-address, case-insensitive local part), or null. */
export function ticketIdFromAddresses(addresses: string[], fromAddress: string): string | null {
  const ours = ourMailbox(fromAddress);
  const prefix = `${ours.local.toLowerCase()}+`;
  const domain = dnsForm(ours.domain);
  for (const address of addresses) {
    const mailbox = mailboxOf(address);
    if (!mailbox || dnsForm(mailbox.domain) !== domain) continue;
    const local = mailbox.local.toLowerCase();
    if (!local.startsWith(prefix)) continue;
    const ticketId = decodeTag(local.slice(prefix.length));
    if (ticketId !== null) return ticketId;
  }
  return null;
}

// The readable part keeps an id's letters, digits, '_' and '-'; every other run becomes one '.',
// so the result is a dot-atom. The digest keeps ids apart that read the same ('a:b' and 'a/b').
const READABLE_MAX = 64;
const DIGEST_HEX = 16;

/** Our stable Message-ID for an outbound message id (e.g. 'tkt_abc:out:7'): '<hash-or-safe-form@domain-of-from>'; the same input always gives the same id, so a resent mail is recognisable. */
export function messageIdFor(outboundId: string, fromAddress: string): string {
  if (outboundId.length === 0) throw new TypeError('A Message-ID needs an outbound message id; it was empty.');
  const domain = dnsForm(ourMailbox(fromAddress).domain);
  const digest = createHash('sha256').update(outboundId, 'utf8').digest('hex').slice(0, DIGEST_HEX);
  const dotted = outboundId.replace(/[^A-Za-z0-9_-]+/g, '.').replace(/^\.+|\.+$/g, '');
  const readable = cutMailText(dotted, READABLE_MAX).replace(/\.+$/, '');
  return `<${readable ? `${readable}.${digest}` : digest}@${domain}>`;
}
