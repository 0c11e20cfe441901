import { sql } from 'drizzle-orm';
import { liveChannels, type StaffingCell } from '../domain/staffing';
import type { IssueType } from '../domain/vocabulary';
import type { Db } from './client';
import { aiResolvedAlone, rowsOf } from './reportSql';
import { textArray } from './textArray';

// The staffing model's one aggregate: every live and imported ticket created in the window, in a
// single pass over each table (UNION ALL of the two range scans on created_at), grouped by hour of
// the week in the time zone, lane, category and source. What a group's tickets mean (AI share,
// handle time, agents) is src/domain/staffing.ts.

interface Row {
  source: 'live' | 'imported';
  hour_of_week: number;
  lane: 'live' | 'async';
  category: IssueType | null;
  arrivals: number;
  resolved: number;
  ai_alone: number;
  person_n: number;
  person_ms: number;
  handle_n: number;
  handle_minutes: number;
}

export async function staffingCells(db: Db, window: { from: Date; to: Date; timezone: string }): Promise<StaffingCell[]> {
  const from = window.from.toISOString();
  const to = window.to.toISOString();
  const tz = window.timezone;
  // An AI resolution counts when the AI alone resolved it first, the customer did not go silent
  // (no_reply is never an AI resolution) and it was not reopened.
  const rows = await rowsOf<Row>(
    db,
    sql`
      select a.source,
        (extract(isodow from a.created_at at time zone ${tz})::int - 1) * 24
          + extract(hour from a.created_at at time zone ${tz})::int as hour_of_week,
        case when lower(a.channel) = any(${textArray(liveChannels)}::text[]) then 'live' else 'async' end as lane,
        a.category,
        count(*)::int as arrivals,
        count(*) filter (where a.resolved)::int as resolved,
        count(*) filter (where a.ai_alone)::int as ai_alone,
        count(*) filter (where a.person_ms > 0)::int as person_n,
        coalesce(sum(a.person_ms) filter (where a.person_ms > 0), 0)::float8 as person_ms,
        count(a.handle_minutes)::int as handle_n,
        coalesce(sum(a.handle_minutes), 0)::float8 as handle_minutes
      from (
        select 'live' as source, t.created_at, t.channel, t.category,
          t.first_resolution_mode is not null as resolved,
          ${aiResolvedAlone} as ai_alone,
          case when t.first_resolution_mode in ('ai_plus_human', 'human_only') then t.ms_person else 0 end as person_ms,
          null::float8 as handle_minutes
        from tickets t
        where t.created_at >= ${from}::timestamptz and t.created_at < ${to}::timestamptz
        union all
        select 'imported', i.created_at, i.channel, i.issue_type, false, false, 0, i.handle_minutes
        from imported_tickets i
        where i.created_at >= ${from}::timestamptz and i.created_at < ${to}::timestamptz
      ) a
      group by 1, 2, 3, 4`,
  );
  return rows.map((r) => ({
    source: r.source,
    hourOfWeek: Number(r.hour_of_week),
    lane: r.lane,
    category: r.category,
    arrivals: Number(r.arrivals),
    resolved: Number(r.resolved),
    aiAlone: Number(r.ai_alone),
    personN: Number(r.person_n),
    personMs: Number(r.person_ms),
    handleN: Number(r.handle_n),
    handleMinutes: Number(r.handle_minutes),
  }));
}
