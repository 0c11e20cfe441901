import { and, asc, eq } from 'drizzle-orm';
import type { Db } from './client';
import { messages, tickets } from './schema';

// What a customer may read of their ticket: its public messages and where it stands. Internal
// notes, drafts (they live in ai_drafts until sent), enrichment and summaries are never selected.

export async function customerConversation(db: Db, ticketId: string) {
  const [ticket] = await db
    .select({
      id: tickets.id,
      subject: tickets.subject,
      channel: tickets.channel,
      status: tickets.status,
      createdBy: tickets.createdBy,
      state: tickets.state,
      csatScore: tickets.csatScore,
    })
    .from(tickets)
    .where(eq(tickets.id, ticketId))
    .limit(1);
  if (!ticket) return null;
  const said = await db
    .select({
      id: messages.id,
      author: messages.author,
      kind: messages.kind,
      body: messages.body,
      at: messages.createdAt,
      deliveryStatus: messages.deliveryStatus,
      deliveredAt: messages.deliveredAt,
      attachments: messages.attachments,
    })
    .from(messages)
    .where(and(eq(messages.ticketId, ticketId), eq(messages.internal, false)))
    .orderBy(asc(messages.createdAt), asc(messages.id));
  return { ticket, messages: said };
}
