import type { Client, WorkflowHandle } from '@temporalio/client';
import { RoutingPolicy, defaultPolicyDocument, type RoutingPolicyInput } from '../../src/schemas/policy';
import { workflowIdFor } from '../../src/domain/ids';
import type { NewTicket } from '../../src/domain/ticket';
import type { TicketView } from '../../src/domain/ticketState';
import { stateQuery } from '../../src/workflows/messages';
import { ticketWorkflow, type TicketWorkflowInput } from '../../src/workflows/ticket';
import { uniqueId } from './harness';
import { call } from './http';
import { waitFor } from './waitFor';

/**
 * The default policy with hours shrunk to moments, so timers fire within a test. Anything a
 * test does not exercise is left long enough never to fire.
 */
export function testPolicy(overrides: Partial<RoutingPolicyInput> = {}): RoutingPolicy {
  const long = '1h';
  return RoutingPolicy.parse({
    ...defaultPolicyDocument,
    version: 'test-1',
    sla: {
      P1: { review: long, firstHumanResponse: long },
      P2: { review: long, firstHumanResponse: long },
      P3: { review: long, firstHumanResponse: long },
      P4: { review: long, firstHumanResponse: long },
    },
    timers: { customerReplyWindow: long, unresolvedTimeout: long, csatDelay: '100ms', csatWindow: '3s', reopenWindow: '1500ms' },
    ...overrides,
  });
}

export const everyQuadrant = (mode: 'ai_auto' | 'ai_review' | 'human') =>
  Object.fromEntries(['low', 'medium', 'high'].flatMap((c) => ['repeatable', 'semi', 'unique'].map((r) => [`${c}/${r}`, mode])));

export type TicketHandle = WorkflowHandle<typeof ticketWorkflow>;

export async function startTicket(
  client: Client,
  taskQueue: string,
  ticket: Partial<NewTicket> & Pick<NewTicket, 'subject' | 'body'>,
  policy: RoutingPolicy,
  extra: Omit<TicketWorkflowInput, 'ticket' | 'policy'> = {},
): Promise<TicketHandle> {
  const ticketId = ticket.ticketId ?? uniqueId('tkt');
  return client.workflow.start(ticketWorkflow, {
    workflowId: workflowIdFor(ticketId),
    taskQueue,
    args: [{ ticket: { channel: 'chat', ...ticket, ticketId, createdAt: Date.now() }, policy, ...extra }],
  });
}

/** Polls the `state` Query until the predicate holds; fails with the last state seen. */
export function waitForState(handle: TicketHandle, predicate: (s: TicketView) => boolean, timeoutMs = 20_000): Promise<TicketView> {
  return waitFor(() => handle.query(stateQuery), predicate, {
    timeoutMs,
    describe: `${handle.workflowId} state`,
    // A completed workflow can still be queried; one not yet found is "not yet", anything else is worth seeing.
    tolerate: (err) => String(err).includes('not found'),
    show: (s) => ({ status: s.status, mode: s.mode, escalation: s.escalation?.triggers, timeline: s.timeline.slice(-8) }),
  });
}

/**
 * Waits until the workflow has nothing in flight: no activity scheduled and no workflow task
 * pending, only timers and messages to wait for. A step it was going to take after the last
 * change (an AI reply, say) would be under way by then, so a test can then assert it never came.
 */
export async function waitForIdle(handle: WorkflowHandle, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    async () => (await handle.describe()).raw,
    (raw) => (raw.pendingActivities?.length ?? 0) === 0 && !raw.pendingWorkflowTask,
    {
      timeoutMs,
      describe: `${handle.workflowId} idle`,
      show: (raw) => ({
        activities: raw.pendingActivities?.map((a) => a.activityType?.name),
        workflowTask: raw.pendingWorkflowTask?.state,
      }),
    },
  );
}

/** Polls `GET /v1/tickets/:id` until it answers 200 with a view the predicate holds for. */
export function waitForTicket(
  base: string,
  key: string,
  ticketId: string,
  predicate: (s: TicketView) => boolean,
  timeoutMs = 20_000,
): Promise<TicketView> {
  return waitFor(
    () => call<TicketView>(base, 'GET', `/v1/tickets/${ticketId}`, { key }),
    (res) => res.status === 200 && predicate(res.body),
    {
      timeoutMs,
      describe: `ticket ${ticketId}`,
      show: (res) => ({
        status: res.status,
        body: res.status === 200 ? { ...res.body, transcript: undefined, timeline: res.body.timeline.slice(-8) } : res.body,
      }),
    },
  ).then((res) => res.body);
}

export const statusIs =
  (...statuses: TicketView['status'][]) =>
  (s: TicketView) =>
    statuses.includes(s.status);
