import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  currentUpdateInfo,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import type { DraftOutcomeInput, TandemActivities } from '../activities';
import { actionNames, parseActionPayload, refusalFor, type ActionName, type ActionPayload } from '../domain/actions';
import { emptyEnrichment, unclassified } from '../domain/blanks';
import type { Enrichment } from '../domain/enrichment';
import {
  aiFailedTrigger,
  draftConfidenceTrigger,
  persistenceFailedTrigger,
  softTriggersAtTriage,
  triggersAfterReply,
  unresolvedTimeoutTrigger,
  type Trigger,
} from '../domain/escalation';
import type { RoutingPolicy } from '../domain/policy';
import { aiStepDeadlineOf } from '../domain/policyRules';
import { requestFingerprint, type RequestBinding } from '../domain/requests';
import { raiseForBreach, scorePriority } from '../domain/priority';
import { addressesTheAI } from '../domain/injection';
import { readModelRow } from '../domain/readModel';
import { route } from '../domain/routing';
import type {
  Classification,
  EscalationSummary,
  NewTicket,
  ReplyAssessment,
  TicketStatus,
  TranscriptMessage,
} from '../domain/ticket';
import {
  canComplete,
  currentDetails,
  nextDeadline,
  outcomeOf,
  resolutionModeOf,
  ticketView,
  type ActionResult,
  type Deadline,
  type MessageReceipt,
  type TicketOutcome,
  type TicketState,
  type TicketView,
} from '../domain/ticketState';
import { actions, csatSignal, customerMessageSignal, customerMessageUpdate, stateQuery, type CustomerMessageInput } from './messages';
import {
  AssignedAgent,
  CustomerTier,
  Escalated,
  HandlingMode,
  PriorityScore,
  TicketCategory,
  TicketPriority,
  TicketStatus as TicketStatusAttr,
} from './searchAttributes';

export interface TicketWorkflowInput {
  /** `requestHash` fingerprints the create request, so a reused Idempotency-Key is told apart for life. */
  ticket: NewTicket & { createdAt: number; requestHash?: string };
  /** The routing policy version the ticket started with; it keeps it for life. */
  policy: RoutingPolicy;
  /** State carried over continue-as-new; absent on the first run. */
  carried?: TicketState;
  /** Recent customer message ids and Update ids, carried so a retry after continue-as-new is still a repeat. */
  carriedIds?: { messages: string[]; updates: string[]; requests?: RequestBinding[] };
  /** Continue-as-new once history passes this many events (server suggestion applies too). */
  historyLimit?: number;
  activityTimeouts?: ActivityTimeouts;
}

/** Activity start-to-close timeouts, from the starter's configuration (LLM latency varies by model). */
export interface ActivityTimeouts {
  aiMs: number;
  enrichmentMs: number;
  storeMs: number;
  /** How long a write may keep retrying through an outage before the ticket says so (default 5 min). */
  storeDeadlineMs?: number;
  /** A worker that stops heartbeating this long is presumed dead and its work restarts elsewhere. */
  heartbeatMs?: number;
}
export const defaultActivityTimeouts: ActivityTimeouts = { aiMs: 120_000, enrichmentMs: 10_000, storeMs: 30_000 };
const DEFAULT_STORE_DEADLINE_MS = 5 * 60_000;
const DEFAULT_HEARTBEAT_MS = 10_000;

/** An enrichment source: its own timeout and number of attempts. */
const lookup = (startToCloseTimeout: number, maximumAttempts: number) =>
  proxyActivities<TandemActivities>({
    startToCloseTimeout,
    retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts },
  });

/** One proxy group per dependency, each with its own timeout and retry policy. */
function activityGroups(t: ActivityTimeouts, policy: RoutingPolicy) {
  const heartbeatTimeout = t.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  return {
    // An AI step gets the policy's deadline, retries included (a Retry-After past it ends the step
    // there): then a person takes the ticket and a late answer is dropped. Long model calls
    // heartbeat, so a dead worker's call restarts within the heartbeat timeout.
    ai: proxyActivities<TandemActivities>({
      startToCloseTimeout: t.aiMs,
      scheduleToCloseTimeout: aiStepDeadlineOf(policy),
      heartbeatTimeout,
      retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5 },
    }),
    // Enrichment sources are optional context: each fails fast on its own and leaves a gap rather
    // than hold up triage. Outside systems get a few attempts (a rate limit's Retry-After comes
    // through their adapters); Tandem's own ticket history is a local query, quick or not at all.
    crm: lookup(t.enrichmentMs, 3),
    billing: lookup(t.enrichmentMs, 3),
    issueTracker: lookup(t.enrichmentMs, 2),
    ticketHistory: lookup(Math.min(t.enrichmentMs, 5000), 2),
    // Persistence retries through an outage; past its deadline the ticket records that its
    // writes are delayed and tries again, so nothing a ticket decided is lost and no write
    // retries unseen. A value the database refuses fails at once (PersistenceRefused).
    store: proxyActivities<TandemActivities>({
      startToCloseTimeout: t.storeMs,
      scheduleToCloseTimeout: t.storeDeadlineMs ?? DEFAULT_STORE_DEADLINE_MS,
      heartbeatTimeout,
      retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s', nonRetryableErrorTypes: ['PersistenceRefused'] },
    }),
  };
}

