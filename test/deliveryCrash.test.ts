import type { ChildProcess } from 'node:child_process';
import type { ServerResponse } from 'node:http';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Database } from '../src/db/client';
import { demoCustomers } from '../src/db/seed';
import { createEndpoint } from '../src/db/webhookEndpoints';
import { newWebhookSecret } from '../src/webhooks/secrets';
import { connectClient, openTestDatabase, uniqueId } from './support/harness';
import { sentMessages } from './support/sent';
import { everyQuadrant, startTicket, testPolicy } from './support/tickets';
import { waitFor } from './support/waitFor';
import { startReceiver } from './support/webhookReceiver';
import { startWorkerProcess } from './support/workerChild';

const databaseUrl = inject('databaseUrl');

// A worker killed while a delivery is on the wire: the attempt restarts on another worker after
// the heartbeat timeout, so the receiver sees the message at most twice, under one webhook-id, and
// a receiver that dedupes on it processes it exactly once.
describe.runIf(databaseUrl)('a worker killed mid-delivery', () => {
  let database: Database;
  let client: Client;
  let closeClient: () => Promise<void>;
  const children: ChildProcess[] = [];
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    database = await openTestDatabase();
    ({ client, close: closeClient } = await connectClient());
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    for (const close of closers) await close();
    await closeClient?.();
    await database?.close();
  });

  it('delivers the reply exactly once to a receiver that dedupes on webhook-id', async () => {
    const taskQueue = uniqueId('delivery-crash');
    const integration = uniqueId('backend');
    // The first request is held (the worker is killed while it waits); later ones are answered.
    const held: ServerResponse[] = [];
    const processed = new Set<string>();
    const hooks = await startReceiver({
      answer: (res, index) => {
        if (index === 0) return void held.push(res);
        res.writeHead(200).end('ok');
      },
    });
    closers.push(hooks.close);
    const secret = newWebhookSecret();
    hooks.setSecret(secret);
    await createEndpoint(database.db, {
      url: `${hooks.url}/crash`,
      events: ['ticket.message'],
      description: null,
      integration,
      secret,
      createdBy: 'test',
    });

    let worker = await startWorkerProcess({ taskQueue, databaseUrl: databaseUrl! });
    children.push(worker.child);
    const handle = await startTicket(
      client,
      taskQueue,
      {
        subject: 'How do I reset my password?',
        body: 'How do I reset my password?',
        customerId: demoCustomers.freeTier,
        createdBy: integration,
      },
      testPolicy({ quadrants: everyQuadrant('ai_auto') }),
      // A dead worker's attempt restarts after 4 s without a heartbeat.
      { activityTimeouts: { aiMs: 10_000, enrichmentMs: 5000, storeMs: 5000, heartbeatMs: 4000 } },
    );
    await waitFor(
      async () => hooks.received.length,
      (n) => n === 1,
      { describe: 'the first delivery attempt', timeoutMs: 30_000 },
    );
    worker.child.kill('SIGKILL');
    worker = await startWorkerProcess({ taskQueue, databaseUrl: databaseUrl! });
    children.push(worker.child);

    const ticketId = handle.workflowId.replace(/^ticket-/, '');
    await waitFor(
      async () => (await sentMessages(database.db, ticketId)).find((m) => m.kind === 'reply')?.deliveryStatus,
      (status) => status === 'delivered',
      { describe: 'the reply delivered', timeoutMs: 40_000 },
    );
    for (const r of hooks.received) {
      expect(r.verified, r.verifyError ?? '').toBe(true);
      processed.add(String(r.headers['webhook-id']));
    }
    // The attempt the killed worker left on the wire, and its one repeat.
    expect(hooks.received).toHaveLength(2);
    expect(processed.size).toBe(1);
    const bodies = new Set(hooks.received.map((r) => r.raw.toString()));
    expect(bodies.size).toBe(1); // byte for byte the same message, so a receiver can compare too
  });
});
