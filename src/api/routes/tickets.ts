import { createHash, randomUUID } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
} from '@temporalio/client';
import type { z } from 'zod';
import { actionNames, type ActionName } from '../../domain/actions';
import type { RoutingPolicy } from '../../domain/policy';
import { workflowIdFor } from '../../domain/ticket';
import { canonicalJson, messageUpdateId, requestFingerprint, reuseConflict, type RequestBinding } from '../../domain/requests';
import type { ActionResult, MessageReceipt } from '../../domain/ticketState';
import type { TicketState as TicketStateValue } from '../../domain/ticketState';
import { readTicketView } from '../../db/ticketReads';
import type { Db } from '../../db/client';
import { findCustomer, getTicketRecord, humanQueue, listTickets, summaryLine, type TicketRecord } from '../../db/ticketQueries';
import { actions, csatSignal, customerMessageUpdate, stateQuery } from '../../workflows/messages';
import { TicketStatus as TicketStatusAttr } from '../../workflows/searchAttributes';
import type { ticketWorkflow, ActivityTimeouts, TicketWorkflowInput } from '../../workflows/ticket';
import type { Principal } from '../auth';
import { callDatabase, callTemporal, pollersOn } from '../dependencies';
import { Problem, problems } from '../problems';
import { defineRoute, type RouteSpec } from '../route';
import {
  Accepted,
  ActionBodies,
  CreateTicketBody,
  CsatBody,
  CustomerMessageBody,
  GetTicketQuery,
  ListTicketsQuery,
  RequestIdParams,
  RequestPending,
  RequestStatus,
  ProblemDetails,
  Queue,
  inStorableRange,
  QueueQuery,
  TicketCreated,
  TicketIdParams,
  TicketPage,
  TicketState,
} from '../schemas';

export interface TicketRouteDeps {
  client: Client;
  db: Db;
  taskQueue: string;
  /** The routing policy a new ticket starts with (and keeps for life). */
  policy: () => RoutingPolicy | Promise<RoutingPolicy>;
  activityTimeouts?: ActivityTimeouts;
  timeouts: { temporalMs: number; updateMs: number; databaseMs: number };
  /**
   * Where customer ids come from: Tandem's own table (an unknown id is refused), or an outside
   * CRM (HubSpot) whose ids Tandem's table does not hold, so enrichment looks them up instead.
   */
  customerIds?: 'tandem' | 'crm';
}

const problem = (description: string) => ({ description, schema: ProblemDetails, contentType: 'application/problem+json' });
const common = {
  400: problem('A parameter, query string or body field is invalid; `errors` names each one.'),
  401: problem('Missing, unknown or revoked API key.'),
  403: problem("The key's role may not do this."),
  503: problem('Temporal or the database did not answer in time; see Retry-After.'),
};
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const accepted = (description: string) => ({ description, schema: RequestPending });

/** A 409 naming the earlier request a reused id belongs to. */
const reused = (earlier: RequestBinding) =>
  problems.conflict(reuseConflict(earlier), {
    earlierRequest: { id: earlier.id, kind: earlier.kind, actor: earlier.actor, at: new Date(earlier.at).toISOString() },
  });

function rowView(r: TicketRecord) {
  return {
    ticketId: r.id,
    workflowId: r.workflowId,
    externalId: r.externalId,
    customerId: r.customerId,
    channel: r.channel,
    subject: r.subject,
    status: r.status,
    mode: r.mode,
    category: r.category,
    tier: r.tier,
    priority: r.priorityLevel,
    priorityScore: r.priorityScore,
    assignee: r.assignee,
    escalated: r.escalated,
    slaDeadline: r.slaDeadline?.toISOString() ?? null,
    slaBreached: r.slaBreached,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

const encodeCursor = (c: { createdAt: string; id: string }) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { createdAt?: unknown; id?: unknown };
    if (typeof c.createdAt === 'string' && typeof c.id === 'string' && inStorableRange(c.createdAt) && !c.id.includes('\u0000')) {
      return { createdAt: c.createdAt, id: c.id };
    }
  } catch {
    // fall through to the 400 below
  }
  throw problems.invalid([{ field: 'query.cursor', message: 'not a cursor this API issued' }]);
}

