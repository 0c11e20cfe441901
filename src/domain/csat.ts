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

/**
 * Why a score may not replace the one given for this survey, or null: once scored, only whoever
 * gave it (the same key, or the survey link) may change it. Tickets from before scores were
 * attributed accept a change as they did.
 */
export function csatChangeRefusal(s: Pick<TicketState, 'csat'>, by: string | null): string | null {
  if (s.csat.score === null || s.csat.by === undefined) return null;
  if (s.csat.by !== null && by === s.csat.by) return null;
  return 'this survey was already answered; only whoever answered it may change the score';
}

/** What the customer receives when the survey, or its reminder, goes out; `link` is the signed survey page. */
export function csatRequestText(kind: 'csat_survey' | 'csat_reminder', subject: string, link?: string): string {
  const ask =
    kind === 'csat_survey'
      ? `How did we do with "${subject}"? Rate us from 1 (poor) to 5 (great)`
      : `A quick reminder: how did we do with "${subject}"? A score from 1 to 5 helps us improve`;
  return link ? `${ask}: ${link}` : `${ask}. Reply with a number from 1 to 5.`;
}

/**
 * The score in a reply that is only a number ("4", "5/5", "4 out of 5", "3!"), or null. Read
 * after a survey, such a reply is an answer to it, never a new question that reopens the ticket.
 */
export function scoreFromReply(body: string): number | null {
  const m = body.trim().match(/^([1-5])(?:\s*(?:\/|out of|of)\s*5)?\s*[.!]*$/i);
  return m ? Number(m[1]) : null;
}

/**
 * Whether a customer reply on a resolved ticket answers the survey rather than reopening it: a
 * bare number once the survey went out. It is taken as the score while the survey is open and
 * unanswered; otherwise it is kept in the conversation and changes nothing.
 */
export const answersSurvey = (s: Pick<TicketState, 'status' | 'csat'>, body: string): boolean =>
  s.status === 'resolved' && s.csat.surveySentAt !== null && scoreFromReply(body) !== null;
