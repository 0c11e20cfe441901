import { eq, sql } from 'drizzle-orm';
import type { Draft, TranscriptMessage } from '../domain/ticket';
import type { IssueType } from '../domain/vocabulary';
import { readModelRow, type ReadModelRow } from '../domain/readModel';
import { toStorableText } from '../domain/text';
import type { TicketState, TimelineEvent } from '../domain/ticketState';
import type { Db } from './client';
import { planEventDeliveries } from './eventDeliveries';
import { recordFeedback, recordOverrides } from './feedbackWrites';
import type { DeliveryContext } from './messageWrites';
import { aiDrafts, messages, ticketEvents, tickets } from './schema';

// Every write the ticket workflow makes to Postgres, each idempotent: keyed by ticket and event,
// so a retried activity or a replay never duplicates a row, and a stale write never overwrites a
// newer one. Only activities call these.

export interface PersistInput {
  row?: ReadModelRow;
  /** The full state, sent only once the ticket closes (and by tickets recorded before rows existed). */
  snapshot?: TicketState;
  events: TimelineEvent[];
  customerMessages: (TranscriptMessage & { ticketId: string })[];
  /** Replace text the database refuses (lone surrogates, NUL) instead of failing again. */
  sanitize?: boolean;
}

export interface DraftOutcomeInput {
  draftId: string;
  outcome: 'sent' | 'approved' | 'modified' | 'discarded';
  finalBody?: string | undefined;
  reviewedBy?: string | undefined;
  feedback?: Record<string, unknown> | undefined;
  at: number;
  /** A takeover while the draft waited for review: recorded as the agent's implicit thumbs down. */
  takenOver?: boolean;
  sanitize?: boolean;
}

/** A value with every string in it made storable. */
export function storable<T>(value: T): T {
  if (typeof value === 'string') return toStorableText(value) as T;
  if (Array.isArray(value)) return value.map(storable) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [toStorableText(k), storable(v)])) as T;
  }
  return value;
}

export const draftOutcomeRow = (input: DraftOutcomeInput) => ({
  outcome: input.outcome,
  finalBody: input.finalBody ?? null,
  reviewedBy: input.reviewedBy ?? null,
  feedback: input.feedback ?? null,
  reviewedAt: new Date(input.at),
});

/** What a write of the read model started: the webhook deliveries its events raised, still to send. */
export interface PersistResult {
  webhookDeliveries: string[];
}

/**
 * Upserts the read model (never overwriting a newer version), appends audit events and customer
 * messages, and plans the webhooks those events raise, all in one transaction.
 */
export async function persistTicket(
  db: Db,
  given: PersistInput,
  now: Date,
  ctx: Pick<DeliveryContext, 'csatLink'>,
): Promise<PersistResult> {
  const input = given.sanitize ? storable(given) : given;
  const { events, customerMessages } = input;
  // Inputs recorded before rows were computed in the workflow carry the whole state instead.
  const r = input.row ?? readModelRow(input.snapshot!);
  const snapshot = input.row ? (input.snapshot ?? null) : input.snapshot!.status === 'closed' ? input.snapshot! : null;
  const row = {
    ...r,
    slaDeadline: r.slaDeadline === null ? null : new Date(r.slaDeadline),
    resolvedAt: r.resolvedAt === null ? null : new Date(r.resolvedAt),
    firstResponseAt: r.firstResponseAt === null || r.firstResponseAt === undefined ? null : new Date(r.firstResponseAt),
    firstResolvedAt: r.firstResolvedAt === null || r.firstResolvedAt === undefined ? null : new Date(r.firstResolvedAt),
    createdAt: new Date(r.createdAt),
    updatedAt: now,
    ...(snapshot ? { snapshot } : {}),
  };
  return db.transaction(async (tx) => {
    const { id: _id, createdAt: _c, ...changes } = row;
    await tx
      .insert(tickets)
      .values(row)
      .onConflictDoUpdate({ target: tickets.id, set: changes, setWhere: sql`${tickets.version} < ${r.version}` });
    if (events.length > 0) {
      const rows = events.map((e) => ({
        ticketId: r.id,
        seq: e.seq,
        type: e.type,
        actor: e.actor,
        data: e.data ?? null,
        at: new Date(e.at),
      }));
      await tx.insert(ticketEvents).values(rows).onConflictDoNothing();
    }
    if (customerMessages.length > 0) {
      await tx.insert(messages).values(customerMessages.map(customerMessageRow)).onConflictDoNothing();
    }
    await recordOverrides(tx, r.id, events);
    return { webhookDeliveries: await planEventDeliveries(tx, r, events, customerMessages, ctx) };
  });
}

/** A customer's message as the conversation table holds it. */
export const customerMessageRow = (m: TranscriptMessage & { ticketId: string }) => ({
  id: m.id,
  ticketId: m.ticketId,
  author: m.author,
  body: m.body,
  emailMessageId: m.emailMessageId ?? null,
  attachments: m.attachments ?? null,
  postedBy: m.postedBy?.name ?? null,
  postedAs: m.postedBy?.role ?? null,
  createdAt: new Date(m.at),
});

export async function recordDraftOutcome(db: Db, given: DraftOutcomeInput): Promise<void> {
  const outcome = given.sanitize ? storable(given) : given;
  await db.transaction(async (tx) => {
    const [draft] = await tx
      .update(aiDrafts)
      .set(draftOutcomeRow(outcome))
      .where(eq(aiDrafts.id, outcome.draftId))
      .returning({ ticketId: aiDrafts.ticketId, category: aiDrafts.category });
    if (draft && outcome.takenOver && outcome.reviewedBy) {
      await recordFeedback(tx, {
        ticketId: draft.ticketId,
        draftId: outcome.draftId,
        agent: outcome.reviewedBy,
        source: 'takeover',
        rating: 'down',
        reasons: ['unknown'],
        category: draft.category,
        at: outcome.at,
      });
    }
  });
}

export async function savedDraft(db: Db, draftId: string): Promise<Draft | undefined> {
  const [row] = await db.select().from(aiDrafts).where(eq(aiDrafts.id, draftId));
  return row
    ? { body: row.body, confidence: row.confidence, citations: row.citations, promptVersion: row.promptVersion, provider: row.provider }
    : undefined;
}

/** Stores a draft under its id; false when an earlier attempt already stored one. */
export async function insertDraft(
  db: Db,
  draft: Draft & { id: string; ticketId: string; turn: number; category: IssueType },
): Promise<boolean> {
  const [inserted] = await db
    .insert(aiDrafts)
    .values({
      id: draft.id,
      ticketId: draft.ticketId,
      turn: draft.turn,
      body: draft.body,
      confidence: draft.confidence,
      citations: draft.citations,
      promptVersion: draft.promptVersion,
      provider: draft.provider,
      category: draft.category,
    })
    .onConflictDoNothing()
    .returning({ id: aiDrafts.id });
  return inserted !== undefined;
}
