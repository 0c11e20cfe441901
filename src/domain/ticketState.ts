import type { DeliveryFailure } from './delivery';
import type { InjectionFinding } from './injection';
import type { AiCall, FirstResolution, StageDurations } from './outcomes';
import type { Enrichment } from './enrichment';
import { timersFor, type RoutingPolicy } from './policy';
import type { Priority } from './priority';
import type { PriorityLevel } from './vocabulary';
import type { RequestBinding } from './requests';
import type { Trigger } from './escalation';
import type {
  Classification,
  Draft,
  EscalationSummary,
  HandlingMode,
  NewTicket,
  ResolutionMode,
  TicketStatus,
  TranscriptMessage,
} from './ticket';

/** Every kind of event a ticket's timeline (and the ticket_events audit table) holds. */
export const timelineEventTypes = [
  'status_changed',
  'classified',
  'enriched',
  'routed',
  'drafted',
  'draft_discarded',
  'message_sent',
  'customer_message',
  'reply_assessed',
  'review_required',
  'escalation_summarized',
  'first_human_response',
  'action',
  'action_refused',
  'action_failed',
  'message_refused',
  'assigned',
  'reclassified',
  'reopened',
  // A resolved ticket's customer only said thanks: it stays resolved.
  'thanks_received',
  'sla_breached',
  'csat_survey_sent',
  'csat_reminder_sent',
  'csat_received',
  'csat_refused',
  'csat_window_closed',
  'reopen_window_closed',
  'continued_as_new',
  'persistence_failed',
  'persistence_delayed',
  'persistence_recovered',
  'delivery_failed',
  'note_added',
  'override',
  'feedback',
  'erased',
] as const;
export type TimelineEventType = (typeof timelineEventTypes)[number];

export interface TimelineEvent {
  seq: number;
  at: number;
  type: TimelineEventType;
  actor: string;
  data?: Record<string, unknown>;
}

export interface PendingDraft extends Draft {
  id: string;
  turn: number;
  createdAt: number;
}

/** Everything the `state` Query returns; also what continue-as-new carries forward. */
export interface TicketState {
  ticketId: string;
  ticket: NewTicket & { createdAt: number; requestHash?: string };
  status: TicketStatus;
  mode: HandlingMode | null;
  /** The mode triage chose; handback returns to it. */
  routedMode: HandlingMode | null;
  routeReasons: string[];
  policyVersion: string;
  classification: Classification | null;
  /** What triage first said, kept when an agent reclassifies, for triage accuracy. */
  originalClassification: Classification | null;
  enrichment: Enrichment | null;
  priority: Priority | null;
  draft: PendingDraft | null;
  escalation: { triggers: Trigger[]; summary: EscalationSummary | null; at: number } | null;
  assignee: string | null;
  aiTurns: number;
  humanReplies: number;
  humanInvolved: boolean;
  aiMessagesSent: number;
  /** AI drafts an agent edited before sending: the AI contributed even though an agent sent it. */
  modifiedDrafts?: number;
  transcript: TranscriptMessage[];
  sla: {
    reviewDueAt: number | null;
    reviewBreached: boolean;
    firstHumanResponseDueAt: number | null;
    firstHumanResponseAt: number | null;
    firstHumanResponseBreached: boolean;
    /** When the customer last heard from us and we wait on them. */
    awaitingCustomerSince: number | null;
  };
  resolution: { mode: ResolutionMode; reason: string; at: number; by: string; reopenWindowClosed: boolean } | null;
  csat: {
    surveySentAt: number | null;
    reminderSentAt: number | null;
    score: number | null;
    comment: string | null;
    at: number | null;
    windowClosed: boolean;
    /** Who gave the score (the key's name, or `survey-link`): only they may change it for this survey. */
    by?: string | null;
  };
  followUps: number;
  refusedActions: number;
  /**
   * Set once a write to the read model failed: `failing` while it still does, `sanitize` once the
   * database refused a value (later writes replace text it cannot store). Absent on older tickets.
   */
  persistence?: { failing: boolean; since: number | null; reason: string | null; sanitize: boolean };
  /** Messages that could not be delivered after their last attempt (newest last); absent on older tickets. */
  deliveryFailures?: DeliveryFailure[];
  // What the balance reports read (absent on tickets started before they were recorded):
  /** The AI's call at triage, kept for life whatever people change. */
  aiCall?: AiCall;
  /** Time spent in each stage so far, and when the current status began. */
  stageMs?: StageDurations;
  statusSince?: number;
  /** When the customer first heard from us (an AI or agent reply). */
  firstResponseAt?: number | null;
  /** How the ticket first ended; a reopen keeps it. */
  firstResolution?: FirstResolution | null;
  /** Customer messages after the first response that were more than a plain thanks. */
  customerFollowUps?: number;
  /** Per-ticket rules apply: an agent acts only on unassigned tickets and their own (absent on older tickets). */
  ownedActions?: boolean;
  /** Where the customer's text addressed the AI (shown to the agent who reviews the reply). */
  injection?: InjectionFinding[];
  /** A priority level a person set (reprioritize); it stands until a person changes it again. */
  priorityOverride?: { level: PriorityLevel; by: string; reason: string; at: number } | null;
  timeline: TimelineEvent[];
  /** Next timeline sequence number; survives continue-as-new so audit rows never collide. */
  nextSeq: number;
  /** Bumped on every change; the read model keeps only the newest snapshot. */
  version: number;
}

