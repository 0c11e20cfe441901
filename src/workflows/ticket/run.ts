import { log, patched } from '@temporalio/workflow';
import { ticketForAI } from '../../domain/aiView';
import type { Enrichment } from '../../domain/enrichment';
import {
  aiFailedTrigger,
  deliveryFailedTrigger,
  draftConfidenceTrigger,
  persistenceFailedTrigger,
  type Trigger,
} from '../../domain/escalation';
import { addressesTheAI, customerTexts, findInjection, linksIn, unapprovedLinks, type InjectionFinding } from '../../domain/injection';
import type { RoutingPolicy } from '../../domain/policy';
import { scorePriority } from '../../domain/priority';
import { triageDecision } from '../../domain/routing';
import { unclassified, type Classification, type Draft, type EscalationSummary, type TranscriptMessage } from '../../domain/ticket';
import { ticketView, type Deadline, type TicketState, type TicketView } from '../../domain/ticketState';
import { activityGroups, type ActivityGroups } from './activityGroups';
import { Conversation } from './conversation';
import { customerTurn } from './customerTurn';
import { deadlineReached } from './deadlines';
import { Deliveries, type FailedDelivery } from './deliveries';
import { EventLog } from './eventLog';
import { gatherEnrichment } from './enrichment';
import { failureReason } from './failures';
import { RequestLog, type CarriedIds } from './requestLog';
import { defaultActivityTimeouts, type ActivityTimeouts } from './timeouts';
import { TicketWrites } from './writes';

/**
 * One run of a ticket's workflow: its state and every step of its lifecycle. The workflow
 * function wires it to Temporal (handlers, main loop, continue-as-new); the steps live here.
 */
export class TicketRun {
  readonly log: EventLog;
  readonly writes: TicketWrites;
  readonly requests: RequestLog;
  readonly conversation: Conversation;
  readonly deliveries: Deliveries;
  readonly ai: ActivityGroups['ai'];
  readonly store: ActivityGroups['store'];
  private readonly groups: ActivityGroups;

  // Transient state: rebuilt on every run, never carried.
  /** Customer messages waiting for the main loop. */
  readonly inbox: TranscriptMessage[] = [];
  /** Bumped whenever a human takes the turn; an AI result from an older epoch is dropped. */
  aiEpoch = 0;
  /** A handback left a customer message unanswered: the AI writes the reply. */
  aiTurnDue = false;

  constructor(
    readonly s: TicketState,
    readonly policy: RoutingPolicy,
    timeouts: ActivityTimeouts = defaultActivityTimeouts,
    carried?: CarriedIds,
  ) {
    this.groups = activityGroups(timeouts, policy);
    this.ai = this.groups.ai;
    this.store = this.groups.store;
    this.log = new EventLog(s);
    this.deliveries = new Deliveries(this.groups, timeouts.deliveryDeadlineMs);
    this.writes = new TicketWrites(
      s,
      policy,
      this.log,
      this.groups.store,
      (reason) => this.escalate([persistenceFailedTrigger(reason)]),
      (ids) => this.deliveries.webhooks(s.ticketId, ids),
    );
    this.requests = new RequestLog(s, carried);
    this.conversation = new Conversation(s, this.log, this.writes, this.groups.store, this.deliveries);
  }

  view = (): TicketView => ticketView(this.s, this.policy);

