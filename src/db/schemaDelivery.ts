import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';
import { deliveryStatuses, type WebhookEventType } from '../domain/delivery';

// Tables of outbound delivery: webhook endpoints, one delivery row per event and endpoint, and
// every attempt at it. A message's own delivery state lives on its row in `messages`.

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

/** A secret an endpoint's payloads are signed with; a rotated-out one signs until it expires. */
export interface EndpointSecret {
  secret: string;
  createdAt: string;
  /** Null for the current secret; the end of the grace period for a rotated-out one. */
  expiresAt: string | null;
}

export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: text('id').primaryKey(),
    url: text('url').notNull(),
    events: text('events').array().$type<WebhookEventType[]>().notNull(),
    description: text('description'),
    /** Only tickets started by this service key's name; null: every ticket. */
    integration: text('integration'),
    secrets: jsonb('secrets').$type<EndpointSecret[]>().notNull(),
    /** False once the receiver answered 410 Gone (or an admin disabled it); nothing is sent until re-enabled. */
    enabled: boolean('enabled').notNull().default(true),
    disabledReason: text('disabled_reason'),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [
    index('webhook_endpoints_live_idx')
      .on(t.enabled)
      .where(sql`${t.deletedAt} is null`),
  ],
);

/**
 * One event for one endpoint: what is sent (byte for byte on every attempt) and where it stands.
 * Stored with fillfactor 60 (migration 0018) so recording an attempt is a HOT update.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    endpointId: text('endpoint_id').notNull(),
    /** The `webhook-id` header: the same for every endpoint and attempt, so a receiver dedupes on it. */
    eventId: text('event_id').notNull(),
    eventType: text('event_type').$type<WebhookEventType>().notNull(),
    ticketId: text('ticket_id').notNull(),
    /** Set for `ticket.message`: the message this delivers. */
    messageId: text('message_id'),
    payload: text('payload').notNull(),
    status: text('status', { enum: deliveryStatuses }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.createdAt),
    index('webhook_deliveries_message_idx').on(t.messageId),
    index('webhook_deliveries_ticket_idx').on(t.ticketId),
  ],
);

export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: serial('id').primaryKey(),
    deliveryId: text('delivery_id').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    /** `workflow` (the ticket's delivery activity) or `manual` (POST …/retry). */
    trigger: text('trigger', { enum: ['workflow', 'manual'] }).notNull(),
    ok: boolean('ok').notNull(),
    status: integer('status'),
    error: text('error'),
    responseBody: text('response_body'),
    durationMs: integer('duration_ms').notNull(),
  },
  (t) => [index('webhook_attempts_delivery_idx').on(t.deliveryId, t.at)],
);

/** Settings Tandem generates once and every process shares (the CSAT link signing key). */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  createdAt: createdAt(),
});
