import { wilson, type Share } from './stats';
import type { IssueType } from './vocabulary';

// AI capacity: whether the AI resolves the share of tickets leads planned for it, per quarter and
// month, and whether it absorbed growth (more tickets, people's volume flat). Pure: the SQL hands
// over monthly counts per category, this adds quarters, targets and verdicts.

export const QUARTER_PATTERN = /^\d{4}-Q[1-4]$/;

/** Within ±5% counts as flat; more than +5% as growth. */
export const FLAT_CHANGE = 0.05;

export type GrowthVerdict = 'absorbed growth' | 'not absorbed' | 'no growth';

export interface PeriodCounts {
  /** Tickets created in the period (live and imported). */
  total: number;
  imported: number;
  /** With a first resolution (imported ones all count). */
  resolved: number;
  /** The AI alone resolved first, not no_reply, never reopened. */
  aiResolved: number;
  /** A person touched it (every imported ticket). */
  humanHandled: number;
}

export interface MonthCounts extends PeriodCounts {
  month: string;
  category: IssueType | null;
}

const empty = (): PeriodCounts => ({ total: 0, imported: 0, resolved: 0, aiResolved: 0, humanHandled: 0 });
const add = (a: PeriodCounts, b: PeriodCounts): PeriodCounts => ({
  total: a.total + b.total,
  imported: a.imported + b.imported,
  resolved: a.resolved + b.resolved,
  aiResolved: a.aiResolved + b.aiResolved,
  humanHandled: a.humanHandled + b.humanHandled,
});

export const quarterOfMonth = (month: string) => `${month.slice(0, 4)}-Q${Math.floor((Number(month.slice(5, 7)) - 1) / 3) + 1}`;

export function previousMonth(month: string): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

export function previousQuarter(quarter: string): string {
  const y = Number(quarter.slice(0, 4));
  const q = Number(quarter.slice(6));
  return q === 1 ? `${y - 1}-Q4` : `${y}-Q${q - 1}`;
}

/** Every month from `first` to `last` inclusive ("2026-01" … "2026-03"). */
export function monthsBetween(first: string, last: string): string[] {
  const out: string[] = [];
  for (let m = last; m >= first; m = previousMonth(m)) out.unshift(m);
  return out;
}

/**
 * Total grew more than 5% over the previous period: "absorbed growth" when people's volume stayed
 * within ±5% (or fell), "not absorbed" when it grew more than 5% too; otherwise "no growth". Null
 * without a previous period to compare with.
 */
export function growthVerdict(previous: PeriodCounts | null, current: PeriodCounts): GrowthVerdict | null {
  if (!previous || previous.total === 0) return null;
  // Compared with a hair of tolerance, so exactly +5% (105/100 − 1 in floating point) is still flat.
  const grew = (now: number, before: number) => now / before - 1 > FLAT_CHANGE + 1e-9;
  if (!grew(current.total, previous.total)) return 'no growth';
  if (previous.humanHandled === 0) return current.humanHandled === 0 ? 'absorbed growth' : 'not absorbed';
  return grew(current.humanHandled, previous.humanHandled) ? 'not absorbed' : 'absorbed growth';
}

export interface TargetSetting {
  quarter: string;
  category: IssueType | null;
  targetShare: number;
  setBy: string;
  setAt: Date;
  id: number;
}

/** The target in force per quarter and category: the latest setting (then the highest id). */
export function currentTargets(settings: TargetSetting[]): TargetSetting[] {
  const latest = new Map<string, TargetSetting>();
  for (const s of settings) {
    const key = `${s.quarter}/${s.category ?? ''}`;
    const known = latest.get(key);
    if (!known || s.setAt.getTime() > known.setAt.getTime() || (s.setAt.getTime() === known.setAt.getTime() && s.id > known.id))
      latest.set(key, s);
  }
  return [...latest.values()].sort((a, b) => a.quarter.localeCompare(b.quarter) || (a.category ?? '').localeCompare(b.category ?? ''));
}

export type CapacityRow = {
  granularity: 'quarter' | 'month';
  period: string;
  quarter: string;
  /** null: every category. */
  category: IssueType | null;
  /** False while the period is still running: its counts grow and it gets no verdict. */
  complete: boolean;
  total: number;
  imported: number;
  resolved: number;
  aiResolved: number;
  /** AI-resolved share of the period's resolved tickets, with its 95% interval. */
  aiShare: Share;
  target: number | null;
  met: boolean | null;
  humanHandled: number;
  previousTotal: number | null;
  previousHumanHandled: number | null;
  totalChange: number | null;
  humanChange: number | null;
  verdict: GrowthVerdict | null;
};

const change = (now: number, before: number | null) =>
  before === null || before === 0 ? null : Math.round((now / before - 1) * 10_000) / 10_000;

/** Rows per period (quarters and/or months) and category (overall, and each category when asked). */
export function capacityRows(input: {
  counts: MonthCounts[];
  months: string[];
  granularities: ('quarter' | 'month')[];
  byCategory: boolean;
  targets: TargetSetting[];
  currentMonth: string;
}): CapacityRow[] {
  const { counts, granularities, targets, currentMonth } = input;
  const categories = [...new Set(counts.map((c) => c.category).filter((c): c is IssueType => c !== null))].sort();
  const groups: (IssueType | null)[] = [null, ...(input.byCategory ? categories : [])];
  const sum = (months: Set<string>, category: IssueType | null) =>
    counts.filter((c) => months.has(c.month) && (category === null || c.category === category)).reduce(add, empty());
  const quarters = [...new Set(input.months.map(quarterOfMonth))];
  const targetOf = (quarter: string, category: IssueType | null) =>
    targets.find((t) => t.quarter === quarter && t.category === category)?.targetShare ?? null;
  const monthsOfQuarter = (quarter: string) =>
    new Set(
      monthsBetween(
        `${quarter.slice(0, 4)}-${String((Number(quarter.slice(6)) - 1) * 3 + 1).padStart(2, '0')}`,
        `${quarter.slice(0, 4)}-${String(Number(quarter.slice(6)) * 3).padStart(2, '0')}`,
      ),
    );
  const rows: CapacityRow[] = [];
  for (const granularity of granularities) {
    const periods = granularity === 'quarter' ? quarters : input.months;
    for (const period of periods) {
      const quarter = granularity === 'quarter' ? period : quarterOfMonth(period);
      const previous = granularity === 'quarter' ? previousQuarter(period) : previousMonth(period);
      const monthsOf = (p: string) => (granularity === 'quarter' ? monthsOfQuarter(p) : new Set([p]));
      const complete = granularity === 'quarter' ? period < quarterOfMonth(currentMonth) : period < currentMonth;
      for (const category of groups) {
        const now = sum(monthsOf(period), category);
        const before = sum(monthsOf(previous), category);
        const aiShare = wilson(now.aiResolved, now.resolved);
        const target = targetOf(quarter, category);
        rows.push({
          granularity,
          period,
          quarter,
          category,
          complete,
          ...now,
          aiShare,
          target,
          met: target === null || aiShare.rate === null ? null : aiShare.rate >= target,
          previousTotal: before.total,
          previousHumanHandled: before.humanHandled,
          totalChange: change(now.total, before.total),
          humanChange: change(now.humanHandled, before.humanHandled),
          verdict: complete ? growthVerdict(before, now) : null,
        });
      }
    }
  }
  return rows;
}
