import type { TimelineEvent } from './ticketState';
import type { TicketStatus } from './vocabulary';

// How what a ticket says and does reaches the outside world: which webhook events exist, which
// timeline events raise them, how a message travels, and how long a delivery keeps trying. Pure,
// so the workflow, the activities and the API decide these things the same way.

/** Who replies come from when EMAIL_FROM and EMAIL_FROM_NAME are not set. */
export const DEFAULT_EMAIL_FROM = { address: 'support@tandem.localhost', name: 'Tandem Support' } as const;

/** The webhook event catalogue (README "Delivering replies"; OpenAPI `webhooks`). */
export const webhookEventTypes = [
  'ticket.created',
  'ticket.message',
  'ticket.escalated',
  'ticket.assigned',
  'ticket.resolved',
  'ticket.reopened',
  'ticket.csat_requested',
  'ticket.sla_breached',
  'ticket.delivery_failed',
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

/**
 * How a message reaches the customer: by SMTP (email tickets, when SMTP is configured), by the
 * `ticket.message` webhook (when an endpoint subscribes to it), or by the conversation alone
 * (`GET /v1/tickets/:id/conversation`, which a chat widget reads) when neither is set up.
 */
export const deliveryTransports = ['smtp', 'webhook', 'conversation'] as const;
export type DeliveryTransport = (typeof deliveryTransports)[number];

export const deliveryStatuses = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** What the customer was sent: replies, and the CSAT survey and its reminder. Notes are never sent. */
export const outboundKinds = ['reply', 'csat_survey', 'csat_reminder'] as const;
export type OutboundKind = (typeof outboundKinds)[number];

/** A message's delivery as the ticket and its read model record it. */
export interface MessageDelivery {
  status: DeliveryStatus;
  transport: DeliveryTransport;
  /** When it was delivered or given up on. */
  at: number | null;
  /** The receiver's answer (an SMTP reply, HTTP statuses) or why it failed. */
  detail: string | null;
}

/** A delivery that failed after its last attempt: it raises the ticket to a person. */
export interface DeliveryFailure {
  messageId: string;
  kind: OutboundKind;
  reason: string;
  at: number;
}

/**
 * How long a delivery keeps trying, and how its attempts are spaced: Temporal retries the
 * activity on this schedule, and the activity itself knows from it when an attempt is its last
 * (so it records the failure and answers instead of throwing once more).
 */
export const deliveryRetry = { initialMs: 1000, coefficient: 2, maximumMs: 10 * 60_000 } as const;
export const DEFAULT_DELIVERY_DEADLINE_MS = 24 * 3_600_000;

/** The wait Temporal puts before the attempt after `attempt` (1-based). */
export function retryDelayAfter(attempt: number): number {
  return Math.min(deliveryRetry.initialMs * deliveryRetry.coefficient ** Math.max(0, attempt - 1), deliveryRetry.maximumMs);
}

/** True when another attempt could not start before the delivery gives up. */
export const isLastAttempt = (attempt: number, now: number, giveUpAt: number): boolean => now + retryDelayAfter(attempt) >= giveUpAt;

/**
 * The webhook events a timeline event raises. The opening customer message (written once, with
 * the ticket's first row) raises `ticket.created`; `ticket.message` is raised by the message's
 * own delivery, not here.
 */
export function webhookEventsOf(e: TimelineEvent): WebhookEventType[] {
  const data = e.data ?? {};
  switch (e.type) {
    case 'status_changed':
      if (Array.isArray(data.reasons)) return ['ticket.escalated'];
      if (data.to === 'resolved') return ['ticket.resolved'];
      // A person took the ticket: by taking it over, being assigned it, or replying to it.
      if (data.to === 'human_handling' && typeof data.action === 'string' && ['takeover', 'assign', 'reply'].includes(data.action)) {
        return ['ticket.assigned'];
      }
      return [];
    case 'assigned':
      return ['ticket.assigned'];
    case 'reopened':
      return ['ticket.reopened'];
    case 'csat_survey_sent':
      return ['ticket.csat_requested'];
    case 'sla_breached':
      return ['ticket.sla_breached'];
    case 'delivery_failed':
      return ['ticket.delivery_failed'];
    default:
      return [];
  }
}

// The id a receiver dedupes on (`webhook-id`): stable across retries of the same event. The
// specification forbids '.' in it (it joins id, timestamp and body for the signature).
const safe = (id: string) => id.replace(/[^A-Za-z0-9_-]/g, '_');
export const webhookEventId = (ticketId: string, seq: number, type: WebhookEventType) =>
  `evt_${safe(ticketId)}_${seq}_${type.slice('ticket.'.length)}`;
export const createdEventId = (ticketId: string) => `evt_${safe(ticketId)}_created`;
export const messageEventId = (messageId: string) => `msg_${safe(messageId)}`;

/** What a customer may know of where their ticket stands. */
export type PublicStatus = 'open' | 'waiting_on_customer' | 'resolved' | 'closed';
export function publicStatusOf(status: TicketStatus): PublicStatus {
  if (status === 'awaiting_customer') return 'waiting_on_customer';
  if (status === 'resolved' || status === 'closed') return status;
  return 'open';
}