const TIMELINE_KEPT_IN_STATE = 200;
const TRANSCRIPT_KEPT_IN_STATE = 50;
const IDS_CARRIED = 500;

export async function ticketWorkflow(input: TicketWorkflowInput): Promise<TicketOutcome> {
  const { policy } = input;
  const historyLimit = input.historyLimit ?? 4000;
  const { ai, crm, billing, issueTracker, ticketHistory, store } = activityGroups(input.activityTimeouts ?? defaultActivityTimeouts, policy);
  const s: TicketState = input.carried ?? initialState(input);

  // Carried through continue-as-new (bounded): what makes a retried message or action a repeat.
  const seenMessageIds = new Set([
    ...(input.carriedIds?.messages ?? []),
    ...s.transcript.filter((m) => m.author === 'customer').map((m) => m.id),
  ]);
  // Update ids (and message ids) bound to what they asked for: a retry is answered with its first
  // result, a reuse of the id for something else is refused. Ids carried from before bindings
  // existed have no fingerprint and count as retries.
  const requests = new Map<string, RequestBinding>([
    ...(input.carriedIds?.updates ?? []).map((id): [string, RequestBinding] => [id, { id, kind: 'unknown', actor: 'unknown', fingerprint: '', at: 0 }]),
    ...(input.carriedIds?.requests ?? []).map((b): [string, RequestBinding] => [b.id, b]),
  ]);
  function bind(id: string, kind: string, actor: string, raw: unknown): RequestBinding {
    const binding = { id, kind, actor, fingerprint: requestFingerprint(kind, raw), at: Date.now() };
    requests.set(id, binding);
    if (requests.size > IDS_CARRIED) requests.delete(requests.keys().next().value!);
    return binding;
  }
  /** The binding a reuse of `id` collides with, if it asks for something else. */
  function collision(id: string | undefined, kind: string, raw: unknown): RequestBinding | undefined {
    const known = id === undefined ? undefined : requests.get(id);
    if (!known || known.fingerprint === '' || known.fingerprint === requestFingerprint(kind, raw)) return undefined;
    return known;
  }

  // Transient state: rebuilt on every run, never carried.
  const inbox: TranscriptMessage[] = [];
  let unsavedEvents: TicketState['timeline'] = [];
  let unsavedCustomerMessages: TranscriptMessage[] = [];
  let dirty = true;
  let aiEpoch = 0; // bumped whenever a human takes the turn; a draft from an older epoch is dropped
  let aiTurnDue = false; // a handback left a customer message unanswered: the AI writes the reply
  const upserted = new Map<string, unknown>(); // search attribute values already in Temporal this run

  // ---- state helpers -----------------------------------------------------------------
  function record(type: string, actor: string, data?: Record<string, unknown>) {
    const event = { seq: s.nextSeq++, at: Date.now(), type, actor, ...(data ? { data } : {}) };
    s.timeline.push(event);
    if (s.timeline.length > TIMELINE_KEPT_IN_STATE) s.timeline.splice(0, s.timeline.length - TIMELINE_KEPT_IN_STATE);
    unsavedEvents.push(event);
    touch();
  }

  function touch() {
    s.version++;
    dirty = true;
    upsertChangedSearchAttributes();
    setCurrentDetails(currentDetails(s));
  }

  function upsertChangedSearchAttributes() {
    const all = [
      { key: TicketStatusAttr, value: s.status },
      { key: TicketPriority, value: s.priority?.level ?? null },
      { key: PriorityScore, value: s.priority?.score ?? null },
      { key: TicketCategory, value: s.classification?.issueType ?? null },
      { key: CustomerTier, value: s.enrichment?.tier ?? null },
      { key: HandlingMode, value: s.mode },
      { key: AssignedAgent, value: s.assignee },
      { key: Escalated, value: s.escalation !== null },
    ];
    // Each upsert is a history event: only what changed is written, so a busy ticket's
    // history stays small. Tickets started before this change keep upserting everything.
    const changed = patched('upsert-changed-search-attributes') ? all.filter((a) => upserted.get(a.key.name) !== a.value) : all;
    if (changed.length === 0) return;
    for (const a of changed) upserted.set(a.key.name, a.value);
    upsertSearchAttributes(changed);
  }

  const view = (): TicketView => ticketView(s, policy);

  function setStatus(status: TicketStatus, actor: string, data?: Record<string, unknown>) {
    const from = s.status;
    s.status = status;
    record('status_changed', actor, { from, to: status, ...data });
  }

  function addToTranscript(m: TranscriptMessage) {
    s.transcript.push(m);
    if (s.transcript.length > TRANSCRIPT_KEPT_IN_STATE) s.transcript.splice(0, s.transcript.length - TRANSCRIPT_KEPT_IN_STATE);
  }

  async function flush() {
    if (!dirty) return;
    dirty = false;
    const events = unsavedEvents;
    const messages = unsavedCustomerMessages;
    unsavedEvents = [];
    unsavedCustomerMessages = [];
    try {
      await store.persistTicket({
        row: readModelRow(s, policy),
        ...(s.status === 'closed' ? { snapshot: view() } : {}),
        events,
        customerMessages: messages.map((m) => ({ ...m, ticketId: s.ticketId })),
        ...(s.persistence?.sanitize ? { sanitize: true } : {}),
      });
    } catch (err) {
      // Nothing is dropped: the batch goes back ahead of what was recorded meanwhile.
      unsavedEvents = [...events, ...unsavedEvents];
      unsavedCustomerMessages = [...messages, ...unsavedCustomerMessages];
      dirty = true;
      await persistenceTrouble('the read model', err);
      return;
    }
    if (s.persistence?.failing) {
      s.persistence = { ...s.persistence, failing: false, reason: null };
      record('persistence_recovered', 'system');
    }
  }

  /**
   * A write that failed. A value the database refuses is a persistence failure: the ticket says
   * so, goes to a person, and later writes replace the offending text. Anything else is an
   * outage that outlasted the activity's deadline: the ticket says its writes are delayed and
   * the next flush tries again.
   */
  async function persistenceTrouble(what: string, err: unknown) {
    const refused = failureType(err) === 'PersistenceRefused';
    const reason = failureReason(err);
    const wasFailing = s.persistence?.failing ?? false;
    s.persistence = { failing: true, since: s.persistence?.since ?? Date.now(), reason, sanitize: (s.persistence?.sanitize ?? false) || refused };
    if (!refused) {
      if (!wasFailing) record('persistence_delayed', 'system', { what, reason });
      return;
    }
    record('persistence_failed', 'system', { what, reason });
    const alreadyRaised = s.escalation?.triggers.some((t) => t.code === 'persistence_failed') ?? false;
    if (!alreadyRaised && s.status !== 'closed' && s.status !== 'resolved') await escalate([persistenceFailedTrigger(reason)]);
  }

  /** A write outside the read-model row (a message, a draft's outcome), retried once with storable text. */
  async function write(what: string, attempt: (sanitize: boolean) => Promise<void>) {
    try {
      await attempt(s.persistence?.sanitize ?? false);
    } catch (err) {
      if (failureType(err) === 'PersistenceRefused' && !s.persistence?.sanitize) {
        await persistenceTrouble(what, err);
        return write(what, attempt);
      }
      await persistenceTrouble(what, err);
    }
  }

  const recordDraftOutcome = (outcome: DraftOutcomeInput) =>
    write(`draft ${outcome.draftId}`, (sanitize) => store.recordDraftOutcome({ ...outcome, ...(sanitize ? { sanitize } : {}) }));

  /** Sends a reply; when it is an AI draft, what became of the draft is recorded with it. */
  async function send(body: string, author: 'ai' | 'agent', agentId?: string, draft?: { id: string; outcome: Omit<DraftOutcomeInput, 'draftId' | 'at'> }) {
    const at = Date.now();
    const id = `${s.ticketId}:out:${s.nextSeq}`;
    addToTranscript({ id, author, body, at, ...(agentId ? { agentId } : {}) });
    if (author === 'ai') s.aiMessagesSent++;
    s.sla.awaitingCustomerSince = at;
    record('message_sent', agentId ?? author, { messageId: id, author, ...(draft ? { draftId: draft.id } : {}) });
    // One activity (one transaction) for both writes halves an approval's round trip; tickets
    // started before this change keep their two activities.
    const together = draft !== undefined && patched('draft-outcome-with-delivery');
    await write(`message ${id}`, (sanitize) => store.deliverMessage({
      ...(sanitize ? { sanitize } : {}),
      id,
      ticketId: s.ticketId,
      kind: 'reply',
      author,
      agentId,
      channel: s.ticket.channel,
      recipient: s.ticket.customerEmail,
      body,
      draftId: draft?.id,
      at,
      ...(together ? { draftOutcome: { ...draft.outcome, draftId: draft.id, at } } : {}),
    }));
    if (draft && !together) await recordDraftOutcome({ ...draft.outcome, draftId: draft.id, at: Date.now() });
  }

  function forAI() {
    const t = s.ticket;
    return { ticketId: s.ticketId, channel: t.channel, subject: t.subject, body: t.body, pageContext: t.pageContext };
  }

  // ---- agent actions: one implementation behind both the Update and the Signal --------
  const context = () => ({ status: s.status, mode: s.mode, assignee: s.assignee, hasPendingDraft: s.draft !== null });

  function parsePayload<A extends ActionName>(name: A, raw: unknown): ActionPayload<A> {
    const parsed = parseActionPayload(name, raw);
    if ('problems' in parsed) throw new Error(`invalid ${name} payload: ${parsed.problems.join('; ')}`);
    return parsed.payload;
  }

  function validate<A extends ActionName>(name: A, raw: unknown): ActionPayload<A> {
    const payload = parsePayload(name, raw);
    const refusal = refusalFor(name, payload, context());
    if (refusal) throw new Error(refusal);
    return payload;
  }

  function takeHumanTurn(agentId: string) {
    aiEpoch++;
    s.humanInvolved = true;
    if (s.mode !== 'human' || s.assignee !== agentId) {
      s.mode = 'human';
      s.assignee = agentId;
    }
  }

  async function discardDraft(by: string) {
    const draft = s.draft;
    if (!draft) return;
    s.draft = null;
    s.sla.reviewDueAt = null;
    record('draft_discarded', by, { draftId: draft.id });
    await recordDraftOutcome({ draftId: draft.id, outcome: 'discarded', reviewedBy: by, at: Date.now() });
  }

  function noteHumanResponse(agentId: string) {
    s.humanReplies++;
    if (s.sla.firstHumanResponseAt === null && s.escalation) {
      s.sla.firstHumanResponseAt = Date.now();
      record('first_human_response', agentId, { breached: s.sla.firstHumanResponseBreached });
    }
  }

  const perform: { [A in ActionName]: (p: ActionPayload<A>) => Promise<void> } = {
    async approve({ agentId }) {
      const draft = s.draft!;
      s.draft = null;
      s.sla.reviewDueAt = null;
      s.humanInvolved = true;
      s.aiTurns++;
      setStatus('awaiting_customer', agentId, { action: 'approve', draftId: draft.id });
      await send(draft.body, 'ai', agentId, { id: draft.id, outcome: { outcome: 'approved', finalBody: draft.body, reviewedBy: agentId } });
    },
    async modify({ agentId, body, note }) {
      const draft = s.draft!;
      s.draft = null;
      s.sla.reviewDueAt = null;
      s.humanInvolved = true;
      s.aiTurns++;
      setStatus('awaiting_customer', agentId, { action: 'modify', draftId: draft.id });
      s.modifiedDrafts = (s.modifiedDrafts ?? 0) + 1;
      s.humanReplies++;
      const feedback = { ...lineDiff(draft.body, body), ...(note ? { note } : {}) };
      await send(body, 'agent', agentId, { id: draft.id, outcome: { outcome: 'modified', finalBody: body, reviewedBy: agentId, feedback } });
    },
    async takeover({ agentId }) {
      takeHumanTurn(agentId);
      await discardDraft(agentId);
      setStatus('human_handling', agentId, { action: 'takeover' });
    },
    async assign({ agentId, assignee }) {
      s.assignee = assignee;
      s.humanInvolved = true;
      if (s.status === 'escalated') {
        s.mode = 'human';
        setStatus('human_handling', agentId, { action: 'assign', assignee });
      } else record('assigned', agentId, { assignee });
    },
    async reply({ agentId, body }) {
      takeHumanTurn(agentId);
      if (s.status !== 'human_handling') setStatus('human_handling', agentId, { action: 'reply' });
      noteHumanResponse(agentId);
      await send(body, 'agent', agentId);
    },
    async resolve({ agentId, reason }) {
      s.humanInvolved = true;
      aiEpoch++;
      await discardDraft(agentId);
      resolveTicket(reason, agentId);
    },
    async handback({ agentId, note }) {
      aiEpoch++;
      s.mode = s.routedMode && s.routedMode !== 'human' ? s.routedMode : 'ai_review';
      s.assignee = null;
      s.aiTurns = 0;
      setStatus('awaiting_customer', agentId, { action: 'handback', mode: s.mode, ...(note ? { note } : {}) });
      // Someone must owe the next move: an unanswered customer gets the AI's reply, otherwise
      // the reply window runs from now.
      if (s.transcript.at(-1)?.author === 'customer') aiTurnDue = true;
      else s.sla.awaitingCustomerSince ??= Date.now();
    },
    async reclassify({ agentId, changes }) {
      const before = s.classification!;
      s.classification = { ...before, ...changes };
      if (s.enrichment) {
        const base = scorePriority(s.classification, s.enrichment, policy.priorityWeights);
        const boosts = s.priority?.breakdown.filter((f) => f.factor === 'slaBreach') ?? [];
        s.priority = boosts.reduce((p, b) => raiseForBreach(p, b.points, b.why), base);
      }
      record('reclassified', agentId, { before: pick(before, Object.keys(changes)), after: changes });
    },
  };

  async function runAction<A extends ActionName>(name: A, payload: ActionPayload<A>) {
    try {
      await perform[name](payload);
    } catch (err) {
      // An accepted update that cannot finish must fail the update, not the workflow task.
      if (err instanceof ApplicationFailure) throw err;
      throw ApplicationFailure.nonRetryable(`${name} failed: ${(err as Error).message}`, 'ActionFailed');
    }
  }

  function registerAction<A extends ActionName>(name: A) {
    // Payloads arrive untyped from callers and are parsed here, so handlers take `unknown`.
    const { update, signal } = actions[name] as unknown as {
      update: UpdateDefinition<ActionResult, [unknown]>;
      signal: SignalDefinition<[unknown]>;
    };
    setHandler(
      update,
      async (raw: unknown): Promise<ActionResult> => {
        // The server dedupes Update ids within a run; this covers a retry after continue-as-new.
        // The result names the request it answers, so a caller can tell its retry from a reuse.
        const updateId = currentUpdateInfo()?.id;
        const known = updateId === undefined ? undefined : requests.get(updateId);
        if (known) return { ...view(), request: known };
        const payload = parsePayload(name, raw);
        const request = updateId === undefined ? undefined : bind(updateId, name, payload.agentId, raw);
        record('action', payload.agentId, { action: name, via: 'update' });
        await runAction(name, payload);
        return { ...view(), ...(request ? { request } : {}) };
      },
      {
        validator: (raw: unknown) => {
          const id = currentUpdateInfo()?.id;
          const reused = collision(id, name, raw);
          if (reused) throw new Error(`request id ${reused.id} was already used for ${reused.kind} by ${reused.actor}`);
          // A retry of an applied request is answered with its result, whatever the state now.
          if (id !== undefined && requests.has(id)) return;
          validate(name, raw);
        },
      },
    );
    setHandler(signal, async (raw: unknown) => {
      let payload: ActionPayload<A>;
      try {
        payload = validate(name, raw);
      } catch (err) {
        s.refusedActions++;
        const agentId = (raw as { agentId?: unknown } | null)?.agentId;
        record('action_refused', typeof agentId === 'string' ? agentId : 'unknown', {
          action: name,
          reason: (err as Error).message,
        });
        return;
      }
      record('action', payload.agentId, { action: name, via: 'signal' });
      try {
        await perform[name](payload);
      } catch (err) {
        // Nobody waits on a signal's result, and a throw here would fail the whole ticket.
        record('action_failed', payload.agentId, { action: name, reason: (err as Error).message });
      }
    });
  }
  for (const name of actionNames) registerAction(name);

  // ---- customer messages: an Update (so a reused message id is refused at once) and a Signal --
  const messageProblem = (m: CustomerMessageInput | null | undefined) =>
    !m || typeof m.body !== 'string' || m.body.trim() === '' || typeof m.messageId !== 'string'
      ? 'a customer message needs a messageId and a body'
      : null;
  const messageBinding = (m: CustomerMessageInput) => `message:${m.messageId}`;
  const messageFingerprintOf = (m: CustomerMessageInput) => ({ messageId: m.messageId, body: m.body });

  function receiveCustomerMessage(m: CustomerMessageInput): MessageReceipt {
    const id = `${s.ticketId}:in:${m.messageId}`;
    const bindingId = messageBinding(m);
    const request = requests.get(bindingId) ?? bind(bindingId, 'customerMessage', 'customer', messageFingerprintOf(m));
    if (!seenMessageIds.has(id)) {
      seenMessageIds.add(id);
      const message: TranscriptMessage = { id, author: 'customer', body: m.body, at: Date.now() };
      inbox.push(message);
      unsavedCustomerMessages.push(message);
      dirty = true;
    }
    return { ticketId: s.ticketId, messageId: m.messageId, request };
  }

  setHandler(customerMessageSignal, (m: CustomerMessageInput) => {
    const problem = messageProblem(m);
    const reused = problem ? undefined : collision(messageBinding(m), 'customerMessage', messageFingerprintOf(m));
    if (problem || reused) {
      record('message_refused', 'customer', { reason: problem ?? `message id ${m.messageId} was already used for a different message` });
      return;
    }
    receiveCustomerMessage(m);
  });
  setHandler(customerMessageUpdate, receiveCustomerMessage, {
    validator: (m: CustomerMessageInput) => {
      const problem = messageProblem(m);
      if (problem) throw new Error(problem);
      if (collision(messageBinding(m), 'customerMessage', messageFingerprintOf(m))) {
        throw new Error(`message id ${m.messageId} was already used for a different message`);
      }
    },
  });

  setHandler(csatSignal, (c) => {
    const score = Number(c?.score);
    const refusal =
      s.status !== 'resolved'
        ? `ticket is ${s.status}`
        : s.csat.windowClosed
          ? 'the CSAT window has closed'
          : !Number.isInteger(score) || score < 1 || score > 5
            ? 'score must be 1–5'
            : null;
    if (refusal) {
      record('csat_refused', 'customer', { reason: refusal });
      return;
    }
    s.csat.score = score;
    s.csat.comment = typeof c.comment === 'string' ? c.comment.slice(0, 2000) : null;
    s.csat.at = Date.now();
    record('csat_received', 'customer', { score });
  });

  setHandler(stateQuery, view);

  // ---- lifecycle steps -------------------------------------------------------------------
  async function triage() {
    const epoch = aiEpoch;
    unsavedCustomerMessages.push(...s.transcript);
    touch();
    await flush();
    let classification: Classification;
    let classificationFailed: string | null = null;
    try {
      classification = await ai.classifyTicket(forAI());
    } catch (err) {
      // After its retries or its deadline the AI is out of the picture: a person triages, the
      // ticket never sticks.
      log.warn('classification failed; routing to a human', { error: failureReason(err) });
      classification = unclassified(s.ticket.subject);
      classificationFailed = failureReason(err);
    }
    s.classification = classification;
    s.originalClassification = classification;
    record('classified', 'ai', { ...classification });

    s.enrichment = await enrich();
    record('enriched', 'system', { tier: s.enrichment.tier, churnSignal: s.enrichment.churnSignal, gaps: s.enrichment.gaps });

    s.priority = scorePriority(classification, s.enrichment, policy.priorityWeights);
    const decision = route(classification, s.enrichment, policy, `${s.ticket.subject}\n${s.ticket.body}`);
    if (classificationFailed !== null) {
      decision.mode = 'human';
      decision.triggers.unshift(aiFailedTrigger('classification', classificationFailed));
    }
    s.routedMode = decision.mode;
    s.routeReasons = decision.reasons;
    // An agent who took the ticket while triage ran keeps it; the triage is still recorded.
    const takenOver = epoch !== aiEpoch;
    if (!takenOver) s.mode = decision.mode;
    record('routed', 'system', {
      mode: decision.mode,
      quadrant: decision.quadrant,
      reasons: decision.reasons,
      priority: s.priority,
      policyVersion: policy.version,
      ...(takenOver ? { keptBy: s.assignee } : {}),
    });
    if (takenOver) return;

    const triggers = [...decision.triggers, ...softTriggersAtTriage(classification, policy)];
    if (triggers.length > 0 || decision.mode === 'human') {
      await escalate(triggers.length > 0 ? triggers : [{ code: 'routed_to_human', kind: 'hard', detail: decision.reasons.join('; ') }]);
      return;
    }
    await aiTurn();
  }

  async function enrich(): Promise<Enrichment> {
    const ref = { customerId: s.ticket.customerId, customerEmail: s.ticket.customerEmail };
    const [account, bill, history, issues] = await Promise.allSettled([
      crm.lookupAccount(ref),
      billing.lookupBilling(ref),
      ticketHistory.lookupTicketHistory({ ...ref, ticketId: s.ticketId, text: `${s.ticket.subject} ${s.ticket.body}` }),
      // Tickets started before the issue tracker existed replay without it.
      patched('linked-issues') ? issueTracker.lookupLinkedIssues(ref) : Promise.resolve([]),
    ]);
    const result = emptyEnrichment(s.ticket.customerId ?? null);
    const gap = (source: string, r: PromiseRejectedResult) =>
      // An ActivityFailure says only "Activity task failed": the reason is in its cause.
      result.gaps.push({ source, error: ((r.reason as Error)?.cause as Error | undefined)?.message ?? (r.reason as Error)?.message ?? String(r.reason) });
    if (account.status === 'fulfilled') Object.assign(result, account.value);
    else gap('crm', account);
    if (bill.status === 'fulfilled') Object.assign(result, withoutUndefined(bill.value));
    else gap('billing', bill);
    if (history.status === 'fulfilled') Object.assign(result, history.value);
    else gap('ticket_history', history);
    if (issues.status === 'fulfilled') result.linkedIssues = issues.value;
    else gap('issue_tracker', issues);
    return result;
  }

  /** The AI writes the next reply; sent at once in ai_auto, held for review in ai_review. */
  async function aiTurn() {
    const epoch = aiEpoch;
    const turn = s.aiTurns + 1;
    const draftId = `${s.ticketId}:draft:${s.nextSeq}`;
    const previous = s.status;
    setStatus('drafting', 'ai', { turn });
    let draft;
    try {
      draft = await ai.draftResponse({
        draftId,
        ticket: forAI(),
        transcript: s.transcript,
        classification: s.classification!,
        enrichment: s.enrichment!,
        turn,
      });
    } catch (err) {
      if (epoch !== aiEpoch) return;
      log.warn('draft failed; escalating', { error: failureReason(err) });
      await escalate([aiFailedTrigger('draft', failureReason(err))]);
      return;
    }
    if (epoch !== aiEpoch || s.mode === 'human' || s.status !== 'drafting') {
      // A human took the turn while the AI was writing: the AI never replies to it too.
      await recordDraftOutcome({ draftId, outcome: 'discarded', at: Date.now() });
      if (s.status === 'drafting') setStatus(previous, 'system');
      return;
    }
    record('drafted', 'ai', { draftId, confidence: draft.confidence, citations: draft.citations, promptVersion: draft.promptVersion });
    const lowConfidence = draftConfidenceTrigger(draft.confidence, policy, s.enrichment?.tier ?? null);
    if (lowConfidence.length > 0) {
      await recordDraftOutcome({ draftId, outcome: 'discarded', at: Date.now() });
      await escalate(lowConfidence);
      return;
    }
    if (s.mode === 'ai_auto') {
      s.aiTurns = turn;
      setStatus('awaiting_customer', 'ai', { draftId });
      await send(draft.body, 'ai', undefined, { id: draftId, outcome: { outcome: 'sent', finalBody: draft.body } });
      return;
    }
    s.draft = { ...draft, id: draftId, turn, createdAt: Date.now() };
    s.sla.reviewDueAt = Date.now() + policy.sla[s.priority!.level].review;
    s.sla.reviewBreached = false;
    setStatus('awaiting_review', 'ai', { draftId, reviewDueAt: s.sla.reviewDueAt });
  }

  async function escalate(triggers: Trigger[]) {
    const epoch = ++aiEpoch;
    await discardDraft('system');
    let summary: EscalationSummary | null = null;
    try {
      summary = await ai.summarizeEscalation({
        ticket: forAI(),
        transcript: s.transcript,
        classification: s.classification,
        enrichment: s.enrichment,
        reasons: triggers.map(({ code, detail }) => ({ code, detail })),
      });
    } catch (err) {
      // Escalating matters more than the summary: the agent still has the transcript.
      log.warn('escalation summary failed; escalating without one', { error: failureReason(err) });
    }
    const at = Date.now();
    s.escalation = { triggers, summary, at };
    if (epoch !== aiEpoch) {
      // A person acted while the summary was written (took over, replied, resolved): theirs stands.
      record('escalation_summarized', 'ai', { reasons: triggers.map((t) => t.code) });
      return;
    }
    s.mode = 'human';
    s.sla.firstHumanResponseAt = null;
    s.sla.firstHumanResponseBreached = false;
    s.sla.firstHumanResponseDueAt = at + policy.sla[s.priority?.level ?? 'P2'].firstHumanResponse;
    s.sla.awaitingCustomerSince = null;
    setStatus(s.assignee ? 'human_handling' : 'escalated', 'system', { reasons: triggers.map((t) => t.code) });
  }

  function resolveTicket(reason: string, by: string) {
    s.draft = null;
    s.sla.awaitingCustomerSince = null;
    s.resolution = { mode: resolutionModeOf(s), reason, at: Date.now(), by, reopenWindowClosed: false };
    // A score the customer already gave survives a reopen; otherwise the survey starts afresh.
    if (s.csat.score === null) {
      s.csat = { surveySentAt: null, reminderSentAt: null, score: null, comment: null, at: null, windowClosed: false };
    }
    setStatus('resolved', by, { resolutionMode: s.resolution.mode, reason });
  }

  async function onCustomerMessage(m: TranscriptMessage) {
    addToTranscript(m);
    s.sla.awaitingCustomerSince = null;
    record('customer_message', 'customer', { messageId: m.id });
    if (s.status === 'resolved') {
      if (!s.resolution || s.resolution.reopenWindowClosed) return;
      s.followUps++;
      s.resolution = null;
      record('reopened', 'customer', { followUps: s.followUps });
      if (s.mode === 'human') {
        // The customer is waiting on a person again: the first-response SLA runs afresh.
        if (patched('reopen-rearms-first-response')) {
          s.sla.firstHumanResponseAt = null;
          s.sla.firstHumanResponseBreached = false;
          s.sla.firstHumanResponseDueAt = Date.now() + policy.sla[s.priority?.level ?? 'P2'].firstHumanResponse;
        }
        setStatus(s.assignee ? 'human_handling' : 'escalated', 'customer');
        return;
      }
      s.aiTurns = 0;
      // A reopening message is read like any other: it may ask for a person or address the AI.
      if (!patched('reopen-assesses-reply')) return aiTurn();
    }
    if (s.mode === 'human' || s.status === 'escalated' || s.status === 'human_handling') return;
    const epoch = aiEpoch;
    let assessment: ReplyAssessment;
    try {
      assessment = await ai.assessReply({ reply: m.body, transcript: s.transcript, ticketId: s.ticketId });
    } catch (err) {
      if (epoch !== aiEpoch) return;
      log.warn('reply assessment failed; escalating', { error: failureReason(err) });
      return escalate([aiFailedTrigger('assessment', failureReason(err))]);
    }
    record('reply_assessed', 'ai', { ...assessment });
    // A person took over or resolved while the reply was read: the turn is theirs.
    if (epoch !== aiEpoch) return;
    if (s.mode === 'ai_auto' && addressesTheAI(m.body)) {
      s.mode = 'ai_review';
      s.routedMode = 'ai_review'; // a handback keeps the review
      record('review_required', 'system', { reason: 'the customer message addresses the AI: a person reviews the reply' });
    }
    if (s.mode !== 'ai_auto' && s.mode !== 'ai_review') return; // a human took over meanwhile
    const triggers = triggersAfterReply(assessment, s.aiTurns, policy);
    if (triggers.length > 0) return escalate(triggers);
    if (assessment.verdict === 'resolved') {
      await discardDraft('system');
      return resolveTicket('customer_confirmed', 'customer');
    }
    if (s.draft) await discardDraft('system'); // the customer said more: redraft with it
    await aiTurn();
  }

  async function onDeadline(d: Deadline) {
    switch (d.kind) {
      case 'review_sla':
        s.sla.reviewBreached = true;
        s.priority = raiseForBreach(s.priority!, policy.breachBoost, 'review SLA breached');
        record('sla_breached', 'system', { sla: 'review', priority: s.priority.level });
        return;
      case 'first_human_response_sla':
        s.sla.firstHumanResponseBreached = true;
        if (s.priority) s.priority = raiseForBreach(s.priority, policy.breachBoost, 'first human response SLA breached');
        record('sla_breached', 'system', { sla: 'first_human_response', priority: s.priority?.level });
        return;
      case 'customer_reply_window':
        return resolveTicket('no_reply', 'system');
      case 'unresolved_timeout':
        return escalate([unresolvedTimeoutTrigger(s.aiTurns)]);
      case 'csat_survey':
      case 'csat_reminder': {
        const kind = d.kind === 'csat_survey' ? 'csat_survey' : 'csat_reminder';
        const at = Date.now();
        await write(`${kind} message`, (sanitize) => store.deliverMessage({
          ...(sanitize ? { sanitize } : {}),
          id: `${s.ticketId}:${kind}:${s.followUps}`,
          ticketId: s.ticketId,
          kind,
          author: 'system',
          channel: s.ticket.channel,
          recipient: s.ticket.customerEmail,
          body:
            kind === 'csat_survey'
              ? `How did we do with "${s.ticket.subject}"? Reply with a score from 1 (poor) to 5 (great).`
              : `A quick reminder: how did we do with "${s.ticket.subject}"? A score from 1 to 5 helps us improve.`,
          at,
        }));
        if (kind === 'csat_survey') s.csat.surveySentAt = at;
        else s.csat.reminderSentAt = at;
        record(`${kind}_sent`, 'system');
        return;
      }
      case 'csat_window_end':
        s.csat.windowClosed = true;
        record('csat_window_closed', 'system', { answered: s.csat.score !== null });
        return;
      case 'reopen_window_end':
        s.resolution!.reopenWindowClosed = true;
        record('reopen_window_closed', 'system');
        return;
    }
  }

  // ---- the main loop -------------------------------------------------------------------
  if (!input.carried) await triage();
  else record('continued_as_new', 'system', { runId: workflowInfo().runId });

  while (!canComplete(s) || inbox.length > 0 || aiTurnDue) {
    await flush();
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > historyLimit) {
      await condition(allHandlersFinished);
      if (inbox.length === 0 && !aiTurnDue && s.status !== 'drafting') {
        await flush();
        // Anything that arrived during the flush goes round the loop once more first.
        if (inbox.length === 0 && !aiTurnDue && !dirty && allHandlersFinished()) {
          const carriedIds = { messages: [...seenMessageIds].slice(-IDS_CARRIED), updates: [], requests: [...requests.values()] };
          return await continueAsNew<typeof ticketWorkflow>({ ...input, carried: { ...s }, carriedIds });
        }
      }
    }
    const due = nextDeadline(s, policy);
    const wakeUp = () => inbox.length > 0 || dirty || aiTurnDue;
    const woke = due ? await condition(wakeUp, Math.max(1, due.at - Date.now())) : (await condition(wakeUp), true);
    if (inbox.length > 0) {
      await onCustomerMessage(inbox.shift()!);
    } else if (aiTurnDue) {
      aiTurnDue = false;
      if (s.mode === 'ai_auto' || s.mode === 'ai_review') await aiTurn();
    } else if (!woke && due && Date.now() >= due.at) {
      await onDeadline(due);
    }
  }

  await condition(allHandlersFinished);
  setStatus('closed', 'system', { outcome: outcomeOf(s) });
  // Signals handled during a flush (a late CSAT, a refused action) are recorded too.
  while (dirty) await flush();
  return outcomeOf(s);
}

