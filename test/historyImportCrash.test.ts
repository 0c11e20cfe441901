import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import type { Client } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Database } from '../src/db/client';
import { historyImports, importedTickets } from '../src/db/schema';
import { importHistory } from '../src/integrations/historyImport';
import { progressQuery } from '../src/workflows/historyImportMessages';
import { connectClient, openTestDatabase, uniqueId } from './support/harness';
import { waitFor } from './support/waitFor';
import { startWorkerProcess } from './support/workerChild';

const databaseUrl = inject('databaseUrl');
const TOTAL = 4000;
const BATCH = 40;

/** A Tandem-format export of `n` past tickets of a few kinds. */
function historyCsv(n: number): Buffer {
  const kinds = [
    ['How do I reset my password?', 'The reset email never arrives, how do I reset my password?'],
    ['Refund please', 'I was charged twice this month, please refund the second charge.'],
    ['API error 500', 'The export endpoint returns HTTP 500 since this morning.'],
    ['Dark mode', 'It would be great to have a dark mode.'],
  ];
  const lines = ['id,created_at,solved_at,subject,description'];
  for (let i = 0; i < n; i++) {
    const [subject, body] = kinds[i % kinds.length]!;
    lines.push(`H-${i},2026-09-01T10:00:00Z,2026-09-01T11:00:00Z,${subject},"${body} (#${i})"`);
  }
  return Buffer.from(lines.join('\n'));
}

// A worker killed in another process needs a database both processes share: PostgreSQL.
describe.runIf(databaseUrl)('a history import whose worker is killed', () => {
  let database: Database;
  let client: Client;
  let closeClient: () => Promise<void>;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    database = await openTestDatabase();
    ({ client, close: closeClient } = await connectClient());
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await closeClient?.();
    await database?.close();
  });

  it('finishes after kill -9 and a restart, and no batch finished before the kill is classified again', async () => {
    const taskQueue = uniqueId('import-crash');
    const started = await importHistory(
      { db: database.db, client, taskQueue },
      {
        bytes: historyCsv(TOTAL),
        kind: 'csv',
        format: 'tandem',
        source: `crash-${randomUUID().slice(0, 8)}`,
        createdBy: 'test',
        batchSize: BATCH,
        // A dead worker's batch is retried elsewhere within 2 s.
        heartbeatTimeoutMs: 2000,
      },
    );
    if (started.status !== 'classifying') throw new Error(`import not started: ${JSON.stringify(started)}`);
    const classifiedSoFar = async () =>
      (await database.db.select({ n: historyImports.classified }).from(historyImports).where(eq(historyImports.id, started.importId)))[0]!
        .n;

    const first = await startWorkerProcess({ taskQueue, databaseUrl: databaseUrl! });
    children.push(first.child);
    await waitFor(classifiedSoFar, (n) => n >= TOTAL / 5, { timeoutMs: 60_000, everyMs: 20, describe: 'a fifth classified' });
    first.child.kill('SIGKILL');
    await waitFor(
      () => first.exit(),
      (e) => e !== undefined,
      { describe: 'the worker gone' },
    );

    // What was written before the kill: its rows and their classification times.
    const before = await database.db
      .select({ id: importedTickets.id, at: importedTickets.classifiedAt, type: importedTickets.issueType })
      .from(importedTickets)
      .where(eq(importedTickets.importId, started.importId));
    const done = before.filter((r) => r.at !== null);
    expect(done.length).toBeGreaterThanOrEqual(TOTAL / 5);
    expect(done.length).toBeLessThan(TOTAL);
    // Whole batches only: a batch is written in one transaction.
    expect(done.length % BATCH).toBe(0);

    const second = await startWorkerProcess({ taskQueue, databaseUrl: databaseUrl! });
    children.push(second.child);
    const result = await client.workflow.getHandle(started.workflowId!).result();
    expect(result).toMatchObject({ total: TOTAL, classified: TOTAL, status: 'done' });

    const after = await database.db
      .select({ id: importedTickets.id, at: importedTickets.classifiedAt })
      .from(importedTickets)
      .where(eq(importedTickets.importId, started.importId));
    expect(after.every((r) => r.at !== null)).toBe(true);
    const atAfter = new Map(after.map((r) => [r.id, r.at!.getTime()]));
    // Every row classified before the kill kept its classification time: none was redone.
    expect(done.filter((r) => atAfter.get(r.id) !== r.at!.getTime())).toEqual([]);
    const [record] = await database.db.select().from(historyImports).where(eq(historyImports.id, started.importId));
    expect(record).toMatchObject({ status: 'done', rows: TOTAL, classified: TOTAL });
    // One completed batch per BATCH rows and the empty one that finds the end, counted once each
    // (a batch cut short by the kill is retried as the same activity). When the kill lands after a
    // batch's write committed but before its completion reached Temporal, that attempt's rows stay
    // written (and are not redone, as checked above) and its retry takes the next rows: one fewer.
    const progress = await client.workflow.getHandle(started.workflowId!).query(progressQuery);
    expect([TOTAL / BATCH, TOTAL / BATCH + 1]).toContain(progress.batches);
  });
});