/** What an agent action's Update returns: the new state and the request it applied. */
export interface ActionResult extends TicketView {
  /** The request this answers; a retry gets the first one's, so a caller can tell a reuse of its id. */
  request?: RequestBinding;
}

/** What the customerMessage Update returns. */
export interface MessageReceipt {
  ticketId: string;
  messageId: string;
  request: RequestBinding;
}

/** What the `state` Query and every agent action return: the state plus what follows from it. */
export interface TicketView extends TicketState {
  /** Every timer running for the ticket now, soonest first. */
  deadlines: Deadline[];
  /** Set once the ticket is resolved. */
  outcome: TicketOutcome | null;
}

export function ticketView(s: TicketState, policy: RoutingPolicy): TicketView {
  return {
    ...s,
    deadlines: deadlines(s, policy).sort((a, b) => a.at - b.at),
    outcome: s.resolution ? outcomeOf(s) : null,
  };
}

export interface TicketOutcome {
  ticketId: string;
  resolutionMode: ResolutionMode | null;
  resolutionReason: string | null;
  csatScore: number | null;
  escalated: boolean;
  aiTurns: number;
  humanReplies: number;
  followUps: number;
}

export type DeadlineKind =
  | 'review_sla'
  | 'first_human_response_sla'
  | 'customer_reply_window'
  | 'unresolved_timeout'
  | 'csat_survey'
  | 'csat_reminder'
  | 'csat_window_end'
  | 'reopen_window_end';

export interface Deadline {
  kind: DeadlineKind;
  at: number;
}

