import type { RouteSpec } from '../route';
import { actionRoutes } from './actions';
import { agentRoutes } from './agents';
import { aiCapacityRoutes } from './aiCapacity';
import { conversationRoutes } from './conversation';
import { customerRoutes as customerDataRoutes } from './customers';
import { csatPageRoutes } from './csatPage';
import { feedbackRoutes } from './feedback';
import { historyImportRoutes } from './historyImports';
import { feedbackReportRoutes } from './feedbackReports';
import { inboundEmailRoutes } from './inboundEmail';
import { customerRoutes } from './messages';
import { queueRoutes } from './queue';
import { reviewRoutes } from './review';
import { staffingReportRoutes } from './staffingReport';
import { taxonomyRoutes } from './taxonomy';
import { ticketCalls, type TicketRouteDeps } from './ticketCalls';
import { ticketResourceRoutes } from './tickets';
import { webhookRoutes } from './webhooks';

export type { TicketRouteDeps } from './ticketCalls';
export { policyRoutes } from './policy';

/**
 * Every route about tickets, by resource: tickets (create, list, read), customer messages and
 * CSAT, the customer-safe conversation, agent actions and request status, the queue, delivery
 * (webhook endpoints, inbound email) and the CSAT survey page. Reports and feedback get files of
 * their own beside these, over the same `ticketCalls`.
 */
export function ticketRoutes(deps: TicketRouteDeps): RouteSpec[] {
  const calls = ticketCalls(deps);
  // The order is the OpenAPI document's.
  return [
    ...ticketResourceRoutes(calls),
    ...customerRoutes(calls),
    ...conversationRoutes(calls),
    ...actionRoutes(calls),
    ...feedbackRoutes(calls),
    ...reviewRoutes(calls),
    ...staffingReportRoutes(calls),
    ...aiCapacityRoutes(calls),
    ...feedbackReportRoutes(calls),
    ...queueRoutes(calls),
    ...agentRoutes(calls),
    ...customerDataRoutes(calls),
    ...historyImportRoutes(calls),
    ...taxonomyRoutes(calls),
    ...webhookRoutes(calls),
    ...inboundEmailRoutes(calls),
    ...csatPageRoutes(calls),
  ];
}