  // ---- triage ------------------------------------------------------------------------
  async triage() {
    const { s, policy } = this;
    const epoch = this.aiEpoch;
    this.log.queueCustomerMessages(...s.transcript);
    this.log.touch();
    await this.writes.flush();
    let classification: Classification;
    let classificationFailure: string | null = null;
    try {
      classification = await this.ai.classifyTicket(this.forAI());
    } catch (err) {
      // After its retries or its deadline the AI is out of the picture: a person triages, the
      // ticket never sticks.
      classificationFailure = failureReason(err);
      log.warn('classification failed; routing to a human', { error: classificationFailure });
      classification = unclassified(s.ticket.subject);
    }
    s.classification = classification;
    s.originalClassification = classification;
    this.log.record('classified', 'ai', { ...classification });

    s.enrichment = await this.enrich();
    this.log.record('enriched', 'system', { tier: s.enrichment.tier, churnSignal: s.enrichment.churnSignal, gaps: s.enrichment.gaps });

    s.priority = scorePriority(classification, s.enrichment, policy.priorityWeights);
    const decision = triageDecision(classification, s.enrichment, policy, this.injectionFindings(), classificationFailure);
    s.routedMode = decision.mode;
    s.routeReasons = decision.reasons;
    s.aiCall = { classification, priority: s.priority.level, mode: decision.mode };
    // An agent who took the ticket while triage ran keeps it; the triage is still recorded.
    const takenOver = epoch !== this.aiEpoch;
    if (!takenOver) s.mode = decision.mode;
    this.log.record('routed', 'system', {
      mode: decision.mode,
      quadrant: decision.quadrant,
      reasons: decision.reasons,
      priority: s.priority,
      policyVersion: policy.version,
      ...(takenOver ? { keptBy: s.assignee } : {}),
    });
    if (takenOver) return;
    if (decision.escalateWith.length > 0) {
      await this.escalate(decision.escalateWith);
      return;
    }
    await this.aiTurn();
  }

  /** Every enrichment source at once; one that fails leaves a gap, never a stuck ticket. */
  enrich(): Promise<Enrichment> {
    return gatherEnrichment(this.groups, this.s);
  }

  // ---- the AI's turn -----------------------------------------------------------------
  /** The AI writes the next reply; sent at once in ai_auto, held for review in ai_review. */
  async aiTurn() {
    const { s, policy } = this;
    const epoch = this.aiEpoch;
    const turn = s.aiTurns + 1;
    const draftId = `${s.ticketId}:draft:${s.nextSeq}`;
    const previous = s.status;
    this.log.setStatus('drafting', 'ai', { turn });
    let draft;
    try {
      draft = await this.ai.draftResponse({
        draftId,
        ticket: this.forAI(),
        transcript: s.transcript,
        classification: s.classification!,
        enrichment: s.enrichment!,
        turn,
      });
    } catch (err) {
      if (epoch !== this.aiEpoch) return;
      log.warn('draft failed; escalating', { error: failureReason(err) });
      await this.escalate([aiFailedTrigger('draft', failureReason(err))]);
      return;
    }
    if (epoch !== this.aiEpoch || s.mode === 'human' || s.status !== 'drafting') {
      // A human took the turn while the AI was writing: the AI never replies to it too.
      await this.writes.recordDraftOutcome({ draftId, outcome: 'discarded', at: Date.now() });
      if (s.status === 'drafting') this.log.setStatus(previous, 'system');
      return;
    }
    this.log.record('drafted', 'ai', {
      draftId,
      confidence: draft.confidence,
      citations: draft.citations,
      promptVersion: draft.promptVersion,
    });
    const lowConfidence = draftConfidenceTrigger(draft.confidence, policy, s.enrichment?.tier ?? null);
    if (lowConfidence.length > 0) {
      await this.writes.recordDraftOutcome({ draftId, outcome: 'discarded', at: Date.now() });
      await this.escalate(lowConfidence);
      return;
    }
    if (s.mode === 'ai_auto' && !this.linksNeedReview(draft)) {
      s.aiTurns = turn;
      this.log.setStatus('awaiting_customer', 'ai', { draftId });
      await this.conversation.send(
        draft.body,
        'ai',
        undefined,
        { id: draftId, outcome: { outcome: 'sent', finalBody: draft.body } },
        draft.citations,
      );
      return;
    }
    s.draft = { ...draft, id: draftId, turn, createdAt: Date.now() };
    s.sla.reviewDueAt = Date.now() + policy.sla[s.priority!.level].review;
    s.sla.reviewBreached = false;
    this.log.setStatus('awaiting_review', 'ai', { draftId, reviewDueAt: s.sla.reviewDueAt });
  }

