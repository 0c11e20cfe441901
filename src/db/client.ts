import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema';

export type Schema = typeof schema;
/** The one database type the rest of Tandem sees, whichever driver is underneath. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  db: Db;
  driver: 'postgres' | 'pglite';
  /** Applies the migrations in drizzle/ that have not run yet. */
  migrate(): Promise<void>;
  /** True when a trivial query answers within the deadline. */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

export interface DatabaseOptions {
  /** postgres:// URL; without one an embedded PGlite database is used. */
  url?: string | undefined;
  /** PGlite data directory; 'memory://' keeps it in memory. */
  pgliteDir?: string;
  maxConnections?: number;
}

export function openDatabase(options: DatabaseOptions): Database {
  if (options.url) {
    const client = postgres(options.url, {
      max: options.maxConnections ?? 10,
      onnotice: () => {},
      connect_timeout: 5,
    });
    const db = drizzlePostgres(client, { schema }) as unknown as Db;
    return {
      db,
      driver: 'postgres',
      migrate: () => migratePostgres(drizzlePostgres(client, { schema }), { migrationsFolder }),
      ping: (timeoutMs) => pingWith(db, timeoutMs),
      close: () => client.end({ timeout: 5 }),
    };
  }
  const dir = options.pgliteDir ?? '.data/pglite';
  const releaseLock = dir.startsWith('memory://') ? () => {} : lockDataDir(path.resolve(dir));
  const client = new PGlite(dir);
  const pglite = drizzlePglite(client, { schema });
  const db = pglite as unknown as Db;
  return {
    db,
    driver: 'pglite',
    migrate: () => migratePglite(pglite, { migrationsFolder }),
    ping: (timeoutMs) => pingWith(db, timeoutMs),
    close: () => client.close().finally(releaseLock),
  };
}

export class DatabaseInUseError extends Error {}

/**
 * Embedded PGlite is single-process: a second process opening the same folder would corrupt
 * it. The lock names the holder so the message can say what to stop.
 */
function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const lockFile = path.join(dir, '.tandem.lock');
  const take = () => writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
  try {
    take();
  } catch {
    const holder = Number(readFileSync(lockFile, 'utf8'));
    if (holder && (holder === process.pid || isAlive(holder))) {
      throw new DatabaseInUseError(
        `the embedded database in ${dir} is in use by process ${holder} (npm run dev?). Stop it, or set DATABASE_URL to share a PostgreSQL server.`,
      );
    }
    rmSync(lockFile, { force: true }); // left by a process that died
    take();
  }
  return () => rmSync(lockFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function pingWith(db: Db, timeoutMs = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([db.execute(sql`select 1`).then(() => true), deadline]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
