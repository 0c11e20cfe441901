import type { TicketState } from './ticketState';

// Erasing a customer's personal data: what is replaced, decided once for the workflow's state
// and the read model alike. The ticket's shape stays (status, timings, outcome, the AI's call),
// so reports still count it; what identifies or quotes the customer goes.

export const ERASED = '[erased]';

/** Drops the customer's personal data from a ticket's state, in place. */
export function eraseFromState(s: TicketState): void {
  const {
    customerEmail: _email,
    pageContext: _page,
    metadata: _metadata,
    emailMessageId: _mail,
    attachments: _files,
    ...ticket
  } = s.ticket;
  s.ticket = { ...ticket, subject: ERASED, body: ERASED };
  s.transcript = s.transcript.map(erasedMessage);
  if (s.draft) s.draft = { ...s.draft, body: ERASED };
  if (s.escalation?.summary) s.escalation = { ...s.escalation, summary: null };
  if (s.classification) s.classification = { ...s.classification, summary: ERASED };
  if (s.originalClassification) s.originalClassification = { ...s.originalClassification, summary: ERASED };
  if (s.aiCall) s.aiCall = { ...s.aiCall, classification: { ...s.aiCall.classification, summary: ERASED } };
  if (s.csat.comment) s.csat = { ...s.csat, comment: ERASED };
  if (s.enrichment) s.enrichment = { ...s.enrichment, similarOpenTickets: [] };
  delete s.injection;
  // The timeline's own words: the classification's summary, a review's reason.
  s.timeline = s.timeline.map((e) =>
    e.data && (e.type === 'classified' || e.type === 'review_required')
      ? {
          ...e,
          data: { ...e.data, ...('summary' in e.data ? { summary: ERASED } : {}), ...('reason' in e.data ? { reason: ERASED } : {}) },
        }
      : e,
  );
}

/** A message with nothing of the customer's left: who said it and when. */
export const erasedMessage = <M extends { id: string; author: string; body: string; at: number; agentId?: string }>(m: M) =>
  ({ id: m.id, author: m.author, body: ERASED, at: m.at, ...(m.agentId ? { agentId: m.agentId } : {}) }) as M;
