// A reply to a customer as a mail their client threads: the same Message-ID on every resend, the
// conversation in References, and a Reply-To that names the ticket.
import type Mail from 'nodemailer/lib/mailer';
import { messageIdFor, replyAddressFor } from './addresses';
import { normaliseMessageId } from './messageIds';

export { createMailer, EmailDeliveryError, type Mailer, type SentEmail } from './mailer';

export interface ReplyEmail {
  /** Our message id, e.g. 'tkt_abc:out:7'. */
  outboundId: string;
  ticketId: string;
  to: string;
  /** The ticket's subject; the mail's is 'Re: <subject>' (no 'Re: Re:'). */
  subject: string;
  /** Plain text. */
  body: string;
  from: { address: string; name: string };
  /** The conversation so far, oldest first: Message-IDs of the customer's mails and of ours. */
  thread: string[];
  /** The customer's Message-ID this answers (the newest inbound), if any. */
  inReplyTo: string | null;
}

/**
 * How many ids References keeps. Long threads grow the header without bound and some servers
 * refuse headers past a few kilobytes; the first id (the thread's root) and the latest ones are
 * what clients thread by (RFC 5322 §3.6.4).
 */
export const MAX_REFERENCES = 20;

// Reply prefixes the common clients write in their languages (Re, German AW, Nordic SV and VS,
// Dutch Antw, Italian Rif), as many as were stacked. Forward prefixes stay: "Re: Fwd: …" is how
// clients answer a forward.
const replyPrefixes = /^(?:\s*(?:re|aw|sv|vs|antw|rif)(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+/i;

/** 'Re: ' and the subject without the prefixes earlier replies stacked. */
export function replySubject(subject: string): string {
  const base = subject.replace(/\s+/g, ' ').replace(replyPrefixes, '').trim();
  return base === '' ? 'Re:' : `Re: ${base}`;
}

/** The References of a reply: the thread with the answered id last, without ours, first id kept, capped. */
export function referencesFor(thread: string[], inReplyTo: string | null, ownMessageId: string): string[] {
  const ids = [...thread, ...(inReplyTo ? [inReplyTo] : [])]
    .map(normaliseMessageId)
    .filter((id): id is string => id !== null && id !== ownMessageId);
  // The answered id belongs at the end even when the thread lists it earlier: References ends with the parent.
  const unique = [...new Set(ids.reverse())].reverse();
  const [root, ...rest] = unique;
  if (root === undefined || unique.length <= MAX_REFERENCES) return unique;
  return [root, ...rest.slice(rest.length - (MAX_REFERENCES - 1))];
}

const htmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => htmlEntities[c] ?? c);

/** The plain body as minimal HTML: escaped, a paragraph per blank-line-separated block, line breaks kept. */
export function bodyAsHtml(body: string): string {
  const paragraphs = body
    .replace(/\r\n?/g, '\n')
    .trim()
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replaceAll('\n', '<br>\n')}</p>`);
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n${paragraphs.join('\n')}\n</body></html>\n`;
}

/** nodemailer message options for a reply: threading headers, Reply-To with the ticket, text and HTML, X-Tandem-Ticket. */
export function composeReplyEmail(e: ReplyEmail): Mail.Options {
  const messageId = messageIdFor(e.outboundId, e.from.address);
  const inReplyTo = e.inReplyTo === null ? null : normaliseMessageId(e.inReplyTo);
  const references = referencesFor(e.thread, inReplyTo, messageId);
  return {
    messageId,
    from: { name: e.from.name, address: e.from.address },
    // The same display name, so the customer's client shows one correspondent.
    replyTo: { name: e.from.name, address: replyAddressFor(e.ticketId, e.from.address) },
    to: e.to,
    subject: replySubject(e.subject),
    ...(inReplyTo === null ? {} : { inReplyTo }),
    ...(references.length === 0 ? {} : { references }),
    text: e.body,
    html: bodyAsHtml(e.body),
    headers: { 'X-Tandem-Ticket': e.ticketId },
  };
}
