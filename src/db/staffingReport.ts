import { sql, type SQL } from 'drizzle-orm';
import { HOUR_MS, splitWindow, wholeHourZone, type Range } from '../domain/rollupBlocks';
import { liveChannels, type StaffingCell } from '../domain/staffing';
import { sumRows } from '../domain/sumRows';
import type { IssueType } from '../domain/vocabulary';
import type { Db } from './client';
import { aiResolvedAlone, rowsOf } from './reportSql';
import { inRanges } from './rollupSql';
import { textArray } from './textArray';

// The staffing model's one aggregate: the live and imported tickets created in the window,
// grouped by hour of the week in the time zone, lane, category and source. The whole UTC hours
// come from arrival_rollup (drizzle/0019_balance_rollups.sql), the partial hours at the edges
// from the tickets; in a zone whose offset is not a whole number of hours a UTC hour is not one
// local hour, so there the whole window is read from the tickets. What a group's tickets mean
// (AI share, handle time, agents) is src/domain/staffing.ts.

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

const hourOfWeek = (column: string, tz: string) =>
  sql`(extract(isodow from ${sql.raw(column)} at time zone ${tz})::int - 1) * 24 + extract(hour from ${sql.raw(column)} at time zone ${tz})::int`;
const lane = (column: string) =>
  sql`case when lower(${sql.raw(column)}) = any(${textArray(liveChannels)}::text[]) then 'live' else 'async' end`;

/** The whole hours' part, from the rollup. */
export const staffingRollupSql = (whole: Range, tz: string): SQL => sql`
  select r.source, ${hourOfWeek('r.hour', tz)} as hour_of_week, ${lane('r.channel')} as lane, r.category,
    sum(r.arrivals)::int as arrivals, sum(r.resolved)::int as resolved, sum(r.ai_alone)::int as ai_alone,
    sum(r.person_n)::int as person_n, sum(r.person_ms)::float8 as person_ms,
    sum(r.handle_n)::int as handle_n, sum(r.handle_minutes)::float8 as handle_minutes
  from arrival_rollup r
  where r.hour >= ${whole.from.toISOString()}::timestamptz and r.hour < ${whole.to.toISOString()}::timestamptz
  group by 1, 2, 3, 4
  having sum(r.arrivals) <> 0`;

/** The tickets of the ranges themselves. An AI resolution: the AI alone resolved it first, not for want of a reply, never reopened. */
export const staffingRawSql = (ranges: Range[], tz: string): SQL => sql`
  select a.source, ${hourOfWeek('a.created_at', tz)} as hour_of_week, ${lane('a.channel')} as lane, a.category,
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
    where ${inRanges('t.created_at', ranges)}
    union all
    select 'imported', i.created_at, i.channel, i.issue_type, false, false, 0, i.handle_minutes
    from imported_tickets i
    where ${inRanges('i.created_at', ranges)}
  ) a
  group by 1, 2, 3, 4`;

export async function staffingCells(db: Db, window: { from: Date; to: Date; timezone: string }): Promise<StaffingCell[]> {
  const tz = window.timezone;
  const { whole, edges } = wholeHourZone(tz, window) ? splitWindow(window, HOUR_MS) : { whole: null, edges: [window] };
  const [hours, partial] = await Promise.all([
    whole ? rowsOf<Row>(db, staffingRollupSql(whole, tz)) : Promise.resolve([]),
    edges.length > 0 ? rowsOf<Row>(db, staffingRawSql(edges, tz)) : Promise.resolve([]),
  ]);
  const cells = [...hours, ...partial].map((r): StaffingCell => ({
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
  return sumRows(cells, ['source', 'hourOfWeek', 'lane', 'category']);
}
