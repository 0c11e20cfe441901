import { and, eq, inArray, or, sql } from 'drizzle-orm';
import { textArray } from './textArray';
import { ERASED } from '../domain/erasure';
import type { Db } from './client';
import {
  aiDrafts,
  aiFeedback,
  approvedExamples,
  customers,
  importedTickets,
  messages,
  reviewItems,
  ticketEvents,
  tickets,
  webhookDeliveries,
} from './schema';

// Erasing a customer from the read model: their contact record and every ticket of theirs keep
// their shape (ids, statuses, timings, outcomes: reports still count them) with what identifies
// or quotes them replaced by a marker, and so do their imported past tickets. One transaction: it happens whole or not at all.

export interface ErasureReport {
  customerId: string;
  tickets: string[];
  rows: {
    customers: number;
    tickets: number;
    messages: number;
    drafts: number;
    feedback: number;
    webhookPayloads: number;
    examples: number;
    /** Past tickets imported from another helpdesk with the customer's email. */
    importedTickets: number;
  };
}

/** The customer's tickets, by id or by their email on record. */
export async function ticketsOfCustomer(db: Db, customerId: string): Promise<{ known: boolean; ticketIds: string[] }> {
  const [customer] = await db.select({ email: customers.email }).from(customers).where(eq(customers.id, customerId)).limit(1);
  const rows = await db
    .select({ id: tickets.id })
    .from(tickets)
    .where(
      customer
        ? or(eq(tickets.customerId, customerId), sql`lower(${tickets.customerEmail}) = lower(${customer.email})`)
        : eq(tickets.customerId, customerId),
    );
  return { known: customer !== undefined, ticketIds: rows.map((r) => r.id) };
}

