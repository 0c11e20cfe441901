import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app';
import { createApiKey } from '../src/api/auth';
import type { Database } from '../src/db/client';
import { messages, tickets } from '../src/db/schema';
import { demoCustomers } from '../src/db/seed';
import { workflowIdFor } from '../src/domain/ids';
import type { TicketState } from '../src/domain/ticketState';
import { connectClient, openTestDatabase, startTestWorker, uniqueId, type TestWorker } from './support/harness';
import { call, serve } from './support/http';
import { everyQuadrant, testPolicy } from './support/tickets';

// A request id is bound to what it asked for (issue: "no request is swallowed"): a retry is
// answered once, a reuse for anything else is a 409 naming the earlier request; an action
// Temporal holds while no worker runs answers 202 with a place to poll.

let database: Database;
let client: Client;
let closeClient: () => Promise<void>;
const workers: TestWorker[] = [];
const closers: (() => Promise<void>)[] = [];
const keys = { service: '', alice: '', bob: '' };
const names = { alice: '', bob: '' };
const policy = testPolicy({ quadrants: everyQuadrant('ai_review') });

beforeAll(async () => {
  database = await openTestDatabase();
  ({ client, close: closeClient } = await connectClient());
  const suffix = randomUUID().slice(0, 6);
  names.alice = `alice-${suffix}`;
  names.bob = `bob-${suffix}`;
  keys.service = (await createApiKey(database.db, { role: 'service', name: `svc-${suffix}` })).key;
  keys.alice = (await createApiKey(database.db, { role: 'agent', name: names.alice })).key;
  keys.bob = (await createApiKey(database.db, { role: 'agent', name: names.bob })).key;
});

afterAll(async () => {
  for (const close of closers) await close();
  for (const w of workers) await w.close();
  await closeClient?.();
  await database?.close();
});

/** An API on its own task queue; `updateMs` short so a missing worker shows quickly. */
async function startApi(taskQueue: string, updateMs = 15_000) {
  const app = createApp({ client, database, taskQueue, policy: () => policy, timeouts: { updateMs } });
  const served = await serve(app);
  closers.push(served.close);
  return served.url;
}

const howTo = (body = 'Hi, how do I reset my password? I forgot it and cannot sign in.') => ({
  customer: { id: demoCustomers.freeTier },
  channel: 'chat',
  subject: 'How do I reset my password?',
  body,
});

async function created(base: string, headers: Record<string, string> = {}, body = howTo()) {
  const res = await call(base, 'POST', '/v1/tickets', { key: keys.service, body, headers });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.ticketId as string;
}

const read = async (base: string, ticketId: string) =>
  (await call<TicketState>(base, 'GET', `/v1/tickets/${ticketId}`, { key: keys.alice })).body;
const statusOf = async (base: string, ticketId: string) => (await read(base, ticketId))?.status;

describe('a request id is bound to its request', () => {
  let base: string;
  beforeAll(async () => {
    const worker = await startTestWorker({ database });
    workers.push(worker);
    base = await startApi(worker.taskQueue);
  });

  it('a resolve sent with the id of an earlier takeover is a 409 naming the takeover, and resolves nothing', async () => {
    const ticketId = await created(base);
    await expect.poll(() => statusOf(base, ticketId), { timeout: 20_000 }).toBe('awaiting_review');
    const id = uniqueId('req');
    const takeover = await call(base, 'POST', `/v1/tickets/${ticketId}/actions/takeover`, {
      key: keys.alice,
      headers: { 'x-request-id': id },
    });
    expect(takeover.status).toBe(200);
    const retry = await call(base, 'POST', `/v1/tickets/${ticketId}/actions/takeover`, {
      key: keys.alice,
      headers: { 'x-request-id': id },
    });
    expect(retry.status).toBe(200);
    expect(retry.body.status).toBe('human_handling');

    const resolve = await call(base, 'POST', `/v1/tickets/${ticketId}/actions/resolve`, {
      key: keys.alice,
      headers: { 'x-request-id': id },
    });
    expect(resolve.status).toBe(409);
    expect(resolve.headers.get('content-type')).toContain('application/problem+json');
    expect(resolve.body.detail).toContain(`takeover by ${names.alice}`);
    expect(resolve.body.earlierRequest).toMatchObject({ id, kind: 'takeover', actor: names.alice });
    const state = await call(base, 'GET', `/v1/tickets/${ticketId}?consistency=strong`, { key: keys.alice });
    expect(state.body.status).toBe('human_handling');
    expect(state.body.resolution).toBeNull();
  });

  it('an assign by another agent with a reused id is a 409, not a silent no-op', async () => {
    const ticketId = await created(base);
    await expect.poll(() => statusOf(base, ticketId), { timeout: 20_000 }).toBe('awaiting_review');
    const id = uniqueId('req');
    const first = await call(base, 'POST', `/v1/tickets/${ticketId}/actions/assign`, {
      key: keys.alice,
      body: { assignee: names.alice },
      headers: { 'x-request-id': id },
    });
    expect(first.status).toBe(200);
    const second = await call(base, 'POST', `/v1/tickets/${ticketId}/actions/assign`, {
      key: keys.bob,
      body: { assignee: names.bob },
      headers: { 'x-request-id': id },
    });
    expect(second.status).toBe(409);
    expect(second.body.earlierRequest).toMatchObject({ kind: 'assign', actor: names.alice });
    const state = await call(base, 'GET', `/v1/tickets/${ticketId}?consistency=strong`, { key: keys.alice });
    expect(state.body.assignee).toBe(names.alice);
  });

  it('a customer message: the same id and body is added once (202), the same id with another body is a 409', async () => {
    const ticketId = await created(base);
    await expect.poll(() => statusOf(base, ticketId), { timeout: 20_000 }).toBe('awaiting_review');
    const id = uniqueId('msg');
    const send = (body: string) =>
      call(base, 'POST', `/v1/tickets/${ticketId}/messages`, { key: keys.service, body: { body }, headers: { 'x-request-id': id } });
    expect((await send('It is the login page that fails.')).status).toBe(202);
    expect((await send('It is the login page that fails.')).status).toBe(202);
    const other = await send('Actually, please cancel my account.');
    expect(other.status).toBe(409);
    expect(other.body.detail).toContain('customerMessage');
    await expect
      .poll(async () => (await database.db.select().from(messages).where(eq(messages.ticketId, ticketId))).map((m) => m.body), {
        timeout: 20_000,
      })
      .toContain('It is the login page that fails.');
    const stored = await database.db.select().from(messages).where(eq(messages.ticketId, ticketId));
    expect(stored.filter((m) => m.body === 'It is the login page that fails.')).toHaveLength(1);
    expect(stored.filter((m) => m.body.includes('cancel my account'))).toHaveLength(0);
  });

  it('a reused Idempotency-Key with another body after the ticket closed is a 409; the same body is still 200', async () => {
    const key = uniqueId('idem');
    const ticketId = await created(base, { 'idempotency-key': key });
    await expect.poll(() => statusOf(base, ticketId), { timeout: 20_000 }).toBe('awaiting_review');
    expect((await call(base, 'POST', `/v1/tickets/${ticketId}/actions/resolve`, { key: keys.alice })).status).toBe(200);
    // testPolicy: the CSAT and reopen windows close within seconds, then the workflow completes.
    await client.workflow.getHandle(workflowIdFor(ticketId)).result();
    await expect
      .poll(async () => (await database.db.select({ status: tickets.status }).from(tickets).where(eq(tickets.id, ticketId)))[0]?.status, {
        timeout: 10_000,
      })
      .toBe('closed');
    const same = await call(base, 'POST', '/v1/tickets', { key: keys.service, body: howTo(), headers: { 'idempotency-key': key } });
    expect(same.status).toBe(200);
    expect(same.body.ticketId).toBe(ticketId);
    const other = await call(base, 'POST', '/v1/tickets', {
      key: keys.service,
      body: howTo('A different question entirely: where are my invoices?'),
      headers: { 'idempotency-key': key },
    });
    expect(other.status).toBe(409);
    expect(other.body.detail).toContain('Idempotency-Key');
  });
});

