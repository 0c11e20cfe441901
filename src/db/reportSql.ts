import { sql, type SQL } from 'drizzle-orm';
import type { Db } from './client';

// What the staffing and AI capacity aggregates share: one definition of an AI resolution, and
// reading a raw query's rows whichever driver ran it.

/** The AI resolved it alone: first resolved by the AI only, not closed for want of a reply, never reopened (tickets as `t`). */
export const aiResolvedAlone = sql.raw(
  "(t.first_resolution_mode = 'ai_only' and t.ended_by is distinct from 'no_reply' and t.reopens = 0)",
);

/** Rows of a raw query: postgres.js answers an array, PGlite an object with `rows`. */
export async function rowsOf<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
