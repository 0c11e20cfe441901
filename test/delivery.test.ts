import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoCustomers } from '../src/db/seed';
import { defaultActivityTimeouts } from '../src/workflows/ticket/timeouts';
import { startTestStack, type TestStack } from './support/harness';
import { call } from './support/http';
import { maybeRecordHistory } from './support/histories';
import { everyQuadrant, testPolicy, waitForTicket } from './support/tickets';
import { waitFor } from './support/waitFor';
import { startReceiver } from './support/webhookReceiver';

// Replies reach customers: each outbound message is delivered by the ticket's own activity, to
// real webhook receivers on 127.0.0.1 that verify every signature with the standardwebhooks library.

let stack: TestStack<'service' | 'admin' | 'agent'>;
const reviewSla = { review: '300ms', firstHumanResponse: '1h' };
const receivers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  stack = await startTestStack({
    // Free-tier tickets are answered at once; enterprise ones are reviewed, and their review SLA is short.
    policy: testPolicy({
      quadrants: everyQuadrant('ai_auto'),
      sla: { P1: reviewSla, P2: reviewSla, P3: reviewSla, P4: reviewSla },
    }),
    keys: { service: 'service', admin: 'admin', agent: 'agent' },
    // A delivery gives up after 6 s here (24 h by default), so a dead receiver fails within a test.
    app: { activityTimeouts: { ...defaultActivityTimeouts, deliveryDeadlineMs: 6000 } },
    worker: { delivery: { webhookTimeoutMs: 800 } },
  });
});

// Each test's endpoints go with it: a message counts as delivered once any endpoint took it.
const registered: string[] = [];
afterEach(async () => {
  for (const id of registered.splice(0)) await call(stack.url, 'DELETE', `/v1/webhooks/${id}`, { key: stack.keys.admin });
});

afterAll(async () => {
  for (const r of receivers) await r.close();
  await stack?.close();
});

type Answer = (res: ServerResponse, index: number) => void;
const status = (code: number) => (res: ServerResponse) => res.writeHead(code, { 'content-type': 'text/plain' }).end(`answered ${code}`);

async function receiver(answer?: Answer) {
  const r = await startReceiver(answer ? { answer } : {});
  receivers.push(r);
  return r;
}

