import { ApplicationFailure, currentUpdateInfo, patched, setHandler } from '@temporalio/workflow';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { refusalFor } from '../../domain/actionRefusals';
import { actionNames, parseActionPayload, type ActionName, type ActionPayload } from '../../domain/actions';
import { lineDiff } from '../../domain/feedback';
import { aiValue, type OverrideData, type OverrideField } from '../../domain/outcomes';
import { raiseForBreach, scorePriority, withOverride } from '../../domain/priority';
import type { ActionResult } from '../../domain/ticketState';
import { actions } from '../messages';
import type { TicketRun } from './run';

type Perform = { [A in ActionName]: (p: ActionPayload<A>) => Promise<void> };

/** What each agent action does to a ticket: one implementation behind both its Update and its Signal. */
function performer(run: TicketRun): Perform {
  const { s, log, policy } = run;
  const takeHumanTurn = (agentId: string) => {
    run.aiEpoch++;
    s.humanInvolved = true;
    if (s.mode !== 'human' || s.assignee !== agentId) {
      s.mode = 'human';
      s.assignee = agentId;
    }
  };
  /** A person changed one field of the AI's call: recorded beside what the AI said, for triage accuracy. */
  // Each record is a history event (search attributes, details): histories from before overrides
  // were kept replay without them.
  const override = (agentId: string, field: OverrideField, before: string | null, after: string | null, reason?: string) =>
    patched('record-overrides') &&
    log.record('override', agentId, {
      field,
      before,
      after,
      ai: aiValue(s.aiCall, field),
      ...(reason ? { reason } : {}),
    } satisfies OverrideData as unknown as Record<string, unknown>);
  const noteHumanResponse = (agentId: string) => {
    s.humanReplies++;
    if (s.sla.firstHumanResponseAt === null && s.escalation) {
      s.sla.firstHumanResponseAt = Date.now();
      log.record('first_human_response', agentId, { breached: s.sla.firstHumanResponseBreached });
    }
  };
  /** The pending draft leaves review: approved as is or sent as the agent edited it. */
  const takeDraft = (agentId: string, action: 'approve' | 'modify') => {
    const draft = s.draft!;
    s.draft = null;
    s.sla.reviewDueAt = null;
    s.humanInvolved = true;
    s.aiTurns++;
    log.setStatus('awaiting_customer', agentId, { action, draftId: draft.id });
    return draft;
  };
  return {
    async approve({ agentId }) {
      const draft = takeDraft(agentId, 'approve');
      await run.conversation.send(
        draft.body,
        'ai',
        agentId,
        { id: draft.id, outcome: { outcome: 'approved', finalBody: draft.body, reviewedBy: agentId } },
        draft.citations,
      );
    },
    async modify({ agentId, body, note }) {
      const draft = takeDraft(agentId, 'modify');
      s.modifiedDrafts = (s.modifiedDrafts ?? 0) + 1;
      s.humanReplies++;
      const feedback = { ...lineDiff(draft.body, body), ...(note ? { note } : {}) };
      await run.conversation.send(body, 'agent', agentId, {
        id: draft.id,
        outcome: { outcome: 'modified', finalBody: body, reviewedBy: agentId, feedback },
      });
    },
    async takeover({ agentId }) {
      // Taking a ticket from the AI overrides the mode triage chose.
      if (s.mode === 'ai_auto' || s.mode === 'ai_review') override(agentId, 'mode', s.mode, 'human');
      takeHumanTurn(agentId);
      // A draft waiting for review that the agent takes over instead of sending is an implicit thumbs down.
      await run.conversation.discardDraft(agentId, { takenOver: true });
      log.setStatus('human_handling', agentId, { action: 'takeover' });
    },
    async assign({ agentId, assignee }) {
      s.assignee = assignee;
      s.humanInvolved = true;
      if (s.status === 'escalated') {
        s.mode = 'human';
        log.setStatus('human_handling', agentId, { action: 'assign', assignee });
      } else log.record('assigned', agentId, { assignee });
    },
    async reply({ agentId, body }) {
      takeHumanTurn(agentId);
      if (s.status !== 'human_handling') log.setStatus('human_handling', agentId, { action: 'reply' });
      noteHumanResponse(agentId);
      await run.conversation.send(body, 'agent', agentId);
    },
    async resolve({ agentId, reason }) {
      s.humanInvolved = true;
      run.aiEpoch++;
      await run.conversation.discardDraft(agentId);
      run.conversation.resolve(reason, agentId);
    },
    async handback({ agentId, note }) {
      run.aiEpoch++;
      const before = s.mode;
      s.mode = s.routedMode && s.routedMode !== 'human' ? s.routedMode : 'ai_review';
      override(agentId, 'mode', before, s.mode);
      s.assignee = null;
      s.aiTurns = 0;
      log.setStatus('awaiting_customer', agentId, { action: 'handback', mode: s.mode, ...(note ? { note } : {}) });
      // Someone must owe the next move: an unanswered customer gets the AI's reply, otherwise
      // the reply window runs from now.
      if (s.transcript.at(-1)?.author === 'customer') run.aiTurnDue = true;
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
      if (s.priority) s.priority = withOverride(s.priority, s.priorityOverride);
      const was = Object.fromEntries(Object.keys(changes).map((k) => [k, before[k as keyof typeof before]]));
      log.record('reclassified', agentId, { before: was, after: changes });
      for (const field of ['issueType', 'complexity', 'repeatability', 'urgency'] as const) {
        const after = changes[field];
        if (after !== undefined && after !== before[field]) override(agentId, field, before[field], after);
      }
    },
    async reprioritize({ agentId, level, reason }) {
      const before = s.priority?.level ?? null;
      s.priorityOverride = { level, by: agentId, reason, at: Date.now() };
      if (s.priority) s.priority = withOverride(s.priority, s.priorityOverride);
      override(agentId, 'priority', before, level, reason);
    },
    async feedback(f) {
      log.record('feedback', f.agentId, {
        draftId: f.draftId,
        ...(f.messageId ? { messageId: f.messageId } : {}),
        ...(f.rating ? { rating: f.rating } : {}),
        ...(f.reasons?.length ? { reasons: f.reasons } : {}),
        ...(f.flag ? { flag: true } : {}),
        corrected: f.correction !== undefined,
      });
      const at = Date.now();
      await run.writes.write(`feedback on ${f.draftId}`, (sanitize) =>
        run.store.recordFeedback({
          ticketId: s.ticketId,
          draftId: f.draftId,
          messageId: f.messageId,
          agent: f.agentId,
          source: 'explicit',
          rating: f.rating,
          reasons: f.reasons,
          correction: f.correction,
          flag: f.flag,
          category: s.classification?.issueType ?? null,
          at,
          ...(sanitize ? { sanitize } : {}),
        }),
      );
    },
    async note({ agentId, body }) {
      await run.conversation.addNote(body, agentId);
    },
  };
}

