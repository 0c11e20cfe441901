import { sql } from 'drizzle-orm';
import type { Db } from './client';
import { instantParam, reportRows, weekBuckets } from './reportRows';
import type { DraftCell, FeedbackCell, ReasonCell } from '../domain/aiQuality';
import { weeksOnWholeHours } from '../domain/rollupWindow';
import { draftCountsFromRollup, feedbackCountsFromRollup, reasonCountsFromRollup } from './feedbackRollupReads';

// Each count comes from the hourly rollups kept on write (feedbackRollupReads.ts) unless it is by
// week in a time zone whose weeks do not start on a whole UTC hour: then from the rows, below.

type DraftQuery = { since: Date; from: Date; to: Date; timezone: string };

export function draftCounts(db: Db, q: DraftQuery): Promise<DraftCell[]> {
  return weeksOnWholeHours(q.since, q.to, q.timezone) ? draftCountsFromRollup(db, q) : draftCountsFromRows(db, q);
}

const fromRollup = (q: FeedbackQuery) => !q.byWeek || weeksOnWholeHours(q.from, q.to, q.timezone);

export function feedbackCounts(db: Db, q: FeedbackQuery): Promise<FeedbackCell[]> {
  return fromRollup(q) ? feedbackCountsFromRollup(db, q) : feedbackCountsFromRows(db, q);
}

export function reasonCounts(db: Db, q: FeedbackQuery): Promise<ReasonCell[]> {
  return fromRollup(q) ? reasonCountsFromRollup(db, q) : reasonCountsFromRows(db, q);
}

/**
 * The outcome of every AI draft created in [since, to), by the week and category it was drafted
 * in; a draft counts as taken over when its agent's implicit thumbs down (source `takeover`)
 * exists, and its edit size is the `modify` feedback's. Feedback follows its draft, so only rows
 * at or after `since` can belong to these drafts.
 */
export function draftCountsFromRows(db: Db, q: DraftQuery): Promise<DraftCell[]> {
  const since = instantParam(q.since);
  const weeks = weekBuckets(q.since, q.to, q.timezone);
  return reportRows<DraftCell>(
    db,
    sql`
    with ${weeks.cte},
    m as (
      select draft_id, avg(edit_size) as edit_size from ai_feedback
      where source = 'modify' and created_at >= ${since} and edit_size is not null
      group by draft_id
    ),
    t as (
      select distinct draft_id from ai_feedback where source = 'takeover' and created_at >= ${since}
    )
    select ${weeks.label(sql`x.wk`)} as week, x.* from (
    select ${weeks.index(sql`d.created_at`)} as wk, d.category::text as category,
      (d.created_at >= ${instantParam(q.from)}) as "inWindow",
      count(*) filter (where d.outcome in ('sent', 'approved', 'modified'))::int as sent,
      count(*) filter (where d.outcome = 'sent')::int as "autoSent",
      count(*) filter (where d.outcome = 'approved')::int as approved,
      count(*) filter (where d.outcome = 'modified')::int as modified,
      count(t.draft_id)::int as "takenOver",
      coalesce(sum(m.edit_size) filter (where d.outcome = 'modified'), 0)::float8 as "editSizeSum",
      count(m.edit_size) filter (where d.outcome = 'modified')::int as "editSizes"
    from ai_drafts d
    left join m on m.draft_id = d.id
    left join t on t.draft_id = d.id
    where d.created_at >= ${since} and d.created_at < ${instantParam(q.to)}
    group by 1, 2, 3
    ) x`,
  );
}

interface FeedbackQuery {
  from: Date;
  to: Date;
  timezone: string;
  byWeek: boolean;
  byCategory: boolean;
}

const feedbackKeys = (q: FeedbackQuery) => {
  const weeks = weekBuckets(q.from, q.to, q.timezone);
  return {
    weeks,
    week: q.byWeek ? weeks.index(sql`f.created_at`) : sql`null::int`,
    category: q.byCategory ? sql`f.category::text` : sql`null::text`,
  };
};

/** Explicit thumbs, flags and corrections given in [from, to), by when they were given and the ticket's category then. */
export function feedbackCountsFromRows(db: Db, q: FeedbackQuery): Promise<FeedbackCell[]> {
  const { weeks, week, category } = feedbackKeys(q);
  return reportRows<FeedbackCell>(
    db,
    sql`
    with ${weeks.cte}
    select ${weeks.label(sql`x.wk`)} as week, x.* from (
    select ${week} as wk, ${category} as category,
      count(*) filter (where f.rating = 'up')::int as up,
      count(*) filter (where f.rating = 'down')::int as down,
      count(*) filter (where f.flag)::int as flags,
      count(*) filter (where f.correction is not null)::int as corrections
    from ai_feedback f
    where f.source = 'explicit' and f.superseded_at is null
      and f.created_at >= ${instantParam(q.from)} and f.created_at < ${instantParam(q.to)}
    group by 1, 2
    ) x`,
  );
}

/** The reasons agents gave with their explicit feedback in [from, to). */
export function reasonCountsFromRows(db: Db, q: FeedbackQuery): Promise<ReasonCell[]> {
  const { weeks, week, category } = feedbackKeys(q);
  return reportRows<ReasonCell>(
    db,
    sql`
    with ${weeks.cte}
    select ${weeks.label(sql`x.wk`)} as week, x.* from (
    select ${week} as wk, ${category} as category, r.reason, count(*)::int as n
    from ai_feedback f cross join lateral unnest(f.reasons) as r(reason)
    where f.source = 'explicit' and f.superseded_at is null
      and f.created_at >= ${instantParam(q.from)} and f.created_at < ${instantParam(q.to)}
    group by 1, 2, 3
    ) x`,
  );
}
