import { sql, type SQL } from 'drizzle-orm';
import type { Db } from './client';

// What the report queries share: raw aggregate rows from either driver, and the ISO week an
// instant falls in, in the report's time zone, bucketed by PostgreSQL so only the sums travel.

/** The rows of an aggregate query, whichever driver answers (postgres.js gives an array, PGlite `{ rows }`). */
export async function reportRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** A timestamp parameter, typed so both drivers and the planner read it as one. */
export const instantParam = (at: Date) => sql`${at.toISOString()}::timestamptz`;

/**
 * Weekly buckets in a time zone, cheaply: the local Mondays from `from`'s week to `to` are
 * computed once (a CTE named `weeks`), and each row finds its week by binary search
 * (width_bucket over the Mondays as instants) instead of converting every timestamp to local time,
 * which costs more than the rest of the aggregate. `index(column)` goes in the grouped query,
 * `label(index)` (the Monday as 'YYYY-MM-DD', for `isoWeek`) outside it.
 */
export function weekBuckets(from: Date, to: Date, timeZone: string) {
  return {
    cte: sql`weeks as (
      select array_agg(m at time zone ${timeZone} order by m) as bounds, array_agg(to_char(m, 'YYYY-MM-DD') order by m) as mondays
      from generate_series(date_trunc('week', ${instantParam(from)} at time zone ${timeZone}), ${instantParam(to)} at time zone ${timeZone}, interval '1 week') m
    )`,
    index: (column: SQL) => sql`width_bucket(${column}, (select bounds from weeks))`,
    label: (index: SQL) => sql`(select mondays from weeks)[${index}]`,
  };
}
