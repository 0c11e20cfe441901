import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { Validator } from '@seriousme/openapi-schema-validator';
import { eq } from 'drizzle-orm';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, routesOf } from '../src/api/app';
import { createApiKey, revokeApiKey } from '../src/api/auth';
import { openApiPath } from '../src/api/openapi';
import { openDatabase, type Database } from '../src/db/client';
import { accounts, customers, messages, ticketEvents, tickets } from '../src/db/schema';
import { sentMessages } from './support/sent';
import { demoCustomers } from '../src/db/seed';
import { createLogger } from '../src/logger';
import { workflowIdFor } from '../src/domain/ids';
import type { TicketState, TicketView } from '../src/domain/ticketState';
import { testDataConverter } from './support/encryption';
import { startTestStack, uniqueId, type TestStack, type TestWorker } from './support/harness';
import { call, serve } from './support/http';
import { everyQuadrant, statusIs, testPolicy, waitForTicket } from './support/tickets';
import { waitFor as waitUntil } from './support/waitFor';

let database: Database;
let client: Client;
let worker: TestWorker;
let app: Express;
let base: string;
let stack: TestStack<'service' | 'alice' | 'bob' | 'lead' | 'admin'>;
const logLines: string[] = [];
const keys = { service: '', alice: '', bob: '', lead: '', admin: '', revoked: '' };

const policy = testPolicy({ quadrants: everyQuadrant('ai_review') });

beforeAll(async () => {
  stack = await startTestStack({
    policy,
    policies: {},
    app: { logger: createLogger('debug', (l) => logLines.push(l)) },
    keys: { service: 'service', alice: 'agent', bob: 'agent', lead: 'lead', admin: 'admin' },
  });
  ({ database, client, worker, app, url: base } = stack);
  Object.assign(keys, stack.keys);
  const revoked = await createApiKey(database.db, { role: 'admin', name: `gone-${randomUUID().slice(0, 6)}` });
  await revokeApiKey(database.db, revoked.id);
  keys.revoked = revoked.key;
});

afterAll(() => stack?.close());

const howTo = {
  customer: { id: demoCustomers.freeTier },
  channel: 'chat',
  subject: 'How do I reset my password?',
  body: 'Hi, how do I reset my password? I forgot it and cannot sign in.',
};

async function createTicket(body: Record<string, unknown> = howTo, headers: Record<string, string> = {}) {
  const res = await call(base, 'POST', '/v1/tickets', { key: keys.service, body, headers });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { ticketId: string; workflowId: string; status: string };
}

const waitFor = (ticketId: string, predicate: (s: TicketView) => boolean) => waitForTicket(base, keys.alice, ticketId, predicate);

/** A customer of our own, so list assertions see only this file's tickets. */
async function freshCustomer(tier: 'free' | 'pro' | 'enterprise' = 'pro') {
  const id = uniqueId('cus');
  await database.db.insert(accounts).values({ id: `acc-${id}`, name: `Account ${id}`, tier, plan: tier, billingStatus: 'active' });
  await database.db.insert(customers).values({ id, accountId: `acc-${id}`, email: `${id}@example.test`, name: id });
  return id;
}