/** How long a request-status poll waits for an outcome before answering `pending`. */
const REQUEST_POLL_MS = 1000;
export function ticketRoutes(deps: TicketRouteDeps): RouteSpec[] {
  const { client, db, timeouts } = deps;
  const temporal = <T>(fn: () => Promise<T>) => callTemporal(client, timeouts.temporalMs, fn);
  const database = <T>(fn: () => Promise<T>) => callDatabase(timeouts.databaseMs, fn);
  const handleFor = (ticketId: string) => client.workflow.getHandle<typeof ticketWorkflow>(workflowIdFor(ticketId));

  /** A ticket the workflow no longer knows: 409 if it ran and finished, 404 if it never existed. */
  async function missing(ticketId: string): Promise<never> {
    const record = await database(() => getTicketRecord(db, ticketId));
    if (record) throw problems.conflict(`ticket ${ticketId} is ${record.status}; open a new ticket`, { ticketStatus: record.status });
    throw problems.notFound(`no ticket ${ticketId}`);
  }

  async function liveState(ticketId: string): Promise<TicketStateValue> {
    try {
      return await temporal(() => handleFor(ticketId).query(stateQuery));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return missing(ticketId);
      throw err;
    }
  }

  const create = defineRoute({
    method: 'post',
    path: '/v1/tickets',
    operationId: 'createTicket',
    tag: 'Tickets',
    summary: 'Start a ticket',
    description:
      'Starts the ticket workflow. A repeat with the same `Idempotency-Key` or `externalId` from the same caller (the name behind the API key) returns the same ticket with 200 and never starts a second workflow; reusing either with a different request is a 409.',
    roles: ['service'],
    body: CreateTicketBody,
    headers: [{ name: 'Idempotency-Key', description: 'Makes retries safe: the same key returns the same ticket.' }],
    responses: {
      201: { description: 'Started.', schema: TicketCreated },
      200: { description: 'The ticket this Idempotency-Key or externalId already started.', schema: TicketCreated },
      ...common,
      409: problem('The Idempotency-Key or externalId was used for a different request.'),
      422: problem('The customer id is unknown.'),
    },
    async handle({ body, principal, header }) {
      const idempotencyKey = header('idempotency-key')?.trim();
      if (idempotencyKey !== undefined && (idempotencyKey.length === 0 || idempotencyKey.length > 200)) {
        throw problems.invalid([{ field: 'header.Idempotency-Key', message: 'must be 1–200 characters' }]);
      }
      // The ticket id is derived from the caller's dedupe key, so Temporal's workflow-id
      // uniqueness does the deduplication: no lock or table can race it. Keys belong to the
      // caller (the name behind the API key, so a rotated key still dedupes).
      const caller = principal?.name ?? '';
      const ticketId = body.externalId
        ? `ext_${sha256(`external:${caller}:${body.externalId}`).slice(0, 24)}`
        : idempotencyKey
          ? `idem_${sha256(`${caller}:${idempotencyKey}`).slice(0, 24)}`
          : `tkt_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
      const workflowId = workflowIdFor(ticketId);
      const requestHash = sha256(canonicalJson(body));
      const created = (status: string, code: 200 | 201) => ({
        status: code,
        body: { ticketId, workflowId, status },
        headers: { Location: `/v1/tickets/${ticketId}` },
      });

      if (body.externalId !== undefined || idempotencyKey !== undefined) {
        // Temporal forgets a completed workflow after the namespace's retention; the read model
        // does not, so a late retry still finds its ticket instead of starting it again.
        const done = await database(() => getTicketRecord(db, ticketId));
        if (done?.status === 'closed') {
          // Tickets closed before the read model kept the request's fingerprint cannot be compared.
          if (done.requestHash !== null && done.requestHash !== requestHash) {
            throw problems.conflict(
              `${body.externalId ? 'externalId' : 'Idempotency-Key'} was already used for a different request (ticket ${ticketId})`,
              { ticketId },
            );
          }
          return created('closed', 200);
        }
      }

      const customer = await database(() => findCustomer(db, body.customer));
      if (body.customer.id && !customer && deps.customerIds !== 'crm') {
        throw problems.unprocessable(`no customer ${body.customer.id}`, [{ field: 'body.customer.id', message: 'unknown customer' }]);
      }
      const customerId = customer?.id ?? body.customer.id;
      const ticket: TicketWorkflowInput['ticket'] = {
        ticketId,
        ...(customerId ? { customerId } : {}),
        ...(body.customer.email ? { customerEmail: body.customer.email } : customer ? { customerEmail: customer.email } : {}),
        channel: body.channel,
        subject: body.subject,
        body: body.body,
        ...(body.pageContext ? { pageContext: body.pageContext } : {}),
        ...(body.metadata ? { metadata: body.metadata } : {}),
        ...(body.externalId ? { externalId: body.externalId } : {}),
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
            memo: { requestHash, createdBy: principal?.name },
            typedSearchAttributes: [{ key: TicketStatusAttr, value: 'triaging' }],
          }),
        );
        return created('triaging', 201);
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      const existing = await temporal(() => client.workflow.getHandle(workflowId).describe());
      if (existing.memo?.requestHash !== requestHash) {
        throw problems.conflict(
          `${body.externalId ? 'externalId' : 'Idempotency-Key'} was already used for a different request (ticket ${ticketId})`,
          { ticketId },
        );
      }
      return created(existing.typedSearchAttributes.get(TicketStatusAttr) ?? 'triaging', 200);
    },
  });

  const get = defineRoute({
    method: 'get',
    path: '/v1/tickets/:id',
    operationId: 'getTicket',
    tag: 'Tickets',
    summary: "A ticket's full state",
    description:
      "From the read model by default, so a busy or absent worker never fails a read; `X-Tandem-Version` is the workflow's state version it was written at. `?consistency=strong` asks the running workflow instead (503 with `dependency: worker` when no worker answers). `X-Tandem-Source` says which answered.",
    roles: ['service', 'agent'],
    params: TicketIdParams,
    query: GetTicketQuery,
    responses: { 200: { description: 'The ticket state.', schema: TicketState }, ...common, 404: problem('No such ticket.') },
    async handle({ params, query }: { params: { id: string }; query: z.output<typeof GetTicketQuery> }) {
      if (query.consistency !== 'strong') {
        const stored = await database(() => readTicketView(db, params.id));
        if (stored) {
          return { status: 200, body: stored.view, headers: { 'X-Tandem-Source': 'read-model', 'X-Tandem-Version': String(stored.version) } };
        }
        // Not written yet (the ticket was created a moment ago): the workflow knows.
      }
      try {
        const state = await temporal(() => handleFor(params.id).query(stateQuery));
        return { status: 200, body: state, headers: { 'X-Tandem-Source': 'workflow', 'X-Tandem-Version': String(state.version) } };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) {
          const record = await database(() => readTicketView(db, params.id));
          if (record) return { status: 200, body: record.view, headers: { 'X-Tandem-Source': 'read-model', 'X-Tandem-Version': String(record.version) } };
          throw problems.notFound(`no ticket ${params.id}`);
        }
        throw err;
      }
    },
  });

  const list = defineRoute({
    method: 'get',
    path: '/v1/tickets',
    operationId: 'listTickets',
    tag: 'Tickets',
    summary: 'List tickets',
    description: 'Newest first, from the read model. Follow `nextCursor` for the next page.',
    roles: ['agent'],
    query: ListTicketsQuery,
    responses: { 200: { description: 'A page of tickets.', schema: TicketPage }, ...common },
    async handle({ query }: { query: z.output<typeof ListTicketsQuery> }) {
      const after = query.cursor ? decodeCursor(query.cursor) : undefined;
      const { rows, next } = await database(() =>
        listTickets(
          db,
          {
            status: query.status,
            priority: query.priority,
            category: query.category,
            tier: query.tier,
            mode: query.mode,
            assignee: query.assignee,
            customerId: query.customerId,
            createdAfter: query.createdAfter ? new Date(query.createdAfter) : undefined,
            createdBefore: query.createdBefore ? new Date(query.createdBefore) : undefined,
          },
          query.limit,
          after,
        ),
      );
      return { status: 200, body: { items: rows.map(rowView), nextCursor: next ? encodeCursor(next) : null } };
    },
  });

  const queue = defineRoute({
    method: 'get',
    path: '/v1/queue',
    operationId: 'getQueue',
    tag: 'Queue',
    summary: 'The human work queue',
    description:
      "Tickets awaiting review and escalations, plus `agent`'s own tickets in human_handling; ordered by priority score, then SLA deadline. An agent key sees its own tickets by default and no one else's; lead and admin keys may name any agent.",
    roles: ['agent'],
    query: QueueQuery,
    responses: { 200: { description: 'The queue.', schema: Queue }, ...common },
    async handle({ query, principal }: { query: z.output<typeof QueueQuery>; principal: Principal | null }) {
      let agent = query.agent;
      if (principal?.role === 'agent') {
        if (agent !== undefined && agent !== principal.name) {
          throw problems.forbidden(`an agent key reads its own queue (${principal.name}); a lead or admin key may read ${agent}'s`);
        }
        agent = principal.name;
      }
      const rows = await database(() => humanQueue(db, agent, query.limit));
      return {
        status: 200,
        body: {
          items: rows.map((r) => ({ ...rowView(r), summaryLine: summaryLine(r.escalationSummary as never) })),
        },
      };
    },
  });

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
      ...common,
      404: problem('No such ticket.'),
      409: problem('The ticket has completed, or the message id was used for a different message.'),
    },
    async handle({ params, body, requestId }) {
      const input = { messageId: body.messageId ?? requestId, body: body.body };
      const updateId = messageUpdateId(input.messageId);
      const outcome = await applyUpdate<MessageReceipt>(params.id, updateId, () =>
        handleFor(params.id).executeUpdate(customerMessageUpdate, { args: [input], updateId }),
      );
      if ('pending' in outcome) return outcome.pending;
      const { request } = outcome.done;
      if (request.fingerprint !== requestFingerprint('customerMessage', { messageId: input.messageId, body: input.body })) {
        throw reused(request);
      }
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
      ...common,
      404: problem('No such ticket.'),
      409: problem('The ticket is not resolved, or its CSAT window has closed.'),
    },
    async handle({ params, body }) {
      const state = await liveState(params.id);
      if (state.status !== 'resolved' || state.csat.windowClosed) {
        throw problems.conflict(
          state.status !== 'resolved'
            ? `CSAT is accepted once the ticket is resolved; it is ${state.status}`
            : 'the CSAT window has closed',
          { ticketStatus: state.status },
        );
      }
      try {
        await temporal(() => handleFor(params.id).signal(csatSignal, body));
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return missing(params.id);
        throw err;
      }
      return { status: 202, body: { ticketId: params.id, accepted: true } };
    },
  });

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
        202: accepted('Accepted by Temporal, not yet applied by the workflow: poll `Location`.'),
        ...common,
        404: problem('No such ticket.'),
        409: problem('The workflow refused the action (`detail` says why), or the request id was used for a different request.'),
      },
      async handle({ params, body, principal, requestId }) {
        const payload = { ...(body as object), agentId: principal?.name ?? 'unknown' };
        const outcome = await applyUpdate<ActionResult>(params.id, requestId, () =>
          handleFor(params.id).executeUpdate(actions[action].update as never, { args: [payload] as never, updateId: requestId }),
        );
        if ('pending' in outcome) return outcome.pending;
        const { request, ...state } = outcome.done;
        // The server answers a known Update id with its first result, whatever was sent this time.
        if (request && request.fingerprint !== '' && request.fingerprint !== requestFingerprint(action, payload)) throw reused(request);
        return { status: 200, body: state };
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
    responses: { 200: { description: 'The request.', schema: RequestStatus }, ...common, 404: problem('No such ticket or request.') },
    async handle({ params }: { params: z.output<typeof RequestIdParams> }) {
      const base = { ticketId: params.id, requestId: params.requestId };
      try {
        // The poll's own deadline means "not yet"; the outer one bounds a Temporal that hangs.
        const polled = await callTemporal(client, REQUEST_POLL_MS + 1000, () =>
          client
            .withDeadline(Date.now() + REQUEST_POLL_MS, () => handleFor(params.id).getUpdateHandle<ActionResult | MessageReceipt>(params.requestId).result())
            .then(
              (result) => ({ result }),
              (e: unknown) => (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError ? null : Promise.reject(e)),
            ),
        );
        if (polled === null) return { status: 200, body: { ...base, status: 'pending' } };
        const { request: _request, ...rest } = polled.result as ActionResult;
        return { status: 200, body: { ...base, status: 'applied', result: rest } };
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) {
          return { status: 200, body: { ...base, status: 'refused', reason: err.cause?.message ?? err.message } };
        }
        if (err instanceof WorkflowNotFoundError) {
          // The same error says "no such workflow" and "no such update on it".
          const exists = await temporal(() => handleFor(params.id).describe()).then(
            () => true,
            (e: unknown) => (e instanceof WorkflowNotFoundError ? false : Promise.reject(e)),
          );
          if (!exists) return missing(params.id);
          throw problems.notFound(`no request ${params.requestId} on ticket ${params.id}`);
        }
        throw err;
      }
    },
  });

  /**
   * Runs an Update under the request deadline. Temporal holding it but the workflow not
   * completing it in time (a worker down or busy) is not a failure: the caller gets 202 and a
   * place to poll. A 503 means nothing was accepted: Temporal itself did not answer. The last
   * part of the deadline asks Temporal about pollers, so the answer stays within it.
   */
  async function applyUpdate<T>(
    ticketId: string,
    updateId: string,
    run: () => Promise<T>,
  ): Promise<{ done: T } | { pending: { status: 202; body: unknown; headers: Record<string, string> } }> {
    const probeMs = Math.min(1000, Math.floor(timeouts.updateMs / 4));
    try {
      return { done: await callTemporal(client, timeouts.updateMs - probeMs, run) };
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw problems.conflict(err.cause?.message ?? err.message, {});
      if (err instanceof WorkflowNotFoundError) return missing(ticketId);
      const timedOut = err instanceof Problem && err.status === 503 && err.extra.dependency === 'temporal';
      // Temporal answering about pollers means it is up, so it holds the Update for the worker.
      const temporalUp = timedOut && (await pollersOn(client, deps.taskQueue, probeMs).then(() => true, () => false));
      if (!temporalUp) throw err;
      const location = `/v1/tickets/${ticketId}/requests/${encodeURIComponent(updateId)}`;
      return {
        pending: {
          status: 202,
          headers: { Location: location },
          body: { ticketId, requestId: updateId, status: 'pending', location, dependency: 'worker' },
        },
      };
    }
  }

  return [create, list, get, message, ...actionNames.map(actionRoute), requestStatus, csat, queue];
}
