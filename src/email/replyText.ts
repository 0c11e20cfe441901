// What the customer newly wrote in a reply, from its plain text. email-reply-parser finds the
// '>' quotes, the "On … wrote:" lines (in a dozen languages) and the signatures; the header block
// Outlook writes above the message it quotes is cut here first, because the parser only knows it
// when the From line carries an address in brackets and a blank line stands above it.
import EmailReplyParser from 'email-reply-parser';
import { cutMailText } from './mailText';

// One line of the header block, in the languages Outlook ships most; bold in a text conversion
// may wrap the name in '*'.
const headerLine = (names: string) => new RegExp(`^\\s*\\*?(?:${names})\\s?:\\*?(?:\\s|$)`, 'i');
const fromLine = headerLine('From|De|Von|Van|Da|Från|Fra|Od|От');
const sentLine = headerLine(
  'Sent|Date|Gesendet|Datum|Envoyé|Date d’envoi|Enviado|Fecha|Inviato|Data|Verzonden|Skickat|Sendt|Wysłano|Отправлено',
);
const subjectLine = headerLine('Subject|Betreff|Objet|Asunto|Oggetto|Assunto|Onderwerp|Ämne|Emne|Temat|Тема');
const toLine = headerLine('To|An|À|A|Para|Aan|Till|Til|Do|Cc|Кому');
// How far from the From line the Sent and Subject lines may be: To, Cc and wrapped address lists
// sit between them, and web mailers such as GMX put "Gesendet:" above "Von:".
const LINES_BELOW_FROM = 8;
const LINES_ABOVE_FROM = 2;

// "-----Original Message-----" and its translations: everything below is the old message.
const originalMessageLine =
  /^\s*-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Message d['’]origine|Mensaje original|Messaggio originale|Mensagem original|Oorspronkelijk bericht)\s*-{2,}\s*$/i;

// Lines that only separate: Outlook's row of underscores, a rule of dashes, left at the end once
// what they separated is cut.
const separatorLine = /^\s*(?:_{2,}|-{2,}|={2,})\s*$/;

/** The index of the first line of a quoted-history header block, or -1. */
function historyStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    if (originalMessageLine.test(line)) return i;
    if (!fromLine.test(line)) continue;
    const block = lines.slice(Math.max(0, i - LINES_ABOVE_FROM), i + 1 + LINES_BELOW_FROM);
    if (!block.some((l) => sentLine.test(l)) || !block.some((l) => subjectLine.test(l))) continue;
    let start = i;
    const isHeader = (l: string) => sentLine.test(l) || toLine.test(l) || subjectLine.test(l);
    while (start > 0 && isHeader(lines[start - 1] ?? '')) start -= 1;
    return start;
  }
  return -1;
}

/**
 * Gmail wraps a long attribution line at the '<' of the address ("… schrieb Acme Support <" /
 * "support@acme.example>:"); the parser's patterns need it on one line. A line with an unclosed
 * '<' followed by one that closes it and ends with ':' is joined.
 */
function joinWrappedAttributions(lines: string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    const next = lines[i + 1];
    const unclosed = line.lastIndexOf('<') > line.lastIndexOf('>');
    if (unclosed && next !== undefined && closesAttribution(next)) {
      joined.push(`${line.trimEnd()}${next.trim()}`);
      i += 1;
    } else {
      joined.push(line);
    }
  }
  return joined;
}

/** "support@acme.example>:" and the like: closes a '<' before opening one, ends with ':', is no quote. */
function closesAttribution(line: string): boolean {
  const close = line.indexOf('>');
  const open = line.indexOf('<');
  return close > 0 && (open === -1 || open > close) && line.trimEnd().endsWith(':');
}

/** Plain text as the parser and people expect it: LF line ends, no byte-order marks or zero-width spaces, no-break spaces as spaces. */
export function tidyText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\uFEFF\u200B]/g, '')
    .replace(/[\u00A0\u202F]/g, ' ')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// email-reply-parser's patterns backtrack: their cost grows with the square of a line's length
// (a 64 KB line takes seconds, a 10 MB one hours). No quote header or signature line is that long,
// so longer lines reach it as a placeholder and are put back in what it keeps; a quoted line
// keeps its '>' so it is still hidden.
const PARSED_LINE_MAX = 1000;
// Private-use characters, which none of its patterns match.
const placeholder = (index: number) => `\uE000${index}\uE001`;
const placeholders = />?\uE000(\d+)\uE001/g;

/** The parser's visible text of `lines`, with lines too long for its patterns passed around it. */
function parsedVisibleText(lines: string[]): string {
  const long: string[] = [];
  const parsed = lines.map((line) => {
    if (line.length <= PARSED_LINE_MAX) return line;
    long.push(line);
    return `${line.startsWith('>') ? '>' : ''}${placeholder(long.length - 1)}`;
  });
  const visible = new EmailReplyParser().read(parsed.join('\n')).getVisibleText();
  return long.length === 0 ? visible : visible.replace(placeholders, (_match, index: string) => long[Number(index)] ?? '');
}

// Some of the parser's patterns also run from every line start to the end of the text, so only
// the first 32K characters are read: the new text is at the top, and a ticket's body holds 20,000.
const READ_TEXT_MAX = 32 * 1024;

/**
 * The start of `text` that is read: up to READ_TEXT_MAX characters, ended before a line break
 * when there is one. That costs a lastIndexOf, and a line break is always a grapheme boundary.
 */
function readWindow(text: string): string {
  if (text.length <= READ_TEXT_MAX) return text;
  const lineEnd = text.lastIndexOf('\n', READ_TEXT_MAX);
  if (lineEnd > 0) return text.slice(0, text.charAt(lineEnd - 1) === '\r' ? lineEnd - 1 : lineEnd);
  return cutMailText(text, READ_TEXT_MAX);
}

/**
 * Only what the customer newly wrote in `text` (a mail's plain text), from its first 32K
 * characters; '' when all of that is quotes and signature.
 */
export function visibleReply(text: string): string {
  // Trailing spaces are kept for the parser: "-- " is the signature separator. The placeholder
  // characters go, so no text can pass for a placeholder.
  const lines = joinWrappedAttributions(
    readWindow(text)
      .replace(/\r\n?/g, '\n')
      .replace(/[\uFEFF\u200B\uE000\uE001]/g, '')
      .split('\n'),
  );
  const start = historyStart(lines);
  const own = start === -1 ? lines : lines.slice(0, start);
  const kept = tidyText(parsedVisibleText(own)).split('\n');
  while (kept.length > 0 && separatorLine.test(kept[kept.length - 1] ?? '')) kept.pop();
  return kept.join('\n').trim();
}
