import { eq } from 'drizzle-orm';
import { csatRequestText } from '../domain/csat';
import { messageEventId, type DeliveryStatus, type DeliveryTransport, type OutboundKind } from '../domain/delivery';
import type { Citation, TranscriptMessage } from '../domain/ticket';
import type { Channel } from '../domain/vocabulary';
import { messageEnvelope, type WebhookTicketSource } from '../domain/webhookPayloads';
import { messageIdFor } from '../email/addresses';
import type { Db } from './client';
import { addDeliveries, subscribedEndpoints, type Tx } from './deliveries';
import { recordFeedback } from './feedbackWrites';
import { aiDrafts, messages, tickets } from './schema';
import { customerMessageRow, draftOutcomeRow, storable, type DraftOutcomeInput } from './ticketWrites';

// Recording what a ticket says, and deciding how it travels: in the same transaction as the
// message row, so a message is never recorded without its delivery planned, nor planned twice.

export interface OutboundMessage {
  /** Deterministic: ticket + what is being sent, so a retry records and delivers once. */
  id: string;
  ticketId: string;
  kind: OutboundKind | 'note';
  author: 'ai' | 'agent' | 'system';
  agentId?: string | undefined;
  channel: Channel;
  recipient?: string | undefined;
  body: string;
  citations?: Citation[] | undefined;
  draftId?: string | undefined;
  at: number;
  /** A survey or its reminder: the body is written here, with the signed link that expires with the survey. */
  survey?: { subject: string; expiresAt: number };
  /** Customer messages not yet in the read model, written first so an email reply threads to them. */
  inbound?: (TranscriptMessage & { ticketId: string })[];
  /** What became of the AI draft this message sends, recorded in the same transaction. */
  draftOutcome?: DraftOutcomeInput;
  sanitize?: boolean;
}

/** How a recorded message goes out; `transport: null` for a note, which never does. */
export interface DeliveryPlan {
  messageId: string;
  transport: DeliveryTransport | null;
  status: DeliveryStatus | null;
}

/** What planning a delivery needs to know of the process's set-up. */
export interface DeliveryContext {
  /** SMTP is configured: email tickets get their replies by mail. */
  smtp: boolean;
  /** The address replies come from; Message-IDs are made on its domain. */
  emailFrom: string;
  /** The signed survey page for a ticket. */
  csatLink(ticketId: string, expiresAt: number): Promise<string>;
}

const NO_PUSH = 'published in the conversation: no webhook endpoint takes ticket.message for this ticket and it is not mailed';

/** Records a message (and the draft it sends), plans its delivery, and returns the plan; a repeat returns the first plan. */
export async function recordMessage(db: Db, given: OutboundMessage, ctx: DeliveryContext): Promise<DeliveryPlan> {
  let m = given.sanitize ? storable(given) : given;
  if (m.survey)
    m = { ...m, body: csatRequestText(m.kind as 'csat_survey', m.survey.subject, await ctx.csatLink(m.ticketId, m.survey.expiresAt)) };
  const message = m;
  return db.transaction(async (tx) => {
    if (message.draftOutcome) {
      const outcome = message.draftOutcome;
      const [draft] = await tx
        .update(aiDrafts)
        .set(draftOutcomeRow(outcome))
        .where(eq(aiDrafts.id, outcome.draftId))
        .returning({ category: aiDrafts.category });
      // An agent's edit of the AI's draft is its implicit correction.
      if (outcome.outcome === 'modified' && outcome.reviewedBy && outcome.finalBody) {
        const similarity = typeof outcome.feedback?.similarity === 'number' ? outcome.feedback.similarity : null;
        await recordFeedback(tx, {
          ticketId: message.ticketId,
          draftId: outcome.draftId,
          messageId: message.id,
          agent: outcome.reviewedBy,
          source: 'modify',
          correction: outcome.finalBody,
          category: draft?.category ?? null,
          ...(similarity === null ? {} : { editSize: Math.round((1 - similarity) * 1000) / 1000 }),
          at: outcome.at,
        });
      }
    }
    if (message.inbound?.length) await tx.insert(messages).values(message.inbound.map(customerMessageRow)).onConflictDoNothing();
    const [earlier] = await tx
      .select({ transport: messages.deliveryTransport, status: messages.deliveryStatus })
      .from(messages)
      .where(eq(messages.id, message.id));
    if (earlier) return { messageId: message.id, transport: earlier.transport, status: earlier.status };
    const plan = await planDelivery(tx, message, ctx);
    await tx.insert(messages).values({
      id: message.id,
      ticketId: message.ticketId,
      author: message.author,
      agentId: message.agentId ?? null,
      body: message.body,
      draftId: message.draftId ?? null,
      kind: message.kind,
      internal: message.kind === 'note',
      recipient: message.recipient ?? null,
      citations: message.citations ?? null,
      deliveryStatus: plan.status,
      deliveryTransport: plan.transport,
      deliveredAt: plan.transport === 'conversation' ? new Date(message.at) : null,
      deliveryDetail: plan.transport === 'conversation' ? NO_PUSH : null,
      emailMessageId: plan.transport === 'smtp' ? messageIdFor(message.id, ctx.emailFrom) : null,
      createdAt: new Date(message.at),
    });
    return plan;
  });
}

async function planDelivery(tx: Tx, m: OutboundMessage, ctx: DeliveryContext): Promise<DeliveryPlan> {
  const plan = (transport: DeliveryTransport | null): DeliveryPlan => ({
    messageId: m.id,
    transport,
    status: transport === null ? null : transport === 'conversation' ? 'delivered' : 'pending',
  });
  if (m.kind === 'note') return plan(null);
  if (m.channel === 'email' && ctx.smtp && m.recipient) return plan('smtp');
  const [ticket] = await tx.select().from(tickets).where(eq(tickets.id, m.ticketId)).limit(1);
  const endpoints = await subscribedEndpoints(tx, ['ticket.message'], ticket?.createdBy ?? null);
  if (endpoints.length === 0) return plan('conversation');
  // The ticket's first row is written before anything is said; the fallback covers a row the
  // database refused, so the customer still gets the reply.
  const source: WebhookTicketSource = ticket ?? {
    id: m.ticketId,
    externalId: null,
    customerId: null,
    customerEmail: m.recipient ?? null,
    channel: m.channel,
    subject: '',
    status: 'awaiting_customer',
    priorityLevel: null,
    category: null,
    assignee: null,
  };
  const envelope = messageEnvelope(source, {
    id: m.id,
    kind: m.kind,
    author: m.author,
    agentId: m.agentId ?? null,
    channel: m.channel,
    recipient: m.recipient ?? null,
    body: m.body,
    citations: m.citations ?? [],
    createdAt: new Date(m.at).toISOString(),
  });
  const payload = JSON.stringify(envelope);
  const eventId = messageEventId(m.id);
  await addDeliveries(
    tx,
    endpoints.map((e) => ({
      endpointId: e.id,
      eventId,
      eventType: 'ticket.message' as const,
      ticketId: m.ticketId,
      messageId: m.id,
      payload,
    })),
  );
  return plan('webhook');
}
