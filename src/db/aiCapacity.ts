import { asc, eq, sql } from 'drizzle-orm';
import type { MonthCounts, TargetSetting } from '../domain/aiCapacity';
import type { IssueType } from '../domain/vocabulary';
import type { Db } from './client';
import { aiCapacityTargets } from './schemaFeedback';
import { aiResolvedAlone, rowsOf } from './reportSql';

// AI capacity in SQL: the targets leads set (every setting kept), and one pass over live and
// imported tickets counting, per month in the time zone and category, the totals the report
// compares with the targets. The scan covers whole quarters, from the quarter before `from`'s (the
// first period's comparison) to the end of `to`'s.

interface Row {
  month: string;
  category: IssueType | null;
  total: number;
  imported: number;
  resolved: number;
  ai_resolved: number;
  human_handled: number;
}

export async function capacityMonthCounts(db: Db, window: { from: Date; to: Date; timezone: string }): Promise<MonthCounts[]> {
  const tz = window.timezone;
  const from = window.from.toISOString();
  // The last instant inside the window, so a window ending at a quarter's start does not scan the next quarter.
  const last = new Date(Math.max(window.from.getTime(), window.to.getTime() - 1)).toISOString();
  const lo = sql`((date_trunc('quarter', ${from}::timestamptz at time zone ${tz}) - interval '3 months') at time zone ${tz})`;
  const hi = sql`((date_trunc('quarter', ${last}::timestamptz at time zone ${tz}) + interval '3 months') at time zone ${tz})`;
  const rows = await rowsOf<Row>(
    db,
    sql`
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
      group by 1, 2`,
  );
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
