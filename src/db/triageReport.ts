import { sql } from 'drizzle-orm';
import type { OverrideField } from '../domain/outcomes';
import type { Db } from './client';
import { instantParam, reportRows, weekStartOf } from './reportRows';

/** One bucket of the triage aggregate: how many tickets had this AI value, this final value, and were (not) reviewed, (not) overridden. */
export interface TriageCount {
  /** Monday of the creation week (local date), when grouped by week. */
  week: string | null;
  /** The ticket's final category, when grouped by category. */
  category: string | null;
  field: OverrideField;
  ai: string;
  final: string | null;
  reviewed: boolean;
  overridden: boolean;
  n: number;
}

export interface TriageCountQuery {
  from: Date;
  to: Date;
  timezone: string;
  byWeek: boolean;
  byCategory: boolean;
}

/**
 * The AI's triage call beside the final one, per field, for the tickets created in [from, to):
 * one pass over the window's tickets (six field rows each), with the fields a person overrode
 * (any override row) and whether a person touched the ticket at all. Overrides come after the
 * ticket is created, so only those at or after `from` can belong to the window.
 */
export async function triageCounts(db: Db, q: TriageCountQuery): Promise<TriageCount[]> {
  const from = instantParam(q.from);
  const to = instantParam(q.to);
  const week = q.byWeek ? weekStartOf(sql`t.created_at`, q.timezone) : sql`null::text`;
  const category = q.byCategory ? sql`t.category::text` : sql`null::text`;
  return reportRows<TriageCount>(
    db,
    sql`
    with t as (
      select id, created_at, category, human_touched,
        ai_category, ai_complexity, ai_repeatability, ai_urgency, ai_priority_level, ai_mode,
        complexity, repeatability, urgency, priority_level, mode
      from tickets
      where created_at >= ${from} and created_at < ${to}
    ),
    o as (
      select distinct ticket_id, field from overrides
      where at >= ${from} and ticket_id in (select id from t)
    )
    select ${week} as week, ${category} as category, f.field, f.ai, f.final,
      (t.human_touched or o.ticket_id is not null) as reviewed,
      (o.ticket_id is not null) as overridden,
      count(*)::int as n
    from t
    cross join lateral (values
      ('issueType', t.ai_category::text, t.category::text),
      ('complexity', t.ai_complexity::text, t.complexity::text),
      ('repeatability', t.ai_repeatability::text, t.repeatability::text),
      ('urgency', t.ai_urgency::text, t.urgency::text),
      ('priority', t.ai_priority_level::text, t.priority_level::text),
      ('mode', t.ai_mode::text, t.mode::text)
    ) as f(field, ai, final)
    left join o on o.ticket_id = t.id and o.field = f.field
    where f.ai is not null
    group by 1, 2, 3, 4, 5, 6, 7`,
  );
}
