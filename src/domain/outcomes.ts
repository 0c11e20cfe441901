import type { Classification, HandlingMode, ResolutionMode, TicketStatus } from './ticket';
import type { PriorityLevel } from './vocabulary';

// What the balance between the AI and people is measured by, decided once here: the AI's own
// call at triage (kept whatever people change), every change a person makes to it (an override),
// where a ticket's time goes (stages), and how it ended. The workflow records these as they
// happen; reports sum them (they never reconstruct them).

/** The AI's call at triage, kept for life. */
export interface AiCall {
  classification: Classification;
  priority: PriorityLevel | null;
  mode: HandlingMode | null;
}

/** The fields of the AI's call a person can override. */
export const overrideFields = ['issueType', 'complexity', 'repeatability', 'urgency', 'priority', 'mode'] as const;
export type OverrideField = (typeof overrideFields)[number];

/** What an `override` timeline event carries: one field a person changed, from what to what. */
export interface OverrideData {
  field: OverrideField;
  before: string | null;
  after: string | null;
  /** What the AI said at triage, so accuracy compares the AI's call with the final one. */
  ai: string | null;
  reason?: string;
}

/** The AI's value of a field. */
export function aiValue(call: AiCall | undefined, field: OverrideField): string | null {
  if (!call) return null;
  if (field === 'priority') return call.priority;
  if (field === 'mode') return call.mode;
  return call.classification[field];
}

/** Where a ticket's time goes: with the AI, waiting for review, waiting on the customer, queued for a person, with a person. */
export const stages = ['ai', 'review', 'customer', 'queue', 'person'] as const;
export type Stage = (typeof stages)[number];
export type StageDurations = Record<Stage, number>;
export const noTimeYet = (): StageDurations => ({ ai: 0, review: 0, customer: 0, queue: 0, person: 0 });

/** The stage a status counts towards; resolved and closed count towards none. */
export function stageOf(status: TicketStatus): Stage | null {
  switch (status) {
    case 'triaging':
    case 'drafting':
      return 'ai';
    case 'awaiting_review':
      return 'review';
    case 'awaiting_customer':
      return 'customer';
    case 'escalated':
      return 'queue';
    case 'human_handling':
      return 'person';
    default:
      return null;
  }
}

/**
 * How a resolution came about: a person resolved it, the customer confirmed it, or it closed for
 * want of a reply. Only `confirmed` is a resolution the customer vouched for; `no_reply` is never
 * counted as an AI resolution.
 */
export type EndedBy = 'resolved' | 'confirmed' | 'no_reply';
export const endedByOf = (reason: string): EndedBy =>
  reason === 'customer_confirmed' ? 'confirmed' : reason === 'no_reply' ? 'no_reply' : 'resolved';

/** The first resolution, kept across reopens: a reopened ticket still counts as handled the way it first ended. */
export interface FirstResolution {
  mode: ResolutionMode;
  endedBy: EndedBy;
  at: number;
}
