import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AIProviderError } from '../src/ai/errors';
import { createLocalSupportAI } from '../src/ai/localProvider';
import type { SupportAI } from '../src/ai/supportAI';
import type { Database } from '../src/db/client';
import { demoCustomers } from '../src/db/seed';
import { sentMessages } from './support/sent';
import type { TicketView } from '../src/domain/ticketState';
import { resolveTemporalCli } from '../src/temporal/localServer';
import { actions, csatSignal, customerMessageSignal, stateQuery } from '../src/workflows/messages';
import { connectClient, openTestDatabase, startTestWorker, uniqueId, type TestWorker } from './support/harness';
import { maybeRecordHistory } from './support/histories';
import { everyQuadrant, startTicket, statusIs, testPolicy, waitForIdle, waitForState } from './support/tickets';

/**
 * The lifecycle where people and the AI overlap: actions that land while an AI call is in
 * flight, AI calls that fail for good, and the edges of the CSAT and reopen windows.
 */
let database: Database;
let client: Client;
let closeClient: () => Promise<void>;
const workers: TestWorker[] = [];

const agent = 'agent-ana';
const howTo = { subject: 'How do I reset my password?', body: 'Hi, how do I reset my password? I forgot it and cannot sign in.' };
const reasons = (s: TicketView) => s.escalation?.triggers.map((t) => t.code) ?? [];
const types = (s: TicketView) => s.timeline.map((e) => e.type);

/** The local AI with some operations slowed down or broken. */
function alteredAI(changes: Partial<Record<'classify' | 'draftReply' | 'assessReply', 'slow' | 'broken'>>): SupportAI {
  const base = createLocalSupportAI(database.db);
  const alter =
    <A extends unknown[], R>(name: keyof typeof changes, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (changes[name] === 'broken') throw new AIProviderError(`${name} refused: the model is gone`, 'rejected', false);
      if (changes[name] === 'slow') await new Promise((r) => setTimeout(r, 1500)); // a slow model, not a wait in the test
      return fn(...args);
    };
  return {
    name: 'altered-local',
    classify: alter('classify', base.classify.bind(base)),
    draftReply: alter('draftReply', base.draftReply.bind(base)),
    summarizeEscalation: base.summarizeEscalation.bind(base),
    assessReply: alter('assessReply', base.assessReply.bind(base)),
  };
}

async function workerWith(ai?: SupportAI): Promise<TestWorker> {
  const w = await startTestWorker({ database, ...(ai ? { ai } : {}) });
  workers.push(w);
  return w;
}

beforeAll(async () => {
  database = await openTestDatabase();
  ({ client, close: closeClient } = await connectClient());
});

afterAll(async () => {
  for (const w of workers) await w.close();
  await closeClient?.();
  await database?.close();
});

