// What the customer newly wrote in a reply, from its plain text. email-reply-parser finds the
// '>' quotes, the "On … wrote:" lines (in a dozen languages) and the signatures; the header block
// Outlook writes above the message it quotes is cut here first, because the parser only knows it
// when the From line carries an address in brackets and a blank line stands above it.
import EmailReplyParser from 'email-reply-parser';

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
    if (unclosed && next !== undefined && !next.startsWith('>') && /^[^<]*>.*:\s*$/.test(next)) {
      joined.push(`${line.trimEnd()}${next.trim()}`);
      i += 1;
    } else {
      joined.push(line);
    }
  }
  return joined;
}

/** Plain text as the parser and people expect it: LF line ends, no byte-order marks or zero-width spaces, no-break spaces as spaces. */
export function tidyText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\uFEFF\u200B]/g, '')
    .replace(/[\u00A0\u202F]/g, ' ')
    .split('\n')
    .map((line) => line.replace(/\s+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Only what the customer newly wrote in `text` (a mail's plain text); '' when all of it is quotes and signature. */
export function visibleReply(text: string): string {
  // Trailing spaces are kept for the parser: "-- " is the signature separator.
  const lines = joinWrappedAttributions(
    text
      .replace(/\r\n?/g, '\n')
      .replace(/[\uFEFF\u200B]/g, '')
      .split('\n'),
  );
  const start = historyStart(lines);
  const own = start === -1 ? lines : lines.slice(0, start);
  const visible = new EmailReplyParser().read(own.join('\n')).getVisibleText();
  const kept = tidyText(visible).split('\n');
  while (kept.length > 0 && separatorLine.test(kept[kept.length - 1] ?? '')) kept.pop();
  return kept.join('\n').trim();
}
