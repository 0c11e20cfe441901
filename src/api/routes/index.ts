import type { RouteSpec } from '../route';
import { actionRoutes } from './actions';
import { customerRoutes } from './messages';
import { queueRoutes } from './queue';
import { ticketCalls, type TicketRouteDeps } from './ticketCalls';
import { ticketResourceRoutes } from './tickets';

export type { TicketRouteDeps } from './ticketCalls';
export { policyRoutes } from './policy';

/**
 * Every route about tickets, by resource: tickets (create, list, read), customer messages and
 * CSAT, agent actions and request status, the queue. Reports and feedback get files of their own
 * beside these, over the same `ticketCalls`.
 */
export function ticketRoutes(deps: TicketRouteDeps): RouteSpec[] {
  const calls = ticketCalls(deps);
  // The order is the OpenAPI document's.
  return [...ticketResourceRoutes(calls), ...customerRoutes(calls), ...actionRoutes(calls), ...queueRoutes(calls)];
}
