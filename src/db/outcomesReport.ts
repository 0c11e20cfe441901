import { sql, type SQL } from 'drizzle-orm';
import type { Db } from './client';
import { outcomeGroupings, type OutcomeCell, type OutcomeGrouping } from '../domain/outcomeRows';

// The outcomes report's one aggregate: every ticket created in the window, read once (through
// tickets_created_idx for a short window, a sequential scan for most of the table), counted per
// group × resolution mode in two grouping sets that one sort serves:
// the groups the caller asked for, and the same with category and tier added, which the routing
// advice rolls up (counts add up; medians do not, so only the requested set's are read).
// Counts are FILTER aggregates, medians and p90s percentile_cont: PostgreSQL returns figures,
// never ticket rows.

const dimension: Record<OutcomeGrouping, string> = {
  category: `coalesce(category, 'unclassified')`,
  tier: `coalesce(tier, 'unknown')`,
  channel: 'channel',
  pageContext: `case when page_context is not null then 'with' else 'without' end`,
};

const quoted = (g: string) => `"${g}"`;

/** The requested dimensions, and the finer set with category and tier, in a fixed order. */
function sets(groupBy: readonly OutcomeGrouping[]) {
  const requested = outcomeGroupings.filter((g) => groupBy.includes(g));
  const finer = [...requested, ...(['category', 'tier'] as const).filter((g) => !requested.includes(g))];
  return { requested, finer };
}

/** The aggregate as SQL, so the bench can time the same statement bare. */
export function outcomesSql(window: { from: Date; to: Date }, groupBy: readonly OutcomeGrouping[]): SQL {
  const { requested, finer } = sets(groupBy);
  const same = requested.length === finer.length;
  const groupingSet = (dims: readonly string[]) => `(${[...dims.map(quoted), 'mode'].join(', ')})`;
  // One sort per figure: the median and the p90 come from the same ordered-set aggregate.
  const pct = (expr: string, name: string) => {
    const agg = `percentile_cont(array[0.5, 0.9]) within group (order by ${expr})`;
    return `(${agg})[1]::float8 as ${name}_p50, (${agg})[2]::float8 as ${name}_p90`;
  };
  return sql`
    select grouping(${sql.raw(finer.map(quoted).join(', '))})::int as bits, ${sql.raw(finer.map(quoted).join(', '))}, mode,
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
      ${sql.raw(pct("date_part('epoch', first_resolved_at - created_at) * 1000", 'ttr'))},
      ${sql.raw(pct('ms_ai + ms_person', 'handle'))},
      ${sql.raw(pct("date_part('epoch', first_response_at - created_at) * 1000", 'frt'))}
    from (
      select ${sql.raw(finer.map((g) => `${dimension[g]} as ${quoted(g)}`).join(', '))},
        coalesce(first_resolution_mode, 'open') as mode,
        ended_by, reopens, follow_ups, escalated, csat_score, created_at, first_response_at, first_resolved_at,
        ms_ai, ms_review, ms_customer, ms_queue, ms_person
      from tickets
      where created_at >= ${window.from.toISOString()}::timestamptz and created_at < ${window.to.toISOString()}::timestamptz
    ) t
    group by grouping sets (${sql.raw([groupingSet(requested), ...(same ? [] : [groupingSet(finer)])].join(', '))})`;
}

type Row = Record<string, string | number | null>;
const num = (v: string | number | null | undefined) => (v === null || v === undefined ? null : Math.round(Number(v)));

/**
 * The cells of the window: `requested` (the caller's groups, with times) and `finer` (with
 * category and tier added, counts only). When the caller asked for category and tier, they are the same cells.
 */
export async function outcomeCells(
  db: Db,
  window: { from: Date; to: Date },
  groupBy: readonly OutcomeGrouping[],
): Promise<{ requested: OutcomeCell[]; finer: OutcomeCell[] }> {
  const { requested, finer } = sets(groupBy);
  const rows = await db.transaction(async (tx) => {
    // The sorts behind the medians stay in memory for a window of a million tickets.
    await tx.execute(sql`set local work_mem = '64MB'`);
    return (await tx.execute(outcomesSql(window, groupBy))) as unknown as Row[];
  });
  const out = { requested: [] as OutcomeCell[], finer: [] as OutcomeCell[] };
  for (const r of rows) {
    // grouping() has a bit per finer dimension (the first is the highest), set when it is not grouped by.
    const grouped = finer.filter((_, i) => (Number(r.bits) & (1 << (finer.length - 1 - i))) === 0);
    const cell: OutcomeCell = {
      group: Object.fromEntries(grouped.map((g) => [g, String(r[g])])),
      mode: String(r.mode),
      tickets: Number(r.tickets),
      resolvedKept: Number(r.resolved_kept),
      resolved: Number(r.resolved),
      reopened: Number(r.reopened),
      responded: Number(r.responded),
      followedUp: Number(r.followed_up),
      escalated: Number(r.escalated),
      csatCount: Number(r.csat_count),
      csatSum: Number(r.csat_sum),
      csatSumSquares: Number(r.csat_sum_squares),
      stageMs: {
        ai: Number(r.ms_ai),
        review: Number(r.ms_review),
        customer: Number(r.ms_customer),
        queue: Number(r.ms_queue),
        person: Number(r.ms_person),
      },
    };
    const isRequested = grouped.length === requested.length;
    if (isRequested) {
      out.requested.push({
        ...cell,
        times: {
          timeToResolution: { p50Ms: num(r.ttr_p50), p90Ms: num(r.ttr_p90) },
          handleTime: { p50Ms: num(r.handle_p50), p90Ms: num(r.handle_p90) },
          firstResponse: { p50Ms: num(r.frt_p50), p90Ms: num(r.frt_p90) },
        },
      });
    }
    if (grouped.length === finer.length) out.finer.push(cell);
  }
  return out;
}
