import type { RoutingPolicy } from './policy';
import { quadrantOf } from './policy';
import { DEFAULT_MIN_SAMPLE, wilson, type Share } from './stats';
import { complexities, repeatabilities, type Complexity, type HandlingMode, type Repeatability } from './vocabulary';

// The taxonomy audit: the nine complexity × repeatability quadrants, what the history says of
// each (volume, handle time, reopens, CSAT), the mode the active policy gives it and the mode the
// evidence suggests. Pure: the SQL (src/db/taxonomyReport.ts) gives the aggregates.

/** One quadrant's aggregates, or one category's within it, as the SQL returns them. */
export interface QuadrantAggregate {
  complexity: Complexity;
  repeatability: Repeatability;
  category: string | null;
  tickets: number;
  imported: number;
  medianHandleMinutes: number | null;
  reopened: number;
  rated: number;
  csatSum: number;
}

export type QuadrantRow = {
  quadrant: string;
  complexity: Complexity;
  repeatability: Repeatability;
  tickets: number;
  /** Of them, imported from another helpdesk (the rest are Tandem's own closed tickets). */
  imported: number;
  share: number | null;
  medianHandleMinutes: number | null;
  reopenRate: Share;
  csat: { mean: number | null; rated: number };
  topCategories: { category: string; tickets: number; share: number }[];
  policyMode: HandlingMode;
  suggestedMode: HandlingMode | null;
  /** Why the suggestion is what it is, in words. */
  reasons: string[];
};

/** Where a quadrant sits decides where the suggestion starts: what is simple and recurs can go to the AI. */
const startingMode = (c: Complexity, r: Repeatability): HandlingMode => {
  if ((c === 'low' && r !== 'unique') || (c === 'medium' && r === 'repeatable')) return 'ai_auto';
  if (c === 'high' ? r !== 'repeatable' : c === 'medium' && r === 'unique') return 'human';
  return 'ai_review';
};

/** Reopens the AI may cause unseen: at most 10 % even at the interval's high end. */
export const AUTO_MAX_REOPEN = 0.1;
/** Reopens that call for a person: above 25 % even at the interval's low end. */
export const HUMAN_MIN_REOPEN = 0.25;
export const AUTO_MIN_CSAT = 4;
export const HUMAN_BELOW_CSAT = 3;
/** Ratings needed before CSAT counts as evidence. */
export const MIN_RATINGS = 10;

/**
 * The mode the evidence suggests for a quadrant: it starts from where the quadrant sits
 * (low complexity and repeatable → ai_auto; high or unique → human; the rest ai_review), then
 * - ai_auto holds only when the reopen rate's 95 % Wilson interval stays at or under 10 % and
 *   CSAT (once 10 ratings are in) averages 4 or more; otherwise ai_review;
 * - any mode goes to human when even the interval's low end is above 25 % reopens, or CSAT
 *   averages under 3.
 * Fewer than 30 tickets suggest nothing.
 */
export function suggestMode(
  c: Complexity,
  r: Repeatability,
  evidence: { tickets: number; reopenRate: Share; csatMean: number | null; rated: number },
  minSample = DEFAULT_MIN_SAMPLE,
): { mode: HandlingMode | null; reasons: string[] } {
  if (evidence.tickets < minSample) return { mode: null, reasons: [`fewer than ${minSample} tickets: not enough evidence`] };
  let mode = startingMode(c, r);
  const reasons = [`${c} complexity, ${r}: starts at ${mode}`];
  const csatCounts = evidence.rated >= MIN_RATINGS && evidence.csatMean !== null;
  const reopenHigh = evidence.reopenRate.high ?? 1;
  const reopenLow = evidence.reopenRate.low ?? 0;
  if (mode === 'ai_auto' && reopenHigh > AUTO_MAX_REOPEN) {
    mode = 'ai_review';
    reasons.push(`reopen rate up to ${pct(reopenHigh)} (over ${pct(AUTO_MAX_REOPEN)}): a person reviews`);
  }
  if (mode === 'ai_auto' && csatCounts && evidence.csatMean! < AUTO_MIN_CSAT) {
    mode = 'ai_review';
    reasons.push(`CSAT ${evidence.csatMean!.toFixed(2)} (under ${AUTO_MIN_CSAT}): a person reviews`);
  }
  if (mode !== 'human' && reopenLow > HUMAN_MIN_REOPEN) {
    mode = 'human';
    reasons.push(`reopen rate at least ${pct(reopenLow)} (over ${pct(HUMAN_MIN_REOPEN)}): a person handles it`);
  }
  if (mode !== 'human' && csatCounts && evidence.csatMean! < HUMAN_BELOW_CSAT) {
    mode = 'human';
    reasons.push(`CSAT ${evidence.csatMean!.toFixed(2)} (under ${HUMAN_BELOW_CSAT}): a person handles it`);
  }
  return { mode, reasons };
}

const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The 3 × 3 matrix, every quadrant present (an empty one with zeros), in complexity then repeatability order. */
export function taxonomyMatrix(aggregates: QuadrantAggregate[], policy: Pick<RoutingPolicy, 'quadrants'>, topN = 3): QuadrantRow[] {
  const quadrants = aggregates.filter((a) => a.category === null);
  const total = quadrants.reduce((sum, q) => sum + q.tickets, 0);
  return complexities.flatMap((c) =>
    repeatabilities.map((r): QuadrantRow => {
      const q = quadrants.find((a) => a.complexity === c && a.repeatability === r);
      const tickets = q?.tickets ?? 0;
      const reopenRate = wilson(q?.reopened ?? 0, tickets);
      const rated = q?.rated ?? 0;
      const csatMean = rated > 0 ? round(q!.csatSum / rated, 2) : null;
      const topCategories = aggregates
        .filter((a) => a.category !== null && a.complexity === c && a.repeatability === r)
        .sort((a, b) => b.tickets - a.tickets || a.category!.localeCompare(b.category!))
        .slice(0, topN)
        .map((a) => ({ category: a.category!, tickets: a.tickets, share: round(a.tickets / tickets, 4) }));
      const suggestion = suggestMode(c, r, { tickets, reopenRate, csatMean, rated });
      const quadrant = quadrantOf(c, r);
      return {
        quadrant,
        complexity: c,
        repeatability: r,
        tickets,
        imported: q?.imported ?? 0,
        share: total > 0 ? round(tickets / total, 4) : null,
        medianHandleMinutes: q?.medianHandleMinutes == null ? null : round(q.medianHandleMinutes, 1),
        reopenRate,
        csat: { mean: csatMean, rated },
        topCategories,
        policyMode: policy.quadrants[quadrant] ?? 'human',
        suggestedMode: suggestion.mode,
        reasons: suggestion.reasons,
      };
    }),
  );
}
