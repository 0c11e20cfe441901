import { noTimeYet } from './outcomes';
import type { TicketState } from './ticketState';

/** A ticket's state before triage. */
export function initialTicketState(ticket: TicketState['ticket'], policyVersion: string): TicketState {
  return {
    ticketId: ticket.ticketId,
    ticket,
    status: 'triaging',
    mode: null,
    routedMode: null,
    routeReasons: [],
    policyVersion,
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
    transcript: [
      {
        id: `${ticket.ticketId}:in:opening`,
        author: 'customer',
        body: ticket.body,
        at: ticket.createdAt,
        ...(ticket.emailMessageId ? { emailMessageId: ticket.emailMessageId } : {}),
        ...(ticket.attachments?.length ? { attachments: ticket.attachments } : {}),
      },
    ],
    sla: {
      reviewDueAt: null,
      reviewBreached: false,
      firstHumanResponseDueAt: null,
      firstHumanResponseAt: null,
      firstHumanResponseBreached: false,
      awaitingCustomerSince: null,
    },
    resolution: null,
    csat: { surveySentAt: null, reminderSentAt: null, score: null, comment: null, at: null, windowClosed: false, by: null },
    followUps: 0,
    refusedActions: 0,
    stageMs: noTimeYet(),
    statusSince: ticket.createdAt,
    firstResponseAt: null,
    firstResolution: null,
    customerFollowUps: 0,
    ownedActions: true,
    timeline: [],
    nextSeq: 1,
    version: 0,
  };
}