describe('a person acting while the AI works', () => {
  it('a takeover during triage keeps the ticket with the agent; the AI never answers', async () => {
    const w = await workerWith(alteredAI({ classify: 'slow' }));
    const handle = await startTicket(
      client,
      w.taskQueue,
      { ...howTo, customerId: demoCustomers.freeTier },
      testPolicy({ quadrants: everyQuadrant('ai_auto') }),
    );
    await waitForState(handle, statusIs('triaging'));
    const taken = await handle.executeUpdate(actions.takeover.update, { args: [{ agentId: agent }] });
    expect(taken).toMatchObject({ status: 'human_handling', mode: 'human', assignee: agent });

    const routed = await waitForState(handle, (s) => types(s).includes('routed'));
    expect(routed).toMatchObject({ status: 'human_handling', mode: 'human', assignee: agent, routedMode: 'ai_auto', aiMessagesSent: 0 });
    expect(routed.classification).not.toBeNull();
    // A draft would be under way before the workflow goes idle.
    await waitForIdle(handle);
    const later = await handle.query('state');
    expect((later as TicketView).aiMessagesSent).toBe(0);
    expect(types(later as TicketView)).not.toContain('drafted');

    await handle.executeUpdate(actions.reply.update, { args: [{ agentId: agent, body: 'I have sent you a reset link.' }] });
    await handle.executeUpdate(actions.resolve.update, { args: [{ agentId: agent }] });
    await handle.signal(csatSignal, { score: 4 });
    expect(await handle.result()).toMatchObject({ resolutionMode: 'human_only', csatScore: 4, aiTurns: 0, humanReplies: 1 });
    await maybeRecordHistory('takeover-during-triage', handle.workflowId);
  });

  it('a resolve while the AI reads the customer reply stands; the AI does not answer after it', async () => {
    const w = await workerWith(alteredAI({ assessReply: 'slow' }));
    const handle = await startTicket(
      client,
      w.taskQueue,
      { ...howTo, customerId: demoCustomers.freeTier },
      testPolicy({ quadrants: everyQuadrant('ai_auto') }),
    );
    await waitForState(handle, statusIs('awaiting_customer'));
    await handle.signal(customerMessageSignal, { messageId: 'm1', body: "That didn't work, the reset email never arrives." });
    await waitForState(handle, (s) => s.transcript.some((m) => m.id.endsWith(':in:m1')));
    const resolved = await handle.executeUpdate(actions.resolve.update, { args: [{ agentId: agent, reason: 'sent_link_manually' }] });
    expect(resolved.status).toBe('resolved');

    await waitForState(handle, (s) => types(s).includes('reply_assessed'));
    // An answer to the assessed reply would be under way before the workflow goes idle.
    await waitForIdle(handle);
    const assessed = await handle.query(stateQuery);
    expect(assessed.status).toBe('resolved');
    expect(assessed.resolution).toMatchObject({ reason: 'sent_link_manually', by: agent });
    expect(assessed.aiMessagesSent).toBe(1);
    expect(assessed.escalation).toBeNull();
    await maybeRecordHistory('resolve-during-assessment', handle.workflowId);
  });

  it('a handback with the customer still waiting makes the AI answer', async () => {
    const w = await workerWith();
    const handle = await startTicket(
      client,
      w.taskQueue,
      { subject: 'Password', body: 'Please let me talk to a real person, I cannot reset my password.', customerId: demoCustomers.freeTier },
      testPolicy({ quadrants: everyQuadrant('ai_auto') }),
    );
    const escalated = await waitForState(handle, statusIs('escalated'));
    expect(reasons(escalated)).toEqual(['customer_requested_human']);
    expect(escalated.deadlines.map((d) => d.kind)).toEqual(['first_human_response_sla']);

    const handedBack = await handle.executeUpdate(actions.handback.update, {
      args: [{ agentId: agent, note: 'a how-to, the AI can answer' }],
    });
    // Triage routed it to a person, so the AI's answer is reviewed before it goes out.
    expect(handedBack.mode).toBe('ai_review');
    const drafted = await waitForState(handle, statusIs('awaiting_review'));
    expect(drafted.draft?.body).toMatch(/password/i);
    await handle.executeUpdate(actions.approve.update, { args: [{ agentId: agent }] });
    const answered = await waitForState(handle, (s) => s.aiMessagesSent === 1 && s.status === 'awaiting_customer');
    expect(answered.transcript.at(-1)?.author).toBe('ai');
    // Waiting on the customer again, so the reply window runs.
    expect(answered.deadlines.map((d) => d.kind)).toContain('customer_reply_window');
    await maybeRecordHistory('handback-unanswered', handle.workflowId);
  });
});

