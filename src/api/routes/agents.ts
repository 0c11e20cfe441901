import { z } from 'zod';
import { listAgents } from '../auth';
import { commonResponses, defineRoute, type RouteSpec } from '../route';
import type { TicketCalls } from './ticketCalls';

const AgentList = z
  .object({ items: z.array(z.object({ name: z.string(), role: z.enum(['agent', 'lead', 'admin']) })) })
  .meta({ id: 'AgentList', description: 'The people behind live agent, lead and admin keys.' });

/** Who a ticket can be assigned to: every person with a live agent, lead or admin key. */
export function agentRoutes({ db, database }: TicketCalls): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/agents',
      operationId: 'listAgents',
      tag: 'Queue',
      summary: 'The agents a ticket can be assigned to',
      description: 'One entry per person (the name behind their keys), with their highest role. `assign` accepts only these names.',
      roles: ['agent'],
      responses: { 200: { description: 'The agents.', schema: AgentList }, ...commonResponses },
      handle: async () => ({ status: 200, body: { items: await database(() => listAgents(db)) } }),
    }),
  ];
}
