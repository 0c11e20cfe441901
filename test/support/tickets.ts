import type { Client, WorkflowHandle } from '@temporalio/client';
import { RoutingPolicy, defaultPolicyDocument, type RoutingPolicyInput } from '../../src/schemas/policy';
import { workflowIdFor } from '../../src/domain/ids';
import type { NewTicket } from '../../src/domain/ticket';
import type { TicketView } from '../../src/domain/ticketState';
import { stateQuery } from '../../src/workflows/messages';
import { ticketWorkflow, type TicketWorkflowInput } from '../../src/workflows/ticket';
import { uniqueId } from './harness';

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
  Object.fromEntries(
    ['low', 'medium', 'high'].flatMap((c) => ['repeatable', 'semi', 'unique'].map((r) => [`${c}/${r}`, mode])),
  );

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
export async function waitForState(
  handle: TicketHandle,
  predicate: (s: TicketView) => boolean,
  timeoutMs = 20_000,
): Promise<TicketView> {
  const deadline = Date.now() + timeoutMs;
  let last: TicketView | undefined;
  while (Date.now() < deadline) {
    try {
      last = await handle.query(stateQuery);
      if (predicate(last)) return last;
    } catch (err) {
      // A completed workflow can still be queried; anything else is worth seeing.
      if (!String(err).includes('not found')) throw err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `state never matched within ${timeoutMs} ms; last: ${JSON.stringify(
      last && { status: last.status, mode: last.mode, escalation: last.escalation?.triggers, timeline: last.timeline.slice(-8) },
    )}`,
  );
}

export const statusIs =
  (...statuses: TicketView['status'][]) =>
  (s: TicketView) =>
    statuses.includes(s.status);
