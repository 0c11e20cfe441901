import { sql, type SQL } from 'drizzle-orm';
import type { DraftCell, FeedbackCell, ReasonCell } from '../domain/aiQuality';
import { splitDays, splitHours } from '../domain/rollupWindow';
import type { TriageCell } from '../domain/triageAccuracy';
import type { Db } from './client';
import { instantParam, reportRows, weekBuckets } from './reportRows';

// The feedback reports read from the rollups kept on write (drizzle/0017_feedback_report_rollups.sql):
// the cells of the whole UTC hours inside the window from the rollup table, those of the partial
// hours at its edges counted from the rows by the same SQL functions the triggers use. Each cell
// is bucketed by its hour, exact when every week starts on a whole UTC hour (`weeksOnWholeHours`);
// the callers read the rows instead otherwise.

/** Hourly cells of [from, to): `table`'s rows for the whole hours, `counts(lo, hi)` for the edges. */
function hourlyCells(table: string, counts: string, columns: string, from: Date, to: Date): SQL {
  const { hours, edges } = splitHours(from, to);
  const cols = sql.raw(columns);
  const parts: SQL[] = [];
  if (hours)
    parts.push(sql`select ${cols} from ${sql.raw(table)} where hour >= ${instantParam(hours.from)} and hour < ${instantParam(hours.to)}`);
  for (const e of edges) parts.push(sql`select ${cols} from ${sql.raw(counts)}(${instantParam(e.from)}, ${instantParam(e.to)})`);
  if (parts.length === 0) parts.push(sql`select ${cols} from ${sql.raw(table)} where false`);
  return sql.join(parts, sql` union all `);
}

interface Grouping {
  from: Date;
  to: Date;
  timezone: string;
  byWeek: boolean;
  byCategory: boolean;
}

/**
 * What `triageCounts` reads from the rows, summed from the triage rollups: whole UTC days from
 * the daily one, except (by week) the days a week starts inside of, which with the window's other
 * whole hours come from the hourly one; cells by number first (integers hash fast), named after.
 */
export function triageCountsFromRollup(db: Db, q: Grouping): Promise<TriageCell[]> {
  const weeks = weekBuckets(q.from, q.to, q.timezone);
  const { days, hours, edges } = splitDays(q.from, q.to);
  const week = (at: SQL) => (q.byWeek ? weeks.index(at) : sql`null::int`);
  const numbered: SQL[] = hours.map(
    (h) => sql`select ${week(sql`hour`)} as wk, cell, n from triage_feedback_rollup
      where hour >= ${instantParam(h.from)} and hour < ${instantParam(h.to)}`,
  );
  let split = sql``;
  if (days) {
    const lo = instantParam(days.from);
    const hi = instantParam(days.to);
    // The UTC days a week starts inside of (not at their midnight): their hours split between two weeks.
    split = q.byWeek
      ? sql`, split as (
          select distinct date_trunc('day', b, 'UTC') as day from unnest((select bounds from weeks)) b
          where b > date_trunc('day', b, 'UTC') and b >= ${lo} and b < ${hi}
        )`
      : sql`, split as (select null::timestamptz as day where false)`;
    numbered.push(
      sql`select ${week(sql`day`)} as wk, cell, n from triage_daily_feedback_rollup
        where day >= ${lo} and day < ${hi} and day not in (select day from split)`,
      sql`select ${week(sql`r.hour`)} as wk, r.cell, r.n from split s
        join triage_feedback_rollup r on r.hour >= s.day and r.hour < s.day + interval '1 day'`,
    );
  }
  const parts: SQL[] = edges.map(
    (e) => sql`select ${week(sql`e.hour`)} as wk, e.category, e.field, e.ai, e.final, e.reviewed, e.overridden, e.n
      from feedback_triage_counts(${instantParam(e.from)}, ${instantParam(e.to)}) e`,
  );
  if (numbered.length > 0)
    parts.push(sql`select r.wk, nullif(k.category, '') as category, k.field, k.ai, nullif(k.final, '') as final, k.reviewed, k.overridden, r.n
      from (select wk, cell, sum(n)::int as n from (${sql.join(numbered, sql` union all `)}) u group by 1, 2) r
      join feedback_triage_cells k on k.id = r.cell`);
  if (parts.length === 0) return Promise.resolve([]);
  return reportRows<TriageCell>(
    db,
    sql`
    with ${weeks.cte}${split}
    select ${weeks.label(sql`x.wk`)} as week, x.category, x.field, x.ai, x.final, x.reviewed, x.overridden, x.n from (
      select c.wk, ${q.byCategory ? sql`c.category` : sql`null::text`} as category,
        c.field, c.ai, c.final, c.reviewed, c.overridden, sum(c.n)::int as n
      from (${sql.join(parts, sql` union all `)}) c
      group by 1, 2, 3, 4, 5, 6, 7
      having sum(c.n) > 0
    ) x`,
  );
}

