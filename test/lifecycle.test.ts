import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/client';
import { demoCustomers } from '../src/db/seed';
import { aiDrafts, messages, ticketEvents, tickets } from '../src/db/schema';
import { sentMessages } from './support/sent';
import type { TicketState } from '../src/domain/ticketState';
import { actions, csatSignal, customerMessageSignal, stateQuery } from '../src/workflows/messages';
import { connectClient, openTestDatabase, startTestWorker, uniqueId, type TestWorker } from './support/harness';
import { maybeRecordHistory } from './support/histories';
import { everyQuadrant, startTicket, statusIs, testPolicy, waitForIdle, waitForState, type TicketHandle } from './support/tickets';

let database: Database;
let client: Client;
let closeClient: () => Promise<void>;
let worker: TestWorker;

beforeAll(async () => {
  database = await openTestDatabase();
  ({ client, close: closeClient } = await connectClient());
  worker = await startTestWorker({ database });
});

afterAll(async () => {
  await worker?.close();
  await closeClient?.();
  await database?.close();
});

const howTo = { subject: 'How do I reset my password?', body: 'Hi, how do I reset my password? I forgot it and cannot sign in.' };
const agent = 'agent-ana';

const start = (ticket: Parameters<typeof startTicket>[2], policy = testPolicy()) =>
  startTicket(client, worker.taskQueue, { customerId: demoCustomers.freeTier, ...ticket }, policy);

async function rowsFor(ticketId: string) {
  const db = database.db;
  return {
    ticket: (await db.select().from(tickets).where(eq(tickets.id, ticketId)))[0],
    events: await db.select().from(ticketEvents).where(eq(ticketEvents.ticketId, ticketId)),
    messages: await db.select().from(messages).where(eq(messages.ticketId, ticketId)),
    sent: await sentMessages(db, ticketId),
    drafts: await db.select().from(aiDrafts).where(eq(aiDrafts.ticketId, ticketId)),
  };
}

const reasons = (s: TicketState) => s.escalation?.triggers.map((t) => t.code) ?? [];

