import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { FORBIDDEN_PREFIX } from '../../domain/actionRefusals';
import { workflowIdFor } from '../../domain/ids';
import type { RoutingPolicy } from '../../domain/policy';
import { reuseConflict, type RequestBinding } from '../../domain/requests';
import type { Db } from '../../db/client';
import { getTicketRecord } from '../../db/ticketQueries';
import { csatLinks } from '../../delivery/csatLinks';
import type { ticketWorkflow } from '../../workflows/ticket';
import type { ActivityTimeouts } from '../../workflows/ticket/timeouts';
import type { Principal } from '../auth';
import { callDatabase, callTemporal, pollersOn } from '../dependencies';
import { Problem, problems } from '../problems';

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
  delivery: RouteDeliveryOptions;
}

/** What the delivery-facing routes (webhooks, inbound email, conversation, CSAT page) need to know. */
export interface RouteDeliveryOptions {
  /** Where this API is reached from outside: CSAT links point here; webhook endpoints may not. */
  publicUrl: string;
  /** Other addresses of this API a webhook endpoint may not point at. */
  selfOrigins: string[];
  /** Signs CSAT links; unset, the key generated once into the database. */
  csatLinkSecret?: string | undefined;
  /** The address replies come from: replies to its plus-addresses map to their tickets. */
  emailFrom: string;
  /** One manual webhook attempt's deadline. */
  webhookTimeoutMs: number;
}

/** An Update the workflow has not completed in time: 202 and where to poll. */
export interface PendingReply {
  status: 202;
  body: unknown;
  headers: Record<string, string>;
}

/**
 * What every ticket route needs: Temporal and database calls under their deadlines, a ticket's
 * workflow handle, and one mapping of "the workflow is gone" (409 if the ticket ran and closed,
 * 404 if it never existed) and of Updates that are held rather than applied.
 */
export function ticketCalls(deps: TicketRouteDeps) {
  const { client, db, timeouts } = deps;
  const temporal = <T>(fn: () => Promise<T>) => callTemporal(client, timeouts.temporalMs, fn);
  /** A call only a worker can answer (a Query): out of time, the 503 says whether a worker polls. */
  const fromWorker = <T>(fn: () => Promise<T>) => callTemporal(client, timeouts.temporalMs, fn, { taskQueue: deps.taskQueue });
  const database = <T>(fn: () => Promise<T>) => callDatabase(timeouts.databaseMs, fn);
  const handleFor = (ticketId: string) => client.workflow.getHandle<typeof ticketWorkflow>(workflowIdFor(ticketId));
  const links = csatLinks(db, { publicUrl: deps.delivery.publicUrl, secret: deps.delivery.csatLinkSecret });

  async function missing(ticketId: string): Promise<never> {
    const record = await database(() => getTicketRecord(db, ticketId));
    if (record) throw problems.conflict(`ticket ${ticketId} is ${record.status}; open a new ticket`, { ticketStatus: record.status });
    throw problems.notFound(`no ticket ${ticketId}`);
  }

  /** Runs a call on a ticket's workflow; a workflow Temporal does not know becomes a 404 or 409. */
  async function onTicket<T>(ticketId: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return missing(ticketId);
      throw err;
    }
  }

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
  ): Promise<{ done: T } | { pending: PendingReply }> {
    const probeMs = Math.min(1000, Math.floor(timeouts.updateMs / 4));
    try {
      return { done: await onTicket(ticketId, () => callTemporal(client, timeouts.updateMs - probeMs, run)) };
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        const reason = err.cause?.message ?? err.message;
        // Who may act is the workflow's rule too (for Signals and Updates sent straight to Temporal).
        if (reason.startsWith(FORBIDDEN_PREFIX)) throw problems.forbidden(reason.slice(FORBIDDEN_PREFIX.length));
        throw problems.conflict(reason, {});
      }
      const timedOut = err instanceof Problem && err.status === 503 && err.extra.dependency === 'temporal';
      // Temporal answering about pollers means it is up, so it holds the Update for the worker.
      const temporalUp =
        timedOut &&
        (await pollersOn(client, deps.taskQueue, probeMs).then(
          () => true,
          () => false,
        ));
      if (!temporalUp) throw err;
      const location = `/v1/tickets/${ticketId}/requests/${encodeURIComponent(updateId)}`;
      const body = { ticketId, requestId: updateId, status: 'pending', location, dependency: 'worker' };
      return { pending: { status: 202, headers: { Location: location }, body } };
    }
  }

  /**
   * A service key reaches only the tickets it started, unless it was granted every ticket
   * (`scope all`); other roles reach every ticket. A 403 names the rule; a ticket that does not
   * exist stays a 404.
   */
  async function mustReach(principal: Principal | null, ticketId: string): Promise<void> {
    if (!principal || principal.role !== 'service' || principal.scope === 'all') return;
    if ((await startedBy(ticketId)) === principal.name) return;
    throw problems.forbidden(
      `service key ${principal.name} reaches only the tickets it started (scope own); ticket ${ticketId} is not one of them`,
      {
        rule: 'service-scope',
      },
    );
  }

  /** Who started a ticket: the read model's record, or the workflow's memo for one written a moment ago. */
  async function startedBy(ticketId: string): Promise<string | null> {
    // Through a database outage the workflow's memo still says, so a service key keeps working.
    const record = await database(() => getTicketRecord(db, ticketId)).catch((err: unknown) => {
      if (err instanceof Problem && err.extra.dependency === 'database') return undefined;
      throw err;
    });
    if (record) return record.createdBy;
    try {
      const described = await temporal(() => handleFor(ticketId).describe());
      return typeof described.memo?.createdBy === 'string' ? described.memo.createdBy : null;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw problems.notFound(`no ticket ${ticketId}`);
      throw err;
    }
  }

  return { client, db, deps, temporal, fromWorker, database, handleFor, missing, onTicket, applyUpdate, links, mustReach, startedBy };
}

export type TicketCalls = ReturnType<typeof ticketCalls>;

/** A 409 naming the earlier request a reused id belongs to. */
export const reusedRequest = (earlier: RequestBinding) =>
  problems.conflict(reuseConflict(earlier), {
    earlierRequest: { id: earlier.id, kind: earlier.kind, actor: earlier.actor, at: new Date(earlier.at).toISOString() },
  });
