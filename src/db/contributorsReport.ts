import { sql } from 'drizzle-orm';
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

export function correctionCounts(db: Db, q: Window): Promise<CorrectionCount[]> {
  return reportRows<CorrectionCount>(
    db,
    sql`
    select c.agent, c.category::text as category,
      count(distinct c.draft_id)::int as drafts,
      count(distinct c.draft_id) filter (where c.source = 'explicit')::int as explicit,
      count(distinct c.draft_id) filter (where c.source = 'modify')::int as edits,
      to_char(min(c.created_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "firstAt"
    from (${corrections(q)}) c
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

/**
 * For each agent and category they corrected, every AI draft of that category (whoever reviewed
 * it) written in the `weeks` weeks before their first correction there and in the `weeks` after,
 * with how many a person decided on and how many of those were approved unchanged.
 */
export function spanCounts(db: Db, q: Window & { weeks: number }): Promise<SpanCount[]> {
  const span = sql`${`${q.weeks} weeks`}::interval`;
  return reportRows<SpanCount>(
    db,
    sql`
    with a as (
      select agent, category, min(created_at) as first from (${corrections(q)}) c
      where category is not null group by 1, 2
    ),
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
