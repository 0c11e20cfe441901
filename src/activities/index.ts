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
  /**
   * The longest a provider's Retry-After may delay the next attempt (default 60 s): a 429 asking
   * for an hour must not park a ticket out of sight; the workflow's deadline decides instead.
   */
  maxRetryDelayMs?: number;
  /** How often long activities heartbeat, so a dead worker's work restarts within the heartbeat timeout. */
  heartbeatEveryMs?: number;
}

export const DEFAULT_MAX_RETRY_DELAY_MS = 60_000;

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
  /** Replace text the database refuses instead of failing again. */
  sanitize?: boolean;
}

export interface PersistInput {
  row?: ReadModelRow;
  /** Replace text the database refuses (lone surrogates, NUL) instead of failing again. */
  sanitize?: boolean;
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

/** An outside system's failure as Temporal sees it: retry (after its Retry-After, capped) or stop. */
function integrationFailure(operation: string, err: unknown, maxDelayMs: number): never {
  if (err instanceof ApplicationFailure) throw err;
  if (err instanceof IntegrationError) {
    throw ApplicationFailure.create({
      message: `${operation} failed: ${err.message}`,
      type: 'IntegrationError',
      nonRetryable: !err.retryable,
      ...(err.retryAfterMs !== undefined ? { nextRetryDelay: retryDelay(err.retryAfterMs, maxDelayMs) } : {}),
    });
  }
  throw err;
}

/**
 * AI failures as Temporal sees them: rate limits retry after the provider's Retry-After,
 * outages and invalid answers retry with backoff, a refused request (bad key, bad model) stops.
 */
function retryableAIError(operation: string, err: unknown, maxDelayMs: number): never {
  if (err instanceof ApplicationFailure) throw err;
  if (err instanceof AIProviderError) {
    throw ApplicationFailure.create({
      message: `${operation} failed: ${err.message}`,
      type: `AI_${err.kind}`,
      nonRetryable: !err.retryable,
      ...(err.retryAfterMs !== undefined ? { nextRetryDelay: retryDelay(err.retryAfterMs, maxDelayMs) } : {}),
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  throw ApplicationFailure.retryable(`${operation} failed: ${message}`, 'AIError');
}

/** A provider's Retry-After, within [100 ms, the configured cap]. */
const retryDelay = (retryAfterMs: number, maxDelayMs: number) => Math.min(Math.max(retryAfterMs, 100), maxDelayMs);

/**
 * SQLSTATE class 22 (data exception: invalid text, a value out of range) means the database
 * refuses this value and always will: retrying cannot help, so the activity fails at once and
 * the workflow records it. Connection failures stay retryable. The message names the SQLSTATE
 * and never the SQL parameters, which carry ticket text.
 */
function persistenceFailure(operation: string, err: unknown): never {
  if (err instanceof ApplicationFailure) throw err;
  const code = sqlState(err);
  if (code?.startsWith('22')) {
    throw ApplicationFailure.nonRetryable(`${operation}: the database refused a value (SQLSTATE ${code})`, 'PersistenceRefused');
  }
  throw ApplicationFailure.retryable(`${operation} failed${code ? ` (SQLSTATE ${code})` : ''}: ${errorName(err)}`, 'PersistenceError');
}

function sqlState(err: unknown, depth = 0): string | undefined {
  // drizzle wraps driver errors (DrizzleQueryError), so look through the cause chain.
  const { code, cause } = (err ?? {}) as { code?: unknown; cause?: unknown };
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  return cause && depth < 3 ? sqlState(cause, depth + 1) : undefined;
}

/** A driver error's own words without the query text and parameters drizzle puts in front. */
function errorName(err: unknown, depth = 0): string {
  const { cause, code, message } = (err ?? {}) as { cause?: unknown; code?: unknown; message?: unknown };
  if (cause && depth < 3) return errorName(cause, depth + 1);
  if (typeof message === 'string' && !message.startsWith('Failed query')) return message.slice(0, 300);
  return typeof code === 'string' ? code : 'unknown database error';
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text as the database will store it: lone surrogates become U+FFFD, NUL characters go. */
function storable<T>(value: T): T {
  if (typeof value === 'string') return value.replace(LONE_SURROGATE, '\uFFFD').replaceAll('\u0000', '') as T;
  if (Array.isArray(value)) return value.map(storable) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), storable(v)])) as T;
  }
  return value;
}

/**
 * Runs a long activity while heartbeating, so a worker that dies mid-call is noticed within
 * the heartbeat timeout rather than the whole start-to-close timeout.
 */
