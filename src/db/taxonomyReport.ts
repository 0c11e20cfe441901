import { sql } from 'drizzle-orm';
import type { QuadrantAggregate } from '../domain/taxonomy';
import type { Complexity, Repeatability } from '../domain/vocabulary';
import type { Db } from './client';

// The taxonomy audit's aggregates over Tandem's own closed tickets and the imported ones created
// in the window, in one statement: each table is read once (its created_at index bounds the
// window), and one sort serves both groupings (per quadrant, per quadrant and category).

/**
 * Handle time: for a Tandem ticket, the minutes the AI, the review and a person spent on it
 * (waits for the customer and in the queue left out); for an imported one, the agent work time
 * the export gave, else created → solved.
 */
export function taxonomyAggregatesQuery(window: { from: Date; to: Date }) {
  return sql`
    with pooled as (
      select complexity, repeatability, category, false as imported,
             (ms_ai + ms_review + ms_person) / 60000.0 as handle_minutes, reopens, csat_score as csat
        from tickets
       where status = 'closed' and created_at >= ${window.from.toISOString()}::timestamptz and created_at < ${window.to.toISOString()}::timestamptz
         and complexity is not null and repeatability is not null
      union all
      select complexity, repeatability, issue_type, true, handle_minutes, reopens, csat
        from imported_tickets
       where created_at >= ${window.from.toISOString()}::timestamptz and created_at < ${window.to.toISOString()}::timestamptz
         and classified_at is not null
    )
    select complexity, repeatability, case when grouping(category) = 1 then null else coalesce(category, 'other') end as category,
           count(*)::int as tickets,
           count(*) filter (where imported)::int as imported,
           percentile_cont(0.5) within group (order by handle_minutes)::float8 as median_handle_minutes,
           count(*) filter (where reopens > 0)::int as reopened,
           count(csat)::int as rated,
           coalesce(sum(csat), 0)::int as csat_sum
      from pooled
     group by grouping sets ((complexity, repeatability), (complexity, repeatability, category))`;
}

type AggregateRow = {
  complexity: Complexity;
  repeatability: Repeatability;
  category: string | null;
  tickets: number;
  imported: number;
  median_handle_minutes: number | null;
  reopened: number;
  rated: number;
  csat_sum: number;
};

export async function taxonomyAggregates(db: Db, window: { from: Date; to: Date }): Promise<QuadrantAggregate[]> {
  const result = await db.execute<AggregateRow>(taxonomyAggregatesQuery(window));
  const rows = Array.isArray(result) ? (result as AggregateRow[]) : ((result as { rows: AggregateRow[] }).rows ?? []);
  return rows.map((r) => ({
    complexity: r.complexity,
    repeatability: r.repeatability,
    category: r.category,
    tickets: Number(r.tickets),
    imported: Number(r.imported),
    medianHandleMinutes: r.median_handle_minutes === null ? null : Number(r.median_handle_minutes),
    reopened: Number(r.reopened),
    rated: Number(r.rated),
    csatSum: Number(r.csat_sum),
  }));
}
