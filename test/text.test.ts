import { describe, expect, it } from 'vitest';
import { cutText, isWellFormedText, loneSurrogateIndex } from '../src/domain/text';
import { oneLine } from '../src/ai/local/triage';
import { unclassified } from '../src/domain/ticket';
import { summaryLine } from '../src/db/ticketQueries';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
/** True when `prefix` is the start of `whole` and ends on one of its grapheme boundaries. */
const endsOnGrapheme = (whole: string, prefix: string) => {
  const ends = new Set([0]);
  for (const g of segmenter.segment(whole)) ends.add(g.index + g.segment.length);
  return ends.has(prefix.length) && whole.startsWith(prefix);
};

// The issue's reproduction: an emoji whose surrogate pair straddles the old 139-unit cut.
const issueBody = `${'a'.repeat(138)}😭 and I really need help with my invoice`;

describe('isWellFormedText', () => {
  it.each([
    ['empty', '', true],
    ['ASCII', 'hello', true],
    ['astral emoji (a surrogate pair)', '😭', true],
    ['ZWJ family', '👨‍👩‍👧‍👦', true],
    ['high surrogate alone', '\ud800', false],
    ['low surrogate alone', '\udc00', false],
    ['high surrogate at the end', 'abc\ud83d', false],
    ['low before high (pair in the wrong order)', '\ude2d\ud83d', false],
    ['half of the issue body', issueBody.slice(0, 139), false],
  ])('%s → %s', (_name, text, expected) => {
    expect(isWellFormedText(text)).toBe(expected);
  });

  it.each([
    ['x\ud800y', 1],
    ['😭\udc00', 2],
    ['fine 😭', -1],
  ])('finds the first lone surrogate in %j at %i', (text, index) => {
    expect(loneSurrogateIndex(text)).toBe(index);
  });
});

describe('cutText', () => {
  it.each([
    // [name, text, max, options, expected]
    ['fits exactly: unchanged', 'abcde', 5, {}, 'abcde'],
    ['fits exactly with ellipsis asked: unchanged', 'abcde', 5, { ellipsis: true }, 'abcde'],
    ['one over: cut', 'abcdef', 5, {}, 'abcde'],
    ['one over with ellipsis: the ellipsis counts', 'abcdef', 5, { ellipsis: true }, 'abcd…'],
    ['zero', 'abc', 0, {}, ''],
    ['zero with ellipsis: no room even for it', 'abc', 0, { ellipsis: true }, ''],
    ['issue reproduction at 139 with ellipsis: the emoji goes whole', issueBody, 139, { ellipsis: true }, `${'a'.repeat(138)}…`],
    ['issue reproduction at 139: never half the pair', issueBody, 139, {}, 'a'.repeat(138)],
    ['issue reproduction at 140: the pair fits', issueBody, 140, {}, `${'a'.repeat(138)}😭`],
    ['astral characters', '𝒜𝒜𝒜', 5, {}, '𝒜𝒜'],
    ['combining mark stays with its letter', 'cafe\u0301 noir', 4, {}, 'caf'],
    ['combining mark and letter both fit', 'cafe\u0301 noir', 5, {}, 'cafe\u0301'],
    ['stacked combining marks are one grapheme', 'Z\u0351\u036b\u0343\u036a!', 3, {}, ''],
    ['ZWJ sequence is never split', 'hi 👨‍👩‍👧‍👦 there', 8, {}, 'hi '],
    ['ZWJ sequence that fits exactly', 'hi 👨‍👩‍👧‍👦 there', 14, {}, 'hi 👨‍👩‍👧‍👦'],
    ['flags are two regional indicators, kept together', '🇫🇷🇩🇪🇯🇵', 6, {}, '🇫🇷'],
    ['skin-tone modifier stays on its hand', '👍🏽👍🏽', 3, {}, ''],
    ['CRLF is one grapheme', 'ab\r\ncd', 3, {}, 'ab'],
    ['a single grapheme too long for the budget leaves just the ellipsis', '👨‍👩‍👧‍👦', 4, { ellipsis: true }, '…'],
    ['at a word: drops the partial word', 'the quick brown fox', 13, { atWord: true }, 'the quick'],
    ['at a word: already at a word end', 'the quick brown fox', 9, { atWord: true }, 'the quick'],
    ['at a word with ellipsis', 'the quick brown fox', 14, { atWord: true, ellipsis: true }, 'the quick…'],
    ['at a word: a space too early is ignored', 'a verylongwordthatgoeson', 10, { atWord: true }, 'a verylong'],
    ['at a word: no spaces (CJK) falls back to graphemes', '日本語のテキストです', 4, { atWord: true, ellipsis: true }, '日本語…'],
    ['at a word: the space before an emoji', 'help 😭😭😭', 8, { atWord: true }, 'help'],
    ['keep the end', 'abcdef', 3, { keep: 'end' }, 'def'],
    ['keep the end: never the low half of a pair', 'x😭yz', 3, { keep: 'end' }, 'yz'],
    ['keep the end: never a bare combining mark', 'xe\u0301z', 2, { keep: 'end' }, 'z'],
    ['keep the end with ellipsis', 'abcdef', 3, { keep: 'end', ellipsis: true }, '…ef'],
  ] as const)('%s', (_name, text, max, options, expected) => {
    const cut = cutText(text, max, options);
    expect(cut).toBe(expected);
    expect(cut.length).toBeLessThanOrEqual(max);
    expect(isWellFormedText(cut)).toBe(true);
  });

  it('every cut of text with emoji, marks and flags at every length is well formed, within max, on a grapheme boundary', () => {
    const text = 'Héllo 👋🏽 wörld — 👨‍👩‍👧 café\u0301 🇯🇵 𝒜 नमस्ते end';
    for (let max = 0; max <= text.length + 1; max++) {
      for (const options of [{}, { atWord: true }] as const) {
        const cut = cutText(text, max, options);
        expect(cut.length, `max ${max}`).toBeLessThanOrEqual(max);
        expect(endsOnGrapheme(text, cut), `max ${max} ${JSON.stringify(options)}: ${JSON.stringify(cut)}`).toBe(true);
      }
      const withEllipsis = cutText(text, max, { ellipsis: true });
      expect(withEllipsis.length).toBeLessThanOrEqual(max);
      expect(isWellFormedText(withEllipsis)).toBe(true);
      // Nothing is lost that would have fitted: the next grapheme would overflow.
      const plain = cutText(text, max);
      const next = segmenter.segment(text).containing(plain.length);
      if (next) expect(plain.length + next.segment.length).toBeGreaterThan(max);
    }
  });
});

describe('the text cuts that froze tickets', () => {
  it("the local triage summary of the issue's body is well formed", () => {
    const summary = oneLine(issueBody);
    expect(isWellFormedText(summary)).toBe(true);
    expect(summary.length).toBeLessThanOrEqual(140);
    expect(summary.endsWith('…')).toBe(true);
  });

  it('the blank classification cuts a long subject on a grapheme boundary', () => {
    const subject = `${'b'.repeat(199)}😭 trailing words`;
    expect(unclassified(subject).summary).toBe(`${'b'.repeat(199)}…`);
  });

  it("a queue row's summary line is well formed whatever the summary holds", () => {
    const line = summaryLine({
      whyEscalated: 'c'.repeat(196),
      customerNeeds: '🇫🇷🇫🇷🇫🇷 help',
      alreadyTried: [],
      accountContext: '',
      pageContext: null,
      suggestedNextStep: null,
    });
    // The old cut at 199 units kept the first half of a flag's first regional indicator.
    expect(line).toBe(`${'c'.repeat(196)} —…`);
  });
});
