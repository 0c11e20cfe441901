import { asc, eq, sql, type SQL } from 'drizzle-orm';
import { wholeHourZone } from '../domain/rollupBlocks';
import type { MonthCounts, TargetSetting } from '../domain/aiCapacity';
import type { IssueType } from '../domain/vocabulary';
import type { Db } from './client';
import { aiCapacityTargets } from './schemaFeedback';
import { aiResolvedAlone, rowsOf } from './reportSql';

// AI capacity in SQL: the targets leads set (every setting kept), and the totals the report
// compares with them per month in the time zone and category, over whole quarters, from the
// quarter before `from`'s (the first period's comparison) to the end of `to`'s. Months start on a
// whole UTC hour in a zone whose offset is whole hours: there the totals are sums of
// arrival_rollup's hours (drizzle/0019_balance_rollups.sql); in any other zone one pass over live
// and imported tickets counts them.

interface Row {
  month: string;
  category: IssueType | null;
  total: number;
  imported: number;
  resolved: number;
  ai_resolved: number;
  human_handled: number;
}

const DAY = 86_400_000;

/** The aggregate the report runs (the bench times it bare). */
export function capacityMonthSql(window: { from: Date; to: Date; timezone: string }): SQL {
  const tz = window.timezone;
  const from = window.from.toISOString();
  // The last instant inside the window, so a window ending at a quarter's start does not scan the next quarter.
  const last = new Date(Math.max(window.from.getTime(), window.to.getTime() - 1)).toISOString();
  const lo = sql`((date_trunc('quarter', ${from}::timestamptz at time zone ${tz}) - interval '3 months') at time zone ${tz})`;
  const hi = sql`((date_trunc('quarter', ${last}::timestamptz at time zone ${tz}) + interval '3 months') at time zone ${tz})`;
  const scanned = { from: new Date(window.from.getTime() - 190 * DAY), to: new Date(window.to.getTime() + 95 * DAY) };
  if (wholeHourZone(tz, scanned))
    return sql`
      select to_char(r.hour at time zone ${tz}, 'YYYY-MM') as month, r.category,
        sum(r.arrivals)::int as total,
        (coalesce(sum(r.arrivals) filter (where r.source = 'imported'), 0))::int as imported,
        sum(case when r.source = 'imported' then r.arrivals else r.resolved end)::int as resolved,
        sum(r.ai_alone)::int as ai_resolved,
        sum(case when r.source = 'imported' then r.arrivals else r.human_handled end)::int as human_handled
      from arrival_rollup r
      where r.hour >= ${lo} and r.hour < ${hi}
      group by 1, 2
      having sum(r.arrivals) <> 0`;
  return sql`
    select to_char(a.created_at at time zone ${tz}, 'YYYY-MM') as month, a.category,
      count(*)::int as total,
      count(*) filter (where a.imported)::int as imported,
      count(*) filter (where a.resolved)::int as resolved,
      count(*) filter (where a.ai_resolved)::int as ai_resolved,
      count(*) filter (where a.human_handled)::int as human_handled
    from (
      select t.created_at, t.category, false as imported,
        t.first_resolution_mode is not null as resolved,
        ${aiResolvedAlone} as ai_resolved,
        (t.human_touched or t.first_resolution_mode in ('ai_plus_human', 'human_only')) as human_handled
      from tickets t
      where t.created_at >= ${lo} and t.created_at < ${hi}
      union all
      select i.created_at, i.issue_type, true, true, false, true
      from imported_tickets i
      where i.created_at >= ${lo} and i.created_at < ${hi}
    ) a
    group by 1, 2`;
}

export async function capacityMonthCounts(db: Db, window: { from: Date; to: Date; timezone: string }): Promise<MonthCounts[]> {
  const rows = await rowsOf<Row>(db, capacityMonthSql(window));
  return rows.map((r) => ({
    month: r.month,
    category: r.category,
    total: Number(r.total),
    imported: Number(r.imported),
    resolved: Number(r.resolved),
    aiResolved: Number(r.ai_resolved),
    humanHandled: Number(r.human_handled),
  }));
}

/** Every target setting, oldest first (of one quarter when given). */
export async function targetSettings(db: Db, quarter?: string): Promise<TargetSetting[]> {
  const rows = await db
    .select()
    .from(aiCapacityTargets)
    .where(quarter ? eq(aiCapacityTargets.quarter, quarter) : undefined)
    .orderBy(asc(aiCapacityTargets.setAt), asc(aiCapacityTargets.id));
  return rows.map((r) => ({
    id: r.id,
    quarter: r.quarter,
    category: r.category,
    targetShare: r.targetShare,
    setBy: r.setBy,
    setAt: r.setAt,
  }));
}

/** Records new targets for a quarter (overall: category null); earlier settings stay as history. */
export async function setTargets(
  db: Db,
  input: { quarter: string; targets: { category: IssueType | null; share: number }[]; setBy: string; at: Date },
): Promise<void> {
  if (input.targets.length === 0) return;
  await db.insert(aiCapacityTargets).values(
    input.targets.map((t) => ({
      quarter: input.quarter,
      category: t.category,
      targetShare: t.share,
      setBy: input.setBy,
      setAt: input.at,
    })),
  );
}
