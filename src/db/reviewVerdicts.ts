import { createHash } from 'node:crypto';
import { and, asc, desc, eq, lte } from 'drizzle-orm';
import { approvedExampleIdFor, type ReviewVerdict } from '../domain/review';
import type { Db } from './client';
import { latestCorrection } from './reviewItems';
import { aiDrafts, aiFeedback, approvedExamples, kbArticles, messages, reviewItems, reviewVerdicts, tickets } from './schema';

// A lead's verdict on a review item, in one transaction with what it causes: the item locked
// first, so of two verdicts at once the second finds it decided (409) and changes nothing.

export interface VerdictInput {
  itemId: string;
  verdict: ReviewVerdict;
  comment?: string | undefined;
  /** The answer to approve, instead of the agents' latest correction. */
  correction?: string | undefined;
  /** add_to_knowledge_base: the article to update; absent, a new one is created. */
  articleId?: string | undefined;
  title?: string | undefined;
  by: string;
  at: number;
}

export type VerdictOutcome =
  | { ok: true; verdictId: number; exampleId: string | null; articleId: string | null; articleCreated: boolean }
  | { ok: false; status: 404; message: string }
  | { ok: false; status: 409; message: string; extra?: Record<string, unknown> }
  | { ok: false; status: 400; field: string; message: string };

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** What the customer asked that the draft answered: the ticket itself for a first reply, else their last message before it. */
async function questionOf(tx: Tx, ticket: { id: string; subject: string; body: string }, draft: { turn: number; createdAt: Date }) {
  if (draft.turn <= 1) return `${ticket.subject}\n\n${ticket.body}`;
  const [last] = await tx
    .select({ body: messages.body })
    .from(messages)
    .where(and(eq(messages.ticketId, ticket.id), eq(messages.author, 'customer'), lte(messages.createdAt, draft.createdAt)))
    .orderBy(desc(messages.createdAt))
    .limit(1);
  return last?.body ?? `${ticket.subject}\n\n${ticket.body}`;
}

const articleIdFor = (itemId: string) => `kb_review_${createHash('sha256').update(itemId).digest('hex').slice(0, 16)}`;

export async function decideReviewItem(db: Db, v: VerdictInput): Promise<VerdictOutcome> {
  return db.transaction(async (tx) => {
    const [item] = await tx.select().from(reviewItems).where(eq(reviewItems.id, v.itemId)).for('update');
    if (!item) return { ok: false, status: 404, message: `no review item ${v.itemId}` };
    if (item.status === 'decided') {
      return {
        ok: false,
        status: 409,
        message: `review item ${v.itemId} was decided already (${item.verdict} by ${item.decidedBy})`,
        extra: { verdict: item.verdict, decidedBy: item.decidedBy, decidedAt: item.decidedAt?.toISOString() ?? null },
      };
    }
    const feedback = await tx
      .select()
      .from(aiFeedback)
      .where(eq(aiFeedback.draftId, item.draftId))
      .orderBy(asc(aiFeedback.createdAt), asc(aiFeedback.id));
    const given = v.correction !== undefined ? { text: v.correction, by: v.by } : latestCorrection(feedback);
    const at = new Date(v.at);
    let exampleId: string | null = null;
    let articleId: string | null = null;
    let articleCreated = false;

    if (v.verdict !== 'dismiss' && !given) {
      return {
        ok: false,
        status: 400,
        field: 'body.correction',
        message: 'no agent gave a correction of this answer: give the correction',
      };
    }
    if (v.verdict === 'accept_correction') {
      const [ticket] = await tx.select().from(tickets).where(eq(tickets.id, item.ticketId));
      const [draft] = await tx.select().from(aiDrafts).where(eq(aiDrafts.id, item.draftId));
      const category = item.category ?? draft?.category ?? ticket?.category ?? null;
      if (!ticket || !draft || !category) {
        return { ok: false, status: 409, message: `review item ${v.itemId} has no category to file the example under` };
      }
      exampleId = approvedExampleIdFor(item.id);
      await tx
        .insert(approvedExamples)
        .values({
          id: exampleId,
          category,
          question: await questionOf(tx, ticket, draft),
          answer: given!.text,
          sourceItemId: item.id,
          correctedBy: given!.by,
          approvedBy: v.by,
        })
        .onConflictDoNothing();
    }
    if (v.verdict === 'add_to_knowledge_base') {
      if (v.articleId !== undefined) {
        const updated = await tx
          .update(kbArticles)
          .set({ body: given!.text, ...(v.title ? { title: v.title } : {}), updatedAt: at })
          .where(eq(kbArticles.id, v.articleId))
          .returning({ id: kbArticles.id });
        if (updated.length === 0)
          return { ok: false, status: 400, field: 'body.articleId', message: `no knowledge-base article ${v.articleId}` };
        articleId = v.articleId;
      } else {
        const [ticket] = await tx.select({ subject: tickets.subject }).from(tickets).where(eq(tickets.id, item.ticketId));
        articleId = articleIdFor(item.id);
        await tx
          .insert(kbArticles)
          .values({
            id: articleId,
            title: v.title ?? ticket?.subject ?? 'Answer from the weekly review',
            body: given!.text,
            // Product areas are the product's (account, billing…), not triage categories: the category is a tag.
            productArea: null,
            tags: item.category ? ['review', item.category] : ['review'],
            updatedAt: at,
          })
          .onConflictDoNothing();
        articleCreated = true;
      }
    }
    const [audit] = await tx
      .insert(reviewVerdicts)
      .values({
        itemId: item.id,
        verdict: v.verdict,
        comment: v.comment ?? null,
        correction: v.verdict === 'dismiss' ? null : given!.text,
        correctedBy: v.verdict === 'dismiss' ? null : given!.by,
        articleId,
        by: v.by,
        at,
      })
      .returning({ id: reviewVerdicts.id });
    await tx
      .update(reviewItems)
      .set({ status: 'decided', verdict: v.verdict, comment: v.comment ?? null, decidedBy: v.by, decidedAt: at })
      .where(eq(reviewItems.id, item.id));
    return { ok: true, verdictId: audit!.id, exampleId, articleId, articleCreated };
  });
}
