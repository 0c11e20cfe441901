import type { ChildProcess } from 'node:child_process';
import type { Client } from '@temporalio/client';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Database } from '../src/db/client';
import { demoCustomers } from '../src/db/seed';
import { aiDrafts, messages, ticketEvents, tickets } from '../src/db/schema';
import { sentMessages } from './support/sent';
import { actions, stateQuery } from '../src/workflows/messages';
import { connectClient, openTestDatabase, uniqueId } from './support/harness';
import { everyQuadrant, startTicket, testPolicy, type TicketHandle } from './support/tickets';
import { waitFor } from './support/waitFor';
import { ticketIdOf, workflowIdFor } from '../src/domain/ids';
import { startWorkerProcess } from './support/workerChild';

const databaseUrl = inject('databaseUrl');

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

  it('restarts and completes all 20 live tickets, approvals in flight included, with no duplicate message or row', async () => {
    const taskQueue = uniqueId('crash');
    // Free-tier tickets are answered at once; enterprise ones wait for an agent's approval.
    const policy = testPolicy({
      quadrants: everyQuadrant('ai_auto'),
      timers: { customerReplyWindow: '1500ms', unresolvedTimeout: '1h', csatDelay: '200ms', csatWindow: '1s', reopenWindow: '1s' },
    });
    const handles: TicketHandle[] = [];
    for (let i = 0; i < 20; i++) {
      const customerId = i % 2 === 0 ? demoCustomers.freeTier : demoCustomers.enterprise;
      handles.push(
        await startTicket(
          client,
          taskQueue,
          { subject: 'How do I reset my password?', body: `How do I reset my password? (#${i})`, customerId },
          policy,
          // Short timeouts so work held by the killed worker is retried quickly.
          { activityTimeouts: { aiMs: 3000, enrichmentMs: 3000, storeMs: 3000 } },
        ),
      );
    }
    const ids = handles.map((h) => ticketIdOf(h.workflowId)!);
    const reviewIds = ids.filter((_, i) => i % 2 === 1);

    children.push((await startWorkerProcess({ taskQueue, databaseUrl: databaseUrl! })).child);
    // Kill once some tickets have answered, some approvals are in flight and others are still in triage.
    const waiting = await waitFor(
      async () => {
        const rows = await database.db
          .select({ id: tickets.id })
          .from(tickets)
          .where(and(inArray(tickets.id, reviewIds), eq(tickets.status, 'awaiting_review')));
        return rows.map((r) => r.id);
      },
      (ids) => ids.length >= 3,
      { timeoutMs: 30_000, everyMs: 50, describe: '3 tickets awaiting review' },
    );
    const approvals = new Map(
      waiting.map((id) => [
        id,
        client.workflow
          .getHandle(workflowIdFor(id))
          .executeUpdate(actions.approve.update, { args: [{ agentId: 'agent-ana' }], updateId: `approve-${id}` }),
      ]),
    );
    children[0]!.kill('SIGKILL');
    const sentBeforeKill = (await sentMessages(database.db, ids)).length;
    expect(sentBeforeKill).toBeLessThan(60); // some work was still ahead of the crash

    children.push((await startWorkerProcess({ taskQueue, databaseUrl: databaseUrl! })).child);
    // The approvals sent into the crash complete; the rest are approved now, each exactly once.
    for (const id of reviewIds) {
      if (approvals.has(id)) continue;
      const handle = client.workflow.getHandle(workflowIdFor(id));
      // The restarted worker may not answer queries yet: an error is "not yet".
      await waitFor(
        async () => (await handle.query(stateQuery)).status,
        (status) => status === 'awaiting_review',
        {
          timeoutMs: 30_000,
          everyMs: 50,
          describe: `${handle.workflowId} awaiting review`,
          tolerate: () => true,
        },
      );
      approvals.set(id, handle.executeUpdate(actions.approve.update, { args: [{ agentId: 'agent-ana' }], updateId: `approve-${id}` }));
    }
    await Promise.all(approvals.values());
    const outcomes = await Promise.all(handles.map((h) => h.result()));
    expect(outcomes.every((o) => o.resolutionReason === 'no_reply')).toBe(true);

    for (const ticketId of ids) {
      const sent = await sentMessages(database.db, ticketId);
      expect(sent.map((o) => o.kind).sort()).toEqual(['csat_reminder', 'csat_survey', 'reply']);
      const conversation = await database.db.select().from(messages).where(eq(messages.ticketId, ticketId));
      expect(conversation.map((m) => m.author).sort()).toEqual(['ai', 'customer', 'system', 'system']);
      const drafts = await database.db.select().from(aiDrafts).where(eq(aiDrafts.ticketId, ticketId));
      expect(drafts.map((d) => d.outcome)).toEqual([reviewIds.includes(ticketId) ? 'approved' : 'sent']);
      const events = await database.db.select({ seq: ticketEvents.seq }).from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId));
      const seqs = events.map((e) => e.seq).sort((a, b) => a - b);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    }
    const rows = await database.db.select({ status: tickets.status }).from(tickets).where(inArray(tickets.id, ids));
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.status === 'closed')).toBe(true);
  }, 120_000);
});
