import { eq } from 'drizzle-orm';
import { isLastAttempt } from '../domain/delivery';
import { cutText } from '../domain/text';
import type { Db } from '../db/client';
import {
  deliveriesToSend,
  disableEndpoint,
  emailThread,
  failDeliveries,
  messageToDeliver,
  recordAttempt,
  settleMessage,
  type DeliveryToSend,
} from '../db/deliveries';
import { tickets, type EndpointSecret } from '../db/schema';
import { composeReplyEmail, EmailDeliveryError, type createMailer } from '../email/outbound';
import { sendWebhook } from '../webhooks/send';
import { WebhookInputError } from '../webhooks/signing';

// Sending what a ticket planned to send: one call is one attempt at everything still pending, so
// Temporal's retries are the delivery's retries. An attempt that cannot be the last one throws
// (retry later); the last one records the failure and answers, so the ticket learns why.

export type Mailer = ReturnType<typeof createMailer>;

export interface DeliveryDeps {
  db: Db;
  /** SMTP, when configured: email tickets get their replies by mail. */
  mailer: Mailer | null;
  emailFrom: { address: string; name: string };
  webhookTimeoutMs: number;
  now: () => Date;
}

/** Where one attempt leaves a delivery: settled either way, or worth another attempt. */
export type DeliveryOutcome = { status: 'delivered' | 'failed'; at: number; detail: string };

/** An attempt failed, and a later one may not: Temporal retries the activity on the delivery schedule. */
export class DeliveryPending extends Error {
  override readonly name = 'DeliveryPending';
}

export interface Attempt {
  /** Temporal's attempt number (1-based). */
  number: number;
  /** When the delivery gives up (from the ticket's delivery deadline). */
  giveUpAt: number;
}

const liveSecrets = (secrets: EndpointSecret[], now: Date) =>
  secrets.filter((s) => s.expiresAt === null || Date.parse(s.expiresAt) > now.getTime()).map((s) => s.secret);

interface BatchResult {
  delivered: { id: string; detail: string }[];
  failed: { id: string; reason: string }[];
  pending: { id: string; reason: string }[];
}

/** One attempt at each pending delivery, all at once; each attempt is recorded. */
export async function attemptWebhooks(deps: DeliveryDeps, rows: DeliveryToSend[], trigger: 'workflow' | 'manual'): Promise<BatchResult> {
  const result: BatchResult = { delivered: [], failed: [], pending: [] };
  await Promise.all(
    rows.map(async (row) => {
      if (trigger === 'workflow' && row.status !== 'pending') {
        if (row.status === 'delivered') result.delivered.push({ id: row.id, detail: `${row.endpointId}: delivered earlier` });
        else result.failed.push({ id: row.id, reason: `${row.endpointId}: failed earlier` });
        return;
      }
      if (row.deletedAt || !row.enabled) {
        const reason = `endpoint ${row.endpointId} is ${row.deletedAt ? 'deleted' : 'disabled'}`;
        await failDeliveries(deps.db, [row.id], reason);
        result.failed.push({ id: row.id, reason });
        return;
      }
      const at = deps.now();
      const attempt = await sendWebhook({
        url: row.url,
        webhookId: row.eventId,
        timestamp: at,
        payload: row.payload,
        secrets: liveSecrets(row.secrets, at),
        timeoutMs: deps.webhookTimeoutMs,
      }).catch((err: unknown) => {
        // Our own input was unusable (no live secret, say): no attempt can succeed.
        if (!(err instanceof WebhookInputError)) throw err;
        return { ok: false, status: null, responseBody: '', durationMs: 0, error: `not sent: ${err.message}`, permanent: true };
      });
      await recordAttempt(deps.db, row.id, attempt, trigger, at);
      if (attempt.ok) result.delivered.push({ id: row.id, detail: `${row.endpointId}: ${attempt.status}` });
      else {
        const reason = `${row.endpointId}: ${attempt.error ?? `HTTP ${attempt.status}`}`;
        if (attempt.permanent) {
          if (attempt.status === 410) await disableEndpoint(deps.db, row.endpointId, 'the receiver answered 410 Gone');
          result.failed.push({ id: row.id, reason });
        } else result.pending.push({ id: row.id, reason });
      }
    }),
  );
  return result;
}

