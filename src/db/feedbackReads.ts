import { eq } from 'drizzle-orm';
import type { Db } from './client';
import { aiDrafts, messages } from './schema';

/** What feedback can be about: an AI draft of this ticket, or a message the AI sent on it. */
export type FeedbackTarget =
  { ok: true; draftId: string; messageId?: string } | { ok: false; status: 400 | 404; field: string; message: string };

export async function feedbackTarget(
  db: Db,
  ticketId: string,
  by: { messageId?: string | undefined; draftId?: string | undefined },
): Promise<FeedbackTarget> {
  if (by.messageId) {
    const [m] = await db
      .select({ ticketId: messages.ticketId, author: messages.author, draftId: messages.draftId, internal: messages.internal })
      .from(messages)
      .where(eq(messages.id, by.messageId))
      .limit(1);
    if (!m || m.ticketId !== ticketId)
      return { ok: false, status: 404, field: 'body.messageId', message: `no message ${by.messageId} on ticket ${ticketId}` };
    if (m.author !== 'ai' || !m.draftId) {
      const whose =
        m.author === 'agent'
          ? m.internal
            ? "an agent's note"
            : "an agent's reply"
          : m.author === 'customer'
            ? "the customer's"
            : 'a system message';
      return { ok: false, status: 400, field: 'body.messageId', message: `message ${by.messageId} is ${whose}, not the AI's` };
    }
    return { ok: true, draftId: m.draftId, messageId: by.messageId };
  }
  const [d] = await db
    .select({ ticketId: aiDrafts.ticketId })
    .from(aiDrafts)
    .where(eq(aiDrafts.id, by.draftId ?? ''))
    .limit(1);
  if (!d || d.ticketId !== ticketId)
    return { ok: false, status: 404, field: 'body.draftId', message: `no AI draft ${by.draftId} on ticket ${ticketId}` };
  return { ok: true, draftId: by.draftId! };
}