describe('the AI failing for good', () => {
  it.each([
    ['draft_failed', { draftReply: 'broken' }],
    ['assessment_failed', { assessReply: 'broken' }],
  ] as const)('%s hands the ticket to a person with a summary', async (reason, changes) => {
    const w = await workerWith(alteredAI(changes));
    const handle = await startTicket(
      client,
      w.taskQueue,
      { ...howTo, customerId: demoCustomers.freeTier },
      testPolicy({ quadrants: everyQuadrant('ai_auto') }),
    );
    if (reason === 'assessment_failed') {
      await waitForState(handle, statusIs('awaiting_customer'));
      await handle.signal(customerMessageSignal, { messageId: 'm1', body: 'Which page is that on?' });
    }
    const escalated = await waitForState(handle, statusIs('escalated'));
    expect(reasons(escalated)).toEqual([reason]);
    expect(escalated.escalation?.summary?.customerNeeds.length).toBeGreaterThan(0);
    expect(escalated.mode).toBe('human');
  });
});

describe('conversation edges', () => {
  let w: TestWorker;
  beforeAll(async () => {
    w = await workerWith();
  });
  const start = (policy = testPolicy({ quadrants: everyQuadrant('ai_auto') })) =>
    startTicket(client, w.taskQueue, { ...howTo, customerId: demoCustomers.freeTier }, policy);

  it('a frustrated reply mid-conversation escalates', async () => {
    const handle = await start();
    await waitForState(handle, statusIs('awaiting_customer'));
    await handle.signal(customerMessageSignal, {
      messageId: 'm1',
      body: 'This is RIDICULOUS!!! Useless answer, a total waste of my time. Unacceptable!',
    });
    const escalated = await waitForState(handle, statusIs('escalated'));
    expect(reasons(escalated)).toContain('frustrated_customer');
    expect(escalated.escalation?.summary?.alreadyTried.length).toBeGreaterThanOrEqual(1);
  });

  it('a reopening message that asks for a person escalates instead of getting an AI reply', async () => {
    const handle = await start();
    await waitForState(handle, statusIs('awaiting_customer'));
    await handle.signal(customerMessageSignal, { messageId: 'm1', body: 'Perfect, that fixed it, thanks!' });
    await waitForState(handle, statusIs('resolved'));
    await handle.signal(customerMessageSignal, { messageId: 'm2', body: 'Actually it broke again. I want to talk to a real person.' });
    const escalated = await waitForState(handle, statusIs('escalated'));
    expect(escalated.followUps).toBe(1);
    expect(reasons(escalated)).toContain('customer_requested_human');
    expect(escalated.aiMessagesSent).toBe(1);
    await maybeRecordHistory('reopen-wants-human', handle.workflowId);
  });

  it('a score given before the survey ends the CSAT follow-up without a survey', async () => {
    const handle = await start(
      testPolicy({
        quadrants: everyQuadrant('ai_auto'),
        timers: { customerReplyWindow: '1h', unresolvedTimeout: '1h', csatDelay: '1s', csatWindow: '1h', reopenWindow: '1500ms' },
      }),
    );
    await waitForState(handle, statusIs('awaiting_customer'));
    await handle.executeUpdate(actions.resolve.update, { args: [{ agentId: agent }] });
    await handle.signal(csatSignal, { score: 5, comment: 'from the widget' });
    const outcome = await handle.result();
    expect(outcome.csatScore).toBe(5);
    await maybeRecordHistory('csat-before-survey', handle.workflowId);
    const sent = await sentMessages(database.db, outcome.ticketId);
    expect(sent.map((o) => o.kind)).toEqual(['reply']);
  });

  it('a score after the CSAT window has closed is refused', async () => {
    const handle = await start(
      testPolicy({
        quadrants: everyQuadrant('ai_auto'),
        timers: { customerReplyWindow: '1h', unresolvedTimeout: '1h', csatDelay: '50ms', csatWindow: '400ms', reopenWindow: '3s' },
      }),
    );
    await waitForState(handle, statusIs('awaiting_customer'));
    await handle.executeUpdate(actions.resolve.update, { args: [{ agentId: agent }] });
    await waitForState(handle, (s) => s.csat.windowClosed);
    await handle.signal(csatSignal, { score: 1 });
    const refused = await waitForState(handle, (s) => types(s).includes('csat_refused'));
    expect(refused.csat.score).toBeNull();
    expect(refused.timeline.at(-1)?.data).toMatchObject({ reason: 'the CSAT window has closed' });
    expect((await handle.result()).csatScore).toBeNull();
  });

  it('an action retried with the same Update id after continue-as-new is applied once', async () => {
    const handle = await startTicket(
      client,
      w.taskQueue,
      { ...howTo, customerId: demoCustomers.freeTier, ticketId: uniqueId('can') },
      testPolicy({ quadrants: everyQuadrant('human') }),
      { historyLimit: 40 },
    );
    await waitForState(handle, statusIs('escalated'));
    await handle.executeUpdate(actions.takeover.update, { args: [{ agentId: agent }] });
    const reply = { agentId: agent, body: 'I am on it.' };
    await handle.executeUpdate(actions.reply.update, { args: [reply], updateId: 'reply-1' });
    const firstRun = (await handle.describe()).runId;
    for (let i = 0; i < 15; i++) await handle.signal(customerMessageSignal, { messageId: `m${i}`, body: `Update number ${i}` });
    await expect
      .poll(async () => (await client.workflow.getHandle(handle.workflowId).describe()).runId, { timeout: 20_000 })
      .not.toBe(firstRun);

    const latest = client.workflow.getHandle(handle.workflowId);
    const again = (await latest.executeUpdate(actions.reply.update, { args: [reply], updateId: 'reply-1' })) as TicketView;
    expect(again.transcript.filter((m) => m.author === 'agent')).toHaveLength(1);
    expect(again.humanReplies).toBe(1);
    // A repeated customer message id is still a repeat in the new run.
    await latest.signal(customerMessageSignal, { messageId: 'm3', body: 'Update number 3' });
    await latest.signal(customerMessageSignal, { messageId: 'last', body: 'Last one' });
    const s = await waitForState(latest as never, (x) => x.transcript.some((m) => m.id.endsWith(':in:last')));
    expect(s.transcript.filter((m) => m.body === 'Update number 3')).toHaveLength(1);
  });
});

