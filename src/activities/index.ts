import { ApplicationFailure, Context } from '@temporalio/activity';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { aiDrafts, messages, outbox, ticketEvents, tickets } from '../db/schema';
import { AIProviderError } from '../ai/errors';
import type { DraftRequest, EscalationRequest, SupportAI, TicketForAI } from '../ai/supportAI';
import type { Draft, TranscriptMessage } from '../domain/ticket';
import { readModelRow, type ReadModelRow } from '../domain/readModel';
import type { TicketState, TimelineEvent } from '../domain/ticketState';
import { IntegrationError, type CustomerRef, type Integrations } from '../integrations/ports';
import { lookupTicketHistory, postgresIntegrations } from '../integrations/postgres';

export interface ActivityDeps {
  db: Db;
  ai: SupportAI;
  /** CRM, billing and issue tracker; Tandem's own Postgres tables unless configured otherwise. */
  integrations?: Integrations;
  now?: () => Date;
}

export interface OutboundMessage {
  /** Deterministic: ticket + what is being sent, so a retry delivers once. */
  id: string;
  ticketId: string;
  kind: 'reply' | 'csat_survey' | 'csat_reminder';
  author: 'ai' | 'agent' | 'system';
  agentId?: string | undefined;
  channel: string;
  recipient?: string | undefined;
  body: string;
  draftId?: string | undefined;
  at: number;
  /** What became of the AI draft this message sends, recorded in the same transaction. */
  draftOutcome?: DraftOutcomeInput;
}

export interface PersistInput {
  row?: ReadModelRow;
  /** The full state, sent only once the ticket closes: GET serves completed tickets from it. */
  snapshot?: TicketState;
  events: TimelineEvent[];
  customerMessages: (TranscriptMessage & { ticketId: string })[];
}

export interface DraftOutcomeInput {
  draftId: string;
  outcome: 'sent' | 'approved' | 'modified' | 'discarded';
  finalBody?: string | undefined;
  reviewedBy?: string | undefined;
  feedback?: Record<string, unknown> | undefined;
  at: number;
}

/** An outside system's failure as Temporal sees it: retry (after its Retry-After) or stop. */
function integrationFailure(operation: string, err: unknown): never {
  if (err instanceof ApplicationFailure) throw err;
  if (err instanceof IntegrationError) {
    throw ApplicationFailure.create({
      message: `${operation} failed: ${err.message}`,
      type: 'IntegrationError',
      nonRetryable: !err.retryable,
      ...(err.retryAfterMs !== undefined ? { nextRetryDelay: Math.max(err.retryAfterMs, 100) } : {}),
    });
  }
  throw err;
}

/**
 * AI failures as Temporal sees them: rate limits retry after the provider's Retry-After,
 * outages and invalid answers retry with backoff, a refused request (bad key, bad model) stops.
 */
