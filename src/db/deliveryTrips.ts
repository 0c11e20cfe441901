import type { WebhookAttempt } from '../webhooks/send';
import type { Db } from './client';
import { groupCommit } from './groupCommit';
import { runPrepared } from './preparedStatement';
import type { EndpointSecret } from './schema';
import { textArray } from './textArray';

// The hot path of webhook delivery as one round trip: what the deliveries running side by side
// need next (the rows they are about to send) and what they just did (their attempts) travel in
// one statement. A busy worker's cost is per statement far more than per row (parse, commit,
// socket writes), so loads and records queued at the same time share one: the attempts are
// logged and their deliveries brought up to date, and the rows asked for come back.

/** A delivery with what sending it needs: its endpoint's URL, secrets and whether it still takes it. */
export interface DeliveryToSend {
  id: string;
  endpointId: string;
  eventId: string;
  messageId: string | null;
  payload: string;
  status: 'pending' | 'delivered' | 'failed';
  url: string;
  secrets: EndpointSecret[];
  enabled: boolean;
  deletedAt: Date | null;
}

export interface AttemptRecord {
  deliveryId: string;
  attempt: WebhookAttempt;
  trigger: 'workflow' | 'manual';
  at: Date;
}

type Trip = { load: { ids: string[] } | { messageId: string } } | { record: AttemptRecord };

interface RawRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  message_id: string | null;
  payload: string;
  status: DeliveryToSend['status'];
  url: string;
  secrets: EndpointSecret[] | string;
  enabled: boolean;
  deleted_at: string | Date | null;
}

// Constant text (the batch travels as parameters), run as a prepared statement: parsed once per
// connection, one round trip per batch. The data-modifying CTEs run whether or not the select reads
// them; the select sees the rows as they were before this statement, which is right: a delivery
// is loaded before it is attempted, never in the same batch as its own attempt.
const statement = `
  with input as (
    select * from jsonb_to_recordset($1::jsonb)
      as x(delivery_id text, at timestamptz, trigger text, ok boolean, status integer, error text, response_body text, duration_ms integer, outcome text)
  ),
  logged as (
    insert into webhook_attempts (delivery_id, at, trigger, ok, status, error, response_body, duration_ms)
    select delivery_id, at, trigger, ok, status, error, response_body, duration_ms from input
  ),
  recorded as (
    update webhook_deliveries d
    set attempts = d.attempts + 1,
        last_status = i.status,
        last_error = i.error,
        last_attempt_at = i.at,
        status = coalesce(i.outcome, d.status),
        delivered_at = case when i.ok then i.at else d.delivered_at end
    from input i
    -- The id list as well as the join: it keeps the planner on the primary key, never a scan.
    where d.id = i.delivery_id and d.id = any($2::text[])
  )
  select d.id, d.endpoint_id, d.event_id, d.message_id, d.payload, d.status, e.url, e.secrets, e.enabled, e.deleted_at
  from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
  where d.id = any($3::text[]) or d.message_id = any($4::text[])
  order by d.created_at`;

const toDelivery = (r: RawRow): DeliveryToSend => ({
  id: r.id,
  endpointId: r.endpoint_id,
  eventId: r.event_id,
  messageId: r.message_id,
  payload: r.payload,
  status: r.status,
  url: r.url,
  // postgres.js parses jsonb, PGlite too; a driver that hands back text still gets read.
  secrets: typeof r.secrets === 'string' ? (JSON.parse(r.secrets) as EndpointSecret[]) : r.secrets,
  enabled: r.enabled,
  deletedAt: r.deleted_at === null ? null : new Date(r.deleted_at),
});

const attemptRow = ({ deliveryId, attempt: a, trigger, at }: AttemptRecord) => ({
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
});

async function runTrips(db: Db, trips: Trip[]): Promise<(DeliveryToSend[] | undefined)[]> {
  const records: AttemptRecord[] = [];
  const ids: string[] = [];
  const messageIds: string[] = [];
  for (const trip of trips) {
    if ('record' in trip) records.push(trip.record);
    else if ('ids' in trip.load) ids.push(...trip.load.ids);
    else messageIds.push(trip.load.messageId);
  }
  const found = await runPrepared<RawRow>(db, statement, [
    JSON.stringify(records.map(attemptRow)),
    textArray(records.map((r) => r.deliveryId)),
    textArray(ids),
    textArray(messageIds),
  ]);
  // Each load gets its own rows back, oldest first as the statement sorts them: a one-id load (a
  // delivery's own) is looked up rather than searched for, so a batch costs rows, not rows × loads.
  const rows = found.map(toDelivery);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return trips.map((trip) => {
    if ('record' in trip) return undefined;
    const { load } = trip;
    if ('messageId' in load) return rows.filter((r) => r.messageId === load.messageId);
    if (load.ids.length === 1) {
      const row = byId.get(load.ids[0]!);
      return row ? [row] : [];
    }
    const wanted = new Set(load.ids);
    return rows.filter((r) => wanted.has(r.id));
  });
}

const tripsByDb = new WeakMap<Db, (trip: Trip) => Promise<DeliveryToSend[] | undefined>>();

// One statement in flight (groupCommit): with two, each batch was half the size for the same
// throughput, and PostgreSQL spent 45 µs of CPU a delivery instead of 30, at the worker's 100
// deliveries side by side.
function trips(db: Db) {
  let send = tripsByDb.get(db);
  if (!send) tripsByDb.set(db, (send = groupCommit((batch: Trip[]) => runTrips(db, batch))));
  return send;
}

/** Deliveries by id or by the message they deliver, oldest first, with their endpoints' URL and secrets. */
export async function deliveriesToSend(db: Db, where: { ids: string[] } | { messageId: string }): Promise<DeliveryToSend[]> {
  return (await trips(db)({ load: where })) ?? [];
}

/**
 * Records one attempt and what it means for the delivery: delivered on a 2xx, failed for good
 * when retrying cannot help (410); otherwise it stays pending for the next attempt. The caller
 * returns only once its own attempt is stored.
 */
export async function recordAttempt(db: Db, deliveryId: string, attempt: WebhookAttempt, trigger: 'workflow' | 'manual', at: Date) {
  await trips(db)({ record: { deliveryId, attempt, trigger, at } });
}
