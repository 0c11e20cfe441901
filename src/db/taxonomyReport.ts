import { sql } from 'drizzle-orm';
import { histogramOf, parseHistogram } from '../domain/histogram';
import { blocksOf, DAY_MS, splitWindow, type Range } from '../domain/rollupBlocks';
import type { QuadrantAggregate } from '../domain/taxonomy';
import { quadrantAggregates, type TaxonomyPart } from '../domain/taxonomyRollup';
import type { Complexity, Repeatability } from '../domain/vocabulary';
import type { Db } from './client';
import { bucketList, bucketsOf, histogramSum, inBlocks, inRanges, rowsOf } from './rollupSql';

// The taxonomy audit's aggregates over Tandem's own closed tickets and the imported ones created
// in the window: the whole UTC days from taxonomy_rollup, the partial days at the edges from both
// tables (their created_at indexes). Handle time: for a Tandem ticket, the minutes the AI, the
// review and a person spent on it (waits for the customer and in the queue left out); for an
// imported one, the agent work time the export gave, else created → solved.

/** The whole days' part. */
export const taxonomyRollupSql = (whole: Range) => sql`
  select r.complexity, r.repeatability, r.category, r.imported,
    sum(r.tickets)::int as tickets, sum(r.reopened)::int as reopened, sum(r.rated)::int as rated,
    sum(r.csat_sum)::int as csat_sum, ${histogramSum('handle', 'handle')}
  from taxonomy_rollup r
  where ${inBlocks(blocksOf(whole))}
  group by 1, 2, 3, 4
  having sum(r.tickets) <> 0`;

/** The edges' part, from the tickets themselves. */
export const taxonomyEdgeSql = (edges: Range[]) => sql`
  with pooled as (
    select complexity, repeatability, category, false as imported,
           (ms_ai + ms_review + ms_person)::float8 as handle_ms, reopens, csat_score as csat
      from tickets
     where status = 'closed' and ${inRanges('created_at', edges)}
       and complexity is not null and repeatability is not null
    union all
    select complexity, repeatability, issue_type, true, handle_minutes * 60000, reopens, csat
      from imported_tickets
     where ${inRanges('created_at', edges)} and classified_at is not null
  )
  select complexity, repeatability, category, imported,
         count(*)::int as tickets, count(*) filter (where reopens > 0)::int as reopened,
         count(csat)::int as rated, coalesce(sum(csat), 0)::int as csat_sum, ${bucketList('handle_ms', 'handle_buckets')}
    from pooled
   group by 1, 2, 3, 4`;

type Row = {
  complexity: Complexity;
  repeatability: Repeatability;
  category: string | null;
  imported: boolean | string;
  tickets: number;
  reopened: number;
  rated: number;
  csat_sum: number;
  handle?: string;
  handle_buckets?: string | null;
};

/** What the audit reads from PostgreSQL (the bench times this). */
export async function taxonomyParts(db: Db, window: Range): Promise<TaxonomyPart[]> {
  const { whole, edges } = splitWindow(window, DAY_MS);
  const [days, partial] = await Promise.all([
    whole ? rowsOf<Row>(db, taxonomyRollupSql(whole)) : Promise.resolve([]),
    edges.length > 0 ? rowsOf<Row>(db, taxonomyEdgeSql(edges)) : Promise.resolve([]),
  ]);
  return [...days, ...partial].map((r) => ({
    complexity: r.complexity,
    repeatability: r.repeatability,
    category: r.category,
    imported: r.imported === true || r.imported === 't',
    tickets: Number(r.tickets),
    reopened: Number(r.reopened),
    rated: Number(r.rated),
    csatSum: Number(r.csat_sum),
    handle: r.handle !== undefined ? parseHistogram(r.handle) : histogramOf(bucketsOf(r.handle_buckets)),
  }));
}

export async function taxonomyAggregates(db: Db, window: Range): Promise<QuadrantAggregate[]> {
  return quadrantAggregates(await taxonomyParts(db, window));
}