describe('what ops see', () => {
  it('every search attribute and the current-details line; the CLI query finds the ticket', async () => {
    const w = await workerWith();
    const handle = await startTicket(
      client,
      w.taskQueue,
      { subject: 'Refund', body: 'I was charged twice this month, please talk to a real person.', customerId: demoCustomers.enterprise },
      testPolicy(),
    );
    await waitForState(handle, statusIs('escalated'));
    await handle.executeUpdate(actions.assign.update, { args: [{ agentId: 'lead-lee', assignee: agent }] });
    const s = await waitForState(handle, statusIs('human_handling'));

    await expect
      .poll(async () => (await handle.describe()).searchAttributes, { timeout: 15_000, interval: 300 })
      .toMatchObject({
        TicketStatus: ['human_handling'],
        HandlingMode: ['human'],
        AssignedAgent: [agent],
        Escalated: [true],
        CustomerTier: ['enterprise'],
        TicketCategory: [s.classification!.issueType],
        TicketPriority: [s.priority!.level],
        PriorityScore: [s.priority!.score],
      });
    const metadata = (await handle.query('__temporal_workflow_metadata')) as { currentDetails: string };
    expect(metadata.currentDetails).toContain('**human_handling**');
    expect(metadata.currentDetails).toContain(`assigned to ${agent}`);
    expect(metadata.currentDetails).toContain('escalated: customer_requested_human');

    const cli = resolveTemporalCli();
    const { stdout } = await promisify(execFile)(cli.path!, [
      'workflow',
      'list',
      '--address',
      inject('temporalAddress'),
      '-o',
      'json',
      '--query',
      `TicketStatus="human_handling" AND AssignedAgent="${agent}" AND TaskQueue="${w.taskQueue}"`,
    ]);
    const listed = stdout.trim() ? (JSON.parse(stdout) as { execution: { workflowId: string } }[]) : [];
    expect(listed.map((x) => x.execution.workflowId)).toEqual([handle.workflowId]);
  });
});
