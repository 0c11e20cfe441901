import { sql, type SQL } from 'drizzle-orm';
import type { Db } from './client';
import { instantParam, reportRows } from './reportRows';

// Who teaches the AI: the corrections each agent gave (an explicit correction, or an edit when
// approving), the ones a lead accepted in the weekly review, and how the categories they corrected
// did before and after. Every count is per agent and category; the domain sums them.

export interface CorrectionCount {
  agent: string;
  category: string | null;
  /** Drafts the agent corrected, either way (one per draft however often they came back to it). */
  drafts: number;
  explicit: number;
  edits: number;
  /** The agent's first correction in this category within the window. */
  firstAt: string;
}

export interface AcceptedCount {
  agent: string;
  category: string | null;
  accepted: number;
}

/** Drafts of the agent's corrected category in the weeks before and after their first correction there. */
export interface SpanCount {
  agent: string;
  category: string;
  after: boolean;
  approved: number;
  decided: number;
}

interface Window {
  from: Date;
  to: Date;
}

const corrections = (q: Window) => sql`
  select agent, category, draft_id, source, created_at from ai_feedback
  where correction is not null and source in ('explicit', 'modify')
    and created_at >= ${instantParam(q.from)} and created_at < ${instantParam(q.to)}`;

/** Each agent's corrections by category: drafts counted once (deduplicated by hashing, not three sorted distinct counts). */
export function correctionCounts(db: Db, q: Window): Promise<CorrectionCount[]> {
  return reportRows<CorrectionCount>(
    db,
    sql`
    select c.agent, c.category::text as category, count(*)::int as drafts,
      count(*) filter (where c.explicit)::int as explicit, count(*) filter (where c.edit)::int as edits,
      to_char(min(c.first) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "firstAt"
    from (
      select agent, category, draft_id, bool_or(source = 'explicit') as explicit, bool_or(source = 'modify') as edit,
        min(created_at) as first
      from (${corrections(q)}) f
      group by 1, 2, 3
    ) c
    group by 1, 2`,
  );
}

/** Review items a lead decided `accept_correction` in [from, to), by the agent whose correction it took. */
export function acceptedCounts(db: Db, q: Window): Promise<AcceptedCount[]> {
  return reportRows<AcceptedCount>(
    db,
    sql`
    select v.corrected_by as agent, i.category::text as category, count(distinct v.item_id)::int as accepted
    from review_verdicts v left join review_items i on i.id = v.item_id
    where v.verdict = 'accept_correction' and v.corrected_by is not null
      and v.at >= ${instantParam(q.from)} and v.at < ${instantParam(q.to)}
    group by 1, 2`,
  );
}

/** The first instant of the UTC hour after `at`, or `at` if it starts one. */
const ceilHour = (at: SQL) =>
  sql`(date_trunc('hour', ${at}, 'UTC') + case when date_trunc('hour', ${at}, 'UTC') = ${at} then interval '0' else interval '1 hour' end)`;
const floorHour = (at: SQL) => sql`date_trunc('hour', ${at}, 'UTC')`;

/** Each agent's first correction in each category, in the window: where their before and after meet. */
const firstCorrections = (q: Window) => sql`
  select agent, category, min(created_at) as first from (${corrections(q)}) c
  where category is not null group by 1, 2`;

/**
 * For each agent and category they corrected, every AI draft of that category (whoever reviewed
 * it) written in the `weeks` weeks before their first correction there and in the `weeks` after,
 * with how many a person decided on and how many of those were approved unchanged: the whole
 * hours of each side from draft_feedback_rollup, the partial hours at its ends from the rows
 * (each draft as feedback_draft_delta_of reads it, drizzle/0017_feedback_report_rollups.sql).
 */
export function spanCounts(db: Db, q: Window & { weeks: number }): Promise<SpanCount[]> {
  const span = sql`${`${q.weeks} weeks`}::interval`;
  return reportRows<SpanCount>(
    db,
    sql`
    with a as (${firstCorrections(q)}),
    s as (
      select a.agent, a.category, v.after, v.lo, v.hi, ${ceilHour(sql`v.lo`)} as hlo, ${floorHour(sql`v.hi`)} as hhi from a
      cross join lateral (values (false, a.first - ${span}, a.first), (true, a.first, a.first + ${span})) v(after, lo, hi)
    )
    select c.agent, c.category::text as category, c.after, sum(c.approved)::int as approved, sum(c.decided)::int as decided
    from (
      select s.agent, s.category, s.after, r.drafts, r.approved, r.decided from s
      join draft_feedback_rollup r on r.category = s.category and r.hour >= s.hlo and r.hour < s.hhi
      union all
      select s.agent, s.category, s.after, 1, (x.outcome = 'approved')::int, (x.outcome in ('approved', 'modified') or x.taken_over)::int
      from s
      cross join lateral (
        select id, created_at, category, outcome from ai_drafts
        where category = s.category and created_at >= s.lo and created_at < least(s.hlo, s.hi)
        union all
        select id, created_at, category, outcome from ai_drafts
        where category = s.category and created_at >= greatest(s.hhi, s.hlo) and created_at < s.hi
      ) d
      cross join lateral feedback_draft_delta_of(1, d.id, d.created_at, d.category, d.outcome) x
    ) c
    group by 1, 2, 3
    having sum(c.drafts) > 0`,
  );
}

/** The same counted from the rows (what the drift test holds the rollup to). */
export function spanCountsFromRows(db: Db, q: Window & { weeks: number }): Promise<SpanCount[]> {
  const span = sql`${`${q.weeks} weeks`}::interval`;
  return reportRows<SpanCount>(
    db,
    sql`
    with a as (${firstCorrections(q)}),
    t as (
      select distinct draft_id from ai_feedback
      where source = 'takeover' and created_at >= ${instantParam(q.from)}::timestamptz - ${span}
    )
    select a.agent, a.category::text as category, (d.created_at >= a.first) as after,
      count(*) filter (where d.outcome = 'approved')::int as approved,
      count(*) filter (where d.outcome in ('approved', 'modified') or t.draft_id is not null)::int as decided
    from a
    join ai_drafts d on d.category = a.category and d.created_at >= a.first - ${span} and d.created_at < a.first + ${span}
    left join t on t.draft_id = d.id
    group by 1, 2, 3`,
  );
}
