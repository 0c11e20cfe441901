import { sql, type SQL } from 'drizzle-orm';
import type { Db } from './client';
import { histogramOf, parseHistogram } from '../domain/histogram';
import { outcomeCellsOf, type OutcomePart } from '../domain/outcomeRollup';
import { outcomeGroupings, type OutcomeCell, type OutcomeGrouping } from '../domain/outcomeRows';
import { blocksOf, DAY_MS, splitWindow, type Range } from '../domain/rollupBlocks';
import { bucketList, bucketsOf, histogramSum, inBlocks, inRanges, rowsOf } from './rollupSql';

// The outcomes report's aggregate, read in two parts at the finer grouping (the groups the caller
// asked for with category and tier added, which the routing advice rolls up): the whole UTC days
// of the window from outcome_rollup (a few dyadic blocks, whatever the window's length), the
// partial days at its edges from the tickets (tickets_created_idx). src/domain/outcomeRollup.ts
// merges them into the report's cells; medians and p90s come from the merged time histograms.

const rawDimension: Record<OutcomeGrouping, string> = {
  category: `coalesce(category, 'unclassified')`,
  tier: `coalesce(tier, 'unknown')`,
  channel: 'channel',
  pageContext: `case when page_context is not null then 'with' else 'without' end`,
};
const rollupDimension: Record<OutcomeGrouping, string> = {
  ...rawDimension,
  pageContext: `case when page then 'with' else 'without' end`,
};

/** The requested dimensions, and the finer set with category and tier, in a fixed order. */
function sets(groupBy: readonly OutcomeGrouping[]) {
  const requested = outcomeGroupings.filter((g) => groupBy.includes(g));
  const finer = [...requested, ...(['category', 'tier'] as const).filter((g) => !requested.includes(g))];
  return { requested, finer };
}

const dims = (finer: readonly OutcomeGrouping[], of: Record<OutcomeGrouping, string>) =>
  sql.raw(finer.map((g) => `${of[g]} as "${g}"`).join(', '));
const positions = (n: number) => sql.raw(Array.from({ length: n + 1 }, (_, i) => i + 1).join(', '));

/** The whole days' part: sums of the rollup rows in the window's blocks. */
export function outcomeRollupSql(whole: Range, finer: readonly OutcomeGrouping[]): SQL {
  const sum = (c: string) => sql.raw(`sum(r.${c})::float8 as ${c}`);
  return sql`
    select ${dims(finer, rollupDimension)}, r.mode,
      ${sql.join(
        ['tickets', 'resolved_kept', 'resolved', 'reopened', 'responded', 'followed_up', 'escalated', 'csat_count'].map(sum),
        sql`, `,
      )},
      ${sql.join(['csat_sum', 'csat_sum_squares', 'ms_ai', 'ms_review', 'ms_customer', 'ms_queue', 'ms_person'].map(sum), sql`, `)},
      ${histogramSum('ttr', 'ttr')}, ${histogramSum('handle', 'handle')}, ${histogramSum('frt', 'frt')}
    from outcome_rollup r
    where ${inBlocks(blocksOf(whole))}
    group by ${positions(finer.length)}
    having sum(r.tickets) <> 0`;
}

/** The edges' part: the same sums over the tickets created in the partial days, with their buckets. */
export function outcomeEdgeSql(edges: Range[], finer: readonly OutcomeGrouping[]): SQL {
  return sql`
    select ${dims(finer, rawDimension)}, coalesce(first_resolution_mode, 'open') as mode,
      count(*)::int as tickets,
      (count(*) filter (where ended_by in ('resolved', 'confirmed') and reopens = 0))::int as resolved_kept,
      (count(*) filter (where first_resolved_at is not null))::int as resolved,
      (count(*) filter (where reopens > 0))::int as reopened,
      (count(*) filter (where first_response_at is not null))::int as responded,
      (count(*) filter (where follow_ups > 0))::int as followed_up,
      (count(*) filter (where escalated))::int as escalated,
      count(csat_score)::int as csat_count,
      coalesce(sum(csat_score), 0)::float8 as csat_sum,
      coalesce(sum(csat_score * csat_score), 0)::float8 as csat_sum_squares,
      sum(ms_ai)::float8 as ms_ai, sum(ms_review)::float8 as ms_review, sum(ms_customer)::float8 as ms_customer,
      sum(ms_queue)::float8 as ms_queue, sum(ms_person)::float8 as ms_person,
      ${bucketList("date_part('epoch', first_resolved_at - created_at) * 1000", 'ttr_buckets')},
      ${bucketList('ms_ai + ms_person', 'handle_buckets')},
      ${bucketList("date_part('epoch', first_response_at - created_at) * 1000", 'frt_buckets')}
    from tickets
    where ${inRanges('created_at', edges)}
    group by ${positions(finer.length)}`;
}

type Row = Record<string, string | number | null>;

function partOf(r: Row, finer: readonly OutcomeGrouping[]): OutcomePart {
  const n = (k: string) => Number(r[k] ?? 0);
  const hist = (name: string) =>
    r[name] !== undefined ? parseHistogram(r[name] as string) : histogramOf(bucketsOf(r[`${name}_buckets`] as string | null));
  return {
    group: Object.fromEntries(finer.map((g) => [g, String(r[g])])),
    mode: String(r.mode),
    tickets: n('tickets'),
    resolvedKept: n('resolved_kept'),
    resolved: n('resolved'),
    reopened: n('reopened'),
    responded: n('responded'),
    followedUp: n('followed_up'),
    escalated: n('escalated'),
    csatCount: n('csat_count'),
    csatSum: n('csat_sum'),
    csatSumSquares: n('csat_sum_squares'),
    stageMs: { ai: n('ms_ai'), review: n('ms_review'), customer: n('ms_customer'), queue: n('ms_queue'), person: n('ms_person') },
    hist: { ttr: hist('ttr'), handle: hist('handle'), frt: hist('frt') },
  };
}

/** The window's parts at the finer grouping: what the report reads from PostgreSQL (the bench times this). */
export async function outcomeParts(db: Db, window: Range, groupBy: readonly OutcomeGrouping[]): Promise<OutcomePart[]> {
  const { finer } = sets(groupBy);
  const { whole, edges } = splitWindow(window, DAY_MS);
  const [days, partial] = await Promise.all([
    whole ? rowsOf<Row>(db, outcomeRollupSql(whole, finer)) : Promise.resolve([]),
    edges.length > 0 ? rowsOf<Row>(db, outcomeEdgeSql(edges, finer)) : Promise.resolve([]),
  ]);
  return [...days, ...partial].map((r) => partOf(r, finer));
}

/**
 * The cells of the window: `requested` (the caller's groups, with times) and `finer` (with
 * category and tier added, counts only). When the caller asked for category and tier, they are the same cells.
 */
export async function outcomeCells(
  db: Db,
  window: Range,
  groupBy: readonly OutcomeGrouping[],
): Promise<{ requested: OutcomeCell[]; finer: OutcomeCell[] }> {
  const { requested, finer } = sets(groupBy);
  return outcomeCellsOf(await outcomeParts(db, window, groupBy), requested, finer);
}