describe('POST /v1/tickets', () => {
  it('starts the ticket workflow and answers 201 with its ids', async () => {
    const res = await call(base, 'POST', '/v1/tickets', {
      key: keys.service,
      body: { ...howTo, pageContext: { pageUrl: 'https://app.example.com/login', recentActions: ['clicked reset'] } },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'triaging' });
    expect(res.body.workflowId).toBe(workflowIdFor(res.body.ticketId));
    expect(res.headers.get('location')).toBe(`/v1/tickets/${res.body.ticketId}`);
    const state = await waitFor(res.body.ticketId, statusIs('awaiting_review'));
    expect(state.ticket.pageContext?.pageUrl).toBe('https://app.example.com/login');
    expect(state.ticket.customerId).toBe(demoCustomers.freeTier);
  });

  it('resolves a customer by email, and accepts an email it does not know', async () => {
    const known = await createTicket({ ...howTo, customer: { email: 'SAM@pixel.example' } });
    const state = await waitFor(known.ticketId, (s) => s.enrichment !== null);
    expect(state.ticket.customerId).toBe(demoCustomers.freeTier);
    expect(state.enrichment?.tier).toBe('free');
    const stranger = await createTicket({ ...howTo, customer: { email: `new-${randomUUID()}@example.test` } });
    expect((await waitFor(stranger.ticketId, (s) => s.enrichment !== null)).enrichment?.tier ?? null).toBeNull();
  });

  it('refuses an unknown customer id with 422, starting nothing', async () => {
    const res = await call(base, 'POST', '/v1/tickets', { key: keys.service, body: { ...howTo, customer: { id: 'cus_nobody' } } });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([{ field: 'body.customer.id', message: 'unknown customer' }]);
  });

  it('takes a CRM id it does not hold when customers live in an outside CRM', async () => {
    const crmApp = createApp({ client, database, taskQueue: worker.taskQueue, policy: () => policy, customerIds: 'crm' });
    const { url, close } = await serve(crmApp);
    try {
      const res = await call(url, 'POST', '/v1/tickets', { key: keys.service, body: { ...howTo, customer: { id: '90210' } } });
      expect(res.status).toBe(201);
      expect((await waitFor(res.body.ticketId, (s) => s.enrichment !== null)).ticket.customerId).toBe('90210');
    } finally {
      await close();
    }
  });

  it('starts exactly one workflow for 20 concurrent requests with the same Idempotency-Key', async () => {
    const idem = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        call(base, 'POST', '/v1/tickets', { key: keys.service, body: howTo, headers: { 'Idempotency-Key': idem } }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(19);
    const ids = new Set(results.map((r) => r.body.ticketId));
    expect(ids.size).toBe(1);
    const [ticketId] = [...ids] as [string];
    // Temporal holds one execution for the id: describe the chain and count runs in visibility.
    const workflowId = workflowIdFor(ticketId);
    const countRuns = async () => {
      let runs = 0;
      for await (const _ of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs++;
      return runs;
    };
    const runs = await waitUntil(countRuns, (n) => n > 0, { timeoutMs: 10_000, everyMs: 200, describe: `${workflowId} in visibility` });
    expect(runs).toBe(1);

    const again = await call(base, 'POST', '/v1/tickets', { key: keys.service, body: howTo, headers: { 'Idempotency-Key': idem } });
    expect(again.status).toBe(200);
    expect(again.body.ticketId).toBe(ticketId);
    const otherBody = await call(base, 'POST', '/v1/tickets', {
      key: keys.service,
      body: { ...howTo, subject: 'Something else entirely' },
      headers: { 'Idempotency-Key': idem },
    });
    expect(otherBody.status).toBe(409);
  });

  it('starts exactly one workflow for 20 concurrent requests with the same externalId', async () => {
    const externalId = `crm-${randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => call(base, 'POST', '/v1/tickets', { key: keys.service, body: { ...howTo, externalId } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([...Array(19).fill(200), 201].sort());
    expect(new Set(results.map((r) => r.body.ticketId)).size).toBe(1);
    const reused = await call(base, 'POST', '/v1/tickets', {
      key: keys.service,
      body: { ...howTo, externalId, subject: 'Another question' },
    });
    expect(reused.status).toBe(409);

    // Another caller's id space: the same externalId from another service is its own ticket.
    const other = (await createApiKey(database.db, { role: 'service', name: `shop-${randomUUID().slice(0, 6)}` })).key;
    const theirs = await call(base, 'POST', '/v1/tickets', { key: other, body: { ...howTo, externalId } });
    expect(theirs.status).toBe(201);
    expect(theirs.body.ticketId).not.toBe(results[0]!.body.ticketId);
    for (const id of [theirs.body.ticketId, results[0]!.body.ticketId]) await waitFor(id, statusIs('awaiting_review'));
    const rows = await database.db.select().from(tickets).where(eq(tickets.externalId, externalId));
    expect(rows).toHaveLength(2);
  });

  it('still finds a completed ticket by its externalId after Temporal has forgotten the workflow', async () => {
    const externalId = `crm-${randomUUID()}`;
    const { ticketId, workflowId } = await createTicket({ ...howTo, externalId });
    await waitFor(ticketId, statusIs('awaiting_review'));
    await call(base, 'POST', `/v1/tickets/${ticketId}/actions/resolve`, { key: keys.alice });
    await client.workflow.getHandle(workflowId).result();
    await expect
      .poll(async () => (await call(base, 'GET', `/v1/tickets/${ticketId}`, { key: keys.alice })).body.status, { timeout: 10_000 })
      .toBe('closed');

    // Past the namespace's retention Temporal no longer knows the workflow. A fresh namespace
    // over the same database is exactly that view: the ticket is only in the read model.
    const namespace = `forgetful-${randomUUID().slice(0, 8)}`;
    await client.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    const forgetful = new Client({ connection: client.connection, namespace, dataConverter: testDataConverter });
    const { url, close } = await serve(createApp({ client: forgetful, database, taskQueue: worker.taskQueue, policy: () => policy }));
    try {
      const retry = await call(url, 'POST', '/v1/tickets', { key: keys.service, body: { ...howTo, externalId } });
      expect(retry.status).toBe(200);
      expect(retry.body).toEqual({ ticketId, workflowId, status: 'closed' });
      await expect(forgetful.workflow.getHandle(workflowId).describe()).rejects.toThrow(/not found/);
    } finally {
      await close();
    }
  });
});

describe('agent actions', () => {
  it('approve: 200 with the new state, the agent recorded as actor, and a retried X-Request-Id applied once', async () => {
    const { ticketId } = await createTicket();
    await waitFor(ticketId, statusIs('awaiting_review'));
    const requestId = `req-${randomUUID()}`;
    const first = await call<TicketState>(base, 'POST', `/v1/tickets/${ticketId}/actions/approve`, {
      key: keys.alice,
      headers: { 'X-Request-Id': requestId },
    });
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('awaiting_customer');
    expect(first.headers.get('x-request-id')).toBe(requestId);
    const retry = await call<TicketState>(base, 'POST', `/v1/tickets/${ticketId}/actions/approve`, {
      key: keys.alice,
      headers: { 'X-Request-Id': requestId },
    });
    expect(retry.status).toBe(200);
    expect(retry.body.version).toBe(first.body.version);

    const state = await waitFor(ticketId, (s) => s.status === 'awaiting_customer');
    const approvals = state.timeline.filter((e) => e.type === 'action' && e.data?.action === 'approve');
    expect(approvals).toHaveLength(1);
    expect(approvals[0]?.actor).toMatch(/^alice-/);
    const sent = (await sentMessages(database.db, ticketId)).filter((m) => m.kind === 'reply');
    expect(sent).toHaveLength(1);
    const events = await database.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId));
    await expect
      .poll(async () => (await database.db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId))).map((e) => e.actor))
      .toContain(approvals[0]?.actor);
    expect(events.length).toBeGreaterThan(0);

    const refused = await call(base, 'POST', `/v1/tickets/${ticketId}/actions/approve`, { key: keys.alice });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body.detail).toMatch(/no draft awaits review/);
  });

  it('modify, takeover, reply and resolve through the API', async () => {
    const { ticketId } = await createTicket();
    const waiting = await waitFor(ticketId, statusIs('awaiting_review'));
    const body = `${waiting.draft?.body}\nP.S. Your admin can reset it too.`;
    const modified = await call<TicketState>(base, 'POST', `/v1/tickets/${ticketId}/actions/modify`, { key: keys.bob, body: { body } });
    expect(modified.status).toBe(200);
    expect(modified.body.transcript.at(-1)).toMatchObject({ author: 'agent', body });

    const takeover = await call<TicketState>(base, 'POST', `/v1/tickets/${ticketId}/actions/takeover`, { key: keys.bob });
    expect(takeover.body).toMatchObject({ status: 'human_handling', mode: 'human' });
    expect(takeover.body.assignee).toMatch(/^bob-/);
    // Another agent's ticket: the agent behind the key may not act on it (a lead could).
    const aliceReply = await call(base, 'POST', `/v1/tickets/${ticketId}/actions/reply`, { key: keys.alice, body: { body: 'Hi' } });
    expect(aliceReply.status).toBe(403);
    expect(aliceReply.body.detail).toMatch(/assigned to bob-/);
    const reply = await call<TicketState>(base, 'POST', `/v1/tickets/${ticketId}/actions/reply`, {
      key: keys.bob,
      body: { body: 'Done: reset link sent.' },
    });
    expect(reply.status).toBe(200);
    const resolved = await call<TicketState>(base, 'POST', `/v1/tickets/${ticketId}/actions/resolve`, {
      key: keys.bob,
      body: { reason: 'fixed' },
    });
    // The agent sent a modified AI draft: the AI and a person worked the ticket together.
    expect(resolved.body.resolution).toMatchObject({ mode: 'ai_plus_human', reason: 'fixed' });
    const reclassify = await call<TicketState>(base, 'POST', `/v1/tickets/${ticketId}/actions/reclassify`, {
      key: keys.lead,
      body: { changes: { issueType: 'account' } },
    });
    expect(reclassify.status).toBe(200);
    expect(reclassify.body.classification?.issueType).toBe('account');
  });

  it('answers 404 for a ticket that does not exist', async () => {
    for (const [method, path, body] of [
      ['GET', '/v1/tickets/nope-123', undefined],
      ['POST', '/v1/tickets/nope-123/actions/approve', undefined],
      ['POST', '/v1/tickets/nope-123/messages', { body: 'hi' }],
      ['POST', '/v1/tickets/nope-123/csat', { score: 4 }],
    ] as const) {
      const key = method === 'GET' || path.includes('actions') ? keys.lead : keys.service;
      const res = await call(base, method, path, { key, body });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.title).toBe('Not Found');
    }
  });
});

describe('conversation and CSAT', () => {
  it('takes a customer message (202), resolves, takes CSAT (202) and refuses CSAT before resolution (409)', async () => {
    const { ticketId } = await createTicket();
    await waitFor(ticketId, statusIs('awaiting_review'));
    const early = await call(base, 'POST', `/v1/tickets/${ticketId}/csat`, { key: keys.service, body: { score: 5 } });
    expect(early.status).toBe(409);
    await call(base, 'POST', `/v1/tickets/${ticketId}/actions/approve`, { key: keys.alice });
    const msg = await call(base, 'POST', `/v1/tickets/${ticketId}/messages`, {
      key: keys.service,
      body: { body: 'Thanks, that fixed it!' },
    });
    expect(msg.status).toBe(202);
    expect(msg.body).toMatchObject({ ticketId, accepted: true });
    await waitFor(ticketId, statusIs('resolved'));
    const csat = await call(base, 'POST', `/v1/tickets/${ticketId}/csat`, { key: keys.service, body: { score: 5, comment: 'quick' } });
    expect(csat.status).toBe(202);
    const state = await waitFor(ticketId, (s) => s.csat.score === 5);
    expect(state.csat.comment).toBe('quick');
    const stored = await database.db.select().from(messages).where(eq(messages.ticketId, ticketId));
    expect(stored.filter((m) => m.body === 'Thanks, that fixed it!')).toHaveLength(1);
  });

  it('serves a completed ticket from the read model', async () => {
    const { ticketId } = await createTicket();
    await waitFor(ticketId, statusIs('awaiting_review'));
    await call(base, 'POST', `/v1/tickets/${ticketId}/actions/resolve`, { key: keys.alice });
    // testPolicy: CSAT window 3 s, reopen window 1.5 s, then the workflow completes.
    await client.workflow.getHandle(workflowIdFor(ticketId)).result();
    await expect
      .poll(async () => (await call(base, 'GET', `/v1/tickets/${ticketId}`, { key: keys.alice })).headers.get('x-tandem-source'), {
        timeout: 10_000,
      })
      .toBe('read-model');
    const res = await call<TicketState>(base, 'GET', `/v1/tickets/${ticketId}`, { key: keys.alice });
    expect(res.body).toMatchObject({ ticketId, status: 'closed' });
    const late = await call(base, 'POST', `/v1/tickets/${ticketId}/messages`, { key: keys.service, body: { body: 'one more thing' } });
    expect(late.status).toBe(409);
  });
});

describe('lists and the queue', () => {
  it('filters tickets and pages through them with a cursor', async () => {
    const customerId = await freshCustomer();
    const created = [];
    for (let i = 0; i < 3; i++) created.push((await createTicket({ ...howTo, customer: { id: customerId } })).ticketId);
    for (const id of created) await waitFor(id, statusIs('awaiting_review'));
    await expect
      .poll(
        async () =>
          (await call(base, 'GET', `/v1/tickets?customerId=${customerId}&status=awaiting_review`, { key: keys.alice })).body.items?.length,
      )
      .toBe(3);
    const page1 = await call(base, 'GET', `/v1/tickets?customerId=${customerId}&limit=2`, { key: keys.alice });
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await call(base, 'GET', `/v1/tickets?customerId=${customerId}&limit=2&cursor=${page1.body.nextCursor}`, {
      key: keys.alice,
    });
    expect(page2.body.items).toHaveLength(1);
    expect(page2.body.nextCursor).toBeNull();
    const seen = [...page1.body.items, ...page2.body.items].map((t: { ticketId: string }) => t.ticketId);
    expect(seen.sort()).toEqual([...created].sort());
    const none = await call(base, 'GET', `/v1/tickets?customerId=${customerId}&status=escalated,resolved`, { key: keys.alice });
    expect(none.body.items).toEqual([]);
    const tier = await call(base, 'GET', `/v1/tickets?customerId=${customerId}&tier=pro&mode=ai_review&createdAfter=2020-01-01T00:00:00Z`, {
      key: keys.alice,
    });
    expect(tier.body.items).toHaveLength(3);
  });

  it('orders the queue by priority then SLA, carries the summary line, and shows an agent their own tickets', async () => {
    const low = await createTicket({ ...howTo, customer: { id: demoCustomers.freeTier } });
    const high = await createTicket({
      customer: { id: demoCustomers.enterpriseChurnRisk },
      channel: 'email',
      subject: 'We were charged twice this month',
      body: 'Our invoice shows a double charge. This is urgent, please refund the duplicate payment.',
    });
    const escalated = await createTicket({ ...howTo, body: 'I want to talk to a human agent right now, not a bot.' });
    await waitFor(low.ticketId, statusIs('awaiting_review'));
    await waitFor(high.ticketId, statusIs('awaiting_review', 'escalated'));
    await waitFor(escalated.ticketId, statusIs('escalated'));
    const owned = await createTicket();
    await waitFor(owned.ticketId, statusIs('awaiting_review'));
    await call(base, 'POST', `/v1/tickets/${owned.ticketId}/actions/takeover`, { key: keys.alice });

    type Row = { ticketId: string; priorityScore: number | null; slaDeadline: string | null; summaryLine: string | null };
    // An agent's key reads its own queue: the shared work plus the tickets it owns.
    const aliceQueue = async () => (await call<{ items: Row[] }>(base, 'GET', '/v1/queue?limit=200', { key: keys.alice })).body.items;
    await expect
      .poll(async () => (await aliceQueue()).map((r) => r.ticketId), { timeout: 10_000 })
      .toEqual(expect.arrayContaining([low.ticketId, high.ticketId, escalated.ticketId, owned.ticketId]));
    const aliceName = (await waitFor(owned.ticketId, statusIs('human_handling'))).assignee!;
    expect((await call(base, 'GET', `/v1/queue?agent=${aliceName}`, { key: keys.alice })).status).toBe(200);
    // Not another agent's: bob's key may not read alice's tickets; a lead may read anyone's.
    const peek = await call(base, 'GET', `/v1/queue?agent=${aliceName}`, { key: keys.bob });
    expect([peek.status, peek.body.title]).toEqual([403, 'Forbidden']);
    const bobQueue = (await call<{ items: Row[] }>(base, 'GET', '/v1/queue?limit=200', { key: keys.bob })).body.items;
    expect(bobQueue.map((r) => r.ticketId)).not.toContain(owned.ticketId);
    const leadView = (await call<{ items: Row[] }>(base, 'GET', `/v1/queue?agent=${aliceName}&limit=200`, { key: keys.lead })).body.items;
    expect(leadView.map((r) => r.ticketId)).toContain(owned.ticketId);

    const rows = await aliceQueue();
    const position = (id: string) => rows.findIndex((r) => r.ticketId === id);
    expect(position(high.ticketId)).toBeLessThan(position(low.ticketId));
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1]!, rows[i]!];
      const sa = a.priorityScore ?? -1;
      const sb = b.priorityScore ?? -1;
      expect(sa).toBeGreaterThanOrEqual(sb);
      if (sa === sb && a.slaDeadline && b.slaDeadline) expect(a.slaDeadline <= b.slaDeadline).toBe(true);
    }
    expect(rows[position(escalated.ticketId)]?.summaryLine).toMatch(/\S/);
  });
});

describe('bad input', () => {
  const malformed: [string, unknown, string][] = [
    ['no customer', { ...howTo, customer: undefined }, 'body.customer'],
    ['empty customer', { ...howTo, customer: {} }, 'body.customer'],
    ['bad email', { ...howTo, customer: { email: 'not-an-email' } }, 'body.customer.email'],
    ['unknown channel', { ...howTo, channel: 'fax' }, 'body.channel'],
    ['empty subject', { ...howTo, subject: '   ' }, 'body.subject'],
    ['subject not a string', { ...howTo, subject: 42 }, 'body.subject'],
    ['body too long', { ...howTo, body: 'x'.repeat(20_001) }, 'body.body'],
    ['unknown field', { ...howTo, priority: 'P1' }, 'body.priority'],
    ['NUL in the subject', { ...howTo, subject: 'Reset\u0000password' }, 'body.subject'],
    ['NUL in a metadata key', { ...howTo, metadata: { 'a\u0000b': 1 } }, 'body.metadata'],
    [
      'metadata nested 100 deep',
      { ...howTo, metadata: JSON.parse(`${'{"a":'.repeat(100)}1${'}'.repeat(100)}`) as unknown },
      'body.metadata',
    ],
    ['page url not a URL', { ...howTo, pageContext: { pageUrl: 'nope' } }, 'body.pageContext.pageUrl'],
    ['recentActions not a list', { ...howTo, pageContext: { recentActions: 'clicked' } }, 'body.pageContext.recentActions'],
    ['metadata not an object', { ...howTo, metadata: [1, 2] }, 'body.metadata'],
    ['body is an array', [howTo], 'body'],
  ];

  // When this block began: none of its requests may start a workflow (the last test checks).
  let since: string;
  beforeAll(() => {
    since = new Date().toISOString();
  });

  it.each(malformed)('POST /v1/tickets with %s is a 400 naming the field', async (_name, body, field) => {
    const res = await call(base, 'POST', '/v1/tickets', {
      key: keys.service,
      raw: { body: JSON.stringify(body), contentType: 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContainEqual(
      expect.stringMatching(new RegExp(`^${field.replaceAll('.', '\\.')}`)),
    );
  });

  it('answers 400, not a crash, for a body nested 100,000 levels deep', async () => {
    const deep = `${JSON.stringify(howTo).slice(0, -1)},"pageContext":{"state":{"list":${'['.repeat(100_000)}${']'.repeat(100_000)}}}}`;
    const res = await call(base, 'POST', '/v1/tickets', { key: keys.service, raw: { body: deep, contentType: 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await call(base, 'GET', '/healthz')).status).toBe(200);
  });

  it('answers 400 for invalid JSON, 415 for other content types and 413 for oversized bodies', async () => {
    const broken = await call(base, 'POST', '/v1/tickets', {
      key: keys.service,
      raw: { body: '{"subject": ', contentType: 'application/json' },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.detail).toMatch(/not valid JSON/);
    const bare = await call(base, 'POST', '/v1/tickets', { key: keys.service, raw: { body: 'null', contentType: 'application/json' } });
    expect(bare.status).toBe(400);
    const text = await call(base, 'POST', '/v1/tickets', { key: keys.service, raw: { body: 'subject=hi', contentType: 'text/plain' } });
    expect(text.status).toBe(415);
    const form = await call(base, 'POST', '/v1/tickets', {
      key: keys.service,
      raw: { body: 'a=b', contentType: 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(415);
    const huge = await call(base, 'POST', '/v1/tickets', {
      key: keys.service,
      raw: { body: JSON.stringify({ ...howTo, body: 'x'.repeat(2_000_000) }), contentType: 'application/json' },
    });
    expect(huge.status).toBe(413);
    for (const res of [broken, text, huge]) expect(res.headers.get('content-type')).toContain('application/problem+json');
  });

  it('validates parameters, query strings, action bodies and headers', async () => {
    const cases: [string, string, string, unknown, number, string][] = [
      ['GET', '/v1/tickets?limit=0', keys.alice, undefined, 400, 'query.limit'],
      ['GET', '/v1/tickets?status=sleeping', keys.alice, undefined, 400, 'query.status'],
      ['GET', '/v1/tickets?createdAfter=yesterday', keys.alice, undefined, 400, 'query.createdAfter'],
      ['GET', '/v1/tickets?cursor=garbage', keys.alice, undefined, 400, 'query.cursor'],
      ['GET', '/v1/tickets?colour=red', keys.alice, undefined, 400, 'query.colour'],
      ['GET', '/v1/tickets?assignee=%00', keys.alice, undefined, 400, 'query.assignee'],
      ['GET', '/v1/tickets?createdAfter=0000-01-01T00:00:00Z', keys.alice, undefined, 400, 'query.createdAfter'],
      ['GET', '/v1/tickets?createdBefore=9999-12-31T23:59:59-14:00', keys.alice, undefined, 400, 'query.createdBefore'],
      [
        'GET',
        `/v1/tickets?cursor=${Buffer.from(JSON.stringify({ createdAt: '+275760-09-13T00:00:00Z', id: 'x' })).toString('base64url')}`,
        keys.alice,
        undefined,
        400,
        'query.cursor',
      ],
      ['GET', '/v1/queue?agent=%00', keys.lead, undefined, 400, 'query.agent'],
      ['POST', '/v1/tickets?dryRun=1', keys.service, howTo, 400, 'query.dryRun'],
      ['GET', '/v1/tickets/t-1?verbose=1', keys.alice, undefined, 400, 'query.verbose'],
      ['GET', '/v1/queue?limit=abc', keys.alice, undefined, 400, 'query.limit'],
      ['GET', '/v1/tickets/bad%20id', keys.alice, undefined, 400, 'params.id'],
      ['POST', '/v1/tickets/t-1/actions/modify', keys.alice, {}, 400, 'body.body'],
      ['POST', '/v1/tickets/t-1/actions/assign', keys.alice, { assignee: '' }, 400, 'body.assignee'],
      ['POST', '/v1/tickets/t-1/actions/reclassify', keys.alice, { changes: {} }, 400, 'body.changes'],
      ['POST', '/v1/tickets/t-1/actions/approve', keys.alice, { agentId: 'someone-else' }, 400, 'body.agentId'],
      ['POST', '/v1/tickets', keys.service, { ...howTo, customer: { id: 'cus\u0000x' } }, 400, 'body.customer.id'],
      ['POST', '/v1/tickets/t-1/csat', keys.service, { score: 6 }, 400, 'body.score'],
      ['POST', '/v1/tickets/t-1/csat', keys.service, { score: 4.5 }, 400, 'body.score'],
      ['POST', '/v1/tickets/t-1/messages', keys.service, { body: '' }, 400, 'body.body'],
    ];
    for (const [method, path, key, body, status, field] of cases) {
      const res = await call(base, method, path, { key, body });
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(status);
      expect(
        res.body.errors.map((e: { field: string }) => e.field),
        path,
      ).toContainEqual(expect.stringMatching(new RegExp(`^${field}`)));
    }
    const badId = await call(base, 'GET', '/v1/queue', { key: keys.alice, headers: { 'X-Request-Id': 'has spaces in it' } });
    expect(badId.status).toBe(400);
  });

  it('answers unknown routes and actions with a 404 problem, and a known route asked with another method with a 405', async () => {
    for (const [method, path] of [
      ['GET', '/v2/tickets'],
      ['POST', '/v1/tickets/t-1/actions/delete'],
    ] as const) {
      const res = await call(base, method, path, { key: keys.lead });
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    const wrongMethod = await call(base, 'DELETE', '/v1/tickets/t-1', { key: keys.lead });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD');
  });

  it('started no workflow for any of the requests above', async () => {
    // A ticket started now marks the end: once visibility lists it, a workflow an earlier
    // request had started would have been recorded too.
    const marker = await createTicket();
    const listStarted = async () => {
      const ids: string[] = [];
      for await (const w of client.workflow.list({ query: `TaskQueue = '${worker.taskQueue}' AND StartTime >= '${since}'` }))
        ids.push(w.workflowId);
      return ids;
    };
    const started = await waitUntil(listStarted, (ids) => ids.includes(marker.workflowId), {
      timeoutMs: 10_000,
      describe: 'the marker ticket in visibility',
    });
    expect(started).toEqual([marker.workflowId]);
  });
});

describe('authentication and roles', () => {
  it('needs a valid, unrevoked key', async () => {
    const none = await call(base, 'GET', '/v1/queue');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await call(base, 'GET', '/v1/queue', { key: 'tdm_agent_made-up' })).status).toBe(401);
    expect((await call(base, 'GET', '/v1/queue', { key: keys.revoked })).status).toBe(401);
    expect((await call(base, 'GET', '/v1/queue', { headers: { authorization: `Basic ${keys.alice}` } })).status).toBe(401);
    expect((await call(base, 'GET', '/healthz')).status).toBe(200);
  });

  it('enforces roles: service creates and messages, agents act and read queues, leads do both', async () => {
    const { ticketId } = await createTicket();
    await waitFor(ticketId, statusIs('awaiting_review'));
    const matrix: [string, string, string, unknown, 'ok' | 403 | 400][] = [
      ['agent creates a ticket', 'POST /v1/tickets', keys.alice, howTo, 403],
      ['service reads the queue', 'GET /v1/queue', keys.service, undefined, 403],
      ['service lists tickets', 'GET /v1/tickets', keys.service, undefined, 403],
      ['service approves', `POST /v1/tickets/${ticketId}/actions/takeover`, keys.service, undefined, 403],
      ['agent posts a customer message', `POST /v1/tickets/${ticketId}/messages`, keys.alice, { body: 'hi' }, 403],
      ['agent posts CSAT', `POST /v1/tickets/${ticketId}/csat`, keys.alice, { score: 3 }, 403],
      ['lead reads the queue', 'GET /v1/queue', keys.lead, undefined, 'ok'],
      ['lead creates a ticket', 'POST /v1/tickets', keys.lead, howTo, 'ok'],
      ['lead reclassifies', `POST /v1/tickets/${ticketId}/actions/reclassify`, keys.lead, { changes: { urgency: 'high' } }, 'ok'],
      ['service reads a ticket', `GET /v1/tickets/${ticketId}`, keys.service, undefined, 'ok'],
      ['service reads the policy', 'GET /v1/policy', keys.service, undefined, 403],
      ['agent reads the policy', 'GET /v1/policy', keys.alice, undefined, 'ok'],
      ['agent changes the policy', 'PUT /v1/policy', keys.alice, {}, 403],
      ['lead changes the policy', 'PUT /v1/policy', keys.lead, {}, 403],
      ['admin may change the policy (this one is invalid: 400, not 403)', 'PUT /v1/policy', keys.admin, { version: '' }, 400],
    ];
    for (const [name, route, key, body, expected] of matrix) {
      const [method, path] = route.split(' ') as [string, string];
      const res = await call(base, method, path, { key, body });
      if (expected === 'ok') expect(res.status, name).toBeLessThan(300);
      else expect(res.status, name).toBe(expected);
    }
  });
});

describe('dependencies down', () => {
  it('answers 503 with Retry-After, promptly, when Temporal does not answer', async () => {
    const dead = await Connection.connect({ address: '127.0.0.1:1', connectTimeout: 100 }).catch(() => null);
    const connection = dead ?? Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 });
    const deadApp = createApp({
      client: new Client({ connection }),
      database,
      taskQueue: worker.taskQueue,
      timeouts: { temporalMs: 1000 },
      logger: createLogger('error', () => {}),
    });
    const { url, close } = await serve(deadApp);
    try {
      const started = Date.now();
      const res = await call(url, 'POST', '/v1/tickets', { key: keys.service, body: howTo });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(res.body.dependency).toBe('temporal');
      expect(Date.now() - started).toBeLessThan(8000);
      const action = await call(url, 'POST', '/v1/tickets/t-1/actions/approve', { key: keys.alice });
      expect(action.status).toBe(503);
    } finally {
      await close();
    }
  });

  it('answers 503 with Retry-After when the database does not answer', async () => {
    const deadDb = openDatabase({ url: 'postgres://nobody@127.0.0.1:1/none', maxConnections: 1 });
    const deadApp = createApp({ client, database: deadDb, timeouts: { databaseMs: 1000 }, logger: createLogger('error', () => {}) });
    const { url, close } = await serve(deadApp);
    try {
      const res = await call(url, 'GET', '/v1/queue', { key: keys.alice });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(res.body.dependency).toBe('database');
    } finally {
      await close();
      await deadDb.close();
    }
  });

  it('logs an unexpected error with the request id and answers a 500 problem carrying it', async () => {
    const lines: string[] = [];
    const broken = createApp({
      client,
      database,
      taskQueue: worker.taskQueue,
      policy: () => {
        throw new TypeError('policy store exploded');
      },
      logger: createLogger('info', (l) => lines.push(l)),
    });
    const { url, close } = await serve(broken);
    try {
      const res = await call(url, 'POST', '/v1/tickets', { key: keys.service, body: howTo, headers: { 'X-Request-Id': 'req-boom-1' } });
      expect(res.status).toBe(500);
      expect(res.body).toMatchObject({ status: 500, requestId: 'req-boom-1' });
      expect(JSON.stringify(res.body)).not.toContain('exploded');
      const logged = lines.map((l) => JSON.parse(l) as { requestId?: string; error?: { message: string } });
      expect(logged).toContainEqual(
        expect.objectContaining({ requestId: 'req-boom-1', error: expect.objectContaining({ message: 'policy store exploded' }) }),
      );
    } finally {
      await close();
    }
  });

  it('drains an in-flight request on shutdown', async () => {
    const slow = createApp({
      client,
      database,
      taskQueue: worker.taskQueue,
      // A slow policy lookup keeps the request in flight while the server closes.
      policy: () => {
        asked = true;
        return new Promise((r) => setTimeout(() => r(policy), 700));
      },
    });
    let asked = false;
    const server = slow.listen(0);
    await new Promise((r) => server.once('listening', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const inFlight = call(url, 'POST', '/v1/tickets', { key: keys.service, body: howTo });
    await expect.poll(() => asked).toBe(true);
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeIdleConnections();
    expect((await inFlight).status).toBe(201);
    await closed;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});

describe('OpenAPI and docs', () => {
  it('serves a valid OpenAPI 3.1 document that lists exactly the routes the app serves', async () => {
    const res = await call(base, 'GET', '/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);

    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    // Walk Express's own router: every registered route, in OpenAPI path syntax.
    type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
    const walk = (stack: Layer[]): string[] =>
      stack.flatMap((layer) =>
        layer.route
          ? Object.keys(layer.route.methods)
              .filter((m) => m !== '_all')
              .map((m) => `${m.toUpperCase()} ${openApiPath(layer.route!.path)}`)
          : layer.handle?.stack
            ? walk(layer.handle.stack)
            : [],
      );
    const served = walk((app as unknown as { router: { stack: Layer[] } }).router.stack).sort();
    expect(documented).toEqual(served);

    // And each documented operation answers (never 404) when called.
    for (const entry of documented) {
      const [method, path] = entry.split(' ') as [string, string];
      const concrete = path.replace('{id}', 'no-such-ticket').replace('{token}', 'no-such-token');
      const r = await call(base, method, concrete);
      // The survey page answers an unknown link with a 404 page of its own; only "no route" counts.
      if (path.startsWith('/csat/')) expect(r.status === 404 && String(r.body?.detail).startsWith('no route for'), entry).toBe(false);
      else expect(r.status, entry).not.toBe(404);
    }
    // Request schemas in the document are the ones that validate: a required field there is required here.
    const create = doc.components.schemas.CreateTicket;
    expect(create.required).toEqual(expect.arrayContaining(['customer', 'channel', 'subject', 'body']));
    expect(create.properties.channel.enum).toEqual(['chat', 'email', 'api', 'widget']);
    expect(create.additionalProperties).toBe(false);

    // Parameters and bodies match the schemas each route validates with.
    for (const route of routesOf(app)) {
      const operation = doc.paths[openApiPath(route.path)][route.method];
      const documentedQuery = operation.parameters
        .filter((p: { in: string }) => p.in === 'query')
        .map((p: { name: string }) => p.name)
        .sort();
      const validatedQuery = Object.keys((route.query as unknown as { shape?: Record<string, unknown> } | undefined)?.shape ?? {}).sort();
      expect(documentedQuery, `${route.method} ${route.path} query`).toEqual(validatedQuery);
      const documentedPath = operation.parameters.filter((p: { in: string }) => p.in === 'path').map((p: { name: string }) => p.name);
      expect(documentedPath, `${route.method} ${route.path} path`).toEqual([...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]));
      // A raw email or a helpdesk export is bytes, not a schema: its body is documented by media type.
      expect(Boolean(operation.requestBody), `${route.method} ${route.path} body`).toBe(
        Boolean(route.body) || route.bodyType === 'mime' || route.bodyType === 'export',
      );
      if (route.body)
        expect(operation.requestBody.required, `${route.method} ${route.path} body required`).toBe(!route.body.safeParse({}).success);
    }
    expect(doc.paths['/v1/tickets/{id}/actions/approve'].post.requestBody.required).toBe(false);
    expect(doc.paths['/v1/tickets/{id}/actions/modify'].post.requestBody.required).toBe(true);
  });

  it('renders a reference page at /docs with every operation', async () => {
    const res = await call(base, 'GET', '/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const doc = (await call(base, 'GET', '/v1/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    for (const path of Object.keys(doc.paths)) expect(res.body).toContain(`<code>${path}</code>`);
    expect(res.body).toContain('id="schema-CreateTicket"');
  });
});