function retryableAIError(operation: string, err: unknown): never {
  if (err instanceof ApplicationFailure) throw err;
  if (err instanceof AIProviderError) {
    throw ApplicationFailure.create({
      message: `${operation} failed: ${err.message}`,
      type: `AI_${err.kind}`,
      nonRetryable: !err.retryable,
      ...(err.retryAfterMs !== undefined ? { nextRetryDelay: Math.max(err.retryAfterMs, 100) } : {}),
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  throw ApplicationFailure.retryable(`${operation} failed: ${message}`, 'AIError');
}

const draftOutcomeRow = (input: DraftOutcomeInput) => ({
  outcome: input.outcome,
  finalBody: input.finalBody ?? null,
  reviewedBy: input.reviewedBy ?? null,
  feedback: input.feedback ?? null,
  reviewedAt: new Date(input.at),
});

export function createActivities({ db, ai, integrations = postgresIntegrations(db), now = () => new Date() }: ActivityDeps) {
  const { directory, billing, issueTracker } = integrations;

  async function savedDraft(draftId: string): Promise<Draft | undefined> {
    const [row] = await db.select().from(aiDrafts).where(eq(aiDrafts.id, draftId));
    return row
      ? { body: row.body, confidence: row.confidence, citations: row.citations as Draft['citations'], promptVersion: row.promptVersion, provider: row.provider }
      : undefined;
  }

  return {
    // ---- AI ----------------------------------------------------------------------------
    async classifyTicket(ticket: TicketForAI) {
      return ai.classify(ticket).catch((e: unknown) => retryableAIError('classify', e));
    },

    /** Once written, a draft is what its id means: a retry returns it instead of asking the AI again. */
    async draftResponse(request: DraftRequest & { draftId: string }): Promise<Draft> {
      // Only a retry can find its draft already written; a first attempt skips the read.
      const saved = Context.current().info.attempt > 1 ? await savedDraft(request.draftId) : undefined;
      if (saved) return saved;
      const draft = await ai.draftReply(request).catch((e: unknown) => retryableAIError('draftReply', e));
      const [inserted] = await db
        .insert(aiDrafts)
        .values({
          id: request.draftId,
          ticketId: request.ticket.ticketId,
          turn: request.turn,
          body: draft.body,
          confidence: draft.confidence,
          citations: draft.citations,
          promptVersion: draft.promptVersion,
          provider: draft.provider,
          category: request.classification.issueType,
        })
        .onConflictDoNothing()
        .returning({ id: aiDrafts.id });
      // Lost a race with an earlier attempt that also finished: its draft is the one on record.
      return inserted ? draft : ((await savedDraft(request.draftId)) ?? draft);
    },

    async summarizeEscalation(request: EscalationRequest) {
      return ai.summarizeEscalation(request).catch((e: unknown) => retryableAIError('summarizeEscalation', e));
    },

    async assessReply(input: { reply: string; transcript: TranscriptMessage[]; ticketId?: string }) {
      return ai.assessReply(input.reply, input.transcript, input.ticketId).catch((e: unknown) => retryableAIError('assessReply', e));
    },

    // ---- Enrichment: each source on its own, so one outage leaves a gap, not a failure --
    async lookupAccount(ref: CustomerRef) {
      return directory.lookup(ref, now()).catch((e: unknown) => integrationFailure(`${directory.name} CRM lookup`, e));
    },
    async lookupBilling(ref: CustomerRef) {
      return billing.lookup(ref, now()).catch((e: unknown) => integrationFailure(`${billing.name} billing lookup`, e));
    },
    async lookupLinkedIssues(ref: CustomerRef) {
      return issueTracker.linkedIssues(ref).catch((e: unknown) => integrationFailure(`${issueTracker.name} issue lookup`, e));
    },
    async lookupTicketHistory(input: CustomerRef & { ticketId: string; text: string }) {
      return lookupTicketHistory(db, input, now());
    },

    // ---- Persistence -------------------------------------------------------------------
    /** Upserts the read model (never overwriting a newer snapshot) and appends audit events. */
    async persistTicket(input: PersistInput): Promise<void> {
      const { events, customerMessages } = input;
      // Inputs recorded before rows were computed in the workflow carry the whole state instead.
      const r = input.row ?? readModelRow(input.snapshot!);
      const snapshot = input.row ? (input.snapshot ?? null) : input.snapshot!.status === 'closed' ? input.snapshot! : null;
      const row = {
        ...r,
        slaDeadline: r.slaDeadline === null ? null : new Date(r.slaDeadline),
        resolvedAt: r.resolvedAt === null ? null : new Date(r.resolvedAt),
        createdAt: new Date(r.createdAt),
        updatedAt: now(),
        ...(snapshot ? { snapshot } : {}),
      };
      const s = { ticketId: r.id, version: r.version };
      await db.transaction(async (tx) => {
        const { id: _id, createdAt: _c, ...changes } = row;
        await tx
          .insert(tickets)
          .values(row)
          .onConflictDoUpdate({ target: tickets.id, set: changes, setWhere: sql`${tickets.version} < ${s.version}` });
        if (events.length > 0) {
          await tx
            .insert(ticketEvents)
            .values(
              events.map((e) => ({
                ticketId: s.ticketId,
                seq: e.seq,
                type: e.type,
                actor: e.actor,
                data: e.data ?? null,
                at: new Date(e.at),
              })),
            )
            .onConflictDoNothing();
        }
        if (customerMessages.length > 0) {
          await tx
            .insert(messages)
            .values(
              customerMessages.map((m) => ({
                id: m.id,
                ticketId: m.ticketId,
                author: m.author,
                body: m.body,
                createdAt: new Date(m.at),
              })),
            )
            .onConflictDoNothing();
        }
      });
    },

    /** Queues a message for the customer's channel and records it in the conversation, once. */
    async deliverMessage(m: OutboundMessage): Promise<void> {
      await db.transaction(async (tx) => {
        if (m.draftOutcome) await tx.update(aiDrafts).set(draftOutcomeRow(m.draftOutcome)).where(eq(aiDrafts.id, m.draftOutcome.draftId));
        await tx
          .insert(outbox)
          .values({ id: m.id, ticketId: m.ticketId, kind: m.kind, channel: m.channel, recipient: m.recipient ?? null, body: m.body })
          .onConflictDoNothing();
        await tx
          .insert(messages)
          .values({
            id: m.id,
            ticketId: m.ticketId,
            author: m.author,
            agentId: m.agentId ?? null,
            body: m.body,
            draftId: m.draftId ?? null,
            createdAt: new Date(m.at),
          })
          .onConflictDoNothing();
      });
    },

    async recordDraftOutcome(input: DraftOutcomeInput): Promise<void> {
      await db.update(aiDrafts).set(draftOutcomeRow(input)).where(eq(aiDrafts.id, input.draftId));
    },
  };
}

export type TandemActivities = ReturnType<typeof createActivities>;