function parsePayload<A extends ActionName>(name: A, raw: unknown): ActionPayload<A> {
  const parsed = parseActionPayload(name, raw);
  if ('problems' in parsed) throw new Error(`invalid ${name} payload: ${parsed.problems.join('; ')}`);
  return parsed.payload;
}

/**
 * Registers every agent action as an Update (validated synchronously: a refusal writes nothing
 * to history) and as a Signal of the same name (a refusal is recorded on the timeline).
 */
export function registerActions(run: TicketRun) {
  const perform = performer(run);
  const { s, log, requests } = run;
  const validate = <A extends ActionName>(name: A, raw: unknown): ActionPayload<A> => {
    const payload = parsePayload(name, raw);
    const refusal = refusalFor(name, payload, {
      status: s.status,
      mode: s.mode,
      assignee: s.assignee,
      hasPendingDraft: s.draft !== null,
      ownedActions: s.ownedActions ?? false,
    });
    if (refusal) throw new Error(refusal);
    return payload;
  };

  // Its own async function, as the saved histories recorded it: one await less here would complete
  // an Update a microtask earlier and reorder its commands against a timer's.
  async function runAction<A extends ActionName>(name: A, payload: ActionPayload<A>) {
    try {
      await perform[name](payload);
    } catch (err) {
      // An accepted update that cannot finish must fail the update, not the workflow task.
      if (err instanceof ApplicationFailure) throw err;
      throw ApplicationFailure.nonRetryable(`${name} failed: ${(err as Error).message}`, 'ActionFailed');
    }
  }

  const register = <A extends ActionName>(name: A) => {
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
        const known = requests.get(updateId);
        if (known) return { ...run.view(), request: known };
        const payload = parsePayload(name, raw);
        const request = updateId === undefined ? undefined : requests.bind(updateId, name, payload.agentId, raw);
        log.record('action', payload.agentId, { action: name, via: 'update' });
        await runAction(name, payload);
        return { ...run.view(), ...(request ? { request } : {}) };
      },
      {
        validator: (raw: unknown) => {
          const id = currentUpdateInfo()?.id;
          const reused = requests.collision(id, name, raw);
          if (reused) throw new Error(`request id ${reused.id} was already used for ${reused.kind} by ${reused.actor}`);
          // A retry of an applied request is answered with its result, whatever the state now.
          if (requests.get(id)) return;
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
        log.record('action_refused', typeof agentId === 'string' ? agentId : 'unknown', { action: name, reason: (err as Error).message });
        return;
      }
      log.record('action', payload.agentId, { action: name, via: 'signal' });
      try {
        await perform[name](payload);
      } catch (err) {
        // Nobody waits on a signal's result, and a throw here would fail the whole ticket.
        log.record('action_failed', payload.agentId, { action: name, reason: (err as Error).message });
      }
    });
  };
  for (const name of actionNames) register(name);
}