/** All timers that are running for a ticket in its current state. */
export function deadlines(s: TicketState, policy: RoutingPolicy): Deadline[] {
  const out: Deadline[] = [];
  const t = timersFor(policy, s.priority?.level);
  if (s.status === 'awaiting_review' && !s.sla.reviewBreached && s.sla.reviewDueAt !== null) {
    out.push({ kind: 'review_sla', at: s.sla.reviewDueAt });
  }
  if (
    (s.status === 'escalated' || s.status === 'human_handling') &&
    s.sla.firstHumanResponseAt === null &&
    !s.sla.firstHumanResponseBreached &&
    s.sla.firstHumanResponseDueAt !== null
  ) {
    out.push({ kind: 'first_human_response_sla', at: s.sla.firstHumanResponseDueAt });
  }
  if (s.sla.awaitingCustomerSince !== null && (s.status === 'awaiting_customer' || s.status === 'human_handling')) {
    const limit = policy.triggers.unresolvedAfterTurns;
    if (s.status === 'awaiting_customer' && limit.enabled && s.aiTurns >= limit.turns) {
      out.push({ kind: 'unresolved_timeout', at: s.sla.awaitingCustomerSince + t.unresolvedTimeout });
    } else {
      out.push({ kind: 'customer_reply_window', at: s.sla.awaitingCustomerSince + t.customerReplyWindow });
    }
  }
  if (s.status === 'resolved' && s.resolution) {
    const csat = s.csat;
    // Once the customer has scored (even before the survey, from a widget) nothing more is asked.
    if (csat.score === null) {
      if (csat.surveySentAt === null) out.push({ kind: 'csat_survey', at: s.resolution.at + t.csatDelay });
      else if (!csat.windowClosed) {
        if (csat.reminderSentAt === null) out.push({ kind: 'csat_reminder', at: csat.surveySentAt + t.csatWindow / 2 });
        out.push({ kind: 'csat_window_end', at: csat.surveySentAt + t.csatWindow });
      }
    }
    if (!s.resolution.reopenWindowClosed) out.push({ kind: 'reopen_window_end', at: s.resolution.at + t.reopenWindow });
  }
  return out;
}

export function nextDeadline(s: TicketState, policy: RoutingPolicy): Deadline | null {
  return deadlines(s, policy).reduce<Deadline | null>((a, d) => (a === null || d.at < a.at ? d : a), null);
}

/** Done once resolved, the CSAT survey answered or its window over, and the reopen window passed. */
export function canComplete(s: TicketState): boolean {
  return (
    s.status === 'resolved' && s.resolution !== null && s.resolution.reopenWindowClosed && (s.csat.score !== null || s.csat.windowClosed)
  );
}

export function resolutionModeOf(s: Pick<TicketState, 'aiMessagesSent' | 'modifiedDrafts' | 'humanInvolved'>): ResolutionMode {
  if (s.aiMessagesSent > 0 || (s.modifiedDrafts ?? 0) > 0) return s.humanInvolved ? 'ai_plus_human' : 'ai_only';
  return 'human_only';
}

export function outcomeOf(s: TicketState): TicketOutcome {
  return {
    ticketId: s.ticketId,
    resolutionMode: s.resolution?.mode ?? null,
    resolutionReason: s.resolution?.reason ?? null,
    csatScore: s.csat.score,
    escalated: s.escalation !== null,
    aiTurns: s.aiTurns,
    humanReplies: s.humanReplies,
    followUps: s.followUps,
  };
}

/**
 * One readable line for Temporal Web's current details: status, priority, mode, category,
 * assignee and triggers, never the subject or anything else the customer wrote, so it tells ops
 * what the ticket is doing even to a reader without the codec key.
 */
export function currentDetails(s: TicketState): string {
  const parts = [`**${s.status}**`];
  if (s.priority) {
    // The why behind the number, so ops reading Temporal Web see what drove the priority.
    const drivers = s.priority.breakdown
      .filter((f) => f.points > 0)
      .sort((a, b) => b.points - a.points)
      .slice(0, 3)
      .map((f) => `${f.factor} +${f.points}`);
    parts.push(`${s.priority.level} ${s.priority.score}${drivers.length ? ` (${drivers.join(', ')})` : ''}`);
  }
  if (s.mode) parts.push(s.mode);
  if (s.classification) parts.push(s.classification.issueType);
  if (s.assignee) parts.push(`assigned to ${s.assignee}`);
  if (s.escalation) parts.push(`escalated: ${s.escalation.triggers.map((t) => t.code).join(', ')}`);
  return `${parts.join(' · ')} — ticket ${s.ticketId}`;
}
