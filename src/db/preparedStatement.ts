import type { PGlite } from '@electric-sql/pglite';
import type { Db } from './client';
import { copyClient } from './copyRows';

// drizzle's postgres-js driver prepares only queries given a name (`.prepare('name')`): any other
// statement with parameters costs postgres.js two round trips (Parse + Describe, then Bind +
// Execute) and PostgreSQL parses and plans it again every time. A hot statement whose text never
// changes runs here as a prepared statement instead: parsed once per connection, one round trip
// and one socket write per run. Raw SQL only: rows come back as the driver gives them.

/** Runs `text` ($1, $2 … parameters) as a prepared statement; the rows as the driver returns them. */
export async function runPrepared<Row>(db: Db, text: string, params: unknown[]): Promise<Row[]> {
  const postgresJs = copyClient(db);
  if (postgresJs) return (await postgresJs.unsafe(text, params as never[], { prepare: true })) as unknown as Row[];
  // PGlite runs in this process: there is no round trip to save, its extended query is enough.
  const pglite = (db as unknown as { $client: PGlite }).$client;
  return (await pglite.query<Row>(text, params)).rows;
}