describe('ai_auto', () => {
  it('answers at once, resolves when the customer confirms, runs CSAT and completes', async () => {
    const handle = await start(howTo);
    const answered = await waitForState(handle, statusIs('awaiting_customer'));
    expect(answered.mode).toBe('ai_auto');
    expect(answered.classification).not.toBeNull();
    expect(answered.priority?.breakdown.length).toBeGreaterThan(0);
    expect(answered.aiMessagesSent).toBe(1);
    expect(answered.transcript.at(-1)?.author).toBe('ai');

    await handle.signal(customerMessageSignal, { messageId: 'm1', body: 'Thanks, that worked!' });
    const resolved = await waitForState(handle, (s) => s.status === 'resolved' && s.csat.surveySentAt !== null);
    expect(resolved.resolution).toMatchObject({ mode: 'ai_only', reason: 'customer_confirmed' });

    await handle.signal(csatSignal, { score: 5, comment: 'quick!' });
    const outcome = await handle.result();
    expect(outcome).toMatchObject({ resolutionMode: 'ai_only', resolutionReason: 'customer_confirmed', csatScore: 5, escalated: false });

    const rows = await rowsFor(resolved.ticketId);
    expect(rows.ticket).toMatchObject({ status: 'closed', csatScore: 5, resolutionMode: 'ai_only', mode: 'ai_auto' });
    expect(rows.sent.filter((o) => o.kind === 'reply')).toHaveLength(1);
    expect(rows.sent.filter((o) => o.kind === 'csat_survey')).toHaveLength(1);
    expect(rows.messages.filter((m) => m.author === 'customer')).toHaveLength(2);
    expect(rows.drafts).toHaveLength(1);
    expect(rows.drafts[0]?.outcome).toBe('sent');
    const seqs = rows.events.map((e) => e.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    await maybeRecordHistory('ai-auto-csat', handle.workflowId);
  });

  it('sends a CSAT reminder half-way through the window and closes without an answer', async () => {
    const handle = await start(
      howTo,
      testPolicy({
        timers: { customerReplyWindow: '300ms', unresolvedTimeout: '1h', csatDelay: '100ms', csatWindow: '1s', reopenWindow: '500ms' },
      }),
    );
    const outcome = await handle.result();
    expect(outcome).toMatchObject({ resolutionReason: 'no_reply', csatScore: null });
    const rows = await rowsFor(outcome.ticketId);
    expect(rows.sent.map((o) => o.kind).sort()).toEqual(['csat_reminder', 'csat_survey', 'reply']);
    expect(rows.events.some((e) => e.type === 'csat_window_closed')).toBe(true);
  });

  it('escalates when still unresolved after two AI turns', async () => {
    const handle = await start(howTo);
    await waitForState(handle, (s) => s.aiTurns === 1 && s.status === 'awaiting_customer');
    await handle.signal(customerMessageSignal, { messageId: 'm1', body: "That didn't work, the reset email never arrives." });
    await waitForState(handle, (s) => s.aiTurns === 2 && s.status === 'awaiting_customer');
    await handle.signal(customerMessageSignal, { messageId: 'm2', body: 'Still not working, no email.' });
    const escalated = await waitForState(handle, statusIs('escalated'));
    expect(reasons(escalated)).toContain('unresolved_after_turns');
    expect(escalated.escalation?.summary?.alreadyTried.join('\n')).toMatch(/\(sent 2 times\)/); // both AI replies, as one step
    await maybeRecordHistory('ai-auto-unresolved', handle.workflowId);
  });

  it('escalates when the unresolved timeout passes after the second AI reply', async () => {
    const policy = testPolicy({
      timers: { customerReplyWindow: '1h', unresolvedTimeout: '500ms', csatDelay: '1h', csatWindow: '1h', reopenWindow: '1h' },
    });
    const handle = await start(howTo, policy);
    await waitForState(handle, (s) => s.aiTurns === 1 && s.status === 'awaiting_customer');
    await handle.signal(customerMessageSignal, { messageId: 'm1', body: 'Hmm, which settings page do you mean exactly?' });
    const escalated = await waitForState(handle, statusIs('escalated'));
    expect(escalated.aiTurns).toBe(2);
    expect(reasons(escalated)).toEqual(['unresolved_after_turns']);
    expect(escalated.escalation?.triggers[0]?.detail).toMatch(/timeout/);
  });

  it('resolves with no_reply when the customer stays silent', async () => {
    const policy = testPolicy({
      timers: { customerReplyWindow: '300ms', unresolvedTimeout: '1h', csatDelay: '1h', csatWindow: '1h', reopenWindow: '1h' },
    });
    const handle = await start(howTo, policy);
    const resolved = await waitForState(handle, statusIs('resolved'));
    expect(resolved.resolution?.reason).toBe('no_reply');
  });

  it('reopens on a customer message inside the reopen window and counts a follow-up', async () => {
    const policy = testPolicy({
      timers: { customerReplyWindow: '1h', unresolvedTimeout: '1h', csatDelay: '1h', csatWindow: '1h', reopenWindow: '1h' },
    });
    const handle = await start(howTo, policy);
    await waitForState(handle, statusIs('awaiting_customer'));
    await handle.signal(customerMessageSignal, { messageId: 'm1', body: 'Perfect, that fixed it, thanks!' });
    await waitForState(handle, statusIs('resolved'));
    await handle.signal(customerMessageSignal, { messageId: 'm2', body: 'Sorry, how do I reset the password for my teammate too?' });
    const reopened = await waitForState(handle, (s) => s.followUps === 1 && s.status === 'awaiting_customer');
    expect(reopened.resolution).toBeNull();
    expect(reopened.timeline.some((e) => e.type === 'reopened')).toBe(true);
    await maybeRecordHistory('reopen', handle.workflowId);
  });

  it('ignores a repeated customer message id', async () => {
    const handle = await start(howTo, testPolicy({ quadrants: everyQuadrant('human') }));
    await waitForState(handle, statusIs('escalated'));
    await handle.signal(customerMessageSignal, { messageId: 'dup', body: 'Any news?' });
    await handle.signal(customerMessageSignal, { messageId: 'dup', body: 'Any news?' });
    await handle.signal(customerMessageSignal, { messageId: 'later', body: 'Hello?' });
    const s = await waitForState(handle, (x) => x.transcript.some((m) => m.id.endsWith(':in:later')));
    expect(s.transcript.filter((m) => m.author === 'customer').map((m) => m.body)).toEqual([howTo.body, 'Any news?', 'Hello?']);
  });
});

describe('ai_review', () => {
  const reviewPolicy = () => testPolicy({ quadrants: everyQuadrant('ai_review') });

  it('approve sends the draft as is', async () => {
    const handle = await start(howTo, reviewPolicy());
    const waiting = await waitForState(handle, statusIs('awaiting_review'));
    expect(waiting.draft?.body.length).toBeGreaterThan(0);
    expect(waiting.sla.reviewDueAt).not.toBeNull();
    const after = await handle.executeUpdate(actions.approve.update, { args: [{ agentId: agent }] });
    expect(after.status).toBe('awaiting_customer');
    expect(after.draft).toBeNull();
    expect(after.transcript.at(-1)).toMatchObject({ author: 'ai', body: waiting.draft!.body });
    const rows = await rowsFor(waiting.ticketId);
    expect(rows.drafts[0]).toMatchObject({ outcome: 'approved', reviewedBy: agent });
    await handle.executeUpdate(actions.resolve.update, { args: [{ agentId: agent }] });
    expect((await waitForState(handle, statusIs('resolved'))).resolution?.mode).toBe('ai_plus_human');
    await handle.signal(csatSignal, { score: 4 });
    expect(await handle.result()).toMatchObject({
      resolutionMode: 'ai_plus_human',
      resolutionReason: 'agent_resolved',
      csatScore: 4,
      aiTurns: 1,
      humanReplies: 0,
    });
    await maybeRecordHistory('ai-review-approve', handle.workflowId);
  });

  it('modify sends the agent text and keeps the diff as feedback', async () => {
    const handle = await start(howTo, reviewPolicy());
    const waiting = await waitForState(handle, statusIs('awaiting_review'));
    const body = `${waiting.draft!.body}\nP.S. You can also ask your admin to reset it for you.`;
    const after = await handle.executeUpdate(actions.modify.update, { args: [{ agentId: agent, body }] });
    expect(after.transcript.at(-1)).toMatchObject({ author: 'agent', agentId: agent, body });
    const [draft] = (await rowsFor(waiting.ticketId)).drafts;
    expect(draft).toMatchObject({ outcome: 'modified', finalBody: body, reviewedBy: agent });
    expect((draft!.feedback as { added: string[] }).added).toEqual(['P.S. You can also ask your admin to reset it for you.']);
    await handle.signal(customerMessageSignal, { messageId: 'm1', body: 'That worked, thank you!' });
    await waitForState(handle, statusIs('resolved'));
    await handle.signal(csatSignal, { score: 5 });
    // The agent sent it, but the AI wrote most of it: AI and a person together.
    expect(await handle.result()).toMatchObject({
      resolutionMode: 'ai_plus_human',
      resolutionReason: 'customer_confirmed',
      csatScore: 5,
      humanReplies: 1,
    });
    await maybeRecordHistory('ai-review-modify', handle.workflowId);
  });

  it('takeover gives the agent the ticket and the AI stops replying', async () => {
    const handle = await start(howTo, reviewPolicy());
    const waiting = await waitForState(handle, statusIs('awaiting_review'));
    const after = await handle.executeUpdate(actions.takeover.update, { args: [{ agentId: agent }] });
    expect(after).toMatchObject({ status: 'human_handling', mode: 'human', assignee: agent, draft: null });
    await handle.signal(customerMessageSignal, { messageId: 'm1', body: 'Hello? Still waiting.' });
    await waitForState(handle, (s) => s.transcript.some((m) => m.id.endsWith(':in:m1')));
    // An AI reply to the message would be under way before the workflow goes idle.
    await waitForIdle(handle);
    const s = await handle.query(stateQuery);
    expect(s.aiMessagesSent).toBe(0);
    expect(s.status).toBe('human_handling');
    const rows = await rowsFor(waiting.ticketId);
    expect(rows.drafts.map((d) => d.outcome)).toEqual(['discarded']);
    await handle.executeUpdate(actions.reply.update, { args: [{ agentId: agent, body: 'I have reset it for you.' }] });
    const resolved = await handle.executeUpdate(actions.resolve.update, { args: [{ agentId: agent, reason: 'fixed_by_agent' }] });
    expect(resolved.resolution).toMatchObject({ mode: 'human_only', reason: 'fixed_by_agent' });
    expect(resolved.outcome).toMatchObject({ resolutionMode: 'human_only', escalated: false });
    await handle.signal(csatSignal, { score: 3 });
    expect(await handle.result()).toMatchObject({
      resolutionMode: 'human_only',
      resolutionReason: 'fixed_by_agent',
      csatScore: 3,
      aiTurns: 0,
      humanReplies: 1,
    });
    await maybeRecordHistory('takeover', handle.workflowId);
  });

  it('flags a review SLA breach, raises priority and keeps waiting', async () => {
    const sla = { review: '300ms', firstHumanResponse: '1h' };
    const handle = await start(howTo, testPolicy({ quadrants: everyQuadrant('ai_review'), sla: { P1: sla, P2: sla, P3: sla, P4: sla } }));
    const first = await waitForState(handle, statusIs('awaiting_review'));
    const breached = await waitForState(handle, (s) => s.sla.reviewBreached);
    expect(breached.status).toBe('awaiting_review');
    expect(breached.priority!.score).toBeGreaterThan(first.priority!.score);
    expect(breached.priority!.breakdown.at(-1)?.factor).toBe('slaBreach');
    await expect.poll(async () => (await rowsFor(first.ticketId)).ticket?.slaBreached).toBe(true);
  });

  it('refuses an update that does not fit the state, writing nothing', async () => {
    const handle = await start(howTo, testPolicy({ quadrants: everyQuadrant('ai_auto') }));
    const before = await waitForState(handle, statusIs('awaiting_customer'));
    await expect(handle.executeUpdate(actions.approve.update, { args: [{ agentId: agent }] })).rejects.toThrow(WorkflowUpdateFailedError);
    await expect(handle.executeUpdate(actions.reply.update, { args: [{ agentId: agent, body: 'hi' }] })).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/take it over/) },
    });
    await expect(handle.executeUpdate(actions.modify.update, { args: [{ agentId: agent } as never] })).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/body/) },
    });
    const history = await handle.fetchHistory();
    expect(history.events?.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toBe(false);
    const after = await handle.query(stateQuery);
    expect(after.version).toBe(before.version);
  });

  it('records a misfit signal as a refused action and changes nothing else', async () => {
    const handle = await start(howTo, testPolicy({ quadrants: everyQuadrant('ai_auto') }));
    const before = await waitForState(handle, statusIs('awaiting_customer'));
    await handle.signal(actions.approve.signal, { agentId: agent });
    const after = await waitForState(handle, (s) => s.refusedActions === 1);
    expect(after.status).toBe(before.status);
    expect(after.aiMessagesSent).toBe(before.aiMessagesSent);
    expect(after.timeline.at(-1)).toMatchObject({ type: 'action_refused', actor: agent, data: { action: 'approve' } });
    await maybeRecordHistory('misfit-signal', handle.workflowId);
  });

  it('accepts a fitting action sent as a signal', async () => {
    const handle = await start(howTo, reviewPolicy());
    await waitForState(handle, statusIs('awaiting_review'));
    await handle.signal(actions.approve.signal, { agentId: agent });
    const after = await waitForState(handle, statusIs('awaiting_customer'));
    expect(after.aiMessagesSent).toBe(1);
    expect(after.refusedActions).toBe(0);
  });

  it('reclassify records the correction and re-scores priority', async () => {
    const handle = await start(howTo, reviewPolicy());
    const waiting = await waitForState(handle, statusIs('awaiting_review'));
    const after = await handle.executeUpdate(actions.reclassify.update, { args: [{ agentId: agent, changes: { urgency: 'critical' } }] });
    expect(after.classification?.urgency).toBe('critical');
    expect(after.originalClassification?.urgency).toBe(waiting.classification?.urgency);
    expect(after.priority!.score).toBeGreaterThan(waiting.priority!.score);
    await expect.poll(async () => (await rowsFor(waiting.ticketId)).events.some((e) => e.type === 'reclassified')).toBe(true);
  });
});

