import { addCounts, noCounts, type OutcomeCell, type OutcomeCounts } from './outcomeRows';
import { clearlyBelow, DEFAULT_MIN_SAMPLE, wilson, type Share } from './stats';
import type { Segment } from './policy';
import { issueTypes, tiers, type IssueType, type Tier } from './vocabulary';

/** The parts of a policy document (as submitted) the advice reads and changes; the rest is kept as it is. */
export interface PolicyKnobs {
  version: string;
  reviewCategories: IssueType[];
  humanOnlyCategories: IssueType[];
  segments?: Partial<Record<Tier, Segment>>;
}

// Routing advice from the outcomes: where tickets the AI handled alone ended worse than those a
// person shared, and where they did not, turned into the policy knobs that exist. A category's
// evidence moves it in or out of `reviewCategories` (a person approves the AI's drafts); a tier's
// moves `segments.<tier>.minimumMode` to or from `ai_review`. The policy's quadrants are keyed by
// complexity and repeatability, which these groups do not split, so the advice leaves them alone,
// and `humanOnlyCategories` is a business rule (security) no outcome figure relaxes. Pure: the
// route reads the cells and the active policy, and nothing changes until an admin activates it.

/** How far below AI + human the AI alone may be and still count as "not worse": five points. */
export const NON_INFERIORITY_MARGIN = 0.05;

export type Verdict = 'ai_worse' | 'ai_not_worse' | 'inconclusive' | 'too_small';

export interface Comparison {
  category?: IssueType | string;
  tier?: Tier | string;
  verdict: Verdict;
  /** Why, in words a lead can check against the figures. */
  reason: string;
  aiOnly: { tickets: number; resolution: Share; followUp: Share };
  aiPlusHuman: { tickets: number; resolution: Share; followUp: Share };
}

