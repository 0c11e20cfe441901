import type { z } from 'zod';
import { humanQueue } from '../../db/ticketQueries';
import type { Principal } from '../auth';
import { problems } from '../problems';
import { commonResponses, defineRoute, type RouteSpec } from '../route';
import { Queue, QueueQuery } from '../../schemas/api';
import { queueRowView } from '../views';
import type { TicketCalls } from './ticketCalls';

/** The human work queue. */
export function queueRoutes({ db, database }: TicketCalls): RouteSpec[] {
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
    responses: { 200: { description: 'The queue.', schema: Queue }, ...commonResponses },
    async handle({ query, principal }: { query: z.output<typeof QueueQuery>; principal: Principal | null }) {
      let agent = query.agent;
      if (principal?.role === 'agent') {
        if (agent !== undefined && agent !== principal.name) {
          throw problems.forbidden(`an agent key reads its own queue (${principal.name}); a lead or admin key may read ${agent}'s`);
        }
        agent = principal.name;
      }
      const rows = await database(() => humanQueue(db, agent, query.limit, { deliveryFailed: query.deliveryFailed }));
      return { status: 200, body: { items: rows.map(queueRowView) } };
    },
  });
  return [queue];
}
