import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { eraseCustomer, ticketsOfCustomer } from '../../db/erasure';
import { eraseSignal } from '../../workflows/messages';
import type { Principal } from '../auth';
import { problems } from '../problems';
import { commonResponses, defineRoute, problemResponse, type RouteSpec } from '../route';
import type { TicketCalls } from './ticketCalls';

const CustomerIdParams = z.strictObject({
  id: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9_.:@-]+$/, 'a customer id'),
});

const ErasureReport = z
  .object({
    customerId: z.string(),
    readModel: z.record(z.string(), z.number()).meta({ description: 'Rows rewritten with redacted markers, by kind.' }),
    tickets: z.array(
      z.object({
        ticketId: z.string(),
        workflow: z.enum(['running', 'closed', 'gone']),
        signalled: z.boolean().meta({ description: 'A running ticket was told to drop the data from its state.' }),
        historyRetainedUntil: z.string().nullable().meta({
          description: "Until when Temporal's history of it still holds the data (its close time plus the namespace's retention).",
        }),
      }),
    ),
    temporal: z.object({ namespace: z.string(), retentionHours: z.number().nullable(), note: z.string() }),
  })
  .meta({ id: 'ErasureReport' });

const HOUR = 3_600_000;

/** Erasing a customer's personal data (admin): the read model at once, running tickets by a Signal, and what Temporal keeps until retention. */
export function customerRoutes({ db, database, temporal, client, handleFor }: TicketCalls): RouteSpec[] {
  const erase = defineRoute({
    method: 'delete',
    path: '/v1/customers/:id',
    operationId: 'eraseCustomer',
    tag: 'Customers',
    summary: "Erase a customer's personal data",
    description:
      "Rewrites the read model with redacted markers (the customer's name and email; their tickets' subjects, bodies, messages, page context, drafts, corrections and webhook payloads; their tickets' subjects where other tickets name them as similar; the subjects, descriptions and requester emails of past tickets imported with their email), keeping each ticket's shape so reports still count it. Running tickets get the `erase` Signal and drop the data from their state. Temporal's histories hold the data until the namespace's retention expires after each ticket closes: the answer says until when, per ticket.",
    roles: ['admin'],
    exclusive: true,
    params: CustomerIdParams,
    responses: {
      200: { description: 'Erased; what Temporal still holds and until when.', schema: ErasureReport },
      ...commonResponses,
      404: problemResponse('No such customer and no tickets of theirs.'),
    },
    async handle({ params, principal }: { params: z.output<typeof CustomerIdParams>; principal: Principal | null }) {
      const { known, ticketIds } = await database(() => ticketsOfCustomer(db, params.id));
      if (!known && ticketIds.length === 0) throw problems.notFound(`no customer ${params.id}`);
      // Running tickets first: what they write next is already redacted.
      const workflows = await Promise.all(
        ticketIds.map(async (ticketId) => {
          try {
            const described = await temporal(() => handleFor(ticketId).describe());
            const running = described.status.name === 'RUNNING';
            if (running) await temporal(() => handleFor(ticketId).signal(eraseSignal, { by: principal?.name ?? 'admin' }));
            return {
              ticketId,
              workflow: running ? ('running' as const) : ('closed' as const),
              signalled: running,
              closedAt: described.closeTime?.getTime() ?? null,
            };
          } catch (err) {
            if (err instanceof WorkflowNotFoundError) return { ticketId, workflow: 'gone' as const, signalled: false, closedAt: null };
            throw err;
          }
        }),
      );
      const report = await database(() => eraseCustomer(db, params.id, ticketIds));
      const namespace = client.options.namespace;
      const described = await temporal(() => client.workflowService.describeNamespace({ namespace }));
      const seconds = Number(described.config?.workflowExecutionRetentionTtl?.seconds ?? NaN);
      const retentionMs = Number.isFinite(seconds) ? seconds * 1000 : null;
      return {
        status: 200,
        body: {
          customerId: params.id,
          readModel: report.rows,
          tickets: workflows.map(({ closedAt, ...w }) => ({
            ...w,
            historyRetainedUntil:
              w.workflow === 'gone' || retentionMs === null ? null : new Date((closedAt ?? Date.now()) + retentionMs).toISOString(),
          })),
          temporal: {
            namespace,
            retentionHours: retentionMs === null ? null : Math.round((retentionMs / HOUR) * 10) / 10,
            note: "Workflow histories (and a running ticket's earlier events) keep the data until the namespace retention passes after the ticket closes; with the payload codec on, it is ciphertext there. Shorten retention with `temporal operator namespace update --retention`.",
          },
        },
      };
    },
  });
  return [erase];
}
