import { and, desc, eq, ne } from 'drizzle-orm';
import { viewWithoutPolicy } from '../domain/readModel';
import type { TranscriptMessage } from '../domain/ticket';
import type { TicketView, TimelineEvent } from '../domain/ticketState';
import type { Db } from './client';
import { messages, ticketEvents, tickets } from './schema';

// A ticket's state as the read model holds it: the row's state column, with the transcript and
// timeline from their own tables, bounded as the workflow bounds them. Never writes.

const TRANSCRIPT_SHOWN = 50;
const TIMELINE_SHOWN = 200;

export interface StoredTicketView {
  view: TicketView;
  /** The workflow's state version this was written at. */
  version: number;
}

export async function readTicketView(db: Db, ticketId: string): Promise<StoredTicketView | null> {
  const [row] = await db
    .select({ state: tickets.state, snapshot: tickets.snapshot, version: tickets.version })
    .from(tickets)
    .where(eq(tickets.id, ticketId))
    .limit(1);
  if (!row) return null;
  // Tickets that closed before the state column existed kept their whole final state.
  if (!row.state) return row.snapshot ? { view: viewWithoutPolicy(row.snapshot), version: row.version } : null;
  const [said, events] = await Promise.all([
    db
      .select({
        id: messages.id,
        author: messages.author,
        agentId: messages.agentId,
        body: messages.body,
        at: messages.createdAt,
        internal: messages.internal,
        attachments: messages.attachments,
        postedBy: messages.postedBy,
        postedAs: messages.postedAs,
        deliveryStatus: messages.deliveryStatus,
        deliveryTransport: messages.deliveryTransport,
        deliveredAt: messages.deliveredAt,
        deliveryDetail: messages.deliveryDetail,
      })
      .from(messages)
      // CSAT surveys and reminders are deliveries, not turns of the conversation.
      .where(and(eq(messages.ticketId, ticketId), ne(messages.author, 'system')))
      .orderBy(desc(messages.createdAt), desc(messages.id))
      .limit(TRANSCRIPT_SHOWN),
    db
      .select({ seq: ticketEvents.seq, at: ticketEvents.at, type: ticketEvents.type, actor: ticketEvents.actor, data: ticketEvents.data })
      .from(ticketEvents)
      .where(eq(ticketEvents.ticketId, ticketId))
      .orderBy(desc(ticketEvents.seq))
      .limit(TIMELINE_SHOWN),
  ]);
  const transcript: TranscriptMessage[] = said.reverse().map((m) => ({
    id: m.id,
    author: m.author,
    body: m.body,
    at: m.at.getTime(),
    ...(m.agentId ? { agentId: m.agentId } : {}),
    ...(m.internal ? { internal: true } : {}),
    ...(m.attachments?.length ? { attachments: m.attachments } : {}),
    ...(m.postedBy ? { postedBy: { name: m.postedBy, role: m.postedAs ?? 'unknown' } } : {}),
    ...(m.deliveryStatus && m.deliveryTransport
      ? {
          delivery: {
            status: m.deliveryStatus,
            transport: m.deliveryTransport,
            at: m.deliveredAt?.getTime() ?? null,
            detail: m.deliveryDetail,
          },
        }
      : {}),
  }));
  const timeline: TimelineEvent[] = events.reverse().map((e) => ({
    seq: e.seq,
    at: e.at.getTime(),
    type: e.type,
    actor: e.actor,
    ...(e.data ? { data: e.data } : {}),
  }));
  return { view: { ...row.state, transcript, timeline }, version: row.version };
}
