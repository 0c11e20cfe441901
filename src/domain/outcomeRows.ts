import { DEFAULT_MIN_SAMPLE, meanInterval, wilson, type MeanInterval, type Share } from './stats';

// The outcomes report's figures, decided once: what each count is out of, its 95% interval, and
// whether a group is big enough to read. The SQL (src/db/outcomesReport.ts) returns counts and
// percentiles per group × resolution mode; this turns them into the rows a lead reads. Pure.

/** What the report can group by. */
export const outcomeGroupings = ['category', 'tier', 'channel', 'pageContext'] as const;
export type OutcomeGrouping = (typeof outcomeGroupings)[number];

/** The counts of one group × mode: what adds up across groups. */
export interface OutcomeCounts {
  tickets: number;
  /** First resolved by a person or confirmed by the customer (not `no_reply`), and never reopened. */
  resolvedKept: number;
  /** Resolved at least once, any way (`no_reply` included). */
  resolved: number;
  reopened: number;
  /** Got a first response (from the AI or a person). */
  responded: number;
  /** The customer wrote again after the first response, other than a thanks or a survey answer. */
  followedUp: number;
  escalated: number;
  csatCount: number;
  csatSum: number;
  csatSumSquares: number;
  /** Milliseconds summed per stage, so means and totals can be read at any level. */
  stageMs: { ai: number; review: number; customer: number; queue: number; person: number };
}

/** Medians and p90s, for the requested groups only. */
export interface OutcomeTimes {
  timeToResolution: { p50Ms: number | null; p90Ms: number | null };
  handleTime: { p50Ms: number | null; p90Ms: number | null };
  firstResponse: { p50Ms: number | null; p90Ms: number | null };
}

export interface OutcomeCell extends OutcomeCounts {
  group: Partial<Record<OutcomeGrouping, string>>;
  /** `ai_only`, `ai_plus_human`, `human_only`, or `open` (not resolved yet). */
  mode: string;
  /** Present on requested cells. */
  times?: OutcomeTimes;
}

/** Counts add up: a coarser group's are the sum of its finer groups'. */
export function addCounts(a: OutcomeCounts, b: OutcomeCounts): OutcomeCounts {
  const out = { ...a, stageMs: { ...a.stageMs } };
  for (const k of [
    'tickets',
    'resolvedKept',
    'resolved',
    'reopened',
    'responded',
    'followedUp',
    'escalated',
    'csatCount',
    'csatSum',
    'csatSumSquares',
  ] as const)
    out[k] += b[k];
  for (const k of Object.keys(out.stageMs) as (keyof OutcomeCounts['stageMs'])[]) out.stageMs[k] += b.stageMs[k];
  return out;
}

export const noCounts = (): OutcomeCounts => ({
  tickets: 0,
  resolvedKept: 0,
  resolved: 0,
  reopened: 0,
  responded: 0,
  followedUp: 0,
  escalated: 0,
  csatCount: 0,
  csatSum: 0,
  csatSumSquares: 0,
  stageMs: { ai: 0, review: 0, customer: 0, queue: 0, person: 0 },
});

/** Each figure of a group, with what it is out of. */
export interface OutcomeFigures {
  tickets: number;
  /** Fewer tickets than the minimum sample: shown, not to be acted on. */
  smallSample: boolean;
  /** Resolved (by a person, or confirmed by the customer) and not reopened, of all tickets. */
  resolution: Share;
  /** CSAT: the mean score with its 95% interval, and how many resolved tickets answered the survey. */
  csat: MeanInterval & { response: Share };
  /** The customer wrote again after the first response (other than a thanks), of tickets that got one. */
  followUp: Share;
  /** Reopened at least once, of resolved tickets. */
  reopen: Share;
  /** Went to a person at some point (escalated), of all tickets. */
  escalation: Share;
  /** Mean milliseconds per ticket in each stage. */
  stageMeansMs: OutcomeCounts['stageMs'];
}

export function figuresOf(c: OutcomeCounts, minSample = DEFAULT_MIN_SAMPLE): OutcomeFigures {
  const mean = (ms: number) => (c.tickets > 0 ? Math.round(ms / c.tickets) : 0);
  return {
    tickets: c.tickets,
    smallSample: c.tickets < minSample,
    resolution: wilson(c.resolvedKept, c.tickets),
    csat: { ...meanInterval(c.csatCount, c.csatSum, c.csatSumSquares), response: wilson(c.csatCount, c.resolved) },
    followUp: wilson(c.followedUp, c.responded),
    reopen: wilson(c.reopened, c.resolved),
    escalation: wilson(c.escalated, c.tickets),
    stageMeansMs: {
      ai: mean(c.stageMs.ai),
      review: mean(c.stageMs.review),
      customer: mean(c.stageMs.customer),
      queue: mean(c.stageMs.queue),
      person: mean(c.stageMs.person),
    },
  };
}

/** One row of the report: its group's values, the resolution mode, the figures and the times. */
export function outcomeRow(cell: OutcomeCell, minSample = DEFAULT_MIN_SAMPLE) {
  return { ...cell.group, mode: cell.mode, ...figuresOf(cell, minSample), ...cell.times };
}
export type OutcomeRow = ReturnType<typeof outcomeRow>;

const modeOrder = ['ai_only', 'ai_plus_human', 'human_only', 'open'];

/** Rows in a stable order: by group values, then AI-only, AI + human, human-only, open. */
export function sortRows<T extends { mode: string }>(rows: T[], groupBy: readonly OutcomeGrouping[]): T[] {
  const key = (r: T) => groupBy.map((g) => String((r as Record<string, unknown>)[g] ?? '')).join('\u0000');
  return [...rows].sort((a, b) => key(a).localeCompare(key(b)) || modeOrder.indexOf(a.mode) - modeOrder.indexOf(b.mode));
}
