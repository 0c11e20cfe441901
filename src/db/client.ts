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
import postgres, { type Sql, type TransactionSql } from 'postgres';
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

const migrationsFolder = fileURLToPath(new URL('../../drizzle', import.meta.url));

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
      // postgres.js fetches array type oids on every new connection from an async function whose
      // promise nothing awaits: when PostgreSQL dies during that query and the reconnect is
      // refused, the rejection is unhandled and ends the process (seen in the 50-stop soak).
      // drizzle parses and serialises array columns itself, so Tandem does not need the fetch.
      fetch_types: false,
    });
    // drizzle runs every transaction (migrations included) through `client.begin`.
    const guarded = withConnectionLossGuard(client);
    const db = drizzlePostgres(guarded, { schema }) as unknown as Db;
    return {
      db,
      driver: 'postgres',
      migrate: () => migratePostgres(drizzlePostgres(guarded, { schema }), { migrationsFolder }),
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

/**
 * Works around a postgres.js 3.4.9 bug that kills the process when PostgreSQL goes away during a
 * transaction (porsager/postgres#1208, #1154, #1066; unreleased fixes #1168/#1209).
 *
 * When a connection closes, the driver rejects the transaction's query, sets the connection's
 * socket to null and rejects `sql.begin()`. The rejected query then makes `begin` send its own
 * `rollback` on that same connection; a write under 1 KiB is flushed from a `setImmediate`, which
 * dereferences the null socket and throws from the event loop, where nothing can catch it
 * (`TypeError: Cannot read properties of null (reading 'write')` at `nextWrite`). A commit or a
 * query issued after the close goes the same way.
 *
 * The guard never lets a write reach a connection the driver has reported closed: once `begin`
 * has settled while the body is still running (only a close does that), the body's queries fail
 * fast and the body never settles, so the driver issues neither rollback nor commit. The server
 * rolled the transaction back when the connection died, so nothing is lost; the caller still gets
 * the driver's CONNECTION_CLOSED rejection and retries. The abandoned body holds no timer or
 * socket, so it is garbage once nothing refers to it.
 */
export function withConnectionLossGuard(client: Sql): Sql {
  const begin = <T>(body: (tx: TransactionSql) => T | Promise<T>) => {
    // `begin` settles before its body only through the driver's close handler, so "settled while
    // the body runs" means "this transaction's connection is gone".
    let beginSettled = false;
    let noticeSettled: () => void = () => {};
    const settling = new Promise<void>((resolve) => (noticeSettled = resolve));
    const outcome = client.begin(async (tx) => {
      const guardedTx = new Proxy(tx, {
        get(target, property, receiver) {
          const value: unknown = Reflect.get(target, property, receiver);
          if (property !== 'unsafe' || typeof value !== 'function') return value;
          return (...args: Parameters<TransactionSql['unsafe']>) =>
            beginSettled ? connectionLostQuery() : (value as TransactionSql['unsafe']).apply(target, args);
        },
      });
      try {
        const result = await body(guardedTx);
        return beginSettled ? abandoned<T>() : result;
      } catch (error) {
        // A socket error arrives a moment before the close; wait for the close rather than write.
        if (!beginSettled && isConnectionLoss(error)) await Promise.race([settling, delay(closeGraceMs)]);
        if (beginSettled) return abandoned<T>();
        throw error;
      }
    });
    const markSettled = () => {
      beginSettled = true;
      noticeSettled();
    };
    outcome.then(markSettled, markSettled);
    return outcome;
  };
  return new Proxy(client, {
    get: (target, property, receiver) => (property === 'begin' ? begin : Reflect.get(target, property, receiver)),
  });
}

/** How long a body that saw a connection error waits for the driver to report the close. */
const closeGraceMs = 1000;

const connectionLossCodes = new Set(['CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECTION_ENDED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/** Errors after which the connection is gone: the server has already rolled the transaction back. */
function isConnectionLoss(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof postgres.PostgresError) return error.severity === 'FATAL' || error.severity === 'PANIC';
  const code = (error as NodeJS.ErrnoException).code;
  return code !== undefined && connectionLossCodes.has(code);
}

/** Stands in for a query the guard refused: awaitable, and drizzle's `.values()` works on it. */
function connectionLostQuery(): ReturnType<TransactionSql['unsafe']> {
  const error = Object.assign(new Error('the database connection closed during the transaction'), { code: 'CONNECTION_CLOSED' });
  const refused = Promise.reject(error);
  refused.catch(() => {}); // whoever awaits it still sees the rejection; nobody awaiting is no crash
  return Object.assign(refused, { values: () => refused }) as unknown as ReturnType<TransactionSql['unsafe']>;
}

function abandoned<T>(): Promise<T> {
  return new Promise<T>(() => {});
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
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
