import { sql, type SQL } from 'drizzle-orm';
import type { Db } from './client';

// What the report queries share: raw aggregate rows from either driver, and the ISO week an
// instant falls in, in the report's time zone, bucketed by PostgreSQL so only the sums travel.

/** The rows of an aggregate query, whichever driver answers (postgres.js gives an array, PGlite `{ rows }`). */
export async function reportRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/**
 * The Monday (a local date, 'YYYY-MM-DD') of the week a timestamp falls in, in `timeZone`:
 * date_trunc('week') is ISO's Monday-based week; `isoWeek` labels it.
 */
export const weekStartOf = (column: SQL, timeZone: string) =>
  sql`to_char(date_trunc('week', ${column} at time zone ${timeZone}), 'YYYY-MM-DD')`;

/** A timestamp parameter, typed so both drivers and the planner read it as one. */
export const instantParam = (at: Date) => sql`${at.toISOString()}::timestamptz`;
