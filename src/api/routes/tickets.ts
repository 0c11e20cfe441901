import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { z } from 'zod';
import { actionNames, type ActionName } from '../../domain/actions';
import type { RoutingPolicy } from '../../domain/policy';
import { workflowIdFor, type NewTicket } from '../../domain/ticket';
import type { TicketState as TicketStateValue } from '../../domain/ticketState';
import type { Db } from '../../db/client';
import { findCustomer, getTicketRecord, humanQueue, listTickets, summaryLine, type TicketRecord } from '../../db/ticketQueries';
import { actions, csatSignal, customerMessageSignal, stateQuery } from '../../workflows/messages';
import { TicketStatus as TicketStatusAttr } from '../../workflows/searchAttributes';
import type { ticketWorkflow, ActivityTimeouts } from '../../workflows/ticket';
import type { Principal } from '../auth';
import { callDatabase, callTemporal } from '../dependencies';
import { problems } from '../problems';
import { defineRoute, type RouteSpec } from '../route';
import {
  Accepted,
  ActionBodies,
  CreateTicketBody,
  CsatBody,
  CustomerMessageBody,
  ListTicketsQuery,
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

/** Stable JSON (sorted keys), so the same request always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

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
      const requestHash = sha256(canonical(body));
      const created = (status: string, code: 200 | 201) => ({
        status: code,
        body: { ticketId, workflowId, status },
        headers: { Location: `/v1/tickets/${ticketId}` },
      });

      if (body.externalId !== undefined || idempotencyKey !== undefined) {
        // Temporal forgets a completed workflow after the namespace's retention; the read model
        // does not, so a late retry still finds its ticket instead of starting it again.
        const done = await database(() => getTicketRecord(db, ticketId));
        if (done?.status === 'closed') return created('closed', 200);
      }

      const customer = await database(() => findCustomer(db, body.customer));
      if (body.customer.id && !customer && deps.customerIds !== 'crm') {
        throw problems.unprocessable(`no customer ${body.customer.id}`, [{ field: 'body.customer.id', message: 'unknown customer' }]);
      }
      const customerId = customer?.id ?? body.customer.id;
      const ticket: NewTicket & { createdAt: number } = {
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
      'From the workflow while it runs; from the read model once it has completed. `X-Tandem-Source` says which.',
    roles: ['service', 'agent'],
    params: TicketIdParams,
    responses: { 200: { description: 'The ticket state.', schema: TicketState }, ...common, 404: problem('No such ticket.') },
    async handle({ params }) {
      const record = await database(() => getTicketRecord(db, params.id));
      if (record?.status === 'closed' && record.snapshot) {
        return { status: 200, body: record.snapshot, headers: { 'X-Tandem-Source': 'read-model' } };
      }
      try {
        const state = await temporal(() => handleFor(params.id).query(stateQuery));
        return { status: 200, body: state, headers: { 'X-Tandem-Source': 'workflow' } };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) {
          if (record?.snapshot) return { status: 200, body: record.snapshot, headers: { 'X-Tandem-Source': 'read-model' } };
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
    description: 'Signals `customerMessage`. A repeat with the same `messageId` (default: X-Request-Id) is ignored.',
    roles: ['service'],
    params: TicketIdParams,
    body: CustomerMessageBody,
    headers: [{ name: 'X-Request-Id', description: 'Default message id, so a retried request adds the message once.' }],
    responses: {
      202: { description: 'Accepted.', schema: Accepted },
      ...common,
      404: problem('No such ticket.'),
      409: problem('The ticket has completed; open a new one.'),
    },
    async handle({ params, body, requestId }) {
      try {
        await temporal(() =>
          handleFor(params.id).signal(customerMessageSignal, { messageId: body.messageId ?? requestId, body: body.body }),
        );
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return missing(params.id);
        throw err;
      }
      return { status: 202, body: { ticketId: params.id, accepted: true } };
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
      description: `Runs the \`${action}\` Workflow Update as the agent behind the API key. \`X-Request-Id\` becomes the Update id, so a retried request is applied once.`,
      roles: ['agent'],
      params: TicketIdParams,
      body: ActionBodies[action],
      headers: [{ name: 'X-Request-Id', description: 'The Update id: a retry with the same id is applied once.' }],
      responses: {
        200: { description: 'Applied; the new state.', schema: TicketState },
        ...common,
        404: problem('No such ticket.'),
        409: problem('The workflow refused the action; `detail` says why.'),
      },
      async handle({ params, body, principal, requestId }) {
        const payload = { ...(body as object), agentId: principal?.name ?? 'unknown' };
        try {
          const state = await callTemporal(client, timeouts.updateMs, () =>
            handleFor(params.id).executeUpdate(actions[action].update as never, { args: [payload] as never, updateId: requestId }),
          );
          return { status: 200, body: state };
        } catch (err) {
          if (err instanceof WorkflowUpdateFailedError) {
            throw problems.conflict(err.cause?.message ?? err.message, { action });
          }
          if (err instanceof WorkflowNotFoundError) return missing(params.id);
          throw err;
        }
      },
    });

  return [create, list, get, message, ...actionNames.map(actionRoute), csat, queue];
}
