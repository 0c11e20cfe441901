import type { FeedbackRating } from './vocabulary';

// The lead's weekly review: which AI answers it holds, why, and which verdicts a lead can give.
// Pure decisions; the SQL that applies them is src/db/reviewItems.ts.

/**
 * An edit this large (1 − line similarity of the draft and what the agent sent) rewrote the
 * answer rather than touched it up: more than half of its lines changed. Smaller edits (a line
 * added, a greeting fixed) are normal review and stay out of the lead's week.
 */
export const HEAVY_EDIT_SIZE = 0.5;

export const reviewVerdicts = ['accept_correction', 'add_to_knowledge_base', 'dismiss'] as const;
export type ReviewVerdict = (typeof reviewVerdicts)[number];

export const reviewReasons = ['flagged', 'rated_down', 'heavily_modified'] as const;
export type ReviewReason = (typeof reviewReasons)[number];

/** What of one feedback row can put its answer in the review. */
export interface FeedbackSignal {
  source: 'explicit' | 'modify' | 'takeover';
  rating: FeedbackRating | null;
  flag: boolean;
  editSize: number | null;
}

/** Why this feedback puts its answer in the review (empty: it does not). A takeover's implicit thumbs down is not a verdict on the text. */
export function reviewReasonsOf(f: FeedbackSignal): ReviewReason[] {
  const why: ReviewReason[] = [];
  if (f.flag) why.push('flagged');
  if (f.rating === 'down' && f.source === 'explicit') why.push('rated_down');
  if (f.source === 'modify' && (f.editSize ?? 0) > HEAVY_EDIT_SIZE) why.push('heavily_modified');
  return why;
}

/** One review item per AI draft, whatever feedback it got and however often the week is listed. */
export const reviewItemIdFor = (draftId: string) => `rv_${draftId}`;

/** The approved example a verdict makes of an item: one per item. */
export const approvedExampleIdFor = (itemId: string) => `ex_${itemId.replace(/^rv_/, '')}`;

/** An approved answer of the ticket's category whose question shares the customer's words. */
export interface ExampleHit {
  id: string;
  question: string;
  answer: string;
  rank: number;
  /** How many of the customer's significant words the example's question contains. */
  matched: number;
  /** How many significant words the customer used. */
  asked: number;
}

/** What an approved example's match says of the customer's words. */
export type ExampleMatch = Pick<ExampleHit, 'matched' | 'asked'>;

/**
 * Whether an approved example answers the ticket: its question holds most of the customer's
 * words (three of four, or all of fewer), as the knowledge-base search reads coverage. One word
 * in common ("invoice") is the category talking, not the same question.
 */
export const answersTheSameQuestion = (hit: ExampleMatch) => hit.asked > 0 && hit.matched / Math.min(4, hit.asked) >= 0.75;
