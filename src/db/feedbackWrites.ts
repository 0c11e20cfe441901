import { createHash } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { OverrideData } from '../domain/outcomes';
import type { TimelineEvent } from '../domain/ticketState';
import type { FeedbackRating, FeedbackReason, IssueType } from '../domain/vocabulary';
import type { Tx } from './deliveries';
import { aiDrafts, aiFeedback, overrides } from './schema';

// What people say about the AI's answers and what they change of its calls, written where it
// happens (the ticket's activities), idempotently: a retried activity never adds a second row.

export interface FeedbackInput {
  ticketId: string;
  draftId: string;
  messageId?: string | undefined;
  agent: string;
  source: 'explicit' | 'modify' | 'takeover';
  rating?: FeedbackRating | null | undefined;
  reasons?: (FeedbackReason | 'unknown')[] | undefined;
  correction?: string | undefined;
  flag?: boolean | undefined;
  category?: IssueType | null | undefined;
  editSize?: number | undefined;
  at: number;
  sanitize?: boolean;
}

/** The same feedback (ticket, draft, agent, source, time) always has the same id, so a repeat is a no-op. */
const feedbackId = (f: FeedbackInput) =>
  `fb_${createHash('sha256').update(`${f.ticketId}|${f.draftId}|${f.agent}|${f.source}|${f.at}`).digest('hex').slice(0, 24)}`;

/**
 * Records feedback on an AI draft: the agent's earlier feedback on the same draft is superseded
 * (kept, with when), this one becomes the current. Implicit feedback (an edit, a takeover) stands
 * beside explicit thumbs rather than replacing them.
 */
export async function recordFeedback(tx: Tx, f: FeedbackInput): Promise<void> {
  const id = feedbackId(f);
  const [known] = await tx.select({ id: aiFeedback.id }).from(aiFeedback).where(eq(aiFeedback.id, id));
  if (known) return;
  const at = new Date(f.at);
  let category = f.category ?? null;
  if (!category) {
    const [draft] = await tx.select({ category: aiDrafts.category }).from(aiDrafts).where(eq(aiDrafts.id, f.draftId));
    category = draft?.category ?? null;
  }
  await tx
    .update(aiFeedback)
    .set({ supersededAt: at })
    .where(
      and(
        eq(aiFeedback.draftId, f.draftId),
        eq(aiFeedback.agent, f.agent),
        eq(aiFeedback.source, f.source),
        isNull(aiFeedback.supersededAt),
      ),
    );
  await tx
    .insert(aiFeedback)
    .values({
      id,
      ticketId: f.ticketId,
      draftId: f.draftId,
      messageId: f.messageId ?? null,
      agent: f.agent,
      source: f.source,
      rating: f.rating ?? null,
      reasons: f.reasons ?? [],
      correction: f.correction ?? null,
      flag: f.flag ?? false,
      category,
      editSize: f.editSize ?? null,
      createdAt: at,
    })
    .onConflictDoNothing();
}

/** The override rows a write's timeline events carry, in the same transaction as the events. */
export async function recordOverrides(tx: Tx, ticketId: string, events: TimelineEvent[]): Promise<void> {
  const rows = events
    .filter((e) => e.type === 'override' && e.data)
    .map((e) => {
      const d = e.data as unknown as OverrideData;
      return {
        ticketId,
        seq: e.seq,
        field: d.field,
        aiValue: d.ai,
        before: d.before,
        after: d.after,
        actor: e.actor,
        reason: d.reason ?? null,
        at: new Date(e.at),
      };
    });
  if (rows.length > 0) await tx.insert(overrides).values(rows).onConflictDoNothing();
}
