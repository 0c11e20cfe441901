import { initialTicketState } from '../../src/domain/initialState';
import type { TicketState } from '../../src/domain/ticketState';

// Ticket states for the pure domain tests: a fresh ticket with the few fields a case is about
// changed. Nested parts (sla, csat, resolution) merge field by field.

export const CREATED_AT = 1_700_000_000_000;
export const RESOLVED_AT = CREATED_AT + 60_000;

type Resolution = NonNullable<TicketState['resolution']>;

export interface StateChanges extends Partial<Omit<TicketState, 'sla' | 'csat' | 'resolution'>> {
  sla?: Partial<TicketState['sla']>;
  csat?: Partial<TicketState['csat']>;
  /** Merged over a resolution by the AI at RESOLVED_AT with the reopen window open; null for none. */
  resolution?: Partial<Resolution> | null;
}

export const freshState = (): TicketState =>
  initialTicketState(
    { ticketId: 't-1', channel: 'chat', subject: 'Password reset', body: 'How do I reset my password?', createdAt: CREATED_AT },
    'test-1',
  );

export function stateWith(changes: StateChanges = {}): TicketState {
  const base = freshState();
  const { sla, csat, resolution, ...rest } = changes;
  return {
    ...base,
    ...rest,
    sla: { ...base.sla, ...sla },
    csat: { ...base.csat, ...csat },
    resolution:
      resolution === undefined || resolution === null
        ? null
        : { mode: 'ai_only', reason: 'customer_confirmed', at: RESOLVED_AT, by: 'ai', reopenWindowClosed: false, ...resolution },
  };
}
