import { WorkflowNotFoundError } from '@temporalio/client';
import type { z } from 'zod';
import { canonicalJson } from '../../domain/requests';
import { listTickets } from '../../db/ticketQueries';
import { readTicketView } from '../../db/ticketReads';
import { stateQuery } from '../../workflows/messages';
import { problems } from '../problems';
import { commonResponses, defineRoute, problemResponse, type RouteSpec } from '../route';
import {
  CreateTicketBody,
  GetTicketQuery,
  ListTicketsQuery,
  TicketCreated,
  TicketIdParams,
  TicketPage,
  ServiceTicket,
  TicketState,
} from '../../schemas/api';
import type { TicketView } from '../../domain/ticketState';
import type { Principal } from '../auth';
import { decodeCursor, encodeCursor, rowView, serviceView, withIsoTimes } from '../views';
import type { TicketCalls } from './ticketCalls';
import { openTicket, sha256 } from './ticketStarter';

/** Tickets as a resource: start one, read one, list them. */
export function ticketResourceRoutes(calls: TicketCalls): RouteSpec[] {
  const { db, fromWorker, database, handleFor, mustReach } = calls;

  const create = defineRoute({
    method: 'post',
    path: '/v1/tickets',
    operationId: 'createTicket',
    tag: 'Tickets',
    summary: 'Start a ticket',
    description:
      'Starts the ticket workflow. A repeat with the same `Idempotency-Key` or `externalId` from the same caller (the name behind the API key) returns the same ticket with 200 and never starts a second workflow; reusing either with a different request is a 409, also after the ticket closed.',
    roles: ['service'],
    body: CreateTicketBody,
    headers: [{ name: 'Idempotency-Key', description: 'Makes retries safe: the same key returns the same ticket.' }],
    responses: {
      201: { description: 'Started.', schema: TicketCreated },
      200: { description: 'The ticket this Idempotency-Key or externalId already started.', schema: TicketCreated },
      ...commonResponses,
      409: problemResponse('The Idempotency-Key or externalId was used for a different request.'),
      422: problemResponse('The customer id is unknown.'),
    },
    async handle({ body, principal, header }) {
      const idempotencyKey = header('idempotency-key')?.trim();
      if (idempotencyKey !== undefined && (idempotencyKey.length === 0 || idempotencyKey.length > 200)) {
        throw problems.invalid([{ field: 'header.Idempotency-Key', message: 'must be 1–200 characters' }]);
      }
      const opened = await openTicket(calls, body, {
        caller: principal?.name ?? '',
        ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
        requestHash: sha256(canonicalJson(body)),
      });
      return {
        status: opened.created ? 201 : 200,
        body: { ticketId: opened.ticketId, workflowId: opened.workflowId, status: opened.status },
        headers: { Location: `/v1/tickets/${opened.ticketId}` },
      };
    },
  });

  const get = defineRoute({
    method: 'get',
    path: '/v1/tickets/:id',
    operationId: 'getTicket',
    tag: 'Tickets',
    summary: "A ticket's full state",
    description:
      "From the read model by default, so a busy or absent worker never fails a read; `X-Tandem-Version` is the workflow's state version it was written at. `?consistency=strong` asks the running workflow instead (503 with `dependency: worker` when no worker answers). `X-Tandem-Source` says which answered. Times are ISO 8601.",
    roles: ['service', 'agent'],
    params: TicketIdParams,
    query: GetTicketQuery,
    responses: {
      200: {
        description:
          'The ticket state; for a service key, the service view (ServiceTicket: no enrichment, drafts, summaries or similar tickets).',
        schema: TicketState.or(ServiceTicket),
      },
      ...commonResponses,
      404: problemResponse('No such ticket.'),
    },
    async handle({
      params,
      query,
      principal,
    }: {
      params: { id: string };
      query: z.output<typeof GetTicketQuery>;
      principal: Principal | null;
    }) {
      await mustReach(principal, params.id);
      // A service (the customer's side) gets what it may know; people get the whole state.
      const shown = (view: TicketView) => withIsoTimes(principal?.role === 'service' ? serviceView(view) : view);
      const fromReadModel = async () => {
        const stored = await database(() => readTicketView(db, params.id));
        return stored
          ? {
              status: 200,
              body: shown(stored.view),
              headers: { 'X-Tandem-Source': 'read-model', 'X-Tandem-Version': String(stored.version) },
            }
          : undefined;
      };
      // Not written yet (the ticket was created a moment ago): the workflow knows.
      const stored = query.consistency === 'strong' ? undefined : await fromReadModel();
      if (stored) return stored;
      try {
        const state = await fromWorker(() => handleFor(params.id).query(stateQuery));
        return {
          status: 200,
          body: shown(state),
          headers: { 'X-Tandem-Source': 'workflow', 'X-Tandem-Version': String(state.version) },
        };
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        // Past Temporal's retention the read model still has it.
        const closed = await fromReadModel();
        if (closed) return closed;
        throw problems.notFound(`no ticket ${params.id}`);
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
    responses: { 200: { description: 'A page of tickets.', schema: TicketPage }, ...commonResponses },
    async handle({ query }: { query: z.output<typeof ListTicketsQuery> }) {
      const after = query.cursor ? decodeCursor(query.cursor) : undefined;
      const filters = {
        status: query.status,
        priority: query.priority,
        category: query.category,
        tier: query.tier,
        mode: query.mode,
        assignee: query.assignee,
        customerId: query.customerId,
        createdAfter: query.createdAfter ? new Date(query.createdAfter) : undefined,
        createdBefore: query.createdBefore ? new Date(query.createdBefore) : undefined,
      };
      const { rows, next } = await database(() => listTickets(db, filters, query.limit, after));
      return { status: 200, body: { items: rows.map(rowView), nextCursor: next ? encodeCursor(next) : null } };
    },
  });

  return [create, list, get];
}
