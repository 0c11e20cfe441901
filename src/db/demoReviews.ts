import { reviewItemIdFor, reviewReasonsOf } from '../domain/review';
import { isoWeek } from '../domain/weeks';
import type { Db } from './client';
import { reviewItems, reviewVerdicts, type aiFeedback } from './schema';

// The lead's weekly review in the synthetic history (src/db/demoHistory.ts), so the contributors
// report has accepted corrections to count on a fresh `npm run dev`: every answer that was flagged,
// rated down with a correction, or heavily edited becomes a review item in the week of that
// feedback; most items older than a week are decided by `demo-lead` within a few days (accept the
// correction, add to the knowledge base, or dismiss), the rest stay open. No approved examples are
// written: a synthetic "correction" must not become an example the AI's real drafts cite.

type FeedbackRow = typeof aiFeedback.$inferInsert;
type ReviewItemRow = typeof reviewItems.$inferInsert;
type ReviewVerdictRow = typeof reviewVerdicts.$inferInsert;

export const DEMO_LEAD = 'demo-lead';
const DAY = 86_400_000;
// The review's own rule (src/domain/review.ts) picks the answers, so the demo's items are the ones a lead would list.
const worthReview = (f: FeedbackRow) =>
  reviewReasonsOf({ source: f.source, rating: f.rating ?? null, flag: f.flag === true, editSize: f.editSize ?? null }).length > 0;

/** Review items and verdicts for a batch's feedback; `r` is the review's own generator, so the tickets' history stays as it was. */
export function demoReviews(feedback: FeedbackRow[], now: number, r: () => number) {
  const items: ReviewItemRow[] = [];
  const verdicts: ReviewVerdictRow[] = [];
  const seen = new Set<string>();
  for (const f of feedback) {
    if (!worthReview(f) || seen.has(f.draftId)) continue;
    seen.add(f.draftId);
    const id = reviewItemIdFor(f.draftId);
    const at = f.createdAt.getTime();
    const decidedAt = at + (1 + r() * 5) * DAY;
    const roll = r();
    const verdict =
      decidedAt > now - DAY || roll < 0.15
        ? null
        : f.correction != null && roll < 0.65
          ? 'accept_correction'
          : roll < 0.8
            ? 'add_to_knowledge_base'
            : 'dismiss';
    items.push({
      id,
      week: isoWeek(f.createdAt),
      draftId: f.draftId,
      ticketId: f.ticketId,
      category: f.category ?? null,
      status: verdict ? 'decided' : 'open',
      verdict,
      decidedBy: verdict ? DEMO_LEAD : null,
      decidedAt: verdict ? new Date(decidedAt) : null,
      createdAt: f.createdAt,
    });
    if (verdict)
      verdicts.push({
        itemId: id,
        verdict,
        correction: verdict === 'accept_correction' ? f.correction : null,
        correctedBy: verdict === 'accept_correction' ? f.agent : null,
        by: DEMO_LEAD,
        at: new Date(decidedAt),
      });
  }
  return { items, verdicts };
}

/** Writes a batch's review items, and verdicts only for items this run wrote: a second run over the same history adds none. */
export async function writeDemoReviews(db: Db, reviews: ReturnType<typeof demoReviews>): Promise<number> {
  return db.transaction(async (tx) => {
    const fresh = new Set<string>();
    for (let i = 0; i < reviews.items.length; i += 2000) {
      const inserted = await tx
        .insert(reviewItems)
        .values(reviews.items.slice(i, i + 2000))
        .onConflictDoNothing()
        .returning({ id: reviewItems.id });
      for (const { id } of inserted) fresh.add(id);
    }
    const verdicts = reviews.verdicts.filter((v) => fresh.has(v.itemId));
    for (let i = 0; i < verdicts.length; i += 4000) await tx.insert(reviewVerdicts).values(verdicts.slice(i, i + 4000));
    return fresh.size;
  });
}
