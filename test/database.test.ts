import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, inject, it } from 'vitest';
import { DatabaseInUseError, openDatabase, type Database } from '../src/db/client';
import { seedDemoData } from '../src/db/seed';
import { accounts, kbArticles, ticketEvents } from '../src/db/schema';

async function exercise(database: Database) {
  await database.migrate();
  await database.migrate(); // applying twice is a no-op
  const first = await seedDemoData(database.db);
  const second = await seedDemoData(database.db);
  expect(second).toEqual(first);
  const tiers = await database.db.selectDistinct({ tier: accounts.tier }).from(accounts);
  expect(tiers.map((t) => t.tier).sort()).toEqual(['enterprise', 'free', 'pro']);
  // The generated tsvector column and its ranking work on this driver.
  const hits = await database.db
    .select({ id: kbArticles.id })
    .from(kbArticles)
    .where(sql`${kbArticles.search} @@ plainto_tsquery('english', 'reset password')`);
  expect(hits.length).toBeGreaterThan(0);
  // Idempotent audit writes: the same (ticket, seq) twice keeps one row.
  const event = { ticketId: `db-${database.driver}-${Date.now()}`, seq: 1, type: 'status_changed' as const, actor: 'a', at: new Date() };
  await database.db.insert(ticketEvents).values(event).onConflictDoNothing();
  await database.db.insert(ticketEvents).values(event).onConflictDoNothing();
  expect(await database.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, event.ticketId))).toHaveLength(1);
  expect(await database.ping()).toBe(true);
}

describe('database', () => {
  it('embedded PGlite: migrates, seeds and persists to its data folder', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tandem-pglite-'));
    try {
      const database = openDatabase({ pgliteDir: path.join(dir, 'data') });
      expect(database.driver).toBe('pglite');
      await exercise(database);
      await database.close();
      const reopened = openDatabase({ pgliteDir: path.join(dir, 'data') });
      expect((await reopened.db.select().from(accounts)).length).toBeGreaterThan(0);
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("embedded PGlite: refuses a second opener of the same folder and takes over a dead holder's lock", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tandem-pglite-'));
    try {
      const data = path.join(dir, 'data');
      const first = openDatabase({ pgliteDir: data });
      expect(() => openDatabase({ pgliteDir: data })).toThrow(DatabaseInUseError);
      expect(() => openDatabase({ pgliteDir: data })).toThrow(/in use by process \d+/);
      await first.close();
      writeFileSync(path.join(data, '.tandem.lock'), '2147483646'); // no such process
      const second = openDatabase({ pgliteDir: data });
      expect(await second.ping()).toBe(true);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const url = inject('databaseUrl');
  it.runIf(url)('PostgreSQL via postgres.js: migrates and seeds', async () => {
    const database = openDatabase({ url, maxConnections: 2 });
    expect(database.driver).toBe('postgres');
    await exercise(database);
    await database.close();
  });

  it('reports an unreachable PostgreSQL as down within the deadline', async () => {
    const database = openDatabase({ url: 'postgres://nobody@127.0.0.1:1/none', maxConnections: 1 });
    const started = Date.now();
    expect(await database.ping(1000)).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
    await database.close();
  });
});
