import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { count, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Database } from '../src/db/client';
import { demoCustomers } from '../src/db/seed';
import { outbox, ticketEvents, tickets } from '../src/db/schema';
import { connectClient, openTestDatabase, uniqueId } from './support/harness';
import { everyQuadrant, startTicket, testPolicy, type TicketHandle } from './support/tickets';

const databaseUrl = inject('databaseUrl');

function startWorkerProcess(taskQueue: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'support', 'workerProcess.ts')], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TASK_QUEUE: taskQueue,
      DATABASE_URL: databaseUrl,
      WORKFLOW_BUNDLE: inject('workflowBundlePath'),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('worker-ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker process exited early (${code})`)));
  });
}

// A worker killed in another process needs a database both processes share: PostgreSQL.
describe.runIf(databaseUrl)('a worker killed mid-flight', () => {
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

  it('restarts and completes all 20 live tickets with no duplicate message or row', async () => {
    const taskQueue = uniqueId('crash');
    const policy = testPolicy({
      quadrants: everyQuadrant('ai_auto'),
      timers: { customerReplyWindow: '1500ms', unresolvedTimeout: '1h', csatDelay: '200ms', csatWindow: '1s', reopenWindow: '1s' },
    });
    const handles: TicketHandle[] = [];
    for (let i = 0; i < 20; i++) {
      handles.push(
        await startTicket(
          client,
          taskQueue,
          { subject: 'How do I reset my password?', body: `How do I reset my password? (#${i})`, customerId: demoCustomers.freeTier },
          policy,
          // Short timeouts so work held by the killed worker is retried quickly.
          { activityTimeouts: { aiMs: 3000, enrichmentMs: 3000, storeMs: 3000 } },
        ),
      );
    }
    const ids = handles.map((h) => h.workflowId.replace(/^ticket-/, ''));

    children.push(await startWorkerProcess(taskQueue));
    // Kill once some tickets have answered and others are still in triage.
    await expect
      .poll(async () => (await database.db.select({ n: count() }).from(outbox).where(inArray(outbox.ticketId, ids)))[0]!.n, {
        timeout: 30_000,
        interval: 50,
      })
      .toBeGreaterThanOrEqual(3);
    children[0]!.kill('SIGKILL');
    const sentBeforeKill = (await database.db.select({ n: count() }).from(outbox).where(inArray(outbox.ticketId, ids)))[0]!.n;
    expect(sentBeforeKill).toBeLessThan(60); // some work was still ahead of the crash

    children.push(await startWorkerProcess(taskQueue));
    const outcomes = await Promise.all(handles.map((h) => h.result()));
    expect(outcomes.every((o) => o.resolutionReason === 'no_reply')).toBe(true);

    for (const ticketId of ids) {
      const sent = await database.db.select().from(outbox).where(eq(outbox.ticketId, ticketId));
      expect(sent.map((o) => o.kind).sort()).toEqual(['csat_reminder', 'csat_survey', 'reply']);
      const events = await database.db.select({ seq: ticketEvents.seq }).from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId));
      const seqs = events.map((e) => e.seq).sort((a, b) => a - b);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    }
    const rows = await database.db.select({ status: tickets.status }).from(tickets).where(inArray(tickets.id, ids));
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.status === 'closed')).toBe(true);
  }, 120_000);
});