const side = (c: OutcomeCounts) => ({
  tickets: c.tickets,
  resolution: wilson(c.resolvedKept, c.tickets),
  followUp: wilson(c.followedUp, c.responded),
});
const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 1000) / 10}%`);

/**
 * AI-only against AI + human on the same tickets' group. Worse: its resolution rate's 95% interval
 * lies wholly below, or its follow-up rate's wholly above (intervals that do not overlap: a
 * conservative test). Not worse: both sides have the minimum sample, its resolution rate's lower
 * bound is within the margin of AI + human's rate, and its follow-up rate's upper bound too.
 */
export function compareModes(
  ai: OutcomeCounts,
  human: OutcomeCounts,
  minSample = DEFAULT_MIN_SAMPLE,
): Omit<Comparison, 'category' | 'tier'> {
  const aiOnly = side(ai);
  const aiPlusHuman = side(human);
  const figures = `resolution ${pct(aiOnly.resolution.rate)} vs ${pct(aiPlusHuman.resolution.rate)}, follow-ups ${pct(aiOnly.followUp.rate)} vs ${pct(aiPlusHuman.followUp.rate)}`;
  if (ai.tickets < minSample || human.tickets < minSample)
    return {
      verdict: 'too_small',
      reason: `fewer than ${minSample} tickets on a side (${ai.tickets} AI-only, ${human.tickets} AI + human)`,
      aiOnly,
      aiPlusHuman,
    };
  if (clearlyBelow(aiOnly.resolution, aiPlusHuman.resolution))
    return { verdict: 'ai_worse', reason: `AI-only resolves clearly fewer (${figures})`, aiOnly, aiPlusHuman };
  if (clearlyBelow(aiPlusHuman.followUp, aiOnly.followUp))
    return { verdict: 'ai_worse', reason: `AI-only customers clearly write again more often (${figures})`, aiOnly, aiPlusHuman };
  const resolutionHolds = (aiOnly.resolution.low ?? 0) >= (aiPlusHuman.resolution.rate ?? 1) - NON_INFERIORITY_MARGIN;
  const followUpHolds = (aiOnly.followUp.high ?? 1) <= (aiPlusHuman.followUp.rate ?? 0) + NON_INFERIORITY_MARGIN;
  if (resolutionHolds && followUpHolds)
    return {
      verdict: 'ai_not_worse',
      reason: `AI-only is within ${NON_INFERIORITY_MARGIN * 100} points of AI + human (${figures})`,
      aiOnly,
      aiPlusHuman,
    };
  return {
    verdict: 'inconclusive',
    reason: `the intervals overlap but do not rule out a gap of ${NON_INFERIORITY_MARGIN * 100} points (${figures})`,
    aiOnly,
    aiPlusHuman,
  };
}

/** The cells of one group summed per mode. */
function byMode(cells: OutcomeCell[], keep: (c: OutcomeCell) => boolean) {
  let ai = noCounts();
  let human = noCounts();
  for (const c of cells.filter(keep)) {
    if (c.mode === 'ai_only') ai = addCounts(ai, c);
    if (c.mode === 'ai_plus_human') human = addCounts(human, c);
  }
  return { ai, human };
}

export interface PolicyChange {
  /** The policy field that changes, as a path ("reviewCategories", "segments.enterprise.minimumMode"). */
  path: string;
  from: unknown;
  to: unknown;
  why: string;
  evidence: Comparison[];
}

export interface RoutingAdvice<D extends PolicyKnobs = PolicyKnobs> {
  /** Per category × tier, then per category and per tier over all of the other. */
  comparisons: { categoryTier: Comparison[]; category: Comparison[]; tier: Comparison[] };
  changes: PolicyChange[];
  /** The active policy with the changes, under a new version: PUT /v1/policy accepts it as it is. Null when nothing changes. */
  proposedPolicy: D | null;
  basedOnVersion: string;
}

/**
 * The advice from the finer cells (category × tier × mode) of a window and the active policy's
 * document. `versionTag` names the proposal (the window's end date), so a new window proposes a new version.
 */
export function routingAdvice<D extends PolicyKnobs>(
  cells: OutcomeCell[],
  active: D,
  options: { minSample?: number; versionTag: string },
): RoutingAdvice<D> {
  const minSample = options.minSample ?? DEFAULT_MIN_SAMPLE;
  const seen = (dim: 'category' | 'tier') => new Set(cells.map((c) => c.group[dim]).filter((v): v is string => v !== undefined));
  const categories = [...seen('category')].sort((a, b) => issueTypes.indexOf(a as IssueType) - issueTypes.indexOf(b as IssueType));
  const tierList = [...seen('tier')].sort((a, b) => tiers.indexOf(a as Tier) - tiers.indexOf(b as Tier));
  const compare = (keep: (c: OutcomeCell) => boolean) => {
    const { ai, human } = byMode(cells, keep);
    return compareModes(ai, human, minSample);
  };
  const categoryTier = categories.flatMap((category) =>
    tierList.map((tier) => ({ category, tier, ...compare((c) => c.group.category === category && c.group.tier === tier) })),
  );
  const category = categories.map((cat) => ({ category: cat, ...compare((c) => c.group.category === cat) }));
  const tier = tierList.map((t) => ({ tier: t, ...compare((c) => c.group.tier === t) }));

  const changes: PolicyChange[] = [];
  const review = new Set(active.reviewCategories);
  for (const c of category) {
    const cat = c.category as IssueType;
    if (!(issueTypes as readonly string[]).includes(cat) || active.humanOnlyCategories.includes(cat)) continue;
    const cells = categoryTier.filter((x) => x.category === cat);
    if (c.verdict === 'ai_worse' && !review.has(cat)) {
      review.add(cat);
      changes.push({
        path: 'reviewCategories',
        from: null,
        to: cat,
        why: `add ${cat}: a person reviews the AI's drafts, because ${c.reason}`,
        evidence: [c, ...cells],
      });
    }
    if (c.verdict === 'ai_not_worse' && review.has(cat)) {
      review.delete(cat);
      changes.push({
        path: 'reviewCategories',
        from: cat,
        to: null,
        why: `remove ${cat}: the AI may answer alone where the quadrants allow, because ${c.reason}`,
        evidence: [c, ...cells],
      });
    }
  }
  const segments = structuredClone(active.segments ?? {});
  for (const t of tier) {
    const name = t.tier as Tier;
    if (!(tiers as readonly string[]).includes(name)) continue;
    const current = segments[name]?.minimumMode;
    const cells = categoryTier.filter((x) => x.tier === name);
    if (t.verdict === 'ai_worse' && current !== 'ai_review' && current !== 'human') {
      segments[name] = { ...segments[name], minimumMode: 'ai_review' };
      changes.push({
        path: `segments.${name}.minimumMode`,
        from: current ?? null,
        to: 'ai_review',
        why: `${name} tickets get a review at least, because ${t.reason}`,
        evidence: [t, ...cells],
      });
    }
    if (t.verdict === 'ai_not_worse' && current === 'ai_review') {
      const { minimumMode: _dropped, ...rest } = segments[name]!;
      segments[name] = rest;
      changes.push({
        path: `segments.${name}.minimumMode`,
        from: 'ai_review',
        to: null,
        why: `${name} tickets no longer need a review by default, because ${t.reason}`,
        evidence: [t, ...cells],
      });
    }
  }
  const proposedPolicy: D | null =
    changes.length === 0
      ? null
      : {
          ...structuredClone(active),
          version: `${active.version}+advice-${options.versionTag}`,
          reviewCategories: issueTypes.filter((c) => review.has(c)),
          segments,
        };
  return { comparisons: { categoryTier, category, tier }, changes, proposedPolicy, basedOnVersion: active.version };
}
