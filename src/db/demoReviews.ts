import { isoWeek } from '../domain/weeks';
import type { aiFeedback, reviewItems, reviewVerdicts } from './schema';

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
/** An edit that changed this much of the draft or more is worth a lead's look. */
const HEAVY_EDIT = 0.6;

const worthReview = (f: FeedbackRow) =>
  f.flag === true || (f.rating === 'down' && f.correction != null) || (f.source === 'modify' && (f.editSize ?? 0) >= HEAVY_EDIT);

/** Review items and verdicts for a batch's feedback; `r` is the review's own generator, so the tickets' history stays as it was. */
export function demoReviews(feedback: FeedbackRow[], now: number, r: () => number) {
  const items: ReviewItemRow[] = [];
  const verdicts: ReviewVerdictRow[] = [];
  const seen = new Set<string>();
  for (const f of feedback) {
    if (!worthReview(f) || seen.has(f.draftId)) continue;
    seen.add(f.draftId);
    const id = `ri_${f.draftId}`;
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
