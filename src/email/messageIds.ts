// Message-IDs as threading compares them. Headers carry them in many shapes: folded over two
// lines, with a comment ("<a@b> (Sam's message of Monday)"), without angle brackets from an old
// mailer. Every id Tandem reads or writes goes through here, so one form ('<left@right>') is
// stored and compared.

/** A word without the double quotes around it (a loop: /"+$/ would rescan a long run of quotes). */
function withoutQuotes(word: string): string {
  let start = 0;
  let end = word.length;
  while (start < end && word.charAt(start) === '"') start += 1;
  while (end > start && word.charAt(end - 1) === '"') end -= 1;
  return word.slice(start, end);
}

/** Every id in a Message-ID, In-Reply-To or References value, in order, each as '<left@right>'. */
export function messageIdsIn(value: string): string[] {
  // Folding whitespace may sit inside the brackets of a long id; it is not part of the id.
  const bracketed = [...value.matchAll(/<([^<>]*)>/g)].map((m) => (m[1] ?? '').replace(/\s+/g, '')).filter((id) => id.length > 0);
  if (bracketed.length > 0) return bracketed.map((id) => `<${id}>`);
  // No brackets at all: an obsolete mailer's bare ids. Words without an '@' are phrases, not ids.
  return value
    .split(/[\s,]+/)
    .filter((word) => word.includes('@'))
    .map((word) => `<${withoutQuotes(word)}>`);
}

/** One id in '<left@right>' form, or null when the value holds none. */
export const normaliseMessageId = (value: string): string | null => messageIdsIn(value)[0] ?? null;
