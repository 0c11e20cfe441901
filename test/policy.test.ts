import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Database } from '../src/db/client';
import { routingPolicies } from '../src/db/schema';
import type { TicketWorkflowInput } from '../src/workflows/ticket';
import { demoCustomers } from '../src/db/seed';
import { defaultPolicyDocument, type RoutingPolicyInput } from '../src/schemas/policy';
import type { TicketState, TicketView } from '../src/domain/ticketState';
import { testCodec } from './support/encryption';
import { startTestStack, type TestStack } from './support/harness';
import { call } from './support/http';
import { everyQuadrant, waitForTicket } from './support/tickets';
import { workflowIdFor } from '../src/domain/ids';

let database: Database;
let client: Client;
let base: string;
let stack: TestStack<'admin' | 'lead' | 'agent' | 'service'>;
const keys = { admin: '', lead: '', agent: '', service: '' };
const run = randomUUID().slice(0, 6);

/** A policy document with the lifecycle's long timers shrunk out of the way. */
const documentFor = (version: string, mode: 'ai_auto' | 'ai_review' | 'human'): RoutingPolicyInput => ({
  ...defaultPolicyDocument,
  version,
  quadrants: everyQuadrant(mode),
  reviewCategories: [],
  segments: {},
  timers: { customerReplyWindow: '1h', unresolvedTimeout: '1h', csatDelay: '100ms', csatWindow: '2s', reopenWindow: '1s' },
});

beforeAll(async () => {
  stack = await startTestStack({ policies: { cacheMs: 0 }, keys: { admin: 'admin', lead: 'lead', agent: 'agent', service: 'service' } });
  ({ database, client, url: base } = stack);
  Object.assign(keys, stack.keys);
});
afterAll(() => stack?.close());

const waitFor = (ticketId: string, predicate: (s: TicketView) => boolean) => waitForTicket(base, keys.lead, ticketId, predicate);

const newTicket = async () => {
  const res = await call(base, 'POST', '/v1/tickets', {
    key: keys.service,
    body: {
      customer: { id: demoCustomers.freeTier },
      channel: 'chat',
      subject: 'How do I reset my password?',
      body: 'I forgot my password.',
    },
  });
  expect(res.status).toBe(201);
  return res.body.ticketId as string;
};

describe('routing policy versions', () => {
  it('refuses an invalid document with every problem listed, and lets only admins change the policy', async () => {
    const bad = {
      ...documentFor(`bad-${run}`, 'ai_auto'),
      quadrants: { 'low/repeatable': 'robot' },
      humanOnlyCategories: ['weather'],
      timers: { ...documentFor('x', 'human').timers, csatDelay: 'soon' },
    };
    const res = await call(base, 'PUT', '/v1/policy', { key: keys.admin, body: bad });
    expect(res.status).toBe(400);
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'body.quadrants.low/repeatable',
        'body.quadrants.medium/semi',
        'body.humanOnlyCategories.0',
        'body.timers.csatDelay',
      ]),
    );
    expect(fields.length).toBeGreaterThanOrEqual(9);

    for (const key of [keys.lead, keys.agent, keys.service]) {
      expect((await call(base, 'PUT', '/v1/policy', { key, body: documentFor(`nope-${run}`, 'human') })).status).toBe(403);
    }
    expect((await call(base, 'GET', '/v1/policy', { key: keys.service })).status).toBe(403);
  });

  it('activates a YAML document, returns it as written, and refuses a reused version', async () => {
    const version = `yaml-${run}`;
    const put = await call(base, 'PUT', '/v1/policy', {
      key: keys.admin,
      raw: { body: stringify(documentFor(version, 'ai_review')), contentType: 'application/yaml' },
    });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ version, createdBy: stack.names.admin });
    const got = await call(base, 'GET', '/v1/policy', { key: keys.agent });
    expect(got.body.version).toBe(version);
    expect(got.body.document.timers.csatDelay).toBe('100ms');
    const again = await call(base, 'PUT', '/v1/policy', { key: keys.admin, body: documentFor(version, 'human') });
    expect(again.status).toBe(409);
    const broken = await call(base, 'PUT', '/v1/policy', {
      key: keys.admin,
      raw: { body: 'version: [unclosed', contentType: 'application/yaml' },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.errors[0].message).toMatch(/not valid YAML/);
  });

  it('applies a new version to new tickets only; a running ticket keeps its own', async () => {
    const v1 = `review-${run}`;
    expect((await call(base, 'PUT', '/v1/policy', { key: keys.admin, body: documentFor(v1, 'ai_review') })).status).toBe(201);
    const first = await newTicket();
    const waiting = await waitFor(first, (s) => s.status === 'awaiting_review');
    expect(waiting.policyVersion).toBe(v1);

    const v2 = `human-${run}`;
    expect((await call(base, 'PUT', '/v1/policy', { key: keys.admin, body: documentFor(v2, 'human') })).status).toBe(201);
    const second = await newTicket();
    const escalated = await waitFor(second, (s) => s.status === 'escalated');
    expect(escalated.policyVersion).toBe(v2);

    // The first ticket is still on v1: its draft still waits for review and can be approved.
    const still = await waitFor(first, () => true);
    expect(still).toMatchObject({ status: 'awaiting_review', policyVersion: v1, mode: 'ai_review' });
    const approved = await call<TicketState>(base, 'POST', `/v1/tickets/${first}/actions/approve`, { key: keys.lead });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('awaiting_customer');
    // Its workflow input (history) holds v1 for ops to see.
    const history = await client.workflow.getHandle(workflowIdFor(first)).fetchHistory();
    // Encrypted in the history: read through the run's codec, as Temporal Web reads it through the codec server.
    const encrypted = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
    const [input] = (await testCodec.decode(encrypted as never)).map((p) => defaultPayloadConverter.fromPayload<TicketWorkflowInput>(p));
    expect(input?.policy.version).toBe(v1);
    expect(input?.policy.quadrants['low/repeatable']).toBe('ai_review');
    // And in the ticket's own audit trail.
    expect(still.timeline.find((e) => e.type === 'routed')?.data).toMatchObject({ policyVersion: v1 });

    // It keeps acting on v1 after the switch: a new customer message gets another reviewed AI
    // draft, where v2 would leave every ticket to a person.
    await call(base, 'POST', `/v1/tickets/${first}/messages`, { key: keys.service, body: { body: 'Which page is that on?' } });
    const second_ = await waitFor(first, (s) => s.status === 'awaiting_review' && s.draft !== null);
    expect(second_).toMatchObject({ mode: 'ai_review', policyVersion: v1 });
  });

  it('activations at the same moment take turns: one active policy, every version stored', async () => {
    const versions = Array.from({ length: 6 }, (_, i) => `race-${run}-${i}`);
    const results = await Promise.all(
      versions.map((v) => call(base, 'PUT', '/v1/policy', { key: keys.admin, body: documentFor(v, 'ai_review') })),
    );
    expect(results.map((r) => r.status)).toEqual(versions.map(() => 201));
    const active = await database.db.select().from(routingPolicies).where(eq(routingPolicies.active, true));
    expect(active).toHaveLength(1);
    expect(versions).toContain(active[0]?.version);
  });
});