describe('while no worker runs', () => {
  it('an action answers 202 with a Location; the request reads pending, then applied once a worker returns; reads still answer', async () => {
    const taskQueue = uniqueId('noworker');
    const first = await startTestWorker({ database, taskQueue });
    const base = await startApi(taskQueue, 1500);
    const ticketId = await created(base);
    await expect.poll(() => statusOf(base, ticketId), { timeout: 20_000 }).toBe('awaiting_review');
    await first.close();

    const id = uniqueId('req');
    const approve = await call(base, 'POST', `/v1/tickets/${ticketId}/actions/approve`, {
      key: keys.alice,
      headers: { 'x-request-id': id },
    });
    expect(approve.status, JSON.stringify(approve.body)).toBe(202);
    const location = approve.headers.get('location');
    expect(location).toBe(`/v1/tickets/${ticketId}/requests/${id}`);
    expect(approve.body).toMatchObject({ ticketId, requestId: id, status: 'pending' });
    const pending = await call(base, 'GET', location!, { key: keys.alice });
    expect(pending.status).toBe(200);
    expect(pending.body.status).toBe('pending');

    // A read comes from the read model: a missing worker does not fail it.
    const read = await call(base, 'GET', `/v1/tickets/${ticketId}`, { key: keys.alice });
    expect(read.status).toBe(200);
    expect(read.headers.get('x-tandem-source')).toBe('read-model');
    expect(read.body.status).toBe('awaiting_review');
    expect(Number(read.headers.get('x-tandem-version'))).toBeGreaterThan(0);
    expect(read.body.transcript.length).toBeGreaterThan(0);
    // One time format in every response: ISO 8601, as the lists use.
    const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
    expect(read.body.ticket.createdAt).toMatch(iso);
    expect(read.body.timeline[0].at).toMatch(iso);
    expect(read.body.transcript[0].at).toMatch(iso);
    expect(read.body.sla.reviewDueAt).toMatch(iso);

    const second = await startTestWorker({ database, taskQueue });
    workers.push(second);
    await expect
      .poll(async () => (await call(base, 'GET', location!, { key: keys.alice })).body.status, { timeout: 30_000 })
      .toBe('applied');
    const applied = await call(base, 'GET', location!, { key: keys.alice });
    expect(applied.body.result.status).toBe('awaiting_customer');
    // Applied once: one AI reply went out.
    const sent = await database.db
      .select()
      .from(messages)
      .where(and(eq(messages.ticketId, ticketId), eq(messages.author, 'ai')));
    expect(sent).toHaveLength(1);
    // A retry of the same request now gets the applied result, not a second approval.
    const retry = await call(base, 'POST', `/v1/tickets/${ticketId}/actions/approve`, { key: keys.alice, headers: { 'x-request-id': id } });
    expect(retry.status).toBe(200);
    expect(retry.body.status).toBe('awaiting_customer');
  });

  it('an unknown request id on a ticket is a 404', async () => {
    const worker = await startTestWorker({ database });
    workers.push(worker);
    const base = await startApi(worker.taskQueue);
    const ticketId = await created(base);
    const res = await call(base, 'GET', `/v1/tickets/${ticketId}/requests/${uniqueId('never')}`, { key: keys.alice });
    expect(res.status).toBe(404);
  });
});
