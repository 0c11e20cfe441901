import { randomUUID } from 'node:crypto';
import { and, desc, eq, inArray, isNull, lt, or } from 'drizzle-orm';
import type { WebhookEventType } from '../domain/delivery';
import type { Db } from './client';
import { webhookAttempts, webhookDeliveries, webhookEndpoints, type EndpointSecret } from './schema';

// The webhook endpoints an admin manages, and their delivery log. Secrets leave the database
// through `createEndpoint` and `rotateSecret` only, once; lists never carry them.

export type EndpointRecord = typeof webhookEndpoints.$inferSelect;

const live = isNull(webhookEndpoints.deletedAt);

export async function createEndpoint(
  db: Db,
  input: {
    url: string;
    events: WebhookEventType[];
    description: string | null;
    integration: string | null;
    secret: string;
    createdBy: string;
  },
): Promise<EndpointRecord> {
  const now = new Date();
  const [row] = await db
    .insert(webhookEndpoints)
    .values({
      id: `whe_${randomUUID().replaceAll('-', '').slice(0, 20)}`,
      url: input.url,
      events: input.events,
      description: input.description,
      integration: input.integration,
      secrets: [{ secret: input.secret, createdAt: now.toISOString(), expiresAt: null }],
      createdBy: input.createdBy,
      createdAt: now,
    })
    .returning();
  return row!;
}

export const listEndpoints = (db: Db) => db.select().from(webhookEndpoints).where(live).orderBy(desc(webhookEndpoints.createdAt));

export async function getEndpoint(db: Db, id: string): Promise<EndpointRecord | null> {
  const [row] = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, id), live))
    .limit(1);
  return row ?? null;
}

/** Deleted endpoints keep their delivery log; nothing more is planned or sent to them. */
export async function deleteEndpoint(db: Db, id: string): Promise<boolean> {
  const rows = await db
    .update(webhookEndpoints)
    .set({ deletedAt: new Date() })
    .where(and(eq(webhookEndpoints.id, id), live))
    .returning({ id: webhookEndpoints.id });
  return rows.length > 0;
}

export async function setEndpointEnabled(db: Db, id: string, enabled: boolean): Promise<EndpointRecord | null> {
  const [row] = await db
    .update(webhookEndpoints)
    .set({ enabled, disabledReason: enabled ? null : 'disabled by an admin' })
    .where(and(eq(webhookEndpoints.id, id), live))
    .returning();
  return row ?? null;
}

/**
 * A new current secret; the one it replaces keeps signing until the grace period ends, so
 * receivers can switch without dropping a message. Secrets already past their grace are dropped.
 */
export async function rotateSecret(db: Db, id: string, secret: string, graceMs: number): Promise<EndpointRecord | null> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select()
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.id, id), live))
      .for('update');
    if (!row) return null;
    const now = new Date();
    const until = new Date(now.getTime() + graceMs).toISOString();
    const kept: EndpointSecret[] = row.secrets
      .filter((s) => s.expiresAt === null || Date.parse(s.expiresAt) > now.getTime())
      .map((s) => (s.expiresAt === null ? { ...s, expiresAt: until } : s));
    const [updated] = await tx
      .update(webhookEndpoints)
      .set({ secrets: [...kept, { secret, createdAt: now.toISOString(), expiresAt: null }] })
      .where(eq(webhookEndpoints.id, id))
      .returning();
    return updated ?? null;
  });
}

/** An endpoint's deliveries, newest first, each with its attempts (oldest first). */
export async function listDeliveries(db: Db, endpointId: string, limit: number, before?: { createdAt: Date; id: string }) {
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.endpointId, endpointId),
        before
          ? or(
              lt(webhookDeliveries.createdAt, before.createdAt),
              and(eq(webhookDeliveries.createdAt, before.createdAt), lt(webhookDeliveries.id, before.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const attempts = page.length
    ? await db
        .select()
        .from(webhookAttempts)
        .where(
          inArray(
            webhookAttempts.deliveryId,
            page.map((r) => r.id),
          ),
        )
        .orderBy(webhookAttempts.at, webhookAttempts.id)
    : [];
  return {
    rows: page.map((r) => ({ ...r, attemptLog: attempts.filter((a) => a.deliveryId === r.id) })),
    next: rows.length > limit ? page.at(-1)! : null,
  };
}

/** One of an endpoint's deliveries with its attempts, or null. */
export async function getDelivery(db: Db, endpointId: string, deliveryId: string) {
  const [row] = await db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.endpointId, endpointId)))
    .limit(1);
  if (!row) return null;
  const attemptLog = await db
    .select()
    .from(webhookAttempts)
    .where(eq(webhookAttempts.deliveryId, deliveryId))
    .orderBy(webhookAttempts.at, webhookAttempts.id);
  return { ...row, attemptLog };
}