const withoutUndefined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

function initialState(input: TicketWorkflowInput): TicketState {
  const { ticket, policy } = input;
  return {
    ticketId: ticket.ticketId,
    ticket,
    status: 'triaging',
    mode: null,
    routedMode: null,
    routeReasons: [],
    policyVersion: policy.version,
    classification: null,
    originalClassification: null,
    enrichment: null,
    priority: null,
    draft: null,
    escalation: null,
    assignee: null,
    aiTurns: 0,
    humanReplies: 0,
    humanInvolved: false,
    aiMessagesSent: 0,
    transcript: [{ id: `${ticket.ticketId}:in:opening`, author: 'customer', body: ticket.body, at: ticket.createdAt }],
    sla: {
      reviewDueAt: null,
      reviewBreached: false,
      firstHumanResponseDueAt: null,
      firstHumanResponseAt: null,
      firstHumanResponseBreached: false,
      awaitingCustomerSince: null,
    },
    resolution: null,
    csat: { surveySentAt: null, reminderSentAt: null, score: null, comment: null, at: null, windowClosed: false },
    followUps: 0,
    refusedActions: 0,
    timeline: [],
    nextSeq: 1,
    version: 0,
  };
}

/** A line-level diff of what the agent changed in the AI's draft: the feedback leads learn from. */
function lineDiff(before: string, after: string) {
  const a = before.split('\n');
  const b = after.split('\n');
  return {
    removed: a.filter((line) => !b.includes(line)),
    added: b.filter((line) => !a.includes(line)),
    similarity: a.length + b.length === 0 ? 1 : (2 * a.filter((line) => b.includes(line)).length) / (a.length + b.length),
  };
}

function pick(o: Record<string, unknown>, keys: string[]) {
  return Object.fromEntries(keys.map((k) => [k, o[k]]));
}

/** The type of an activity's ApplicationFailure, looked up through the ActivityFailure wrapper. */
function failureType(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

/** Why an activity failed, in words for the timeline: a timeout names its deadline. */
function failureReason(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const atDeadline = 'no answer within its deadline; a later answer is dropped';
  if (cause instanceof TimeoutFailure) return cause.timeoutType === 'SCHEDULE_TO_CLOSE' ? atDeadline : `timed out (${cause.timeoutType})`;
  const message = (cause as Error | undefined)?.message ?? String(err);
  // Temporal ends the retries early when the next attempt would start past the deadline.
  return err instanceof ActivityFailure && err.retryState === 'TIMEOUT' ? `${atDeadline} (last: ${message})` : message;
}
