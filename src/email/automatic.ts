// Mail no person wrote: out-of-office replies, vacation responders, bounces. Answering them opens
// a loop between two robots, and a ticket reopened by "I am away until Monday" misleads agents,
// so the caller ignores them. RFC 3834 asks responders to say so in headers; many only say it in
// the subject, in the user's language.

/** The header values `isAutomatic` reads: every occurrence of a header, by lower-case name. */
export type HeaderValues = (name: string) => string[];

// Precedence: list is left out on purpose: a support address behind a Google Group or a
// mailing-list manager gets it on every customer's mail.
const automaticPrecedence = new Set(['bulk', 'junk', 'auto_reply']);

// Responders put a fixed phrase first. A colon, the end, or "until …" after it tells "Out of
// office: back Monday" from a customer's "Out of office status does not sync".
const outOfOfficePhrase = [
  'automatic reply',
  'auto(?:matic)?[ -]?reply',
  'auto[ -]?response',
  'auto',
  'out of (?:the )?office(?: auto ?reply)?',
  'ooo',
  'abwesenheitsnotiz',
  'automatische antwort',
  'r[ée]ponse automatique',
  'absence du bureau',
  'respuesta autom[áa]tica',
  'fuera de la oficina',
  'risposta automatica',
  'resposta autom[áa]tica',
  'automatisch antwoord',
].join('|');
const outOfOfficeSubject = new RegExp(`^\\s*(?:${outOfOfficePhrase})(?:\\s*:|\\s*$|\\s+[-–(]|\\s+(?:until|till|through|bis|jusqu))`, 'i');

/** True for auto-replies, auto-generated notices and delivery reports. */
export function isAutomatic(header: HeaderValues, subject: string, contentType: string): boolean {
  if (
    header('auto-submitted').some(
      (v) =>
        v
          .trim()
          .toLowerCase()
          .split(/[\s;(]/)[0] !== 'no',
    )
  )
    return true;
  if (['x-autoreply', 'x-autorespond', 'x-autoresponder'].some((name) => header(name).length > 0)) return true;
  if (header('precedence').some((v) => automaticPrecedence.has(v.trim().toLowerCase()))) return true;
  // Delivery status notifications (bounces) and read receipts.
  if (contentType.toLowerCase() === 'multipart/report') return true;
  return outOfOfficeSubject.test(subject);
}