describe('escalation', () => {
  it.each([
    ['customer_requested_human', { subject: 'Invoice question', body: 'Please let me talk to a real person about my invoice.' }, {}],
    [
      'human_only_category',
      howTo,
      { humanOnlyCategories: ['billing', 'technical', 'account', 'how_to', 'feature_request', 'security', 'other'], reviewCategories: [] },
    ],
    ['low_classification_confidence', howTo, { thresholds: { classificationConfidence: 1, draftConfidence: 0.5 } }],
    [
      'low_draft_confidence',
      howTo,
      { quadrants: everyQuadrant('ai_auto'), thresholds: { classificationConfidence: 0, draftConfidence: 1 } },
    ],
    [
      'frustrated_customer',
      {
        subject: 'Password reset AGAIN',
        body: 'This is RIDICULOUS!!! Third time I ask how to reset my password. Unacceptable, a total waste of time!',
      },
      { thresholds: { classificationConfidence: 0, draftConfidence: 0 } },
    ],
  ] as const)('%s escalates with its reason and a summary', async (reason, ticket, overrides) => {
    const handle = await start(ticket, testPolicy(overrides as never));
    const s = await waitForState(handle, statusIs('escalated'));
    expect(reasons(s)).toContain(reason);
    expect(s.mode).toBe('human');
    expect(s.aiMessagesSent).toBe(0);
    const summary = s.escalation!.summary!;
    expect(summary.customerNeeds.length).toBeGreaterThan(0);
    expect(summary.whyEscalated.length).toBeGreaterThan(0);
    expect(summary.accountContext).toMatch(/free/i);
    expect(s.sla.firstHumanResponseDueAt).not.toBeNull();
    await expect.poll(async () => (await rowsFor(s.ticketId)).ticket?.escalationReason).toContain(reason);
    await maybeRecordHistory(`escalate-${reason}`, handle.workflowId);
  });

  it('escalates when the customer asks for a person mid-conversation, then assign, reply and handback', async () => {
    const handle = await start(howTo);
    await waitForState(handle, statusIs('awaiting_customer'));
    await handle.signal(customerMessageSignal, { messageId: 'm1', body: 'I would rather speak to a human agent please.' });
    const escalated = await waitForState(handle, statusIs('escalated'));
    expect(reasons(escalated)).toEqual(['customer_requested_human']);
    expect(escalated.escalation?.summary?.alreadyTried.length).toBeGreaterThanOrEqual(1);

    const assigned = await handle.executeUpdate(actions.assign.update, { args: [{ agentId: 'lead-lee', assignee: agent }] });
    expect(assigned).toMatchObject({ status: 'human_handling', assignee: agent });
    const replied = await handle.executeUpdate(actions.reply.update, {
      args: [{ agentId: agent, body: 'Hi, I am Ana. I sent you a reset link.' }],
    });
    expect(replied.sla.firstHumanResponseAt).not.toBeNull();
    const handedBack = await handle.executeUpdate(actions.handback.update, { args: [{ agentId: agent }] });
    expect(handedBack).toMatchObject({ status: 'awaiting_customer', mode: 'ai_auto', assignee: null });

    await handle.signal(customerMessageSignal, {
      messageId: 'm2',
      body: 'Got the link. How do I reset my password on the mobile app as well?',
    });
    const aiAgain = await waitForState(handle, (s) => s.aiMessagesSent === 2);
    expect(aiAgain.transcript.at(-1)?.author).toBe('ai');
    await maybeRecordHistory('escalate-assign-handback', handle.workflowId);
  });

  it('flags a missed first-human-response SLA', async () => {
    const sla = { review: '1h', firstHumanResponse: '300ms' };
    const handle = await start(
      { subject: 'Need a person', body: 'Can I speak to a real person please?' },
      testPolicy({ sla: { P1: sla, P2: sla, P3: sla, P4: sla } }),
    );
    const s = await waitForState(handle, (x) => x.sla.firstHumanResponseBreached);
    expect(s.status).toBe('escalated');
    expect(s.timeline.some((e) => e.type === 'sla_breached' && e.data?.sla === 'first_human_response')).toBe(true);
  });
});

