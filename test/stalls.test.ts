import type { ChildProcess } from 'node:child_process';
import type { Client } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createOpenAISupportAI } from '../src/ai/openaiProvider';
import type { Database } from '../src/db/client';
import { ticketEvents, tickets } from '../src/db/schema';
import { demoCustomers } from '../src/db/seed';
import { connectClient, openTestDatabase, startTestWorker, uniqueId, type TestWorker } from './support/harness';
import {
  classification,
  operationOf,
  startOpenAIStub,
  wellBehaved,
  type OpenAIStub,
  type StubRequest,
  type StubReply,
} from './support/openaiStub';
import { everyQuadrant, startTicket, statusIs, testPolicy, waitForState } from './support/tickets';
import { startWorkerProcess } from './support/workerChild';

// Tickets that froze or stalled out of sight (issue "Robustness"): a 429 asking for an hour, a
// worker that died mid-call, a value the database refuses. Each must end with a person, saying why.

let database: Database;
let client: Client;
let closeClient: () => Promise<void>;
let stub: OpenAIStub;
const workers: TestWorker[] = [];
const children: ChildProcess[] = [];

/** Classify is rate limited for an hour when the ticket says RATELIMIT, and never answers when it says HANG; otherwise a well-behaved model. */
function scripted(request: StubRequest): StubReply {
  const user = request.body.messages.find((m) => m.role === 'user')?.content ?? '';
  if (user.includes('RATELIMIT')) return { status: 429, headers: { 'retry-after': '3600' }, body: { error: { message: 'slow down' } } };
  if (user.includes('HANG')) return { content: JSON.stringify(classification), delayMs: 600_000 };
  return wellBehaved(request);
}

beforeAll(async () => {
  database = await openTestDatabase();
  ({ client, close: closeClient } = await connectClient());
  stub = await startOpenAIStub(scripted);
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const w of workers) await w.close();
  await stub?.close();
  await closeClient?.();
  await database?.close();
});

const policy = testPolicy({ quadrants: everyQuadrant('ai_review'), aiStepDeadline: '4s' });

describe('an AI step that does not succeed in time', () => {
  it('a 429 with Retry-After: 3600 is retried within the cap, and past the step deadline a person has the ticket, with the reason', async () => {
    const ai = createOpenAISupportAI({
      db: database.db,
      baseURL: stub.baseURL,
      apiKey: 'sk-test',
      model: 'gpt-test',
      temperature: 0.1,
      timeoutMs: 2000,
    });
    const worker = await startTestWorker({ database, ai, maxRetryDelayMs: 1500 });
    workers.push(worker);
    const marker = uniqueId('RATELIMIT');
    const handle = await startTicket(
      client,
      worker.taskQueue,
      { customerId: demoCustomers.freeTier, subject: 'Password', body: `${marker} how do I reset my password?` },
      policy,
    );
    const state = await waitForState(handle, statusIs('escalated'), 20_000);
    const trigger = state.escalation?.triggers.find((t) => t.code === 'classification_failed');
    expect(trigger?.detail).toMatch(/deadline/);
    // The hour-long Retry-After was capped: the provider was asked again within the deadline.
    const asked = stub.requests.filter((r) => r.body.messages.some((m) => m.content.includes(marker)) && operationOf(r) === 'classify');
    expect(asked.length).toBeGreaterThanOrEqual(2);
    expect(asked[1]!.at - asked[0]!.at).toBeLessThan(3500);
    // The read model shows it too, so the ticket is in the human queue rather than invisible in triage.
    await expect
      .poll(async () => (await database.db.select().from(tickets).where(eq(tickets.id, state.ticketId)))[0]?.status, { timeout: 10_000 })
      .toBe('escalated');
  });
});

describe('a value the database refuses', () => {
  it('fails the write at once, records persistence_failed, hands the ticket to a person, and the read model shows it', async () => {
    const worker = await startTestWorker({ database });
    workers.push(worker);
    // Sent straight to Temporal, past the API's Unicode check: a lone surrogate that a jsonb column refuses.
    const handle = await startTicket(
      client,
      worker.taskQueue,
      {
        customerId: demoCustomers.freeTier,
        subject: 'Invoice question',
        body: 'Where can I download my invoice?',
        pageContext: { pageTitle: 'Billing \ud800 page' },
      },
      policy,
      { activityTimeouts: { aiMs: 10_000, enrichmentMs: 5000, storeMs: 5000, storeDeadlineMs: 20_000 } },
    );
    const state = await waitForState(handle, (s) => s.escalation?.triggers.some((t) => t.code === 'persistence_failed') ?? false, 20_000);
    expect(state.persistence).toMatchObject({ sanitize: true });
    expect(state.timeline.map((e) => e.type)).toContain('persistence_failed');
    await expect
      .poll(async () => (await database.db.select().from(tickets).where(eq(tickets.id, state.ticketId)))[0]?.escalationReason ?? '', {
        timeout: 15_000,
      })
      .toContain('persistence_failed');
    const [row] = await database.db.select().from(tickets).where(eq(tickets.id, state.ticketId));
    expect((row!.pageContext as { pageTitle: string }).pageTitle).toBe('Billing \uFFFD page');
    const failed = await database.db
      .select()
      .from(ticketEvents)
      .where(and(eq(ticketEvents.ticketId, state.ticketId), eq(ticketEvents.type, 'persistence_failed')));
    expect(failed.length).toBeGreaterThanOrEqual(1);
  });
});

const databaseUrl = inject('databaseUrl');

// Two processes share one database: PostgreSQL.
describe.runIf(databaseUrl)('a worker that dies mid-call', () => {
  it("stops heartbeating, so its AI call restarts on another worker within the heartbeat timeout, not the call's 2-minute timeout", async () => {
    const taskQueue = uniqueId('heartbeat');
    const { child } = await startWorkerProcess({ taskQueue, databaseUrl: databaseUrl!, env: { OPENAI_BASE_URL: stub.baseURL } });
    children.push(child);
    const marker = uniqueId('HANG');
    const handle = await startTicket(
      client,
      taskQueue,
      { customerId: demoCustomers.freeTier, subject: 'Password', body: `${marker} how do I reset my password?` },
      testPolicy({ quadrants: everyQuadrant('ai_review'), aiStepDeadline: '10m' }),
      { activityTimeouts: { aiMs: 120_000, enrichmentMs: 5000, storeMs: 5000, heartbeatMs: 3000 } },
    );
    await expect
      .poll(() => stub.requests.some((r) => r.body.messages.some((m) => m.content.includes(marker))), { timeout: 20_000 })
      .toBe(true);
    child.kill('SIGKILL');
    // The replacement worker answers with the local provider, which never hangs.
    const replacement = await startTestWorker({ database, taskQueue });
    workers.push(replacement);
    const state = await waitForState(handle, (s) => s.status !== 'triaging', 20_000);
    expect(state.classification?.summary).toBeTruthy();
  });
});
