import type { Db } from '../db/client';
import { recordMessage, type DeliveryContext, type OutboundMessage } from '../db/messageWrites';
import { recordFeedback, type FeedbackInput } from '../db/feedbackWrites';
import { persistTicket, recordDraftOutcome, storable, type DraftOutcomeInput, type PersistInput } from '../db/ticketWrites';
import { guarded, type FailureOptions } from './failures';

/** The ticket's writes to the read model: a value the database refuses fails at once (PersistenceRefused). */
export function persistenceActivities(db: Db, ctx: DeliveryContext, now: () => Date, options: FailureOptions) {
  const run = guarded(options);
  return {
    /** Writes the read model and plans the webhooks its events raise; returns those still to send. */
    persistTicket: (input: PersistInput) => run('persistTicket', () => persistTicket(db, input, now(), ctx)),
    /**
     * Records a message in the conversation and plans how it reaches the customer (returned), once.
     * The name is older than the plan: sending is `sendMessage`'s, which the workflow starts after.
     */
    deliverMessage: (message: OutboundMessage) => run('deliverMessage', () => recordMessage(db, message, ctx)),
    recordDraftOutcome: (outcome: DraftOutcomeInput) => run('recordDraftOutcome', () => recordDraftOutcome(db, outcome)),
    /** An agent's rating, reasons, correction or flag on an AI answer. */
    recordFeedback: (feedback: FeedbackInput) =>
      run('recordFeedback', () => db.transaction((tx) => recordFeedback(tx, feedback.sanitize ? storable(feedback) : feedback))),
  };
}
