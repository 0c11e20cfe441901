import type { RoutingPolicy } from './policy';
import { ticketView, type TicketState, type TicketView } from './ticketState';
import { workflowIdFor } from './ids';
import type { Classification, EscalationSummary, PageContext } from './ticket';
import { noTimeYet, type EndedBy } from './outcomes';
import type {
  Channel,
  Complexity,
  HandlingMode,
  IssueType,
  PriorityLevel,
  Repeatability,
  ResolutionMode,
  TicketStatus,
  Tier,
  Urgency,
} from './vocabulary';

/**
 * The read-model row of a ticket, computed in the workflow so the persistence activity gets a
 * few hundred bytes instead of the whole state on every change. Times are epoch milliseconds.
 */
export interface ReadModelRow {
  id: string;
  workflowId: string;
  externalId: string | null;
  customerId: string | null;
  customerEmail: string | null;
  /** The service key's name that started the ticket: its webhooks follow it. */
  createdBy: string | null;
  channel: Channel;
  subject: string;
  body: string;
  pageContext: PageContext | null;
  status: TicketStatus;
  mode: HandlingMode | null;
  category: IssueType | null;
  tier: Tier | null;
  priorityLevel: PriorityLevel | null;
  priorityScore: number | null;
  assignee: string | null;
  escalated: boolean;
  escalationReason: string | null;
  escalationSummary: EscalationSummary | null;
  classification: Classification | null;
  slaDeadline: number | null;
  slaBreached: boolean;
  deliveryFailed: boolean;
  policyVersion: string;
  resolutionMode: ResolutionMode | null;
  resolutionReason: string | null;
  resolvedAt: number | null;
  csatScore: number | null;
  csatComment: string | null;
  /** Fingerprint of the create request, so a reused Idempotency-Key is told apart after the ticket closed. */
  requestHash: string | null;
  // The balance: the AI's call beside the final one, and how the ticket went (see domain/outcomes).
  aiCategory: IssueType | null;
  aiComplexity: Complexity | null;
  aiRepeatability: Repeatability | null;
  aiUrgency: Urgency | null;
  aiPriorityLevel: PriorityLevel | null;
  aiMode: HandlingMode | null;
  complexity: Complexity | null;
  repeatability: Repeatability | null;
  urgency: Urgency | null;
  humanTouched: boolean;
  firstResponseAt: number | null;
  firstResolutionMode: ResolutionMode | null;
  firstResolvedAt: number | null;
  endedBy: EndedBy | null;
  reopens: number;
  followUps: number;
  msAi: number;
  msReview: number;
  msCustomer: number;
  msQueue: number;
  msPerson: number;
  /**
   * The state as the `state` Query would answer it, less the transcript and timeline (those are
   * rows of their own): what `GET /v1/tickets/:id` serves without asking the workflow.
   */
  state: ReadModelState;
  version: number;
  createdAt: number;
}

export type ReadModelState = Omit<TicketView, 'transcript' | 'timeline'>;

/** A state recorded without its policy (older inputs, closed tickets' snapshots) as a view: its deadlines are unknown. */
export const viewWithoutPolicy = (s: TicketState | TicketView): TicketView => ({ deadlines: [], outcome: null, ...s });

/** The deadline an agent is racing: review while a draft waits, first response while escalated. */
export function slaDeadlineOf(s: TicketState): number | null {
  if (s.status === 'awaiting_review') return s.sla.reviewDueAt;
  if (s.status === 'escalated' || (s.status === 'human_handling' && s.sla.firstHumanResponseAt === null)) {
    return s.sla.firstHumanResponseDueAt;
  }
  return null;
}

/** The row for a state; without the policy (inputs recorded before rows carried it) deadlines come from the snapshot. */
export function readModelRow(s: TicketState | TicketView, policy?: RoutingPolicy): ReadModelRow {
  const view: TicketView = policy ? ticketView(s, policy) : viewWithoutPolicy(s);
  const { transcript: _transcript, timeline: _timeline, ...state } = view;
  return {
    id: s.ticketId,
    workflowId: workflowIdFor(s.ticketId),
    externalId: s.ticket.externalId ?? null,
    customerId: s.enrichment?.customerId ?? s.ticket.customerId ?? null,
    customerEmail: s.ticket.customerEmail ?? null,
    createdBy: s.ticket.createdBy ?? null,
    channel: s.ticket.channel,
    subject: s.ticket.subject,
    body: s.ticket.body,
    pageContext: s.ticket.pageContext ?? null,
    status: s.status,
    mode: s.mode,
    category: s.classification?.issueType ?? null,
    tier: s.enrichment?.tier ?? null,
    priorityLevel: s.priority?.level ?? null,
    priorityScore: s.priority?.score ?? null,
    assignee: s.assignee,
    escalated: s.escalation !== null,
    escalationReason: s.escalation?.triggers.map((t) => t.code).join(',') ?? null,
    escalationSummary: s.escalation?.summary ?? null,
    classification: s.classification,
    slaDeadline: slaDeadlineOf(s),
    slaBreached: s.sla.reviewBreached || s.sla.firstHumanResponseBreached,
    deliveryFailed: (s.deliveryFailures?.length ?? 0) > 0,
    policyVersion: s.policyVersion,
    resolutionMode: s.resolution?.mode ?? null,
    resolutionReason: s.resolution?.reason ?? null,
    resolvedAt: s.resolution?.at ?? null,
    csatScore: s.csat.score,
    csatComment: s.csat.comment,
    requestHash: s.ticket.requestHash ?? null,
    ...balanceOf(s),
    state,
    version: s.version,
    createdAt: s.ticket.createdAt,
  };
}

/** The balance columns of a state: the AI's call, the final one, and how the ticket went. */
function balanceOf(s: TicketState) {
  const ai = s.aiCall;
  const stages = s.stageMs ?? noTimeYet();
  return {
    aiCategory: ai?.classification.issueType ?? null,
    aiComplexity: ai?.classification.complexity ?? null,
    aiRepeatability: ai?.classification.repeatability ?? null,
    aiUrgency: ai?.classification.urgency ?? null,
    aiPriorityLevel: ai?.priority ?? null,
    aiMode: ai?.mode ?? null,
    complexity: s.classification?.complexity ?? null,
    repeatability: s.classification?.repeatability ?? null,
    urgency: s.classification?.urgency ?? null,
    humanTouched: s.humanInvolved,
    firstResponseAt: s.firstResponseAt ?? null,
    firstResolutionMode: s.firstResolution?.mode ?? null,
    firstResolvedAt: s.firstResolution?.at ?? null,
    endedBy: s.firstResolution?.endedBy ?? null,
    reopens: s.followUps,
    followUps: s.customerFollowUps ?? 0,
    msAi: Math.round(stages.ai),
    msReview: Math.round(stages.review),
    msCustomer: Math.round(stages.customer),
    msQueue: Math.round(stages.queue),
    msPerson: Math.round(stages.person),
  };
}