  // ---- handing over to a person ------------------------------------------------------
  async escalate(triggers: Trigger[]) {
    const { s } = this;
    const epoch = ++this.aiEpoch;
    await this.conversation.discardDraft('system');
    let summary: EscalationSummary | null = null;
    try {
      summary = await this.ai.summarizeEscalation({
        ticket: this.forAI(),
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
    if (epoch !== this.aiEpoch) {
      // A person acted while the summary was written (took over, replied, resolved): theirs stands.
      this.log.record('escalation_summarized', 'ai', { reasons: triggers.map((t) => t.code) });
      return;
    }
    s.mode = 'human';
    this.armFirstHumanResponse(at);
    s.sla.awaitingCustomerSince = null;
    this.log.setStatus(s.assignee ? 'human_handling' : 'escalated', 'system', { reasons: triggers.map((t) => t.code) });
  }

  // ---- the customer, timers, deliveries ----------------------------------------------
  /** A customer message off the inbox: a reopen, a survey answer, or a reply the AI reads. */
  onCustomerMessage(m: TranscriptMessage) {
    return customerTurn(this, m);
  }

  /** A timer fired: an SLA, the reply window, the CSAT survey, the reopen window. */
  onDeadline(d: Deadline) {
    return deadlineReached(this, d);
  }

  /** A message to the customer failed for good: recorded, and a person reaches the customer. */
  async onDeliveryFailed(f: FailedDelivery) {
    const { s } = this;
    const at = Date.now();
    s.deliveryFailures = [...(s.deliveryFailures ?? []), { messageId: f.messageId, kind: f.kind, reason: f.reason, at }].slice(-20);
    this.log.record('delivery_failed', 'system', { messageId: f.messageId, kind: f.kind, reason: f.reason });
    // A survey that did not arrive is not worth a person's time; a reply is. A person who has the
    // ticket already sees the failure on it (and in the queue).
    if (f.kind !== 'reply' || s.status === 'closed' || s.status === 'escalated' || s.status === 'human_handling') return;
    if (s.status === 'resolved') s.resolution = null; // the customer never heard the answer it was resolved on
    await this.escalate([deliveryFailedTrigger(f.reason)]);
  }

  armFirstHumanResponse(from: number) {
    const { sla } = this.s;
    sla.firstHumanResponseAt = null;
    sla.firstHumanResponseBreached = false;
    sla.firstHumanResponseDueAt = from + this.policy.sla[this.s.priority?.level ?? 'P2'].firstHumanResponse;
  }

  /**
   * A reply that would send a link neither the knowledge base holds nor the policy allows (a page
   * title's phishing URL echoed back, say) waits for a person, this once.
   */
  private linksNeedReview(draft: Draft): boolean {
    if (!patched('links-reviewed')) return false;
    const unknown = unapprovedLinks(linksIn(draft.body), draft.knownLinks ?? [], this.policy.allowedLinkDomains ?? []);
    if (unknown.length === 0) return false;
    this.log.record('review_required', 'system', {
      reason: `the reply links to ${unknown.join(', ')}, which no article holds and the policy does not allow`,
    });
    return true;
  }

  /**
   * Where the ticket's text addresses the AI: every customer-controlled field in five languages,
   * decoded blobs included; tickets that started before read subject and body in English only.
   */
  private injectionFindings(): InjectionFinding[] {
    const { ticket } = this.s;
    if (!patched('injection-everywhere')) {
      return addressesTheAI(`${ticket.subject}\n${ticket.body}`) ? [{ field: 'subject or body', pattern: 'ignore-instructions' }] : [];
    }
    const found = findInjection(customerTexts(ticket));
    if (found.length > 0) this.s.injection = found;
    return found;
  }

  forAI() {
    return ticketForAI(this.s);
  }
}
