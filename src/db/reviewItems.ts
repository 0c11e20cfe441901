import { and, asc, eq, gte, inArray, lt, notExists } from 'drizzle-orm';
import { reviewItemIdFor, reviewReasonsOf, type ReviewReason } from '../domain/review';
import type { Db } from './client';
import { aiDrafts, aiFeedback, reviewItems, tickets } from './schema';

// The lead's weekly review in the read model: its items are derived from the agents' feedback
// when a week is listed, keyed by draft and inserted `on conflict do nothing`, so listing twice,
// or two leads at once, never makes two items of one answer and never drops one.

type FeedbackRow = typeof aiFeedback.$inferSelect;

/** Every feedback row on these drafts (superseded ones too: a flag taken back still happened), oldest first. */
const feedbackOn = (db: Db, draftIds: string[]) =>
  draftIds.length === 0
    ? Promise.resolve([] as FeedbackRow[])
    : db.select().from(aiFeedback).where(inArray(aiFeedback.draftId, draftIds)).orderBy(asc(aiFeedback.createdAt), asc(aiFeedback.id));

/**
 * Makes the week's missing items: one per draft whose first feedback that calls for review
 * (flag, thumbs down, heavy edit) falls in the week. An answer belongs to the week it was first
 * called out in, whichever week is listed first, so it is never in two weeks.
 */
export async function deriveReviewItems(db: Db, week: string, range: { from: Date; to: Date }): Promise<number> {
  const touched = await db
    .selectDistinct({ draftId: aiFeedback.draftId })
    .from(aiFeedback)
    .where(
      and(
        gte(aiFeedback.createdAt, range.from),
        lt(aiFeedback.createdAt, range.to),
        // An answer with an item already (this week's or an earlier one's) is settled.
        notExists(db.select({ one: reviewItems.id }).from(reviewItems).where(eq(reviewItems.draftId, aiFeedback.draftId))),
      ),
    );
  const byDraft = new Map<string, FeedbackRow>();
  for (const row of await feedbackOn(
    db,
    touched.map((t) => t.draftId),
  )) {
    if (!byDraft.has(row.draftId) && reviewReasonsOf(row).length > 0) byDraft.set(row.draftId, row);
  }
  const rows = [...byDraft.values()]
    .filter((first) => first.createdAt >= range.from && first.createdAt < range.to)
    .map((first) => ({
      id: reviewItemIdFor(first.draftId),
      week,
      draftId: first.draftId,
      ticketId: first.ticketId,
      category: first.category,
    }));
  if (rows.length === 0) return 0;
  const inserted = await db.insert(reviewItems).values(rows).onConflictDoNothing().returning({ id: reviewItems.id });
  return inserted.length;
}

export interface ReviewFeedback {
  agent: string;
  source: FeedbackRow['source'];
  rating: FeedbackRow['rating'];
  reasons: string[];
  flag: boolean;
  correction: string | null;
  editSize: number | null;
  at: string;
  current: boolean;
}

export interface ReviewItemView {
  itemId: string;
  week: string;
  status: 'open' | 'decided';
  why: ReviewReason[];
  ticket: { id: string; subject: string; body: string; channel: string; category: string | null; status: string };
  draft: { id: string; body: string; turn: number; provider: string; promptVersion: string; outcome: string; createdAt: string };
  /** What the answer should have said: the latest correction an agent gave (an explicit one, or what they sent instead). */
  correction: string | null;
  /** The agent who called the answer out first, and the one whose correction is shown. */
  agent: string;
  correctedBy: string | null;
  feedback: ReviewFeedback[];
  decision: { verdict: string; comment: string | null; by: string; at: string } | null;
}

/** The latest correction on a draft, and who gave it. */
export function latestCorrection(rows: FeedbackRow[]): { text: string; by: string } | null {
  const last = rows.filter((r) => r.correction !== null).at(-1);
  return last ? { text: last.correction!, by: last.agent } : null;
}

/** The week's items, open ones first, each with its ticket, the AI's text, the corrections and who gave what. */
export async function listReviewItems(db: Db, week: string): Promise<ReviewItemView[]> {
  const items = await db
    // Only the columns the review shows: a ticket's snapshot and state are large jsonb.
    .select({
      item: reviewItems,
      draft: {
        id: aiDrafts.id,
        body: aiDrafts.body,
        turn: aiDrafts.turn,
        provider: aiDrafts.provider,
        promptVersion: aiDrafts.promptVersion,
        outcome: aiDrafts.outcome,
        createdAt: aiDrafts.createdAt,
      },
      ticket: {
        id: tickets.id,
        subject: tickets.subject,
        body: tickets.body,
        channel: tickets.channel,
        category: tickets.category,
        status: tickets.status,
      },
    })
    .from(reviewItems)
    .innerJoin(aiDrafts, eq(aiDrafts.id, reviewItems.draftId))
    .innerJoin(tickets, eq(tickets.id, reviewItems.ticketId))
    .where(eq(reviewItems.week, week))
    .orderBy(asc(reviewItems.status), asc(reviewItems.createdAt), asc(reviewItems.id));
  const feedback = await feedbackOn(
    db,
    items.map((i) => i.item.draftId),
  );
  const byDraft = new Map<string, FeedbackRow[]>();
  for (const f of feedback) byDraft.set(f.draftId, [...(byDraft.get(f.draftId) ?? []), f]);
  return items.map(({ item, draft, ticket }) => {
    const rows = byDraft.get(item.draftId) ?? [];
    const why = [...new Set(rows.flatMap((r) => reviewReasonsOf(r)))];
    const correction = latestCorrection(rows);
    return {
      itemId: item.id,
      week: item.week,
      status: item.status,
      why,
      ticket: { ...ticket, category: item.category ?? ticket.category },
      draft: { ...draft, createdAt: draft.createdAt.toISOString() },
      correction: correction?.text ?? null,
      agent: rows.find((r) => reviewReasonsOf(r).length > 0)?.agent ?? rows[0]?.agent ?? 'unknown',
      correctedBy: correction?.by ?? null,
      feedback: rows.map((r) => ({
        agent: r.agent,
        source: r.source,
        rating: r.rating,
        reasons: r.reasons,
        flag: r.flag,
        correction: r.correction,
        editSize: r.editSize,
        at: r.createdAt.toISOString(),
        current: r.supersededAt === null,
      })),
      decision:
        item.status === 'decided' && item.verdict && item.decidedBy && item.decidedAt
          ? { verdict: item.verdict, comment: item.comment, by: item.decidedBy, at: item.decidedAt.toISOString() }
          : null,
    };
  });
}
