// An inbound email as Tandem needs it: who wrote, which conversation it continues, and only what
// the customer newly wrote. No I/O beyond parsing; the caller decides which ticket it belongs to.
import {
  parseAddressHeader,
  simpleParser,
  type AddressObject,
  type EmailAddress,
  type ParsedMail,
  type SimpleParserOptions,
} from 'mailparser';
import { toStorableText } from '../domain/text';
import { isAutomatic, type HeaderValues } from './automatic';
import { messageIdsIn } from './messageIds';
import { notAnEmail, withoutMboxLine } from './messageShape';
import { withoutQuotedHtml } from './quotedHtml';
import { tidyText, visibleReply } from './replyText';

export interface InboundEmail {
  /** Message-ID header, normalised to '<id@host>' form, or null when absent. */
  messageId: string | null;
  /** In-Reply-To, normalised the same way. */
  inReplyTo: string | null;
  /** References, normalised, in header order. */
  references: string[];
  /** Address lower-cased. */
  from: { address: string; name: string | null };
  /** Lower-cased addresses of To, then Delivered-To and X-Original-To (where the mail was delivered). */
  to: string[];
  /** Lower-cased addresses. */
  cc: string[];
  /** '' when absent. */
  subject: string;
  date: Date | null;
  /**
   * Only what the customer newly wrote: quoted history ("On … wrote:", Outlook "From: … Sent: …"
   * blocks, "-----Original Message-----", '>' quotes, Gmail/Apple blockquotes) and signatures
   * ("-- ", "Sent from my iPhone", "Get Outlook for iOS"…) removed. Never empty when the mail had
   * any text: falls back to the full text.
   */
  text: string;
  /** The whole plain text (derived from the HTML part for HTML-only mail). */
  fullText: string;
  /** Named, never stored: their content is dropped. */
  attachments: { filename: string | null; contentType: string; size: number }[];
  /** Auto-replies and delivery reports, so the caller can ignore them. */
  automatic: boolean;
}

/** A request body that is not an email Tandem can take, with what the sender should do about it. */
export class MalformedEmail extends Error {
  constructor(
    /** 413 when the mail is over the size limit, 400 for everything else. */
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
    this.name = 'MalformedEmail';
  }
}

/** The largest raw email accepted: 10 MB, room for a few screenshots. */
export const MAX_EMAIL_BYTES = 10 * 1024 * 1024;

const parserOptions: SimpleParserOptions = {
  // Attachments are named, never kept: no checksums, no cid: images inlined as data: URLs.
  checksumAlgo: false,
  keepCidLinks: true,
  // `html` then holds only real HTML parts, `textAsHtml` is not built.
  skipTextToHtml: true,
};

