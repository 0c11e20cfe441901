import { createdEventId, webhookEventId, webhookEventsOf, type WebhookEventType } from '../domain/delivery';
import type { ReadModelRow } from '../domain/readModel';
import type { TranscriptMessage } from '../domain/ticket';
import type { TimelineEvent } from '../domain/ticketState';
import { eventEnvelope } from '../domain/webhookPayloads';
import { addDeliveries, subscribedEndpoints, type NewDelivery, type Tx } from './deliveries';
import type { DeliveryContext } from './messageWrites';

/** How long a survey link lives when the ticket's deadlines no longer say (the score came first). */
const FALLBACK_SURVEY_MS = 7 * 24 * 3_600_000;

/**
 * The webhooks a write of the read model raises: one delivery per event and subscribed endpoint,
 * planned in the write's transaction, so an event is never lost between the row and its webhook.
 * Returns the deliveries still to send; most writes raise none and cost one query at most.
 */
export async function planEventDeliveries(
  tx: Tx,
  row: ReadModelRow,
  events: TimelineEvent[],
  customerMessages: TranscriptMessage[],
  ctx: Pick<DeliveryContext, 'csatLink'>,
): Promise<string[]> {
  const raised: { type: Exclude<WebhookEventType, 'ticket.message'>; event: TimelineEvent | null; eventId: string }[] = [];
  // The opening message is written once, with the ticket's first row: that is its creation.
  if (customerMessages.some((m) => m.id === `${row.id}:in:opening`)) {
    raised.push({ type: 'ticket.created', event: null, eventId: createdEventId(row.id) });
  }
  for (const event of events) {
    for (const type of webhookEventsOf(event)) {
      if (type !== 'ticket.message') raised.push({ type, event, eventId: webhookEventId(row.id, event.seq, type) });
    }
  }
  if (raised.length === 0) return [];
  const endpoints = await subscribedEndpoints(tx, [...new Set(raised.map((r) => r.type))], row.createdBy);
  if (endpoints.length === 0) return [];

  const deliveries: NewDelivery[] = [];
  for (const { type, event, eventId } of raised) {
    const takers = endpoints.filter((e) => e.events.includes(type));
    if (takers.length === 0) continue;
    const extras: { surveyUrl?: string; surveyExpiresAt?: number } = {};
    if (type === 'ticket.csat_requested') {
      const expiresAt =
        row.state.deadlines.find((d) => d.kind === 'csat_window_end')?.at ?? (event?.at ?? row.createdAt) + FALLBACK_SURVEY_MS;
      extras.surveyExpiresAt = expiresAt;
      extras.surveyUrl = await ctx.csatLink(row.id, expiresAt);
    }
    const payload = JSON.stringify(eventEnvelope(type, row, event, extras));
    for (const endpoint of takers) deliveries.push({ endpointId: endpoint.id, eventId, eventType: type, ticketId: row.id, payload });
  }
  return addDeliveries(tx, deliveries);
}
