import { createHash } from 'node:crypto';
import { and, arrayOverlaps, asc, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { WebhookEventType } from '../domain/delivery';
import type { Db } from './client';
import { messages, webhookDeliveries, webhookEndpoints } from './schema';

// Every statement about webhook deliveries: which endpoints an event goes to, one row per event
// and endpoint (keyed so a retried activity never adds a second), each attempt, and the state a
// message's delivery ends in. Activities and the webhook admin routes call these.

/** A transaction or the database: planning a delivery shares the transaction that records the message. */
export type Tx = Pick<Db, 'select' | 'insert' | 'update'>;

export const deliveryIdFor = (eventId: string, endpointId: string) =>
  `dlv_${createHash('sha256').update(`${eventId}|${endpointId}`).digest('hex').slice(0, 24)}`;

/** Live endpoints subscribed to any of `types` that take this ticket (all tickets, or its integration's). */
export async function subscribedEndpoints(tx: Tx, types: WebhookEventType[], integration: string | null) {
  if (types.length === 0) return [];
  return tx
    .select({ id: webhookEndpoints.id, events: webhookEndpoints.events })
    .from(webhookEndpoints)
    .where(
      and(
        isNull(webhookEndpoints.deletedAt),
        eq(webhookEndpoints.enabled, true),
        arrayOverlaps(webhookEndpoints.events, types),
        integration === null
          ? isNull(webhookEndpoints.integration)
          : or(isNull(webhookEndpoints.integration), eq(webhookEndpoints.integration, integration)),
      ),
    );
}

export interface NewDelivery {
  endpointId: string;
  eventId: string;
  eventType: WebhookEventType;
  ticketId: string;
  messageId?: string;
  payload: string;
}

/**
 * Adds the deliveries (once: a repeat finds them) and returns the ids of those still pending, the
 * repeat's included: an activity retried after its first attempt committed still sends them.
 */
export async function addDeliveries(tx: Tx, rows: NewDelivery[]): Promise<string[]> {
  if (rows.length === 0) return [];
  const values = rows.map((r) => ({ ...r, id: deliveryIdFor(r.eventId, r.endpointId), messageId: r.messageId ?? null }));
  await tx.insert(webhookDeliveries).values(values).onConflictDoNothing();
  const pending = await tx
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(
      and(
        inArray(
          webhookDeliveries.id,
          values.map((v) => v.id),
        ),
        eq(webhookDeliveries.status, 'pending'),
      ),
    );
  return pending.map((p) => p.id);
}

// Loading what to send and recording attempts share their statements: see deliveryTrips.
export { deliveriesToSend, recordAttempt, type DeliveryToSend } from './deliveryTrips';

/** Gives up on deliveries still pending (the last attempt failed, or the endpoint went away). */
export async function failDeliveries(db: Db, ids: string[], reason: string) {
  if (ids.length === 0) return;
  await db
    .update(webhookDeliveries)
    .set({ status: 'failed', lastError: reason })
    .where(and(inArray(webhookDeliveries.id, ids), eq(webhookDeliveries.status, 'pending')));
}

/** The receiver said 410 Gone: nothing more goes to it until an admin enables it again. */
export async function disableEndpoint(db: Db, endpointId: string, reason: string) {
  await db.update(webhookEndpoints).set({ enabled: false, disabledReason: reason }).where(eq(webhookEndpoints.id, endpointId));
}

/** A message's delivery reached its end: delivered (with the receiver's answer) or failed (with why). */
export async function settleMessage(db: Db, messageId: string, outcome: { status: 'delivered' | 'failed'; at: Date; detail: string }) {
  await db
    .update(messages)
    .set({ deliveryStatus: outcome.status, deliveredAt: outcome.at, deliveryDetail: outcome.detail })
    .where(and(eq(messages.id, messageId), eq(messages.deliveryStatus, 'pending')));
}

export async function messageToDeliver(db: Db, messageId: string) {
  const [row] = await db.select().from(messages).where(eq(messages.id, messageId)).limit(1);
  return row ?? null;
}

/** The email thread of a ticket up to a message: every Message-ID, oldest first, and the newest the customer sent. */
export async function emailThread(db: Db, ticketId: string, before: Date) {
  const rows = await db
    .select({ emailMessageId: messages.emailMessageId, author: messages.author })
    .from(messages)
    .where(and(eq(messages.ticketId, ticketId), sql`${messages.emailMessageId} is not null`, lt(messages.createdAt, before)))
    .orderBy(asc(messages.createdAt), asc(messages.id));
  const ids = rows.map((r) => r.emailMessageId!);
  const inbound = rows.filter((r) => r.author === 'customer').at(-1)?.emailMessageId ?? null;
  return { thread: ids, inReplyTo: inbound };
}

/** The ticket a reply threads to: the one holding any of the Message-IDs it references. */
export async function ticketByEmailMessageIds(db: Db, ids: string[]): Promise<string | null> {
  if (ids.length === 0) return null;
  const [row] = await db
    .select({ ticketId: messages.ticketId })
    .from(messages)
    .where(inArray(messages.emailMessageId, ids))
    .orderBy(desc(messages.createdAt))
    .limit(1);
  return row?.ticketId ?? null;
}

/** A manual retry delivered a message its own delivery had given up on. */
export async function reviveMessage(db: Db, messageId: string, at: Date, detail: string) {
  await db
    .update(messages)
    .set({ deliveryStatus: 'delivered', deliveredAt: at, deliveryDetail: detail })
    .where(and(eq(messages.id, messageId), sql`${messages.deliveryStatus} is distinct from 'delivered'`));
}