const size = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`);

/** Parses a raw RFC 5322 message (the body of POST /v1/inbound/email); throws MalformedEmail. */
export async function parseInboundEmail(raw: Buffer, options: { maxBytes?: number } = {}): Promise<InboundEmail> {
  const maxBytes = options.maxBytes ?? MAX_EMAIL_BYTES;
  if (raw.length > maxBytes)
    throw new MalformedEmail(
      413,
      `The email is ${size(raw.length)}, over the ${size(maxBytes)} limit: send it again without the large attachments.`,
    );
  if (raw.length === 0) throw new MalformedEmail(400, 'The body is empty: send the raw email (message/rfc822) as the request body.');
  const message = withoutMboxLine(raw);
  const shapeProblem = notAnEmail(message);
  if (shapeProblem) throw new MalformedEmail(400, shapeProblem);

  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(message, parserOptions);
  } catch (err) {
    throw new MalformedEmail(
      400,
      `The email could not be read as MIME (${err instanceof Error ? err.message : String(err)}): send the message exactly as received.`,
    );
  }

  const from = mailboxes(parsed.from)[0];
  if (!from) throw new MalformedEmail(400, 'The email has no sender: its From header is missing or holds no address.');
  const header = headerValues(parsed);
  const subject = toStorableText((parsed.subject ?? '').trim());
  const { fullText, text } = await bodyText(parsed);
  if (fullText === '') throw new MalformedEmail(400, 'The email has no text: neither a plain text nor an HTML part with words in it.');

  const ids = (name: string) => header(name).flatMap(messageIdsIn);
  return {
    messageId: ids('message-id')[0] ?? null,
    inReplyTo: ids('in-reply-to')[0] ?? null,
    references: ids('references'),
    from: { address: from.address, name: from.name },
    to: unique([...addressesOf(parsed.to), ...addressesOf(parseAddressHeader([...header('delivered-to'), ...header('x-original-to')]))]),
    cc: unique(addressesOf(parsed.cc)),
    subject,
    date: dateOf(header('date')[0]),
    text: text === '' ? fullText : text,
    fullText,
    attachments: parsed.attachments.map((a) => ({ filename: a.filename ?? null, contentType: a.contentType, size: a.size })),
    automatic: isAutomatic(header, subject, contentTypeOf(parsed)),
  };
}

/** The whole text and the customer's new part of it: from the plain text part, else from the HTML. */
async function bodyText(parsed: ParsedMail): Promise<{ fullText: string; text: string }> {
  const html = typeof parsed.html === 'string' ? parsed.html : '';
  const plain = contentTypeOf(parsed) === 'text/html' ? '' : (parsed.text ?? '');
  if (plain.trim() !== '' || html === '') {
    return { fullText: storable(plain), text: storable(visibleReply(plain)) };
  }
  // mailparser converts the HTML itself only when it is the whole message, not a part beside attachments.
  const converted = parsed.text ?? '';
  const fullText = converted.trim() === '' ? await htmlAsText(html) : converted;
  const unquoted = withoutQuotedHtml(html);
  // Converting costs seconds for a large mail; without quote markup the full text is the new text.
  const newText = unquoted === html ? fullText : await htmlAsText(unquoted);
  return { fullText: storable(fullText), text: storable(visibleReply(newText)) };
}

const storable = (text: string) => toStorableText(tidyText(text));

/**
 * HTML as mailparser flattens it (html-to-text, the conversion it applies to HTML-only mail), so
 * the stripped HTML reads exactly like the full text does, without a second HTML library.
 */
async function htmlAsText(html: string): Promise<string> {
  const entity = Buffer.from(`Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${html}`, 'utf8');
  const parsed = await simpleParser(entity, parserOptions);
  return parsed.text ?? '';
}

/** Every occurrence of a header's raw value (unfolded), by lower-case name. */
function headerValues(parsed: ParsedMail): HeaderValues {
  const byName = new Map<string, string[]>();
  for (const { key, line } of parsed.headerLines) {
    const value = line
      .slice(line.indexOf(':') + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
    const values = byName.get(key);
    if (values) values.push(value);
    else byName.set(key, [value]);
  }
  return (name) => byName.get(name) ?? [];
}

function contentTypeOf(parsed: ParsedMail): string {
  const header = parsed.headers.get('content-type');
  const value = typeof header === 'object' && header !== null && 'value' in header ? header.value : 'text/plain';
  return typeof value === 'string' ? value.toLowerCase() : 'text/plain';
}

/** The Date header, or null when missing or unreadable (mailparser would say "now"). */
function dateOf(value: string | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Mailboxes of an address header, groups flattened, addresses lower-cased. */
function mailboxes(header: AddressObject | AddressObject[] | undefined): { address: string; name: string | null }[] {
  const flatten = (entries: EmailAddress[]): EmailAddress[] => entries.flatMap((e) => (e.group ? flatten(e.group) : [e]));
  const objects = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return flatten(objects.flatMap((o) => o.value))
    .filter((e): e is EmailAddress & { address: string } => typeof e.address === 'string' && e.address.includes('@'))
    .map((e) => ({ address: e.address.trim().toLowerCase(), name: toStorableText(e.name.trim()) || null }));
}

const addressesOf = (header: AddressObject | AddressObject[] | undefined): string[] => mailboxes(header).map((m) => m.address);

const unique = (values: string[]): string[] => [...new Set(values)];
