import { describe, expect, it } from 'vitest';
import { fromApprovedExample } from '../src/ai/local/exampleAnswer';
import { answersTheSameQuestion, HEAVY_EDIT_SIZE, reviewReasonsOf, type FeedbackSignal } from '../src/domain/review';
import { ReviewQuery } from '../src/schemas/review';

// The review's pure decisions, table-driven: what puts an answer in the lead's week, when an
// approved example answers a ticket, and how the local provider words an answer from one.

const signal = (over: Partial<FeedbackSignal>): FeedbackSignal => ({
  source: 'explicit',
  rating: null,
  flag: false,
  editSize: null,
  ...over,
});

describe('reviewReasonsOf', () => {
  it.each([
    [{ flag: true }, ['flagged']],
    [{ rating: 'down' as const }, ['rated_down']],
    [{ rating: 'down' as const, flag: true }, ['flagged', 'rated_down']],
    [{ rating: 'up' as const }, []],
    [{ source: 'takeover' as const, rating: 'down' as const }, []],
    [{ source: 'modify' as const, editSize: HEAVY_EDIT_SIZE + 0.01 }, ['heavily_modified']],
    [{ source: 'modify' as const, editSize: HEAVY_EDIT_SIZE }, []],
    [{ source: 'modify' as const, editSize: 0.1 }, []],
    [{ source: 'explicit' as const, editSize: 0.9 }, []],
  ])('%o → %o', (over, why) => {
    expect(reviewReasonsOf(signal(over))).toEqual(why);
  });
});

describe('answersTheSameQuestion', () => {
  it.each([
    [{ matched: 3, asked: 8 }, true],
    [{ matched: 2, asked: 8 }, false],
    [{ matched: 2, asked: 2 }, true],
    [{ matched: 1, asked: 2 }, false],
    [{ matched: 1, asked: 1 }, true],
    [{ matched: 0, asked: 0 }, false],
  ])('%o → %s', (hit, same) => {
    expect(answersTheSameQuestion(hit)).toBe(same);
  });
});

describe('the local answer from an approved example', () => {
  const example = { id: 'ex_1', question: 'How do I rekindle the lanterns?\n\nHi, how?', answer: '', rank: 0.5, matched: 3, asked: 3 };
  it.each([
    ['Hello,\nPress Rekindle twice.\nBest wishes', 'Press Rekindle twice.'],
    ['Hi Sam,\n\nPress Rekindle twice.\n\nThanks', 'Press Rekindle twice.'],
    ['Press Rekindle twice.', 'Press Rekindle twice.'],
    ['Thanks', 'Thanks'],
  ])('%j is answered as %j under its own greeting and closing, citing the example', (answer, text) => {
    const draft = fromApprovedExample({ ...example, answer }, null, 'Here is how to do this:', 0.8);
    expect(draft.body).toBe(`Hi,\n\n${text}\n\nIf anything is unclear, just reply here.`);
    expect(draft.citations).toEqual([{ articleId: 'ex_1', title: 'Approved answer: How do I rekindle the lanterns?', kind: 'example' }]);
  });
  it('says sorry first on a follow-up after an answer that did not help', () => {
    const draft = fromApprovedExample(
      { ...example, answer: 'Press Rekindle twice.' },
      null,
      'Sorry that did not sort it out yet. Here is what should help:',
      0.7,
    );
    expect(draft.body.split('\n\n')[1]).toMatch(/^Sorry/);
  });
});

describe('the review week', () => {
  it.each([
    ['2026-W48', true],
    ['2026-W53', true],
    ['2025-W53', false],
    ['2026-W00', false],
    ['2026-48', false],
    ['2026-w48', false],
  ])('%s valid: %s', (week, valid) => {
    expect(ReviewQuery.safeParse({ week }).success).toBe(valid);
  });
});
