import { createHash } from 'node:crypto';
import { and, arrayOverlaps, asc, desc, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { WebhookEventType } from '../domain/delivery';
import type { WebhookAttempt } from '../webhooks/send';
import type { Db } from './client';
import { groupCommit } from './groupCommit';
import { textArray } from './textArray';
import { messages, webhookAttempts, webhookDeliveries, webhookEndpoints } from './schema';

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

const toSend = {
  id: webhookDeliveries.id,
  endpointId: webhookDeliveries.endpointId,
  eventId: webhookDeliveries.eventId,
  payload: webhookDeliveries.payload,
  status: webhookDeliveries.status,
  url: webhookEndpoints.url,
  secrets: webhookEndpoints.secrets,
  enabled: webhookEndpoints.enabled,
  deletedAt: webhookEndpoints.deletedAt,
};

// Prepared once per database: sending is the hot path (one lookup per attempt), and building the
// query each time costs more than running it.
const prepared = new WeakMap<Db, ReturnType<typeof prepareSends>>();
function prepareSends(db: Db) {
  const base = () =>
    db.select(toSend).from(webhookDeliveries).innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId));
  return {
    byIds: base()
      .where(sql`${webhookDeliveries.id} = any(${sql.placeholder('ids')}::text[])`)
      .orderBy(asc(webhookDeliveries.createdAt))
      .prepare('webhook_deliveries_by_ids'),
    byMessage: base()
      .where(eq(webhookDeliveries.messageId, sql.placeholder('messageId')))
      .orderBy(asc(webhookDeliveries.createdAt))
      .prepare('webhook_deliveries_by_message'),
  };
}

type Sendable = Awaited<ReturnType<ReturnType<typeof prepareSends>['byIds']['execute']>>[number];
const loaders = new WeakMap<Db, (ids: string[]) => Promise<Sendable[]>>();

/**
 * Deliveries with what sending them needs: the endpoint's URL, secrets and whether it still takes
 * them. Lookups by id made at the same time share one query (deliveries run side by side).
 */
export function deliveriesToSend(db: Db, where: { ids: string[] } | { messageId: string }): Promise<Sendable[]> {
  let statements = prepared.get(db);
  if (!statements) prepared.set(db, (statements = prepareSends(db)));
  if ('messageId' in where) return statements.byMessage.execute({ messageId: where.messageId });
  let load = loaders.get(db);
  if (!load) {
    const { byIds } = statements;
    load = groupCommit(
      async (batches: string[][]) => {
        const rows = await byIds.execute({ ids: textArray(batches.flat()) });
        return batches.map((ids) => rows.filter((r) => ids.includes(r.id)));
      },
      { inFlight: 2 },
    );
    loaders.set(db, load);
  }
  return load(where.ids);
}

export type DeliveryToSend = Awaited<ReturnType<typeof deliveriesToSend>>[number];

interface AttemptRecord {
  deliveryId: string;
  attempt: WebhookAttempt;
  trigger: 'workflow' | 'manual';
  at: Date;
}

/**
 * Many attempts in one statement: each inserted into the log, each delivery's row brought up to
 * date. The batch travels as one JSON parameter, so the statement's text never changes (the
 * driver prepares it once) and building it costs nothing per attempt.
 */
async function recordAttempts(db: Db, records: AttemptRecord[]): Promise<void[]> {
  const rows = records.map(({ deliveryId, attempt: a, trigger, at }) => ({
    delivery_id: deliveryId,
    at: at.toISOString(),
    trigger,
    ok: a.ok,
    status: a.status,
    error: a.error,
    response_body: a.responseBody,
    duration_ms: Math.round(a.durationMs),
    // A manual retry of a failed delivery may revive it; nothing makes a delivered one pending again.
    outcome: a.ok ? 'delivered' : a.permanent ? 'failed' : null,
  }));
  await db.execute(sql`
    with input as (
      select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as x(delivery_id text, at timestamptz, trigger text, ok boolean, status integer, error text, response_body text, duration_ms integer, outcome text)
    ),
    logged as (
      insert into ${webhookAttempts} (delivery_id, at, trigger, ok, status, error, response_body, duration_ms)
      select delivery_id, at, trigger, ok, status, error, response_body, duration_ms from input
    )
    update ${webhookDeliveries} d
    set attempts = d.attempts + 1,
        last_status = i.status,
        last_error = i.error,
        last_attempt_at = i.at,
        status = coalesce(i.outcome, d.status),
        delivered_at = case when i.ok then i.at else d.delivered_at end
    from input i
    -- The id list as well as the join: it keeps the planner on the primary key, never a scan.
    where d.id = i.delivery_id and d.id = any(${textArray(records.map((r) => r.deliveryId))}::text[])`);
  return records.map(() => undefined);
}

const attemptWriters = new WeakMap<Db, (r: AttemptRecord) => Promise<void>>();

/**
 * Records one attempt and what it means for the delivery: delivered on a 2xx, failed for good
 * when retrying cannot help (410); otherwise it stays pending for the next attempt. Attempts made
 * at the same time share one statement (a group commit), so a busy worker is not one commit per
 * webhook; each caller still returns only once its own attempt is stored.
 */
export function recordAttempt(db: Db, deliveryId: string, attempt: WebhookAttempt, trigger: 'workflow' | 'manual', at: Date) {
  let write = attemptWriters.get(db);
  if (!write) attemptWriters.set(db, (write = groupCommit((records: AttemptRecord[]) => recordAttempts(db, records), { inFlight: 2 })));
  return write({ deliveryId, attempt, trigger, at });
}

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
