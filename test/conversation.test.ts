import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCustomers } from '../src/db/seed';
import { startTestStack, type TestStack } from './support/harness';
import { call } from './support/http';
import { maybeRecordHistory } from './support/histories';
import { everyQuadrant, testPolicy, waitForTicket } from './support/tickets';
import { startReceiver } from './support/webhookReceiver';

// The customer-safe conversation: what a widget may show the customer, and nothing else.

let stack: TestStack<'service' | 'agent' | 'admin'>;
let hooks: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  stack = await startTestStack({
    policy: testPolicy({ quadrants: everyQuadrant('ai_review') }),
    keys: { service: 'service', agent: 'agent', admin: 'admin' },
  });
  hooks = await startReceiver();
  const endpoint = await call(stack.url, 'POST', '/v1/webhooks', {
    key: stack.keys.admin,
    body: { url: `${hooks.url}/conversation`, events: ['ticket.message'], integration: stack.names.service },
  });
  hooks.setSecret(endpoint.body.secret);
});

afterAll(async () => {
  await hooks?.close();
  await stack?.close();
});

async function draftAwaitingReview() {
  // An enterprise customer: enrichment with MRR, and a draft held for review.
  const created = await call(stack.url, 'POST', '/v1/tickets', {
    key: stack.keys.service,
    body: {
      customer: { id: demoCustomers.enterprise },
      channel: 'widget',
      subject: 'Export to CSV',
      body: 'Where can I export all our contacts to a CSV file?',
    },
  });
  const state = await waitForTicket(stack.url, stack.keys.agent, created.body.ticketId, (s) => s.status === 'awaiting_review');
  return state;
}

const conversation = async (ticketId: string) =>
  (await call(stack.url, 'GET', `/v1/tickets/${ticketId}/conversation`, { key: stack.keys.service })).body;

describe('GET /v1/tickets/:id/conversation', () => {
  it('shows the customer their own message and where the ticket stands, never the draft awaiting review or what enrichment knows', async () => {
    const state = await draftAwaitingReview();
    expect(state.draft?.body.length).toBeGreaterThan(0);
    expect(state.enrichment?.mrrCents).toBeGreaterThan(0);
    const seen = await conversation(state.ticketId);
    expect(seen.status).toBe('open');
    expect(seen.messages).toEqual([
      expect.objectContaining({
        author: 'customer',
        kind: 'message',
        body: 'Where can I export all our contacts to a CSV file?',
        delivery: null,
      }),
    ]);
    const text = JSON.stringify(seen);
    expect(text).not.toContain(state.draft!.body.slice(0, 40));
    expect(text).not.toMatch(/mrr|billing|enrichment|escalation|priority|classification/i);
    expect(Object.keys(seen).sort()).toEqual(['channel', 'csat', 'messages', 'status', 'subject', 'ticketId']);
  });

  it('shows the approved reply with its delivery state and the waiting status', async () => {
    const state = await draftAwaitingReview();
    const approved = await call(stack.url, 'POST', `/v1/tickets/${state.ticketId}/actions/approve`, { key: stack.keys.agent });
    expect(approved.status).toBe(200);
    await expect.poll(async () => (await conversation(state.ticketId)).messages.at(-1)?.delivery?.status).toBe('delivered');
    const seen = await conversation(state.ticketId);
    expect(seen.status).toBe('waiting_on_customer');
    expect(seen.messages.at(-1)).toMatchObject({ author: 'ai', kind: 'reply', body: state.draft!.body });
  });

  it('keeps internal notes out of it and out of delivery, while the agent sees them', async () => {
    const state = await draftAwaitingReview();
    const { ticketId } = state;
    expect((await call(stack.url, 'POST', `/v1/tickets/${ticketId}/actions/takeover`, { key: stack.keys.agent })).status).toBe(200);
    const note = await call(stack.url, 'POST', `/v1/tickets/${ticketId}/actions/note`, {
      key: stack.keys.agent,
      body: { body: 'Customer is on the legacy export; check with billing first.' },
    });
    expect(note.status).toBe(200);
    expect(
      (
        await call(stack.url, 'POST', `/v1/tickets/${ticketId}/actions/reply`, {
          key: stack.keys.agent,
          body: { body: 'Settings → Export → CSV.' },
        })
      ).status,
    ).toBe(200);

    const agentView = await waitForTicket(stack.url, stack.keys.agent, ticketId, (s) => s.transcript.some((m) => m.internal));
    expect(agentView.transcript.find((m) => m.internal)).toMatchObject({ author: 'agent', body: expect.stringContaining('legacy export') });
    expect(agentView.timeline.some((e) => e.type === 'note_added')).toBe(true);

    await expect.poll(async () => (await conversation(ticketId)).messages.at(-1)?.delivery?.status).toBe('delivered');
    const seen = await conversation(ticketId);
    expect(JSON.stringify(seen)).not.toContain('legacy export');
    expect(seen.messages.map((m: { author: string }) => m.author)).toEqual(['customer', 'agent']);
    const delivered = hooks.events('ticket.message').filter((e) => e.data.ticket.id === ticketId);
    expect(delivered.map((e) => e.data.message.body)).toEqual(['Settings → Export → CSV.']);
    await maybeRecordHistory('note-and-reply', `ticket-${ticketId}`);
  });

  it('is the service’s to read: an agent key is refused, an unknown ticket is a 404', async () => {
    expect((await call(stack.url, 'GET', '/v1/tickets/nope/conversation', { key: stack.keys.service })).status).toBe(404);
    const state = await draftAwaitingReview();
    expect((await call(stack.url, 'GET', `/v1/tickets/${state.ticketId}/conversation`, { key: stack.keys.agent })).status).toBe(403);
    expect(
      (await call(stack.url, 'POST', `/v1/tickets/${state.ticketId}/actions/note`, { key: stack.keys.agent, body: { body: '' } })).status,
    ).toBe(400);
  });
});
