import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aiFeedback, overrides, tickets } from '../src/db/schema';
import { demoCustomers } from '../src/db/seed';
import { startTestStack, type TestStack } from './support/harness';
import { call } from './support/http';
import { everyQuadrant, testPolicy, waitForTicket } from './support/tickets';
import { waitFor } from './support/waitFor';

// Feedback on every AI answer and overrides of every AI call: recorded in the ticket's history
// (an Update) and as rows reports can count, the AI's original call kept beside the final one.

let stack: TestStack<'service' | 'ana' | 'bo' | 'lead'>;

beforeAll(async () => {
  stack = await startTestStack({
    policy: testPolicy({ quadrants: everyQuadrant('ai_review') }),
    keys: { service: 'service', ana: 'agent', bo: 'agent', lead: 'lead' },
  });
});
afterAll(async () => stack?.close());

async function draftAwaitingReview(subject = 'How do I reset my password?', body = 'Hi, how do I reset my password? I forgot it.') {
  const created = await call(stack.url, 'POST', '/v1/tickets', {
    key: stack.keys.service,
    body: { customer: { id: demoCustomers.freeTier }, channel: 'chat', subject, body },
  });
  return waitForTicket(stack.url, stack.keys.ana, created.body.ticketId, (s) => s.status === 'awaiting_review');
}

const feedback = (ticketId: string, body: unknown, key = stack.keys.ana) =>
  call(stack.url, 'POST', `/v1/tickets/${ticketId}/feedback`, { key, body });
const rowsOf = (draftId: string) => stack.database.db.select().from(aiFeedback).where(eq(aiFeedback.draftId, draftId));

