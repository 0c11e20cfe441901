import { DEFAULT_MIN_SAMPLE, trendLine, wilson, type Share } from './stats';
import { feedbackReasons, issueTypes } from './vocabulary';
import { isoWeek, weekLabeller, weekRange } from './weeks';

// How good the AI's answers are, decided once: of the drafts a person decided on (approved as
// written, edited, or set aside by a takeover), the share approved unchanged; what was sent; how
// much edits changed; and what agents said (thumbs, flags, corrections, reasons). Drafts count in
// the week they were written, feedback in the week it was given.

export const aiQualityGroupings = ['week', 'category'] as const;
export type AiQualityGrouping = (typeof aiQualityGroupings)[number];
export const TREND_WEEKS = 12;

/** AI drafts of one week and category: what became of them. `inWindow`: created in [from, to), not only in the trend's weeks. */
export interface DraftCell {
  week: string;
  category: string | null;
  inWindow: boolean;
  /** Sent to the customer: by the AI alone, approved as written, or edited first. */
  sent: number;
  autoSent: number;
  approved: number;
  modified: number;
  /** A person took the ticket over while the draft waited for review. */
  takenOver: number;
  /** Sum and count of the edit sizes of the modified drafts (1 − line similarity). */
  editSizeSum: number;
  editSizes: number;
}
/** Current feedback rows of one bucket (a later rating by the same agent replaces an earlier one). */
export interface FeedbackCell {
  week: string | null;
  category: string | null;
  up: number;
  down: number;
  flags: number;
  corrections: number;
}
export interface ReasonCell {
  week: string | null;
  category: string | null;
  reason: string;
  n: number;
}

export type AiQualityRow = {
  week?: string;
  category?: string | null;
  /** Sent to the customer: by the AI alone (`autoSent`), approved unchanged, or modified. */
  sent: number;
  autoSent: number;
  approvedUnchanged: number;
  modified: number;
  takenOver: number;
  /** Approved unchanged of the drafts a person decided on (approved, modified, taken over). */
  approvalUnchanged: Share;
  /** Mean edit size of the modified drafts (1 − line similarity, 0–1); null without one. */
  meanEditSize: number | null;
  thumbsUp: number;
  thumbsDown: number;
  flags: number;
  corrections: number;
  reasons: Record<string, number>;
  smallSample: boolean;
};