/** Registers an endpoint for this file's service key only, so other test files' tickets never reach it. */
async function register(url: string, events: string[]) {
  const res = await call(stack.url, 'POST', '/v1/webhooks', {
    key: stack.keys.admin,
    body: { url, events, integration: stack.names.service },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  registered.push(res.body.id);
  return res.body as { id: string; secret: string };
}

async function createTicket(
  subject = 'How do I reset my password?',
  body = 'Hi, how do I reset my password? I forgot it and cannot sign in.',
) {
  const res = await call(stack.url, 'POST', '/v1/tickets', {
    key: stack.keys.service,
    body: { customer: { id: demoCustomers.freeTier }, channel: 'chat', subject, body },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.ticketId as string;
}

const conversation = async (ticketId: string) =>
  (await call(stack.url, 'GET', `/v1/tickets/${ticketId}/conversation`, { key: stack.keys.service })).body;

describe('webhooks', () => {
  it('delivers the AI reply of a ticket started over HTTP, signed, with its body, citations and a stable id', async () => {
    const hooks = await receiver();
    const endpoint = await register(`${hooks.url}/hooks`, ['ticket.created', 'ticket.message']);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    hooks.setSecret(endpoint.secret);
    const ticketId = await createTicket();

    await waitFor(
      async () => hooks.events('ticket.message'),
      (e) => e.length === 1,
      { describe: 'the reply webhook' },
    );
    const reply = hooks.received.find((r) => JSON.parse(r.raw.toString()).type === 'ticket.message')!;
    expect(reply.verified, reply.verifyError ?? '').toBe(true);
    const message = JSON.parse(reply.raw.toString()).data.message;
    expect(reply.headers['webhook-id']).toBe(`msg_${message.id.replace(/[^A-Za-z0-9_-]/g, '_')}`);
    expect(message).toMatchObject({ kind: 'reply', author: 'ai', channel: 'chat' });
    expect(message.recipient).toMatch(/@/);
    expect(message.body).toMatch(/password/i);
    expect(message.citations.length).toBeGreaterThan(0);
    await waitFor(
      async () => hooks.events('ticket.created'),
      (e) => e.length === 1,
      { describe: 'ticket.created' },
    );
    expect(hooks.received.every((r) => r.verified)).toBe(true);
    expect(hooks.events('ticket.created')[0].data.ticket.id).toBe(ticketId);

    await expect
      .poll(async () => (await conversation(ticketId)).messages.find((m: { author: string }) => m.author === 'ai')?.delivery.status)
      .toBe('delivered');
    const log = await call(stack.url, 'GET', `/v1/webhooks/${endpoint.id}/deliveries`, { key: stack.keys.admin });
    expect(log.status).toBe(200);
    const delivered = log.body.items.find((d: { eventType: string }) => d.eventType === 'ticket.message');
    expect(delivered).toMatchObject({ status: 'delivered', attempts: 1, messageId: message.id });
    expect(delivered.attemptLog[0]).toMatchObject({ ok: true, status: 200, trigger: 'workflow', responseBody: 'thanks' });
    await maybeRecordHistory('delivery-webhook', `ticket-${ticketId}`);
  });

  it('retries a receiver that answers 500, with the same webhook-id, until it answers 200', async () => {
    const hooks = await receiver((res, i) => status(i === 0 ? 500 : 200)(res));
    const endpoint = await register(`${hooks.url}/flaky`, ['ticket.message']);
    hooks.setSecret(endpoint.secret);
    const ticketId = await createTicket();
    await waitFor(
      async () => hooks.received.length,
      (n) => n === 2,
      { describe: 'the retry' },
    );
    expect(hooks.received.map((r) => r.headers['webhook-id'])).toEqual([
      hooks.received[0]!.headers['webhook-id'],
      hooks.received[0]!.headers['webhook-id'],
    ]);
    expect(hooks.received.every((r) => r.verified)).toBe(true);
    await expect.poll(async () => (await conversation(ticketId)).messages.at(-1).delivery.status).toBe('delivered');
    const log = await call(stack.url, 'GET', `/v1/webhooks/${endpoint.id}/deliveries`, { key: stack.keys.admin });
    expect(log.body.items[0].attemptLog.map((a: { status: number }) => a.status)).toEqual([500, 200]);
    await maybeRecordHistory('delivery-retried', `ticket-${ticketId}`);
  });

  it('gives up on a receiver that never answers: the message fails, a person gets the ticket, the queue and a lead are told', async () => {
    const hung = await receiver(() => undefined);
    const watcher = await receiver();
    const endpoint = await register(`${hung.url}/slow`, ['ticket.message']);
    const lead = await register(`${watcher.url}/lead`, ['ticket.delivery_failed', 'ticket.escalated']);
    watcher.setSecret(lead.secret);
    const ticketId = await createTicket();

    const state = await waitForTicket(stack.url, stack.keys.agent, ticketId, (s) => s.status === 'escalated', 30_000);
    expect(state.escalation?.triggers.map((t) => t.code)).toContain('delivery_failed');
    expect(state.deliveryFailures?.[0]?.reason).toMatch(/timed out|timeout/i);
    expect(hung.received.length).toBeGreaterThanOrEqual(2);
    const queue = await call(stack.url, 'GET', '/v1/queue?deliveryFailed=true', { key: stack.keys.agent });
    expect(queue.body.items.find((r: { ticketId: string }) => r.ticketId === ticketId)).toMatchObject({
      deliveryFailed: true,
      status: 'escalated',
    });
    expect((await conversation(ticketId)).messages.find((m: { author: string }) => m.author === 'ai').delivery.status).toBe('failed');

    await waitFor(
      async () => watcher.events('ticket.delivery_failed'),
      (e) => e.length === 1,
      { describe: 'ticket.delivery_failed' },
    );
    expect(watcher.received.every((r) => r.verified)).toBe(true);
    expect(watcher.events('ticket.delivery_failed')[0].data.reason).toMatch(/timed out|timeout/i);
    await waitFor(
      async () => watcher.events('ticket.escalated'),
      (e) => e.length === 1,
      { describe: 'ticket.escalated' },
    );
    expect(watcher.events('ticket.escalated')[0].data.reasons).toContain('delivery_failed');
    const log = await call(stack.url, 'GET', `/v1/webhooks/${endpoint.id}/deliveries`, { key: stack.keys.admin });
    expect(log.body.items[0]).toMatchObject({ status: 'failed' });
    await maybeRecordHistory('delivery-failed', `ticket-${ticketId}`);
  });

  it('disables an endpoint that answers 410 at once; after an admin enables it, a manual retry delivers the message', async () => {
    let gone = true;
    const hooks = await receiver((res) => status(gone ? 410 : 200)(res));
    const endpoint = await register(`${hooks.url}/gone`, ['ticket.message']);
    hooks.setSecret(endpoint.secret);
    const ticketId = await createTicket();

    await waitForTicket(stack.url, stack.keys.agent, ticketId, (s) => s.status === 'escalated');
    expect(hooks.received).toHaveLength(1); // permanent: no retry
    const disabled = await call(stack.url, 'GET', `/v1/webhooks/${endpoint.id}`, { key: stack.keys.admin });
    expect(disabled.body).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/410/) });

    const log = await call(stack.url, 'GET', `/v1/webhooks/${endpoint.id}/deliveries`, { key: stack.keys.admin });
    const delivery = log.body.items[0];
    const refused = await call(stack.url, 'POST', `/v1/webhooks/${endpoint.id}/deliveries/${delivery.id}/retry`, { key: stack.keys.admin });
    expect(refused.status).toBe(409);
    gone = false;
    expect((await call(stack.url, 'POST', `/v1/webhooks/${endpoint.id}/enable`, { key: stack.keys.admin })).body.enabled).toBe(true);
    const retried = await call(stack.url, 'POST', `/v1/webhooks/${endpoint.id}/deliveries/${delivery.id}/retry`, { key: stack.keys.admin });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ status: 'delivered', attempts: 2 });
    expect(retried.body.attemptLog.map((a: { trigger: string; status: number }) => [a.trigger, a.status])).toEqual([
      ['workflow', 410],
      ['manual', 200],
    ]);
    expect(hooks.received[1]!.verified).toBe(true);
    expect(hooks.received[1]!.headers['webhook-id']).toBe(hooks.received[0]!.headers['webhook-id']);
    expect((await conversation(ticketId)).messages.find((m: { author: string }) => m.author === 'ai').delivery.status).toBe('delivered');
  });

  it('signs with the old and the new secret during a rotation grace period', async () => {
    const oldHolder = await receiver();
    const endpoint = await register(`${oldHolder.url}/rotating`, ['ticket.message']);
    const rotated = await call(stack.url, 'POST', `/v1/webhooks/${endpoint.id}/rotate-secret`, {
      key: stack.keys.admin,
      body: { gracePeriod: '1h' },
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    expect(rotated.body.secretsActive).toBe(2);
    oldHolder.setSecret(endpoint.secret);
    await createTicket();
    await waitFor(
      async () => oldHolder.received.length,
      (n) => n === 1,
      { describe: 'the delivery' },
    );
    const request = oldHolder.received[0]!;
    expect(request.verified, request.verifyError ?? '').toBe(true); // a receiver still on the old secret
    expect(String(request.headers['webhook-signature']).split(' ')).toHaveLength(2);
    const { Webhook } = await import('standardwebhooks');
    const headers = {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    };
    expect(() => new Webhook(rotated.body.secret).verify(request.raw.toString(), headers)).not.toThrow(); // and one on the new
  });
});

describe('the event catalogue', () => {
  it('tells an endpoint of the lifecycle: created, message, assigned, resolved, reopened', async () => {
    const hooks = await receiver();
    const endpoint = await register(`${hooks.url}/all`, [
      'ticket.created',
      'ticket.message',
      'ticket.assigned',
      'ticket.resolved',
      'ticket.reopened',
      'ticket.escalated',
      'ticket.sla_breached',
    ]);
    hooks.setSecret(endpoint.secret);
    const ticketId = await createTicket();
    const seen = async (type: string) =>
      waitFor(
        async () => hooks.events(type).filter((e) => e.data.ticket.id === ticketId),
        (e) => e.length > 0,
        { describe: type },
      );
    await seen('ticket.message');
    expect((await call(stack.url, 'POST', `/v1/tickets/${ticketId}/actions/takeover`, { key: stack.keys.agent })).status).toBe(200);
    expect((await seen('ticket.assigned'))[0].data).toMatchObject({ assignee: stack.names.agent, by: stack.names.agent });
    expect((await call(stack.url, 'POST', `/v1/tickets/${ticketId}/actions/resolve`, { key: stack.keys.agent })).status).toBe(200);
    expect((await seen('ticket.resolved'))[0].data).toMatchObject({ resolutionMode: 'ai_plus_human', by: stack.names.agent });
    await call(stack.url, 'POST', `/v1/tickets/${ticketId}/messages`, {
      key: stack.keys.service,
      body: { body: 'Sorry, one more thing: it happened again.' },
    });
    expect((await seen('ticket.reopened'))[0].data.followUps).toBe(1);
    const types = new Set(
      hooks
        .events()
        .filter((e) => e.data.ticket.id === ticketId)
        .map((e) => e.type),
    );
    expect([...types]).toEqual(
      expect.arrayContaining(['ticket.created', 'ticket.message', 'ticket.assigned', 'ticket.resolved', 'ticket.reopened']),
    );
    expect(hooks.received.every((r) => r.verified)).toBe(true);
    // Each event once per endpoint, whatever the retries: one webhook-id each.
    const ids = hooks.received.map((r) => String(r.headers['webhook-id']));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('tells a lead when a review SLA is missed', async () => {
    const hooks = await receiver();
    const endpoint = await register(`${hooks.url}/sla`, ['ticket.sla_breached']);
    hooks.setSecret(endpoint.secret);
    const created = await call(stack.url, 'POST', '/v1/tickets', {
      key: stack.keys.service,
      body: {
        customer: { id: demoCustomers.enterprise },
        channel: 'chat',
        subject: 'Export to CSV',
        body: 'Where can I export all our contacts to a CSV file?',
      },
    });
    expect(created.status).toBe(201);
    const breach = await waitFor(
      async () => hooks.events('ticket.sla_breached').filter((e) => e.data.ticket.id === created.body.ticketId),
      (e) => e.length === 1,
      { describe: 'ticket.sla_breached', timeoutMs: 10_000 },
    );
    expect(breach[0].data).toMatchObject({ sla: 'review' });
  });

  it('never holds up an agent while a receiver hangs', async () => {
    const hung = await receiver(() => undefined);
    await register(`${hung.url}/hang`, ['ticket.message']);
    const ticketId = await createTicket();
    await waitFor(
      async () => hung.received.length,
      (n) => n >= 1,
      { describe: 'the hanging delivery' },
    );
    const started = Date.now();
    expect((await call(stack.url, 'POST', `/v1/tickets/${ticketId}/actions/takeover`, { key: stack.keys.agent })).status).toBe(200);
    expect(
      (await call(stack.url, 'POST', `/v1/tickets/${ticketId}/actions/reply`, { key: stack.keys.agent, body: { body: 'On it.' } })).status,
    ).toBe(200);
    expect(
      (
        await call(stack.url, 'POST', `/v1/tickets/${ticketId}/actions/note`, {
          key: stack.keys.agent,
          body: { body: 'Receiver is down.' },
        })
      ).status,
    ).toBe(200);
    // Well inside one webhook timeout: no action waited on the receiver.
    expect(Date.now() - started).toBeLessThan(800);
  });
});

describe('webhook endpoints refuse what they must', () => {
  it.each([
    ['ftp://example.com/hook', /http/],
    ['http://169.254.169.254/latest/meta-data', /metadata|link-local/],
    ['http://[fe80::1]/hook', /link-local/],
  ])('refuses %s', async (url, why) => {
    const res = await call(stack.url, 'POST', '/v1/webhooks', { key: stack.keys.admin, body: { url, events: ['ticket.message'] } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(JSON.stringify(res.body.errors)).toMatch(why);
  });

  it('refuses an endpoint that points at the API itself', async () => {
    const res = await call(stack.url, 'POST', '/v1/webhooks', {
      key: stack.keys.admin,
      body: { url: `${stack.url}/v1/tickets`, events: ['ticket.message'] },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('body.url');
  });

  it('refuses an unknown event, and keys that are not an admin’s', async () => {
    const unknown = await call(stack.url, 'POST', '/v1/webhooks', {
      key: stack.keys.admin,
      body: { url: 'http://127.0.0.1:9/x', events: ['ticket.exploded'] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].field).toBe('body.events.0');
    for (const key of [stack.keys.agent, stack.keys.service]) {
      expect(
        (await call(stack.url, 'POST', '/v1/webhooks', { key, body: { url: 'http://127.0.0.1:9/x', events: ['ticket.message'] } })).status,
      ).toBe(403);
      expect((await call(stack.url, 'GET', '/v1/webhooks', { key })).status).toBe(403);
    }
  });

  it('lists endpoints without their secrets, and deletes one', async () => {
    const endpoint = await register('http://127.0.0.1:9/listed', ['ticket.resolved']);
    const list = await call(stack.url, 'GET', '/v1/webhooks', { key: stack.keys.admin });
    expect(list.body.items.some((e: { id: string }) => e.id === endpoint.id)).toBe(true);
    expect(JSON.stringify(list.body)).not.toContain(endpoint.secret);
    expect((await call(stack.url, 'DELETE', `/v1/webhooks/${endpoint.id}`, { key: stack.keys.admin })).status).toBe(204);
    expect((await call(stack.url, 'GET', `/v1/webhooks/${endpoint.id}`, { key: stack.keys.admin })).status).toBe(404);
    expect((await call(stack.url, 'DELETE', `/v1/webhooks/${endpoint.id}`, { key: stack.keys.admin })).status).toBe(404);
  });
});
