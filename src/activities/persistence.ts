import type { Db } from '../db/client';
import {
  persistTicket,
  recordDraftOutcome,
  recordOutboundMessage,
  type DraftOutcomeInput,
  type OutboundMessage,
  type PersistInput,
} from '../db/ticketWrites';
import { guarded, type FailureOptions } from './failures';

/** The ticket's writes to the read model: a value the database refuses fails at once (PersistenceRefused). */
export function persistenceActivities(db: Db, now: () => Date, options: FailureOptions) {
  const run = guarded(options);
  return {
    persistTicket: (input: PersistInput) => run('persistTicket', () => persistTicket(db, input, now())),
    /** Queues a message for the customer's channel and records it in the conversation, once. */
    deliverMessage: (message: OutboundMessage) => run('deliverMessage', () => recordOutboundMessage(db, message)),
    recordDraftOutcome: (outcome: DraftOutcomeInput) => run('recordDraftOutcome', () => recordDraftOutcome(db, outcome)),
  };
}
