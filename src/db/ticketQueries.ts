import { and, asc, desc, eq, gte, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { cutText } from '../domain/text';
import type { EscalationSummary } from '../domain/ticket';
import type { HandlingMode, IssueType, PriorityLevel, TicketStatus, Tier } from '../domain/vocabulary';
import type { Db } from './client';
import { customers, tickets } from './schema';

// Reads over the tickets read model for the API's lists and queues. Writes happen only in
// activities (persistTicket); these never write.

export type TicketRecord = typeof tickets.$inferSelect;

export async function findCustomer(db: Db, by: { id?: string | undefined; email?: string | undefined }) {
  const where = by.id ? eq(customers.id, by.id) : sql`lower(${customers.email}) = lower(${by.email ?? ''})`;
  const [row] = await db.select({ id: customers.id, email: customers.email }).from(customers).where(where).limit(1);
  return row ?? null;
}

export async function getTicketRecord(db: Db, ticketId: string): Promise<TicketRecord | null> {
  const [row] = await db.select().from(tickets).where(eq(tickets.id, ticketId)).limit(1);
  return row ?? null;
}

export interface TicketFilters {
  status?: TicketStatus[] | undefined;
  priority?: PriorityLevel[] | undefined;
  category?: IssueType[] | undefined;
  tier?: Tier[] | undefined;
  mode?: HandlingMode[] | undefined;
  assignee?: string | undefined;
  customerId?: string | undefined;
  createdAfter?: Date | undefined;
  createdBefore?: Date | undefined;
}

/** Position of the last row of a page: newest first, id breaks ties. */
export interface TicketCursor {
  createdAt: string;
  id: string;
}

export async function listTickets(db: Db, filters: TicketFilters, limit: number, after?: TicketCursor) {
  const where: (SQL | undefined)[] = [
    filters.status && inArray(tickets.status, filters.status),
    filters.priority && inArray(tickets.priorityLevel, filters.priority),
    filters.category && inArray(tickets.category, filters.category),
    filters.tier && inArray(tickets.tier, filters.tier),
    filters.mode && inArray(tickets.mode, filters.mode),
    filters.assignee !== undefined ? eq(tickets.assignee, filters.assignee) : undefined,
    filters.customerId !== undefined ? eq(tickets.customerId, filters.customerId) : undefined,
    filters.createdAfter && gte(tickets.createdAt, filters.createdAfter),
    filters.createdBefore && lte(tickets.createdAt, filters.createdBefore),
    after &&
      or(lt(tickets.createdAt, new Date(after.createdAt)), and(eq(tickets.createdAt, new Date(after.createdAt)), lt(tickets.id, after.id))),
  ];
  const rows = await db
    .select()
    .from(tickets)
    .where(and(...where))
    .orderBy(desc(tickets.createdAt), desc(tickets.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page,
    next: rows.length > limit && last ? { createdAt: last.createdAt.toISOString(), id: last.id } : null,
  };
}

/**
 * The human work queue: drafts awaiting review and escalations for everyone, plus the asking
 * agent's own tickets. Highest priority first, then the nearest SLA deadline, then the oldest.
 */
export async function humanQueue(db: Db, agent: string | undefined, limit: number, only: { deliveryFailed?: boolean | undefined } = {}) {
  const mine = agent ? and(eq(tickets.status, 'human_handling'), eq(tickets.assignee, agent)) : undefined;
  return (
    db
      .select()
      .from(tickets)
      // The first condition repeats tickets_human_queue_idx's predicate word for word, so the
      // planner uses that index (it cannot prove the OR below implies it).
      .where(
        and(
          sql`${tickets.status} in ('awaiting_review', 'escalated', 'human_handling')`,
          or(inArray(tickets.status, ['awaiting_review', 'escalated']), mine),
          only.deliveryFailed === undefined ? undefined : eq(tickets.deliveryFailed, only.deliveryFailed),
        ),
      )
      .orderBy(sql`${tickets.priorityScore} desc nulls last`, sql`${tickets.slaDeadline} asc nulls last`, asc(tickets.createdAt))
      .limit(limit)
  );
}

/** The line an agent scans in a queue: why it escalated and what the customer needs. */
export function summaryLine(summary: EscalationSummary | null): string | null {
  if (!summary) return null;
  const line = `${summary.whyEscalated} — ${summary.customerNeeds}`.split('\n')[0] ?? '';
  return cutText(line, 200, { ellipsis: true, atWord: true });
}