export interface CategoryTrend {
  category: string | null;
  weeks: { week: string; approvalUnchanged: Share }[];
  /** Least-squares line of the weekly rate over the weeks (x = 0 … 11; weeks without a decided draft skipped). */
  line: { slopePerWeek: number; intercept: number } | null;
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
const categoryRank = (c: string | null | undefined) => {
  const i = (issueTypes as readonly (string | null | undefined)[]).indexOf(c);
  return i === -1 ? issueTypes.length : i;
};

interface Acc {
  key: { week?: string; category?: string | null };
  d: Omit<DraftCell, 'week' | 'category' | 'inWindow'>;
  f: Omit<FeedbackCell, 'week' | 'category'>;
  reasons: Record<string, number>;
}

export function aiQualityRows(
  drafts: DraftCell[],
  feedback: FeedbackCell[],
  reasons: ReasonCell[],
  groupBy: readonly AiQualityGrouping[],
): AiQualityRow[] {
  const byWeek = groupBy.includes('week');
  const byCategory = groupBy.includes('category');
  const groups = new Map<string, Acc>();
  const weekOfMonday = weekLabeller();
  const groupOf = (week: string | null, category: string | null) => {
    const key = { ...(byWeek && week ? { week: weekOfMonday(week) } : {}), ...(byCategory ? { category } : {}) };
    const id = JSON.stringify(key);
    let acc = groups.get(id);
    if (!acc) {
      acc = {
        key,
        d: { sent: 0, autoSent: 0, approved: 0, modified: 0, takenOver: 0, editSizeSum: 0, editSizes: 0 },
        f: { up: 0, down: 0, flags: 0, corrections: 0 },
        reasons: Object.fromEntries(feedbackReasons.map((r) => [r, 0])),
      };
      groups.set(id, acc);
    }
    return acc;
  };
  for (const c of drafts) {
    if (!c.inWindow) continue;
    const { d } = groupOf(c.week, c.category);
    for (const k of Object.keys(d) as (keyof Acc['d'])[]) d[k] += c[k];
  }
  for (const c of feedback) {
    const { f } = groupOf(c.week, c.category);
    for (const k of Object.keys(f) as (keyof Acc['f'])[]) f[k] += c[k];
  }
  for (const c of reasons) {
    const acc = groupOf(c.week, c.category);
    acc.reasons[c.reason] = (acc.reasons[c.reason] ?? 0) + c.n;
  }
  return [...groups.values()]
    .map(({ key, d, f, reasons: r }): AiQualityRow => {
      const decided = d.approved + d.modified + d.takenOver;
      return {
        ...key,
        sent: d.sent,
        autoSent: d.autoSent,
        approvedUnchanged: d.approved,
        modified: d.modified,
        takenOver: d.takenOver,
        approvalUnchanged: wilson(d.approved, decided),
        meanEditSize: d.editSizes > 0 ? round4(d.editSizeSum / d.editSizes) : null,
        thumbsUp: f.up,
        thumbsDown: f.down,
        flags: f.flags,
        corrections: f.corrections,
        reasons: r,
        smallSample: decided < DEFAULT_MIN_SAMPLE,
      };
    })
    .sort((a, b) => (a.week ?? '').localeCompare(b.week ?? '') || categoryRank(a.category) - categoryRank(b.category));
}

/** The labels of the `weeks` ISO weeks ending with the one holding `to`'s last instant, oldest first. */
export function trendWeeks(to: Date, timeZone: string, weeks = TREND_WEEKS): string[] {
  const last = weekRange(isoWeek(new Date(to.getTime() - 1), timeZone))!.from.getTime();
  return Array.from({ length: weeks }, (_, i) => isoWeek(new Date(last - (weeks - 1 - i) * 7 * 86_400_000)));
}

/**
 * The earliest instant a draft of the trend's first week can have been written at, whatever the
 * time zone (local Mondays start up to 14 hours before the UTC one); drafts before that week's
 * local Monday fall in a week the trend does not show and are left out by label.
 */
export function trendSince(weeks: string[]): Date {
  return new Date(weekRange(weeks[0]!)!.from.getTime() - 14 * 3_600_000);
}

/** Per category, the weekly approval-unchanged rate over the trend's weeks and its least-squares line. */
export function approvalTrend(drafts: DraftCell[], weeks: string[]): CategoryTrend[] {
  const counts = new Map<string | null, Map<string, { approved: number; decided: number }>>();
  const weekOfMonday = weekLabeller();
  for (const c of drafts) {
    const week = weekOfMonday(c.week);
    if (!weeks.includes(week)) continue;
    let byWeek = counts.get(c.category);
    if (!byWeek) counts.set(c.category, (byWeek = new Map()));
    const cell = byWeek.get(week) ?? { approved: 0, decided: 0 };
    cell.approved += c.approved;
    cell.decided += c.approved + c.modified + c.takenOver;
    byWeek.set(week, cell);
  }
  return [...counts.entries()]
    .sort(([a], [b]) => categoryRank(a) - categoryRank(b))
    .map(([category, byWeek]) => {
      const series = weeks.map((week) => {
        const c = byWeek.get(week);
        return { week, approvalUnchanged: wilson(c?.approved ?? 0, c?.decided ?? 0) };
      });
      const line = trendLine(series.map((w) => w.approvalUnchanged.rate));
      return { category, weeks: series, line: line ? { slopePerWeek: line.slope, intercept: line.intercept } : null };
    });
}