async function heartbeating<T>(everyMs: number, work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const timer = setInterval(() => context.heartbeat(), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

const draftOutcomeRow = (input: DraftOutcomeInput) => ({
  outcome: input.outcome,
  finalBody: input.finalBody ?? null,
  reviewedBy: input.reviewedBy ?? null,
  feedback: input.feedback ?? null,
  reviewedAt: new Date(input.at),
});

export function createActivities({
  db,
  ai,
  integrations = postgresIntegrations(db),
  now = () => new Date(),
  maxRetryDelayMs = DEFAULT_MAX_RETRY_DELAY_MS,
  heartbeatEveryMs = 2000,
}: ActivityDeps) {
  const { directory, billing, issueTracker } = integrations;
  const aiError = (operation: string) => (e: unknown) => retryableAIError(operation, e, maxRetryDelayMs);
  const integrationError = (operation: string) => (e: unknown) => integrationFailure(operation, e, maxRetryDelayMs);
  const beating = <T>(work: () => Promise<T>) => heartbeating(heartbeatEveryMs, work);
  const persisting = <T>(operation: string, work: () => Promise<T>) =>
    beating(work).catch((e: unknown) => persistenceFailure(operation, e));

  async function savedDraft(draftId: string): Promise<Draft | undefined> {
    const [row] = await db.select().from(aiDrafts).where(eq(aiDrafts.id, draftId));
    return row
      ? { body: row.body, confidence: row.confidence, citations: row.citations as Draft['citations'], promptVersion: row.promptVersion, provider: row.provider }
      : undefined;
  }

  return {
    // ---- AI ----------------------------------------------------------------------------
    async classifyTicket(ticket: TicketForAI) {
      return beating(() => ai.classify(ticket).catch(aiError('classify')));
    },

    /** Once written, a draft is what its id means: a retry returns it instead of asking the AI again. */
    async draftResponse(request: DraftRequest & { draftId: string }): Promise<Draft> {
      // Only a retry can find its draft already written; a first attempt skips the read.
      const saved = Context.current().info.attempt > 1 ? await savedDraft(request.draftId) : undefined;
      if (saved) return saved;
      const draft = await beating(() => ai.draftReply(request).catch(aiError('draftReply')));
      const [inserted] = await persisting('draftResponse', () => db
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
        .returning({ id: aiDrafts.id }));
      // Lost a race with an earlier attempt that also finished: its draft is the one on record.
      return inserted ? draft : ((await savedDraft(request.draftId)) ?? draft);
    },

    async summarizeEscalation(request: EscalationRequest) {
      return beating(() => ai.summarizeEscalation(request).catch(aiError('summarizeEscalation')));
    },

    async assessReply(input: { reply: string; transcript: TranscriptMessage[]; ticketId?: string }) {
      return beating(() => ai.assessReply(input.reply, input.transcript, input.ticketId).catch(aiError('assessReply')));
    },

    // ---- Enrichment: each source on its own, so one outage leaves a gap, not a failure --
    async lookupAccount(ref: CustomerRef) {
      return directory.lookup(ref, now()).catch(integrationError(`${directory.name} CRM lookup`));
    },
    async lookupBilling(ref: CustomerRef) {
      return billing.lookup(ref, now()).catch(integrationError(`${billing.name} billing lookup`));
    },
    async lookupLinkedIssues(ref: CustomerRef) {
      return issueTracker.linkedIssues(ref).catch(integrationError(`${issueTracker.name} issue lookup`));
    },
    async lookupTicketHistory(input: CustomerRef & { ticketId: string; text: string }) {
      return lookupTicketHistory(db, input, now());
    },

    // ---- Persistence -------------------------------------------------------------------
    /** Upserts the read model (never overwriting a newer snapshot) and appends audit events. */
    async persistTicket(given: PersistInput): Promise<void> {
      const input = given.sanitize ? storable(given) : given;
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
      await persisting('persistTicket', () => db.transaction(async (tx) => {
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
      }));
    },

    /** Queues a message for the customer's channel and records it in the conversation, once. */
    async deliverMessage(given: OutboundMessage): Promise<void> {
      const m = given.sanitize ? storable(given) : given;
      await persisting('deliverMessage', () => db.transaction(async (tx) => {
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
      }));
    },

    async recordDraftOutcome(given: DraftOutcomeInput & { sanitize?: boolean }): Promise<void> {
      const { sanitize, ...input } = given;
      const outcome = sanitize ? storable(input) : input;
      await persisting('recordDraftOutcome', () =>
        db.update(aiDrafts).set(draftOutcomeRow(outcome)).where(eq(aiDrafts.id, outcome.draftId)),
      );
    },
  };
}

export type TandemActivities = ReturnType<typeof createActivities>;

