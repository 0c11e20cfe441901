import type { TicketState } from './ticketState';

// When a customer's satisfaction score is taken: one rule, used by the workflow (which has the
// last word) and by the API (which answers 409 before sending anything the workflow would refuse).

export const CSAT_COMMENT_MAX = 2000;

/** Why the ticket cannot take a CSAT score now, or null when it can. */
export function csatClosedReason(s: Pick<TicketState, 'status' | 'csat'>): string | null {
  if (s.status !== 'resolved') return `CSAT is accepted once the ticket is resolved; it is ${s.status}`;
  if (s.csat.windowClosed) return 'the CSAT window has closed';
  return null;
}

/** Why this score is refused, or null when it is taken. */
export function csatRefusal(s: Pick<TicketState, 'status' | 'csat'>, score: unknown): string | null {
  const closed = csatClosedReason(s);
  if (closed) return closed;
  const n = Number(score);
  return Number.isInteger(n) && n >= 1 && n <= 5 ? null : 'score must be 1–5';
}

/** What the customer receives when the survey, or its reminder, goes out. */
export function csatRequestText(kind: 'csat_survey' | 'csat_reminder', subject: string): string {
  return kind === 'csat_survey'
    ? `How did we do with "${subject}"? Reply with a score from 1 (poor) to 5 (great).`
    : `A quick reminder: how did we do with "${subject}"? A score from 1 to 5 helps us improve.`;
}
