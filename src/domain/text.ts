// Text as people read it. A JavaScript string is UTF-16, so `slice` can split an emoji into two
// lone surrogates, which PostgreSQL's jsonb refuses (and a text column silently turns into U+FFFD),
// or part a letter from its accent. Every cut of text in Tandem goes through cutText, and every
// string from outside is checked with isWellFormedText, so neither can reach storage.
//
// Pure and free of Node built-ins: workflow code imports it. Intl.Segmenter is part of the
// JavaScript runtime and present in Temporal's workflow sandbox.

/**
 * A lone (unpaired) surrogate. With the `u` flag a well-formed pair is one code point, so only
 * halves that have lost their partner match. String.prototype.isWellFormed says the same, but it
 * is ES2024 and outside the TypeScript lib this project compiles against.
 */
const loneSurrogate = /\p{Cs}/u;

/** True when `text` is valid Unicode: no surrogate without its partner. */
export const isWellFormedText = (text: string): boolean => !loneSurrogate.test(text);

/** The UTF-16 index of the first lone surrogate, or -1 when the text is well formed. */
export function loneSurrogateIndex(text: string): number {
  const match = loneSurrogate.exec(text);
  return match ? match.index : -1;
}

/** Text as a database will store it: each lone surrogate becomes U+FFFD, NUL characters go. */
export const toStorableText = (text: string): string => text.replace(/\p{Cs}/gu, '\uFFFD').replaceAll('\u0000', '');

const ELLIPSIS = '…';
const whitespace = /\s/u;

// Grapheme clusters as the runtime's ICU defines them. A newer Unicode version can group a new
// emoji differently; a cut only shapes text stored or shown, never which commands a workflow
// issues, so replay does not depend on it.
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export interface CutOptions {
  /** End a shortened text with "…" (start it with one when keeping the end); counted within `max`. */
  ellipsis?: boolean;
  /**
   * Prefer to end at a word: drop the partial last word when a space falls in the second half of
   * what is kept. Text without spaces (CJK, a long URL) is still cut between graphemes. Applies
   * when keeping the start.
   */
  atWord?: boolean;
  /** Which part to keep: the beginning (default) or, for a rolling log, the end. */
  keep?: 'start' | 'end';
}

/**
 * `text` shortened to at most `max` UTF-16 units (the unit zod, the API limits and
 * `String.length` count), cut between two graphemes: never inside a surrogate pair, between a
 * letter and its combining marks, or inside an emoji ZWJ sequence or flag. Text that fits is
 * returned unchanged. A single grapheme longer than `max` leaves nothing (or just "…").
 */
export function cutText(text: string, max: number, options: CutOptions = {}): string {
  if (text.length <= max) return text;
  const limit = Math.max(0, Math.floor(max));
  // The ellipsis counts within max, so it is left out when even it does not fit.
  const ellipsis = options.ellipsis === true && limit >= ELLIPSIS.length;
  const budget = limit - (ellipsis ? ELLIPSIS.length : 0);
  if (options.keep === 'end') {
    const kept = tail(text, budget);
    return ellipsis ? `${ELLIPSIS}${kept}` : kept;
  }
  let kept = head(text, budget, options.atWord ?? false);
  // A dangling space before "…" or at a chosen word end reads as a mistake.
  if (ellipsis || options.atWord) kept = kept.trimEnd();
  return ellipsis ? `${kept}${ELLIPSIS}` : kept;
}

/** The longest run of whole graphemes from the start that fits `budget`. */
function head(text: string, budget: number, atWord: boolean): string {
  // Segments are produced lazily, so a 20,000-character body costs only the part that is kept.
  let end = 0;
  // Where the last space-led grapheme starts: cutting there keeps whole words, on a grapheme boundary.
  let wordEnd = -1;
  let next = '';
  for (const { segment } of graphemes.segment(text)) {
    if (end + segment.length > budget) {
      next = segment;
      break;
    }
    if (whitespace.test(segment.charAt(0))) wordEnd = end;
    end += segment.length;
  }
  // Already at a word's end when a space follows; otherwise back up to the last space, unless
  // that would throw away more than half of what fits.
  if (atWord && !whitespace.test(next.charAt(0)) && wordEnd >= end / 2) end = wordEnd;
  return text.slice(0, end);
}

/** The longest run of whole graphemes from the end that fits `budget`. */
function tail(text: string, budget: number): string {
  const first = text.length - budget;
  // The grapheme holding the first unit that would fit: kept only if it starts right there.
  const straddling = graphemes.segment(text).containing(first);
  return text.slice(straddling && straddling.index < first ? straddling.index + straddling.segment.length : first);
}
