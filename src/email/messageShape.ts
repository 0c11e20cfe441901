// Whether a request body is an email at all, decided before the MIME parser sees it: the parser
// accepts anything (a JPEG, a JSON document) and returns an empty message, which would otherwise
// surface as the vaguer "no From address".
import { cutMailText } from './mailText';

// How much of the start is read for the header block. Real header blocks (DKIM, ARC and a dozen
// Received lines) stay far below this.
const HEADER_SCAN_BYTES = 256 * 1024;

/**
 * The message without a leading mbox "From sender date" line, which pipes from procmail or
 * Postfix (`mailbox_command`) keep but which is no part of RFC 5322.
 */
export function withoutMboxLine(raw: Buffer): Buffer {
  if (!raw.subarray(0, 5).equals(Buffer.from('From '))) return raw;
  const end = raw.indexOf(0x0a);
  return end === -1 ? raw : raw.subarray(end + 1);
}

// A field name is printable US-ASCII except ':'; RFC 5322's obsolete syntax allows blanks before the colon.
const fieldLine = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;
// Bytes that never occur in a header block; a file that is not text has them within its first lines.
const controlCharacter = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

/** Why `raw` is not an email, in words for the sender, or null when it has the shape of one. */
export function notAnEmail(raw: Buffer): string | null {
  const start = raw.subarray(0, HEADER_SCAN_BYTES).toString('latin1');
  const blank = /\r?\n\r?\n/.exec(start);
  const block = blank ? start.slice(0, blank.index) : start;
  const lines = block.split(/\r?\n/);
  const first = lines[0] ?? '';
  if (first.trim() === '')
    return 'The body does not start with email headers (such as "From: …"): send the raw message (message/rfc822), headers first.';
  const control = lines.findIndex((line) => controlCharacter.test(line));
  if (control !== -1)
    return `The body is not an email: line ${control + 1} of its header block holds binary data. Send the raw message (message/rfc822), not a file or an encoded copy.`;
  if (!fieldLine.test(first))
    return `The body is not an email: its first line ("${cutMailText(first, 40, { ellipsis: true })}") is not a header field like "From: …". Send the raw message (message/rfc822).`;
  return null;
}