export async function eraseCustomer(db: Db, customerId: string, ticketIds: string[]): Promise<ErasureReport> {
  return db.transaction(async (tx) => {
    const count = (rows: unknown[]) => rows.length;
    const [customer] = await tx.select({ email: customers.email }).from(customers).where(eq(customers.id, customerId)).limit(1);
    // Imported history knows a customer only by email: their past tickets keep their shape for the taxonomy.
    const erasedImported = customer
      ? await tx
          .update(importedTickets)
          .set({ subject: ERASED, description: ERASED, requesterEmail: null })
          .where(sql`lower(${importedTickets.requesterEmail}) = lower(${customer.email})`)
          .returning({ id: importedTickets.id })
      : [];
    const erasedCustomers = await tx
      .update(customers)
      .set({ name: ERASED, email: `erased-${customerId}@erased.invalid` })
      .where(eq(customers.id, customerId))
      .returning({ id: customers.id });
    const none = {
      customers: count(erasedCustomers),
      tickets: 0,
      messages: 0,
      drafts: 0,
      feedback: 0,
      webhookPayloads: 0,
      examples: 0,
      importedTickets: count(erasedImported),
    };
    if (ticketIds.length === 0) return { customerId, tickets: [], rows: none };
    const ids = inArray(tickets.id, ticketIds);
    // The state column as reads serve it, with the ticket's own words and the handoff gone.
    const erasedTickets = await tx
      .update(tickets)
      .set({
        subject: ERASED,
        body: ERASED,
        customerEmail: null,
        pageContext: null,
        escalationSummary: null,
        csatComment: null,
        snapshot: null,
        classification: sql`case when ${tickets.classification} is null then null else jsonb_set(${tickets.classification}, '{summary}', to_jsonb(${ERASED}::text), false) end`,
        state: sql`case when ${tickets.state} is null then null else
          (jsonb_set(jsonb_set(jsonb_set(${tickets.state},
              '{classification,summary}', to_jsonb(${ERASED}::text), false),
              '{originalClassification,summary}', to_jsonb(${ERASED}::text), false),
              '{aiCall,classification,summary}', to_jsonb(${ERASED}::text), false)
            - 'escalation' - 'draft' - 'injection')
          || jsonb_build_object('ticket', ((${tickets.state}->'ticket') - 'customerEmail' - 'pageContext' - 'metadata' - 'emailMessageId' - 'attachments')
               || jsonb_build_object('subject', ${ERASED}::text, 'body', ${ERASED}::text))
          || jsonb_build_object('enrichment', coalesce(${tickets.state}->'enrichment', 'null'::jsonb) - 'similarOpenTickets')
        end`,
      })
      .where(ids)
      .returning({ id: tickets.id });
    // The timeline's own words: the classification's summary, a review's reason.
    await tx
      .update(ticketEvents)
      .set({
        data: sql`case
          when ${ticketEvents.type} = 'classified' then jsonb_set(${ticketEvents.data}, '{summary}', to_jsonb(${ERASED}::text), false)
          when ${ticketEvents.type} = 'review_required' then jsonb_set(${ticketEvents.data}, '{reason}', to_jsonb(${ERASED}::text), false)
          else ${ticketEvents.data} end`,
      })
      .where(and(inArray(ticketEvents.ticketId, ticketIds), inArray(ticketEvents.type, ['classified', 'review_required'])));
    const erasedMessages = await tx
      .update(messages)
      .set({ body: ERASED, recipient: null, attachments: null, emailMessageId: null })
      .where(inArray(messages.ticketId, ticketIds))
      .returning({ id: messages.id });
    const erasedDrafts = await tx
      .update(aiDrafts)
      .set({ body: ERASED, finalBody: sql`case when ${aiDrafts.finalBody} is null then null else ${ERASED} end`, feedback: null })
      .where(inArray(aiDrafts.ticketId, ticketIds))
      .returning({ id: aiDrafts.id });
    const erasedFeedback = await tx
      .update(aiFeedback)
      .set({ correction: sql`case when ${aiFeedback.correction} is null then null else ${ERASED} end` })
      .where(inArray(aiFeedback.ticketId, ticketIds))
      .returning({ id: aiFeedback.id });
    const erasedPayloads = await tx
      .update(webhookDeliveries)
      .set({ payload: JSON.stringify({ erased: true }) })
      .where(inArray(webhookDeliveries.ticketId, ticketIds))
      .returning({ id: webhookDeliveries.id });
    const items = await tx.select({ id: reviewItems.id }).from(reviewItems).where(inArray(reviewItems.ticketId, ticketIds));
    const erasedExamples = items.length
      ? await tx
          .update(approvedExamples)
          .set({ question: ERASED })
          .where(
            inArray(
              approvedExamples.sourceItemId,
              items.map((i) => i.id),
            ),
          )
          .returning({ id: approvedExamples.id })
      : [];
    // Other tickets name these as similar ones, with their subjects.
    const erasedIds = textArray(ticketIds);
    await tx.execute(sql`
      update ${tickets} t
      set state = jsonb_set(t.state, '{enrichment,similarOpenTickets}',
        (select coalesce(jsonb_agg(case when e->>'ticketId' = any(${erasedIds}::text[]) then jsonb_set(e, '{subject}', to_jsonb(${ERASED}::text)) else e end), '[]'::jsonb)
         from jsonb_array_elements(t.state->'enrichment'->'similarOpenTickets') e))
      where jsonb_typeof(t.state->'enrichment'->'similarOpenTickets') = 'array'
        and exists (select 1 from jsonb_array_elements(t.state->'enrichment'->'similarOpenTickets') e
                    where e->>'ticketId' = any(${erasedIds}::text[]))`);
    return {
      customerId,
      tickets: ticketIds,
      rows: {
        ...none,
        tickets: count(erasedTickets),
        messages: count(erasedMessages),
        drafts: count(erasedDrafts),
        feedback: count(erasedFeedback),
        webhookPayloads: count(erasedPayloads),
        examples: count(erasedExamples),
      },
    };
  });
}
