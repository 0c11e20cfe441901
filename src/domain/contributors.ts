import { clearlyBelow, wilson, type Share } from './stats';
import { issueTypes } from './vocabulary';

// Who teaches the AI, decided once: per agent, the corrections they gave and how many a lead
// accepted; and whether the AI did better in the categories they corrected afterwards. For each
// category an agent corrected, their first correction there (in the window) splits time into the
// `weeks` weeks before and the `weeks` weeks after; each side's rate is the approval-unchanged rate
// of every AI draft of that category written then (approved as written, of the drafts a person
// decided on). An agent's figure pools their categories. `change` is after − before; `direction`
// says "higher"/"lower" only when the two 95% intervals do not overlap.

export const contributorGroupings = ['agent', 'category'] as const;
export type ContributorGrouping = (typeof contributorGroupings)[number];

export interface CorrectionCell {
  agent: string;
  category: string | null;
  drafts: number;
  explicit: number;
  edits: number;
  firstAt: string;
}
export interface AcceptedCell {
  agent: string;
  category: string | null;
  accepted: number;
}
export interface SpanCell {
  agent: string;
  category: string;
  after: boolean;
  approved: number;
  decided: number;
}

export type ContributorRow = {
  agent: string;
  category?: string | null;
  /** Drafts the agent corrected: an explicit correction or an edit when approving. */
  correctionsGiven: number;
  explicitCorrections: number;
  edits: number;
  /** Their corrections a lead accepted in the review (`accept_correction`, corrected by them). */
  correctionsAccepted: number;
  /** The categories they corrected, whose drafts the before/after figures read. */
  categories: (string | null)[];
  /** With `groupBy=agent,category`: their first correction in the category, in the window. */
  firstCorrectionAt?: string;
  approvalUnchangedBefore: Share;
  approvalUnchangedAfter: Share;
  /** after − before (rates), null when either side has no decided draft. */
  change: number | null;
  direction: 'higher' | 'lower' | 'no clear change' | null;
};

const categoryRank = (c: string | null | undefined) => {
  const i = (issueTypes as readonly (string | null | undefined)[]).indexOf(c);
  return i === -1 ? issueTypes.length : i;
};
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

export function contributorRows(
  given: CorrectionCell[],
  accepted: AcceptedCell[],
  spans: SpanCell[],
  groupBy: readonly ContributorGrouping[],
): ContributorRow[] {
  const byCategory = groupBy.includes('category');
  type Acc = {
    agent: string;
    category?: string | null;
    given: number;
    explicit: number;
    edits: number;
    accepted: number;
    categories: Set<string | null>;
    firstAt?: string;
    before: { approved: number; decided: number };
    after: { approved: number; decided: number };
  };
  const groups = new Map<string, Acc>();
  const groupOf = (agent: string, category: string | null) => {
    const id = JSON.stringify([agent, byCategory ? category : null]);
    let acc = groups.get(id);
    if (!acc) {
      acc = {
        agent,
        ...(byCategory ? { category } : {}),
        given: 0,
        explicit: 0,
        edits: 0,
        accepted: 0,
        categories: new Set(),
        before: { approved: 0, decided: 0 },
        after: { approved: 0, decided: 0 },
      };
      groups.set(id, acc);
    }
    return acc;
  };
  for (const c of given) {
    const acc = groupOf(c.agent, c.category);
    acc.given += c.drafts;
    acc.explicit += c.explicit;
    acc.edits += c.edits;
    acc.categories.add(c.category);
    if (byCategory) acc.firstAt = c.firstAt;
  }
  for (const c of accepted) groupOf(c.agent, c.category).accepted += c.accepted;
  for (const c of spans) {
    const side = groupOf(c.agent, c.category)[c.after ? 'after' : 'before'];
    side.approved += c.approved;
    side.decided += c.decided;
  }
  return [...groups.values()]
    .map((acc): ContributorRow => {
      const before = wilson(acc.before.approved, acc.before.decided);
      const after = wilson(acc.after.approved, acc.after.decided);
      const change = before.rate !== null && after.rate !== null ? round4(after.rate - before.rate) : null;
      return {
        agent: acc.agent,
        ...('category' in acc ? { category: acc.category ?? null } : {}),
        correctionsGiven: acc.given,
        explicitCorrections: acc.explicit,
        edits: acc.edits,
        correctionsAccepted: acc.accepted,
        categories: [...acc.categories].sort((a, b) => categoryRank(a) - categoryRank(b)),
        ...(acc.firstAt ? { firstCorrectionAt: acc.firstAt } : {}),
        approvalUnchangedBefore: before,
        approvalUnchangedAfter: after,
        change,
        direction:
          change === null ? null : clearlyBelow(before, after) ? 'higher' : clearlyBelow(after, before) ? 'lower' : 'no clear change',
      };
    })
    .sort(
      (a, b) =>
        b.correctionsGiven - a.correctionsGiven || a.agent.localeCompare(b.agent) || categoryRank(a.category) - categoryRank(b.category),
    );
}
