import { csatChangeRefusal, csatClosedReason } from '../../domain/csat';
import { messageUpdateId, requestFingerprint } from '../../domain/requests';
import type { MessageReceipt } from '../../domain/ticketState';
import { csatSignal, customerMessageUpdate, stateQuery } from '../../workflows/messages';
import { problems } from '../problems';
import { commonResponses, defineRoute, problemResponse, type RouteSpec } from '../route';
import { Accepted, CsatBody, CustomerMessageBody, TicketIdParams } from '../../schemas/api';
import { reusedRequest, type TicketCalls } from './ticketCalls';

/** What the customer sends into a ticket: messages and a CSAT score. */
export function customerRoutes(calls: TicketCalls): RouteSpec[] {
  const { temporal, fromWorker, handleFor, onTicket, applyUpdate, mustReach } = calls;

  const message = defineRoute({
    method: 'post',
    path: '/v1/tickets/:id/messages',
    operationId: 'postCustomerMessage',
    tag: 'Tickets',
    summary: 'Add a customer message',
    description:
      'Runs the `customerMessage` Update. A repeat with the same `messageId` (default: X-Request-Id) and the same body is applied once; the same id with a different body is a 409 naming the earlier message. When the workflow has not taken it in time (no worker), 202 with `status: pending` and a `Location` to poll.',
    roles: ['service'],
    params: TicketIdParams,
    body: CustomerMessageBody,
    headers: [{ name: 'X-Request-Id', description: 'Default message id, so a retried request adds the message once.' }],
    responses: {
      202: { description: 'Accepted: applied (`accepted: true`), or pending with a `Location` to poll.', schema: Accepted },
      ...commonResponses,
      404: problemResponse('No such ticket.'),
      409: problemResponse('The ticket has completed, or the message id was used for a different message.'),
    },
    async handle({ params, body, requestId, principal }) {
      await mustReach(principal, params.id);
      const input = {
        messageId: body.messageId ?? requestId,
        body: body.body,
        ...(principal ? { postedBy: { name: principal.name, role: principal.role } } : {}),
      };
      const updateId = messageUpdateId(input.messageId);
      const outcome = await applyUpdate<MessageReceipt>(params.id, updateId, () =>
        handleFor(params.id).executeUpdate(customerMessageUpdate, { args: [input], updateId }),
      );
      if ('pending' in outcome) return outcome.pending;
      const { request } = outcome.done;
      // The binding is of the message (id and body), whoever posted it.
      if (request.fingerprint !== requestFingerprint('customerMessage', { messageId: input.messageId, body: input.body }))
        throw reusedRequest(request);
      return { status: 202, body: { ticketId: params.id, accepted: true, requestId: updateId } };
    },
  });

  const csat = defineRoute({
    method: 'post',
    path: '/v1/tickets/:id/csat',
    operationId: 'postCsat',
    tag: 'Tickets',
    summary: "Record the customer's satisfaction score",
    roles: ['service'],
    params: TicketIdParams,
    body: CsatBody,
    responses: {
      202: { description: 'Accepted.', schema: Accepted },
      ...commonResponses,
      404: problemResponse('No such ticket.'),
      409: problemResponse('The ticket is not resolved, or its CSAT window has closed.'),
    },
    async handle({ params, body, principal }) {
      await mustReach(principal, params.id);
      const state = await onTicket(params.id, () => fromWorker(() => handleFor(params.id).query(stateQuery)));
      // The workflow has the last word; refusing here first gives the caller a 409 instead of a silent no.
      const by = principal?.name ?? 'unknown';
      const closed = csatClosedReason(state) ?? csatChangeRefusal(state, by);
      if (closed) throw problems.conflict(closed, { ticketStatus: state.status });
      await onTicket(params.id, () => temporal(() => handleFor(params.id).signal(csatSignal, { ...body, by })));
      return { status: 202, body: { ticketId: params.id, accepted: true } };
    },
  });

  return [message, csat];
}
