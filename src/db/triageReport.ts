import { sql } from 'drizzle-orm';
import type { OverrideField } from '../domain/outcomes';
import type { TriageCell } from '../domain/triageAccuracy';
import type { Db } from './client';
import { weeksOnWholeHours } from '../domain/rollupWindow';
import { triageCountsFromRollup } from './feedbackRollupReads';
import { instantParam, reportRows, weekBuckets } from './reportRows';

export interface TriageCountQuery {
  from: Date;
  to: Date;
  timezone: string;
  byWeek: boolean;
  byCategory: boolean;
}

// The read-model columns of each field's AI call and final value, in `overrideFields` order.
const fieldColumns: [OverrideField, string, string][] = [
  ['issueType', 'ai_category', 'category'],
  ['complexity', 'ai_complexity', 'complexity'],
  ['repeatability', 'ai_repeatability', 'repeatability'],
  ['urgency', 'ai_urgency', 'urgency'],
  ['priority', 'ai_priority_level', 'priority_level'],
  ['mode', 'ai_mode', 'mode'],
];

type GroupedRow = { week: string | null; category: string | null; reviewed: boolean; g: number; n: number } & Record<string, unknown>;

/**
 * The AI's triage call beside the final one, per field, for the tickets created in [from, to):
 * from the hourly rollup kept on write, or, by week in a time zone whose weeks do not start on a
 * whole UTC hour, from the rows. The rollup counts every override row of a ticket, the rows those
 * at or after `from`: the same, as overrides follow their ticket's creation.
 */
export function triageCounts(db: Db, q: TriageCountQuery): Promise<TriageCell[]> {
  return !q.byWeek || weeksOnWholeHours(q.from, q.to, q.timezone) ? triageCountsFromRollup(db, q) : triageCountsFromRows(db, q);
}

/**
 * The same counted from the rows.
 * One pass over the window's tickets, each joined to a bit mask of the fields a person overrode
 * (any override row; overrides follow the ticket's creation, so only those at or after `from`
 * can belong to it), counted under six grouping sets at once (one per field): PostgreSQL hashes
 * each ticket into six tables instead of expanding it into six rows and joining them.
 */
export async function triageCountsFromRows(db: Db, q: TriageCountQuery): Promise<TriageCell[]> {
  const from = instantParam(q.from);
  const weeks = weekBuckets(q.from, q.to, q.timezone);
  const week = q.byWeek ? weeks.index(sql`t.created_at`) : sql`null::int`;
  const category = q.byCategory ? sql`t.category::text` : sql`null::text`;
  const bit = (i: number) => 1 << i;
  const columns = sql.raw(
    fieldColumns.map(([, ai, final], i) => `t.${ai}::text as a${i}, t.${final}::text as f${i}, (mask & ${bit(i)}) > 0 as o${i}`).join(', '),
  );
  const sets = sql.raw(fieldColumns.map((_, i) => `(a${i}, f${i}, o${i})`).join(', '));
  const maskCase = sql.raw(fieldColumns.map(([field], i) => `when '${field}' then ${bit(i)}`).join(' '));
  const grouping = sql.raw(`grouping(${fieldColumns.map((_, i) => `a${i}`).join(', ')})`);
  const rows = await reportRows<GroupedRow>(
    db,
    sql`
    with ${weeks.cte},
    o as (
      select ticket_id, bit_or(case field ${maskCase} else 0 end) as mask
      from overrides where at >= ${from} group by ticket_id
    ),
    t as (
      select ${week} as wk, ${category} as category, (t.human_touched or o.mask is not null) as reviewed,
        coalesce(o.mask, 0) as mask, ${columns}
      from tickets t left join o on o.ticket_id = t.id
      where t.created_at >= ${from} and t.created_at < ${instantParam(q.to)}
    )
    select ${weeks.label(sql`x.wk`)} as week, x.* from (
      select wk, category, reviewed, ${grouping} as g, ${sql.raw(fieldColumns.map((_, i) => `a${i}, f${i}, o${i}`).join(', '))},
        count(*)::int as n
      from t
      group by wk, category, reviewed, grouping sets (${sets})
    ) x`,
  );
  // grouping() sets a bit (most significant first) for every field column left out of the row's set.
  const width = fieldColumns.length;
  return rows.flatMap((r) => {
    const i = fieldColumns.findIndex((_, k) => (r.g & (1 << (width - 1 - k))) === 0);
    const ai = i === -1 ? null : (r[`a${i}`] as string | null);
    if (ai === null) return [];
    return [
      {
        week: r.week,
        category: r.category,
        field: fieldColumns[i]![0],
        ai,
        final: r[`f${i}`] as string | null,
        reviewed: r.reviewed,
        overridden: r[`o${i}`] as boolean,
        n: r.n,
      },
    ];
  });
}
