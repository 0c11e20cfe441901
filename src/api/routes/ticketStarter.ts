import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { deriveTicketId, workflowIdFor } from '../../domain/ids';
import type { Attachment, PageContext } from '../../domain/ticket';
import type { Channel } from '../../domain/vocabulary';
import { findCustomer, getTicketRecord } from '../../db/ticketQueries';
import { TicketStatus as TicketStatusAttr } from '../../workflows/searchAttributes';
import type { ticketWorkflow, TicketWorkflowInput } from '../../workflows/ticket';
import { problems } from '../problems';
import type { TicketCalls } from './ticketCalls';

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** What opens a ticket, from `POST /v1/tickets` or an inbound email. */
export interface TicketRequest {
  customer: { id?: string | undefined; email?: string | undefined };
  channel: Channel;
  subject: string;
  body: string;
  pageContext?: PageContext | undefined;
  metadata?: Record<string, unknown> | undefined;
  externalId?: string | undefined;
  emailMessageId?: string | undefined;
  attachments?: Attachment[] | undefined;
}

export interface OpenedTicket {
  ticketId: string;
  workflowId: string;
  status: string;
  /** False when this request's dedupe key found the ticket it started before. */
  created: boolean;
}

/**
 * Starts a ticket's workflow, once per dedupe key: the same `externalId` or idempotency key from
 * the same caller (the name behind the API key) finds the ticket it started; reused for another
 * request it is a 409, also after the ticket closed (the read model keeps the fingerprint).
 */
export async function openTicket(
  calls: TicketCalls,
  request: TicketRequest,
  opts: { caller: string; idempotencyKey?: string; requestHash: string },
): Promise<OpenedTicket> {
  const { client, db, deps, temporal, database } = calls;
  const { caller, idempotencyKey, requestHash } = opts;
  const ticketId = deriveTicketId(
    request.externalId
      ? { caller, externalId: request.externalId }
      : idempotencyKey
        ? { caller, idempotencyKey }
        : { random: randomUUID() },
    sha256,
  );
  const workflowId = workflowIdFor(ticketId);
  const reused = () =>
    problems.conflict(
      `${request.externalId ? 'externalId' : 'Idempotency-Key'} was already used for a different request (ticket ${ticketId})`,
      {
        ticketId,
      },
    );
  const found = (status: string) => ({ ticketId, workflowId, status, created: false });

  if (request.externalId !== undefined || idempotencyKey !== undefined) {
    // Temporal forgets a completed workflow after the namespace's retention; the read model
    // does not, so a late retry still finds its ticket instead of starting it again.
    const done = await database(() => getTicketRecord(db, ticketId));
    if (done?.status === 'closed') {
      // Tickets closed before the read model kept the request's fingerprint cannot be compared.
      if (done.requestHash !== null && done.requestHash !== requestHash) throw reused();
      return found('closed');
    }
  }

  const customer = await database(() => findCustomer(db, request.customer));
  if (request.customer.id && !customer && deps.customerIds !== 'crm') {
    throw problems.unprocessable(`no customer ${request.customer.id}`, [{ field: 'body.customer.id', message: 'unknown customer' }]);
  }
  const customerId = customer?.id ?? request.customer.id;
  const email = request.customer.email ?? customer?.email;
  const ticket: TicketWorkflowInput['ticket'] = {
    ticketId,
    ...(customerId ? { customerId } : {}),
    ...(email ? { customerEmail: email } : {}),
    channel: request.channel,
    subject: request.subject,
    body: request.body,
    ...(request.pageContext ? { pageContext: request.pageContext } : {}),
    ...(request.metadata ? { metadata: request.metadata } : {}),
    ...(request.externalId ? { externalId: request.externalId } : {}),
    ...(caller ? { createdBy: caller } : {}),
    ...(request.emailMessageId ? { emailMessageId: request.emailMessageId } : {}),
    ...(request.attachments?.length ? { attachments: request.attachments } : {}),
    createdAt: Date.now(),
    requestHash,
  };
  const policy = await database(async () => deps.policy());
  try {
    await temporal(() =>
      client.workflow.start<typeof ticketWorkflow>('ticketWorkflow', {
        workflowId,
        taskQueue: deps.taskQueue,
        args: [{ ticket, policy, ...(deps.activityTimeouts ? { activityTimeouts: deps.activityTimeouts } : {}) }],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        memo: { requestHash, createdBy: caller },
        typedSearchAttributes: [{ key: TicketStatusAttr, value: 'triaging' }],
      }),
    );
    return { ticketId, workflowId, status: 'triaging', created: true };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  const existing = await temporal(() => client.workflow.getHandle(workflowId).describe());
  if (existing.memo?.requestHash !== requestHash) throw reused();
  return found(existing.typedSearchAttributes.get(TicketStatusAttr) ?? 'triaging');
}
