import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/client';
import { demoCustomers } from '../src/db/seed';
import { customerMessageSignal, csatSignal } from '../src/workflows/messages';
import { connectClient, openTestDatabase, startTestWorker, type TestWorker } from './support/harness';
import { maybeRecordHistory } from './support/histories';
import { startTicket, statusIs, testPolicy, waitForState } from './support/tickets';

/**
 * Whole conversations through the ticket workflow and the local provider: a customer who says
 * thanks, one whose problem outlasts two AI replies, and one who comes back with a new question.
 */
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
const signInPage = { pageUrl: 'https://app.example.com/login', pageTitle: 'Sign in', productArea: 'account', state: { step: 'email' } };

const start = (ticket: Parameters<typeof startTicket>[2], policy = testPolicy()) =>
  startTicket(client, worker.taskQueue, { customerId: demoCustomers.freeTier, ...ticket }, policy);

describe('conversations', () => {
  it('resolves on "Found it, thank you!", and a thanks after that does not reopen it', async () => {
    const handle = await start(howTo);
    await waitForState(handle, (s) => s.status === 'awaiting_customer' && s.aiTurns === 1);
    await handle.signal(customerMessageSignal, { messageId: 'm1', body: 'Found it, thank you!' });
    const resolved = await waitForState(handle, statusIs('resolved'));
    expect(resolved.resolution).toMatchObject({ reason: 'customer_confirmed', mode: 'ai_only' });
    expect(resolved.timeline.find((e) => e.type === 'reply_assessed')?.data).toMatchObject({ verdict: 'resolved' });

    await handle.signal(customerMessageSignal, { messageId: 'm2', body: 'Thanks again, have a great day!' });
    const thanked = await waitForState(handle, (s) => s.timeline.some((e) => e.type === 'thanks_received'));
    expect(thanked).toMatchObject({ status: 'resolved', followUps: 0, aiMessagesSent: 1 });
    expect(thanked.timeline.some((e) => e.type === 'reopened')).toBe(false);
    // No second draft: the AI never answered a thanks with "Sorry that did not sort it out yet".
    expect(thanked.transcript.filter((m) => m.author === 'ai')).toHaveLength(1);

    await handle.signal(csatSignal, { score: 5 });
    expect(await handle.result()).toMatchObject({ resolutionReason: 'customer_confirmed', followUps: 0, aiTurns: 1, csatScore: 5 });
    await maybeRecordHistory('thanks-keeps-resolved', handle.workflowId);
  });

  it('escalates after two AI replies with a summary that holds what the customer tried', async () => {
    const handle = await start(howTo);
    await waitForState(handle, (s) => s.status === 'awaiting_customer' && s.aiTurns === 1);
    await handle.signal(customerMessageSignal, { messageId: 'm1', body: "That didn't work, the reset email never arrives." });
    await waitForState(handle, (s) => s.status === 'awaiting_customer' && s.aiTurns === 2);
    await handle.signal(customerMessageSignal, {
      messageId: 'm2',
      body: 'Still nothing. I also cleared my cache twice and tried another browser.',
    });
    const escalated = await waitForState(handle, (s) => s.status === 'escalated' && s.escalation?.summary !== null);
    expect(escalated.escalation?.triggers.map((t) => t.code)).toEqual(['unresolved_after_turns']);
    const summary = escalated.escalation!.summary!;
    expect(summary.customerNeeds).toMatch(/reset my password/);
    expect(summary.alreadyTried).toContain('Customer said: I also cleared my cache twice and tried another browser.');
    // Each step once, by its article: not the greeting of each reply.
    const fromAI = summary.alreadyTried.filter((t) => t.startsWith('AI suggested'));
    expect(fromAI).toHaveLength(1);
    expect(fromAI[0]).toMatch(/^AI suggested \(articles? "Reset your password"[^)]*\): .+ \(sent 2 times\)$/);
    expect(summary.alreadyTried.join('\n')).not.toMatch(/\bHi,/);
    expect(summary.whyEscalated).toBe('Still unresolved after 2 AI replies.');
    await maybeRecordHistory('escalate-customer-attempt', handle.workflowId);
  });

  it('reopens on a new question, and the handoff is about that question, not the settled one', async () => {
    const handle = await start({ ...howTo, pageContext: signInPage });
    await waitForState(handle, (s) => s.status === 'awaiting_customer' && s.aiTurns === 1);
    await handle.signal(customerMessageSignal, { messageId: 'm1', body: 'Perfect, that fixed it, thanks!' });
    await waitForState(handle, statusIs('resolved'));
    await handle.signal(customerMessageSignal, {
      messageId: 'm2',
      body: 'Hello again, we were charged twice for our subscription this month. I want to talk to a person about it.',
    });
    const escalated = await waitForState(handle, (s) => s.status === 'escalated' && s.escalation?.summary !== null);
    expect(escalated.followUps).toBe(1);
    expect(escalated.escalation?.triggers.map((t) => t.code)).toContain('customer_requested_human');
    const summary = escalated.escalation!.summary!;
    expect(summary.customerNeeds).toBe('we were charged twice for our subscription this month.');
    expect(summary.customerNeeds).not.toMatch(/password/i);
    expect(summary.alreadyTried).toEqual([]);
    expect(summary.suggestedNextStep).toMatch(/resolved before/);
    // The sign-in page was where the customer was when they first wrote, not where they are now.
    expect(summary.pageContext).toMatch(/^As captured with the first message \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\): Sign in · area account/);
    expect(summary.pageContext).toContain('state: step email');
    await maybeRecordHistory('reopen-new-question', handle.workflowId);
  });
});
