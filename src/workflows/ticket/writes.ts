import { patched } from '@temporalio/workflow';
import type { DraftOutcomeInput } from '../../activities';
import type { RoutingPolicy } from '../../domain/policy';
import { readModelRow } from '../../domain/readModel';
import { ticketView, type TicketState } from '../../domain/ticketState';
import type { ActivityGroups } from './activityGroups';
import type { EventLog } from './eventLog';
import { failureReason, failureType } from './failures';

/**
 * The ticket's writes to Postgres (read model, conversation, draft outcomes), and what happens
 * when one fails. A value the database refuses is a persistence failure: the ticket records it,
 * `onRefused` hands it to a person, and later writes replace the text the database cannot
 * store. Anything else is an outage that outlasted the activity's deadline: the ticket records
 * that its writes are delayed and the next flush tries again, so nothing decided is lost.
 */
export class TicketWrites {
  constructor(
    private readonly s: TicketState,
    private readonly policy: RoutingPolicy,
    private readonly log: EventLog,
    private readonly store: ActivityGroups['store'],
    private readonly onRefused: (reason: string) => Promise<void>,
    /** The webhooks a write raised, to send beside the ticket. */
    private readonly onWebhooks: (deliveryIds: string[]) => void,
  ) {}

  /** Writes what changed since the last flush to the read model. */
  async flush() {
    const { s, log } = this;
    if (!log.dirty) return;
    const batch = log.take();
    let result: Awaited<ReturnType<ActivityGroups['store']['persistTicket']>>;
    try {
      result = await this.store.persistTicket({
        row: readModelRow(s, this.policy),
        ...(s.status === 'closed' ? { snapshot: ticketView(s, this.policy) } : {}),
        events: batch.events,
        customerMessages: batch.customerMessages.map((m) => ({ ...m, ticketId: s.ticketId })),
        ...(s.persistence?.sanitize ? { sanitize: true } : {}),
      });
    } catch (err) {
      log.putBack(batch);
      await this.trouble('the read model', err);
      return;
    }
    if (s.persistence?.failing) {
      s.persistence = { ...s.persistence, failing: false, reason: null };
      log.record('persistence_recovered', 'system');
    }
    // Histories recorded before webhooks got nothing back from this write.
    if (result?.webhookDeliveries?.length && patched('deliver-by-activity')) this.onWebhooks(result.webhookDeliveries);
  }

  recordDraftOutcome(outcome: DraftOutcomeInput) {
    return this.write(`draft ${outcome.draftId}`, (sanitize) =>
      this.store.recordDraftOutcome({ ...outcome, ...(sanitize ? { sanitize } : {}) }),
    );
  }

  /**
   * A write outside the read-model row, tried once more with storable text if the database refused
   * it; its result, or undefined when it could not be written.
   */
  async write<T>(what: string, attempt: (sanitize: boolean) => Promise<T>): Promise<T | undefined> {
    try {
      return await attempt(this.s.persistence?.sanitize ?? false);
    } catch (err) {
      const retrySanitized = failureType(err) === 'PersistenceRefused' && !this.s.persistence?.sanitize;
      await this.trouble(what, err);
      if (retrySanitized) return this.write(what, attempt);
      return undefined;
    }
  }

  private async trouble(what: string, err: unknown) {
    const { s, log } = this;
    const refused = failureType(err) === 'PersistenceRefused';
    const reason = failureReason(err);
    const wasFailing = s.persistence?.failing ?? false;
    s.persistence = {
      failing: true,
      since: s.persistence?.since ?? Date.now(),
      reason,
      sanitize: (s.persistence?.sanitize ?? false) || refused,
    };
    if (!refused) {
      if (!wasFailing) log.record('persistence_delayed', 'system', { what, reason });
      return;
    }
    log.record('persistence_failed', 'system', { what, reason });
    const alreadyRaised = s.escalation?.triggers.some((t) => t.code === 'persistence_failed') ?? false;
    if (!alreadyRaised && s.status !== 'closed' && s.status !== 'resolved') await this.onRefused(reason);
  }
}
