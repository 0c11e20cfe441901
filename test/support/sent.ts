import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Db } from '../../src/db/client';
import { messages } from '../../src/db/schema';

/** What tickets sent their customers (replies, surveys, reminders): never their own messages or notes. */
export function sentMessages(db: Db, ticketIds: string | string[]) {
  const ids = Array.isArray(ticketIds) ? ticketIds : [ticketIds];
  return db
    .select()
    .from(messages)
    .where(and(inArray(messages.ticketId, ids), isNotNull(messages.kind), eq(messages.internal, false)));
}