describe('feedback on AI answers', () => {
  it('records thumbs, reasons, a correction and a flag on a draft, in the ticket history and in Postgres; a second rating replaces the first and both are kept', async () => {
    const state = await draftAwaitingReview();
    const draftId = state.draft!.id;
    const first = await feedback(state.ticketId, {
      draftId,
      rating: 'down',
      reasons: ['incomplete', 'tone'],
      correction: 'Open Settings → Security → Reset.',
      flag: true,
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({
      draftId,
      agent: stack.names.ana,
      rating: 'down',
      flag: true,
      corrected: true,
      recordedBy: 'workflow',
    });
    const second = await feedback(state.ticketId, { draftId, rating: 'up' });
    expect(second.status).toBe(201);

    const rows = await waitFor(
      async () => rowsOf(draftId),
      (r) => r.length === 2,
      { describe: 'two feedback rows' },
    );
    const [older, newer] = rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    expect(older).toMatchObject({
      rating: 'down',
      reasons: ['incomplete', 'tone'],
      flag: true,
      source: 'explicit',
      category: state.classification!.issueType,
    });
    expect(older!.supersededAt).not.toBeNull();
    expect(newer).toMatchObject({ rating: 'up', supersededAt: null, agent: stack.names.ana });
    const after = await waitForTicket(
      stack.url,
      stack.keys.ana,
      state.ticketId,
      (s) => s.timeline.filter((e) => e.type === 'feedback').length === 2,
    );
    expect(after.timeline.find((e) => e.type === 'feedback')?.data).toMatchObject({ draftId, rating: 'down', flag: true, corrected: true });
    // Another agent's rating stands beside it.
    expect((await feedback(state.ticketId, { draftId, rating: 'down' }, stack.keys.bo)).status).toBe(201);
    await waitFor(
      async () => (await rowsOf(draftId)).filter((r) => r.supersededAt === null),
      (r) => r.length === 2,
      { describe: 'one current rating per agent' },
    );
  });

  it('takes feedback on a message the AI sent, and refuses what is not the AI’s, another ticket’s, a service key, an unknown reason and a correction over 20 kB', async () => {
    const state = await draftAwaitingReview();
    await call(stack.url, 'POST', `/v1/tickets/${state.ticketId}/actions/approve`, { key: stack.keys.ana });
    const sent = await waitForTicket(stack.url, stack.keys.ana, state.ticketId, (s) => s.transcript.some((m) => m.author === 'ai'));
    const aiMessage = sent.transcript.find((m) => m.author === 'ai')!;
    const customerMessage = sent.transcript.find((m) => m.author === 'customer')!;
    expect((await feedback(state.ticketId, { messageId: aiMessage.id, rating: 'up' })).status).toBe(201);

    const notAi = await feedback(state.ticketId, { messageId: customerMessage.id, rating: 'down' });
    expect(notAi.status).toBe(400);
    expect(notAi.body.errors[0]).toMatchObject({ field: 'body.messageId', message: expect.stringMatching(/customer's, not the AI's/) });
    const other = await draftAwaitingReview();
    expect((await feedback(other.ticketId, { messageId: aiMessage.id, rating: 'down' })).status).toBe(404);
    expect((await feedback(other.ticketId, { draftId: state.draft!.id, rating: 'down' })).status).toBe(404);
    expect((await feedback(state.ticketId, { messageId: aiMessage.id, rating: 'up' }, stack.keys.service)).status).toBe(403);
    const unknown = await feedback(state.ticketId, { messageId: aiMessage.id, rating: 'down', reasons: ['tone', 'rude'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0]).toMatchObject({ field: 'body.reasons.1', message: expect.stringContaining('"rude"') });
    const long = await feedback(state.ticketId, { messageId: aiMessage.id, correction: 'x'.repeat(20 * 1024 + 1) });
    expect(long.status).toBe(400);
    expect(long.body.errors[0].field).toBe('body.correction');
    expect((await feedback(state.ticketId, { messageId: aiMessage.id, draftId: state.draft!.id, rating: 'up' })).status).toBe(400);
    expect((await feedback(state.ticketId, { messageId: aiMessage.id })).status).toBe(400);
    expect(await rowsOf(state.draft!.id)).toHaveLength(1); // nothing refused was written
  });

  it('records an edit when approving as an implicit correction, and a takeover of a waiting draft as an implicit thumbs down', async () => {
    const edited = await draftAwaitingReview();
    const body = `${edited.draft!.body}\n\nIf the email does not arrive, check your spam folder.`;
    expect(
      (await call(stack.url, 'POST', `/v1/tickets/${edited.ticketId}/actions/modify`, { key: stack.keys.ana, body: { body } })).status,
    ).toBe(200);
    const [correction] = await waitFor(
      async () => rowsOf(edited.draft!.id),
      (r) => r.length === 1,
      { describe: 'the implicit correction' },
    );
    expect(correction).toMatchObject({ source: 'modify', correction: body, agent: stack.names.ana, rating: null });
    expect(correction!.editSize).toBeGreaterThan(0);

    const taken = await draftAwaitingReview();
    expect((await call(stack.url, 'POST', `/v1/tickets/${taken.ticketId}/actions/takeover`, { key: stack.keys.bo })).status).toBe(200);
    const [down] = await waitFor(
      async () => rowsOf(taken.draft!.id),
      (r) => r.length === 1,
      { describe: 'the implicit thumbs down' },
    );
    expect(down).toMatchObject({ source: 'takeover', rating: 'down', reasons: ['unknown'], agent: stack.names.bo });
  });
});

describe('overrides', () => {
  it('keeps the AI’s call beside the final one, and records each reclassify, reprioritize and mode change with before, after, actor and time', async () => {
    const state = await draftAwaitingReview();
    const { ticketId } = state;
    const ai = state.classification!;
    const issueType = ai.issueType === 'billing' ? 'account' : 'billing';
    expect(
      (
        await call(stack.url, 'POST', `/v1/tickets/${ticketId}/actions/reclassify`, {
          key: stack.keys.ana,
          body: { changes: { issueType, urgency: ai.urgency } },
        })
      ).status,
    ).toBe(200);
    const reprioritized = await call(stack.url, 'POST', `/v1/tickets/${ticketId}/actions/reprioritize`, {
      key: stack.keys.lead,
      body: { level: 'P1', reason: 'their launch is tomorrow' },
    });
    expect(reprioritized.status).toBe(200);
    expect(reprioritized.body.priority.level).toBe('P1');
    expect((await call(stack.url, 'POST', `/v1/tickets/${ticketId}/actions/takeover`, { key: stack.keys.ana })).status).toBe(200);
    expect((await call(stack.url, 'POST', `/v1/tickets/${ticketId}/actions/handback`, { key: stack.keys.ana })).status).toBe(200);

    const rows = await waitFor(
      async () => stack.database.db.select().from(overrides).where(eq(overrides.ticketId, ticketId)),
      (r) => r.length === 4,
      { describe: 'four overrides' },
    );
    const byField = Object.fromEntries(rows.map((r) => [`${r.field}:${r.after}`, r]));
    // The urgency was "changed" to what it was: not an override.
    expect(rows.map((r) => r.field).sort()).toEqual(['issueType', 'mode', 'mode', 'priority']);
    expect(byField[`issueType:${issueType}`]).toMatchObject({ before: ai.issueType, aiValue: ai.issueType, actor: stack.names.ana });
    expect(byField['priority:P1']).toMatchObject({
      before: expect.stringMatching(/^P[1-4]$/),
      aiValue: state.priority!.level,
      actor: stack.names.lead,
      reason: 'their launch is tomorrow',
    });
    expect(byField['mode:human']).toMatchObject({ before: 'ai_review', aiValue: 'ai_review' });
    expect(byField['mode:ai_review']).toMatchObject({ before: 'human' });

    const [row] = await waitFor(
      async () =>
        stack.database.db
          .select()
          .from(tickets)
          .where(and(eq(tickets.id, ticketId), eq(tickets.mode, 'ai_review'))),
      (r) => r.length === 1 && r[0]!.category === issueType,
      { describe: 'the read model' },
    );
    expect(row).toMatchObject({
      aiCategory: ai.issueType,
      category: issueType,
      aiPriorityLevel: state.priority!.level,
      priorityLevel: 'P1',
      aiMode: 'ai_review',
      humanTouched: true,
    });
  });

  it('refuses a priority outside P1–P4 or without a reason', async () => {
    const state = await draftAwaitingReview();
    expect(
      (
        await call(stack.url, 'POST', `/v1/tickets/${state.ticketId}/actions/reprioritize`, {
          key: stack.keys.ana,
          body: { level: 'P0', reason: 'x' },
        })
      ).status,
    ).toBe(400);
    expect(
      (await call(stack.url, 'POST', `/v1/tickets/${state.ticketId}/actions/reprioritize`, { key: stack.keys.ana, body: { level: 'P2' } }))
        .status,
    ).toBe(400);
  });
});
