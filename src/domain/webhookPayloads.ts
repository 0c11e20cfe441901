import type { WebhookEventType } from './delivery';
import type { ReadModelRow } from './readModel';
import type { Citation, EscalationSummary } from './ticket';
import type { TimelineEvent } from './ticketState';
import type { Channel, PriorityLevel, ResolutionMode, TicketStatus } from './vocabulary';

// What each webhook event carries, in the Standard Webhooks envelope `{ type, timestamp, data }`.
// The integrator's backend is trusted with the ticket's routing facts (status, priority,
// category, the escalation summary), never with account money (MRR, billing) or other customers.

export interface WebhookTicket {
  id: string;
  externalId: string | null;
  customerId: string | null;
  customerEmail: string | null;
  channel: Channel;
  subject: string;
  status: TicketStatus;
  priority: PriorityLevel | null;
  category: string | null;
  assignee: string | null;
}

export interface WebhookMessage {
  id: string;
  kind: 'reply' | 'csat_survey' | 'csat_reminder';
  author: 'ai' | 'agent' | 'system';
  agentId: string | null;
  channel: Channel;
  recipient: string | null;
  body: string;
  citations: Citation[];
  createdAt: string;
}

export interface WebhookEventData {
  'ticket.created': { ticket: WebhookTicket };
  'ticket.message': { ticket: WebhookTicket; message: WebhookMessage };
  'ticket.escalated': { ticket: WebhookTicket; reasons: string[]; summary: EscalationSummary | null };
  'ticket.assigned': { ticket: WebhookTicket; assignee: string | null; by: string };
  'ticket.resolved': { ticket: WebhookTicket; resolutionMode: ResolutionMode | null; reason: string | null; by: string };
  'ticket.reopened': { ticket: WebhookTicket; followUps: number };
  'ticket.csat_requested': { ticket: WebhookTicket; surveyUrl: string; expiresAt: string };
  'ticket.sla_breached': { ticket: WebhookTicket; sla: string; priority: PriorityLevel | null };
  'ticket.delivery_failed': { ticket: WebhookTicket; messageId: string; reason: string };
}

export interface WebhookEnvelope<T extends WebhookEventType = WebhookEventType> {
  type: T;
  timestamp: string;
  data: WebhookEventData[T];
}

/** The row fields a webhook shows (the read model's row, or the stored record with the same names). */
export type WebhookTicketSource = Pick<
  ReadModelRow,
  'id' | 'externalId' | 'customerId' | 'customerEmail' | 'channel' | 'subject' | 'status' | 'priorityLevel' | 'category' | 'assignee'
>;

export function webhookTicket(row: WebhookTicketSource): WebhookTicket {
  return {
    id: row.id,
    externalId: row.externalId,
    customerId: row.customerId,
    customerEmail: row.customerEmail,
    channel: row.channel,
    subject: row.subject,
    status: row.status,
    priority: row.priorityLevel,
    category: row.category,
    assignee: row.assignee,
  };
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * The envelope a timeline event's webhook carries, from the ticket's row as written with it.
 * `surveyUrl` is the signed CSAT link (made where the signing key is), for `ticket.csat_requested`.
 */
export function eventEnvelope(
  type: Exclude<WebhookEventType, 'ticket.message'>,
  row: ReadModelRow,
  event: TimelineEvent | null,
  extras: { surveyUrl?: string; surveyExpiresAt?: number } = {},
): WebhookEnvelope {
  const ticket = webhookTicket(row);
  const data = event?.data ?? {};
  const by = event?.actor ?? 'system';
  const timestamp = new Date(event?.at ?? row.createdAt).toISOString();
  const payload = (() => {
    switch (type) {
      case 'ticket.created':
        return { ticket };
      case 'ticket.escalated':
        return {
          ticket,
          reasons: Array.isArray(data.reasons) ? data.reasons.filter((r): r is string => typeof r === 'string') : [],
          summary: row.escalationSummary,
        };
      case 'ticket.assigned':
        return { ticket, assignee: text(data.assignee) ?? row.assignee, by };
      case 'ticket.resolved':
        return { ticket, resolutionMode: row.resolutionMode, reason: text(data.reason) ?? row.resolutionReason, by };
      case 'ticket.reopened':
        return { ticket, followUps: typeof data.followUps === 'number' ? data.followUps : 0 };
      case 'ticket.csat_requested':
        return { ticket, surveyUrl: extras.surveyUrl ?? '', expiresAt: new Date(extras.surveyExpiresAt ?? 0).toISOString() };
      case 'ticket.sla_breached':
        return { ticket, sla: text(data.sla) ?? 'unknown', priority: (text(data.priority) as PriorityLevel | null) ?? row.priorityLevel };
      case 'ticket.delivery_failed':
        return { ticket, messageId: text(data.messageId) ?? '', reason: text(data.reason) ?? '' };
    }
  })();
  return { type, timestamp, data: payload } as WebhookEnvelope;
}

export function messageEnvelope(row: WebhookTicketSource, message: WebhookMessage): WebhookEnvelope<'ticket.message'> {
  return { type: 'ticket.message', timestamp: message.createdAt, data: { ticket: webhookTicket(row), message } };
}