const draftColumns = 'hour, category, drafts, sent, auto_sent, approved, modified, taken_over, decided, edit_size_sum, edit_sizes';

/** What `draftCounts` reads from the rows, summed from `draft_feedback_rollup`: [since, from) outside the window, [from, to) in it. */
export function draftCountsFromRollup(db: Db, q: { since: Date; from: Date; to: Date; timezone: string }): Promise<DraftCell[]> {
  const weeks = weekBuckets(q.since, q.to, q.timezone);
  const before = hourlyCells('draft_feedback_rollup', 'feedback_draft_counts', draftColumns, q.since, q.from);
  const inside = hourlyCells('draft_feedback_rollup', 'feedback_draft_counts', draftColumns, q.from, q.to);
  return reportRows<DraftCell>(
    db,
    sql`
    with ${weeks.cte}
    select ${weeks.label(sql`x.wk`)} as week, x.* from (
      select ${weeks.index(sql`c.hour`)} as wk, c.category, c.in_window as "inWindow",
        sum(c.sent)::int as sent, sum(c.auto_sent)::int as "autoSent", sum(c.approved)::int as approved,
        sum(c.modified)::int as modified, sum(c.taken_over)::int as "takenOver",
        sum(c.edit_size_sum)::float8 as "editSizeSum", sum(c.edit_sizes)::int as "editSizes"
      from (select false as in_window, b.* from (${before}) b union all select true, i.* from (${inside}) i) c
      group by 1, 2, 3
      having sum(c.drafts) > 0
    ) x`,
  );
}

/** What `feedbackCounts` reads from the rows, summed from `rating_feedback_rollup`. */
export function feedbackCountsFromRollup(db: Db, q: Grouping): Promise<FeedbackCell[]> {
  const weeks = weekBuckets(q.from, q.to, q.timezone);
  const cells = hourlyCells(
    'rating_feedback_rollup',
    'feedback_rating_counts',
    'hour, category, n, up, down, flags, corrections',
    q.from,
    q.to,
  );
  return reportRows<FeedbackCell>(
    db,
    sql`
    with ${weeks.cte}
    select ${weeks.label(sql`x.wk`)} as week, x.* from (
      select ${q.byWeek ? weeks.index(sql`c.hour`) : sql`null::int`} as wk, ${q.byCategory ? sql`c.category` : sql`null::text`} as category,
        sum(c.up)::int as up, sum(c.down)::int as down, sum(c.flags)::int as flags, sum(c.corrections)::int as corrections
      from (${cells}) c
      group by 1, 2
      having sum(c.n) > 0
    ) x`,
  );
}

/** What `reasonCounts` reads from the rows, summed from `reason_feedback_rollup`. */
export function reasonCountsFromRollup(db: Db, q: Grouping): Promise<ReasonCell[]> {
  const weeks = weekBuckets(q.from, q.to, q.timezone);
  const cells = hourlyCells('reason_feedback_rollup', 'feedback_reason_counts', 'hour, category, reason, n', q.from, q.to);
  return reportRows<ReasonCell>(
    db,
    sql`
    with ${weeks.cte}
    select ${weeks.label(sql`x.wk`)} as week, x.* from (
      select ${q.byWeek ? weeks.index(sql`c.hour`) : sql`null::int`} as wk, ${q.byCategory ? sql`c.category` : sql`null::text`} as category,
        c.reason, sum(c.n)::int as n
      from (${cells}) c
      group by 1, 2, 3
      having sum(c.n) > 0
    ) x`,
  );
}
