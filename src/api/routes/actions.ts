import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import type { z } from 'zod';
import { actionNames, type ActionName } from '../../domain/actions';
import { requestFingerprint } from '../../domain/requests';
import type { ActionResult, MessageReceipt } from '../../domain/ticketState';
import { actions } from '../../workflows/messages';
import { listAgents, type Principal } from '../auth';
import { callTemporal } from '../dependencies';
import { problems } from '../problems';
import { commonResponses, defineRoute, problemResponse, type RouteSpec } from '../route';
import { ActionBodies, RequestIdParams, RequestPending, RequestStatus, TicketIdParams, TicketState } from '../../schemas/api';
import { withIsoTimes } from '../views';
import { reusedRequest, type TicketCalls } from './ticketCalls';

/** How long a request-status poll waits for an outcome before answering `pending`. */
const REQUEST_POLL_MS = 1000;

/** Agent actions (one route per Workflow Update) and the status of a request answered 202. */
export function actionRoutes(calls: TicketCalls): RouteSpec[] {
  const { client, temporal, handleFor, missing, applyUpdate } = calls;

  /** An assignment names a person who has an agent, lead or admin key; anyone else would drop out of every queue. */
  const mustBeAnAgent = async (name: string) => {
    const agents = await calls.database(() => listAgents(calls.db));
    if (!agents.some((a) => a.name === name.trim())) {
      throw problems.unprocessable(`no agent named ${name}; GET /v1/agents lists who can be assigned`, [
        { field: 'body.assignee', message: 'not an agent, lead or admin' },
      ]);
    }
  };

  const actionRoute = (action: ActionName) =>
    defineRoute({
      method: 'post',
      path: `/v1/tickets/:id/actions/${action}`,
      operationId: `${action}Ticket`,
      tag: 'Agent actions',
      summary: `Agent action: ${action}`,
      description: `Runs the \`${action}\` Workflow Update as the agent behind the API key. \`X-Request-Id\` becomes the Update id, bound to this ticket, action, agent and body: a retry is applied once, a reuse for anything else is a 409 naming the earlier request. When Temporal accepted the action but the workflow has not completed it in time (no worker), 202 with a \`Location\` to poll.`,
      roles: ['agent'],
      params: TicketIdParams,
      body: ActionBodies[action],
      headers: [{ name: 'X-Request-Id', description: 'The Update id: a retry with the same id is applied once.' }],
      responses: {
        200: { description: 'Applied; the new state.', schema: TicketState },
        202: { description: 'Accepted by Temporal, not yet applied by the workflow: poll `Location`.', schema: RequestPending },
        ...commonResponses,
        404: problemResponse('No such ticket.'),
        409: problemResponse('The workflow refused the action (`detail` says why), or the request id was used for a different request.'),
      },
      async handle({ params, body, principal, requestId }) {
        const role = principal?.role === 'lead' || principal?.role === 'admin' ? principal.role : 'agent';
        const payload = { ...(body as object), agentId: principal?.name ?? 'unknown', actorRole: role };
        if (action === 'assign') await mustBeAnAgent((body as { assignee: string }).assignee);
        const outcome = await applyUpdate<ActionResult>(params.id, requestId, () =>
          handleFor(params.id).executeUpdate(actions[action].update as never, { args: [payload] as never, updateId: requestId }),
        );
        if ('pending' in outcome) return outcome.pending;
        const { request, ...state } = outcome.done;
        // The server answers a known Update id with its first result, whatever was sent this time.
        if (request && request.fingerprint !== '' && request.fingerprint !== requestFingerprint(action, payload))
          throw reusedRequest(request);
        return { status: 200, body: withIsoTimes(state) };
      },
    });

  const requestStatus = defineRoute({
    method: 'get',
    path: '/v1/tickets/:id/requests/:requestId',
    operationId: 'getRequest',
    tag: 'Tickets',
    summary: 'What became of an action or message answered 202',
    description:
      '`pending` while the workflow has not taken it; `applied` with the result; `refused` with the reason. A request the workflow refused is kept only while someone waits on it: later it is unknown (404).',
    roles: ['service', 'agent'],
    params: RequestIdParams,
    responses: {
      200: { description: 'The request.', schema: RequestStatus },
      ...commonResponses,
      404: problemResponse('No such ticket or request.'),
    },
    async handle({ params, principal }: { params: z.output<typeof RequestIdParams>; principal: Principal | null }) {
      await calls.mustReach(principal, params.id);
      const base = { ticketId: params.id, requestId: params.requestId };
      try {
        // The poll's own deadline means "not yet"; the outer one bounds a Temporal that hangs.
        const polled = await callTemporal(client, REQUEST_POLL_MS + 1000, () =>
          client
            .withDeadline(Date.now() + REQUEST_POLL_MS, () =>
              handleFor(params.id).getUpdateHandle<ActionResult | MessageReceipt>(params.requestId).result(),
            )
            .then(
              (result) => ({ result }),
              (e: unknown) => (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError ? null : Promise.reject(e)),
            ),
        );
        if (polled === null) return { status: 200, body: { ...base, status: 'pending' } };
        const { request: _request, ...rest } = polled.result as ActionResult;
        return { status: 200, body: { ...base, status: 'applied', result: withIsoTimes(rest) } };
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) {
          return { status: 200, body: { ...base, status: 'refused', reason: err.cause?.message ?? err.message } };
        }
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        // The same error says "no such workflow" and "no such update on it".
        const exists = await temporal(() => handleFor(params.id).describe()).then(
          () => true,
          (e: unknown) => (e instanceof WorkflowNotFoundError ? false : Promise.reject(e)),
        );
        if (!exists) return missing(params.id);
        throw problems.notFound(`no request ${params.requestId} on ticket ${params.id}`);
      }
    },
  });

  // Feedback has a route of its own (POST /v1/tickets/:id/feedback), which checks what it rates.
  return [...actionNames.filter((a) => a !== 'feedback').map(actionRoute), requestStatus];
}