/** After an attempt: give up on what is still pending if this was the last attempt, else try again later. */
async function settleOrRetry(deps: DeliveryDeps, batch: BatchResult, attempt: Attempt): Promise<BatchResult> {
  if (batch.pending.length === 0) return batch;
  const reasons = batch.pending.map((p) => p.reason).join('; ');
  if (!isLastAttempt(attempt.number, deps.now().getTime(), attempt.giveUpAt)) throw new DeliveryPending(cutText(reasons, 500));
  await failDeliveries(
    deps.db,
    batch.pending.map((p) => p.id),
    `gave up after ${attempt.number} attempts: ${cutText(reasons, 400)}`,
  );
  return { ...batch, failed: [...batch.failed, ...batch.pending], pending: [] };
}

/** Delivers the webhooks a ticket's events raised (not messages): a failure is logged, the ticket goes on. */
export async function deliverEvents(deps: DeliveryDeps, deliveryIds: string[], attempt: Attempt) {
  const rows = await deliveriesToSend(deps.db, { ids: deliveryIds });
  const batch = await settleOrRetry(deps, await attemptWebhooks(deps, rows, 'workflow'), attempt);
  return { delivered: batch.delivered.length, failed: batch.failed.length };
}

/** One attempt at delivering a message by its planned transport; settled outcomes are recorded on the message. */
export async function deliverMessage(deps: DeliveryDeps, messageId: string, attempt: Attempt): Promise<DeliveryOutcome> {
  const message = await messageToDeliver(deps.db, messageId);
  if (!message) throw new Error(`message ${messageId} is not recorded`);
  if (message.deliveryStatus === 'delivered' || message.deliveryStatus === 'failed') {
    return { status: message.deliveryStatus, at: message.deliveredAt?.getTime() ?? 0, detail: message.deliveryDetail ?? '' };
  }
  const outcome = message.deliveryTransport === 'smtp' ? await mail(deps, message, attempt) : await byWebhook(deps, messageId, attempt);
  await settleMessage(deps.db, messageId, { ...outcome, at: new Date(outcome.at) });
  return outcome;
}

async function byWebhook(deps: DeliveryDeps, messageId: string, attempt: Attempt): Promise<DeliveryOutcome> {
  const rows = await deliveriesToSend(deps.db, { messageId });
  const batch = await settleOrRetry(deps, await attemptWebhooks(deps, rows, 'workflow'), attempt);
  const at = deps.now().getTime();
  // One receiver that took it is a delivery; the ones that refused for good are in the log.
  if (batch.delivered.length > 0)
    return { status: 'delivered', at, detail: cutText(batch.delivered.map((d) => d.detail).join('; '), 1000) };
  return { status: 'failed', at, detail: cutText(batch.failed.map((f) => f.reason).join('; ') || 'no endpoint took it', 1000) };
}

async function mail(deps: DeliveryDeps, message: NonNullable<Awaited<ReturnType<typeof messageToDeliver>>>, attempt: Attempt) {
  const at = () => deps.now().getTime();
  if (!deps.mailer || !message.recipient) return { status: 'failed' as const, at: at(), detail: 'SMTP is not configured on this worker' };
  const [ticket] = await deps.db.select({ subject: tickets.subject }).from(tickets).where(eq(tickets.id, message.ticketId)).limit(1);
  const { thread, inReplyTo } = await emailThread(deps.db, message.ticketId, message.createdAt);
  const email = composeReplyEmail({
    outboundId: message.id,
    ticketId: message.ticketId,
    to: message.recipient,
    subject: ticket?.subject ?? 'Your support request',
    body: message.body,
    from: deps.emailFrom,
    thread,
    inReplyTo,
  });
  try {
    const sent = await deps.mailer.send(email);
    return { status: 'delivered' as const, at: at(), detail: cutText(sent.response, 500) };
  } catch (err: unknown) {
    const permanent = err instanceof EmailDeliveryError && err.permanent;
    const why = cutText(err instanceof Error ? err.message : String(err), 400);
    if (!permanent && !isLastAttempt(attempt.number, at(), attempt.giveUpAt)) throw new DeliveryPending(why);
    return { status: 'failed' as const, at: at(), detail: permanent ? why : `gave up after ${attempt.number} attempts: ${why}` };
  }
}
