import { randomUUID } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/client';
import { addDeliveries, deliveryIdFor } from '../src/db/deliveries';
import { deliveriesToSend, recordAttempt } from '../src/db/deliveryTrips';
import { webhookAttempts, webhookDeliveries } from '../src/db/schema';
import { createEndpoint } from '../src/db/webhookEndpoints';
import type { WebhookAttempt } from '../src/webhooks';
import { newWebhookSecret } from '../src/webhooks/secrets';
import { openTestDatabase } from './support/harness';

// The delivery hot path runs as one prepared statement shared by concurrent deliveries: loads and
// attempt records queued together travel in one batch. Driven on both drivers, with enough
// concurrent callers that batches form, and for several rounds, so the statement is run again on
// connections that prepared it already (postgres.js then binds with the types PostgreSQL gave it).

const answer = (status: number): WebhookAttempt => ({
  ok: status >= 200 && status < 300,
  status,
  responseBody: status === 200 ? 'ok' : `HTTP ${status}`,
  durationMs: 3,
  error: status >= 200 && status < 300 ? null : `HTTP ${status}`,
  permanent: status === 410,
});

const opened: Database[] = [];
afterAll(async () => {
  await Promise.all(opened.map((d) => d.close()));
});

const drivers: [string, () => Promise<Database>][] = [
  ['the test run’s database', openTestDatabase],
  [
    'PGlite',
    async () => {
      const database = openDatabase({ pgliteDir: 'memory://' });
      await database.migrate();
      return database;
    },
  ],
];

describe.each(drivers)('delivery trips on %s', (_name, open) => {
  it('loads what concurrent deliveries send and records their attempts, batch after batch', async () => {
    const database = await open();
    opened.push(database);
    const { db } = database;
    const secret = newWebhookSecret();
    const tag = randomUUID().slice(0, 8);
    const endpoint = await createEndpoint(db, {
      url: 'http://127.0.0.1:9/hooks',
      events: ['ticket.message'],
      description: 'trips',
      integration: `trips-${tag}`,
      secret,
      createdBy: 'test',
    });
    const count = 40;
    const planned = await addDeliveries(
      db,
      Array.from({ length: count }, (_, i) => ({
        endpointId: endpoint.id,
        eventId: `msg_trips_${tag}_${i}`,
        eventType: 'ticket.message' as const,
        ticketId: `tkt_${tag}`,
        messageId: `tkt_${tag}:out:${i}`,
        payload: JSON.stringify({ n: i, text: 'Grüße "quoted" \\ 👋🏽' }),
      })),
    );
    // In the order planned (addDeliveries answers in no particular order).
    const ids = Array.from({ length: count }, (_, i) => deliveryIdFor(`msg_trips_${tag}_${i}`, endpoint.id));
    expect([...planned].sort()).toEqual([...ids].sort());
    // Three rounds: 200 for a third, 500 (try again) for a third, 410 (give up) for the rest.
    const statusFor = (i: number) => [200, 500, 410][i % 3]!;
    for (let round = 1; round <= 3; round++) {
      const loaded = await Promise.all(
        ids.map(async (id, i) => {
          const [row] = await deliveriesToSend(db, { ids: [id] });
          await recordAttempt(db, id, answer(statusFor(i)), 'workflow', new Date());
          return row;
        }),
      );
      for (const [i, row] of loaded.entries()) {
        expect(row).toMatchObject({ id: ids[i], endpointId: endpoint.id, url: endpoint.url, enabled: true, deletedAt: null });
        expect(row!.secrets.map((s) => s.secret)).toEqual([secret]);
        expect(JSON.parse(row!.payload)).toEqual({ n: i, text: 'Grüße "quoted" \\ 👋🏽' });
        // What the load saw is the state before this round's attempt.
        const before = round === 1 ? 'pending' : ({ 200: 'delivered', 500: 'pending', 410: 'failed' } as const)[statusFor(i)];
        expect(row!.status).toBe(before);
      }
    }
    const states = await db.select().from(webhookDeliveries).where(inArray(webhookDeliveries.id, ids));
    for (const state of states) {
      const i = ids.indexOf(state.id);
      const status = statusFor(i);
      expect(state).toMatchObject({
        status: { 200: 'delivered', 500: 'pending', 410: 'failed' }[status],
        attempts: 3,
        lastStatus: status,
      });
      expect(state.deliveredAt !== null).toBe(status === 200);
    }
    const attempts = await db.select().from(webhookAttempts).where(inArray(webhookAttempts.deliveryId, ids));
    expect(attempts).toHaveLength(count * 3);
    expect(attempts.filter((a) => a.ok)).toHaveLength(ids.filter((_, i) => statusFor(i) === 200).length * 3);

    // By message: what a reply's delivery loads.
    const byMessage = await deliveriesToSend(db, { messageId: `tkt_${tag}:out:4` });
    expect(byMessage.map((r) => r.id)).toEqual([ids[4]]);
    expect(byMessage[0]!.status).toBe('pending');
  });
});