describe('visibility', () => {
  it('upserts search attributes that the list query finds', async () => {
    const review = await start(howTo, testPolicy({ quadrants: everyQuadrant('ai_review') }));
    const auto = await start(howTo, testPolicy({ quadrants: everyQuadrant('ai_auto') }));
    await waitForState(review, statusIs('awaiting_review'));
    await waitForState(auto, statusIs('awaiting_customer'));
    const query = `TicketStatus="awaiting_review" AND TaskQueue="${worker.taskQueue}"`;
    await expect
      .poll(
        async () => {
          const ids: string[] = [];
          for await (const wf of client.workflow.list({ query })) ids.push(wf.workflowId);
          return ids;
        },
        { timeout: 15_000, interval: 500 },
      )
      .toContain(review.workflowId);
    const ids: string[] = [];
    for await (const wf of client.workflow.list({ query })) ids.push(wf.workflowId);
    expect(ids).not.toContain(auto.workflowId);
    const description = await review.describe();
    expect(description.searchAttributes.HandlingMode).toEqual(['ai_review']);
    expect(description.searchAttributes.TicketPriority?.[0]).toMatch(/^P[1-4]$/);
  });

  it('continues as new when history grows, carrying its state', async () => {
    const handle = await startTicket(
      client,
      worker.taskQueue,
      { ...howTo, customerId: demoCustomers.freeTier, ticketId: uniqueId('can') },
      testPolicy({ quadrants: everyQuadrant('human') }),
      { historyLimit: 40 },
    );
    const first = await waitForState(handle, statusIs('escalated'));
    const firstRun = (await handle.describe()).runId;
    for (let i = 0; i < 15; i++) await handle.signal(customerMessageSignal, { messageId: `m${i}`, body: `Update number ${i}` });
    await expect
      .poll(async () => (await client.workflow.getHandle(handle.workflowId).describe()).runId, { timeout: 20_000 })
      .not.toBe(firstRun);
    const latest = client.workflow.getHandle(handle.workflowId);
    const s = await waitForState(latest as TicketHandle, (x) => x.transcript.filter((m) => m.author === 'customer').length === 16);
    expect(s.status).toBe('escalated');
    expect(s.escalation?.summary).toEqual(first.escalation?.summary);
    expect(s.timeline.some((e) => e.type === 'continued_as_new')).toBe(true);
    const events = await database.db
      .select()
      .from(ticketEvents)
      .where(and(eq(ticketEvents.ticketId, s.ticketId)));
    const seqs = events.map((e) => e.seq).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(seqs.length);
    await maybeRecordHistory('continue-as-new-first-run', handle.workflowId, firstRun);
  });
});
