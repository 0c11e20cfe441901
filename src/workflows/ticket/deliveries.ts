import type { DeliveryPlan } from '../../activities';
import { DEFAULT_DELIVERY_DEADLINE_MS, type OutboundKind } from '../../domain/delivery';
import type { ActivityGroups } from './activityGroups';
import { failureReason } from './failures';

/** A message whose delivery failed for good: the main loop raises the ticket to a person. */
export interface FailedDelivery {
  messageId: string;
  kind: OutboundKind;
  reason: string;
}

/**
 * Deliveries under way. Each runs as its own activity beside the ticket: nothing awaits it, so
 * no agent action or timer ever waits on a receiver. A failure is queued for the main loop (like
 * a customer message), and the ticket does not complete or continue-as-new while any runs.
 */
export class Deliveries {
  // Transient: activities do not cross continue-as-new, which waits for them to finish.
  inFlight = 0;
  readonly failed: FailedDelivery[] = [];

  constructor(
    private readonly groups: Pick<ActivityGroups, 'delivery' | 'store'>,
    private readonly deadlineMs = DEFAULT_DELIVERY_DEADLINE_MS,
  ) {}

  /** Started this run, so the main loop knows a ticket otherwise done waits on them. */
  private started = 0;

  get busy(): boolean {
    return this.inFlight > 0 || this.failed.length > 0;
  }

  /** The last delivery under way has finished (never true on runs that started none). */
  get lastSettled(): boolean {
    return this.started > 0 && !this.busy;
  }

  /** Starts delivering a recorded message, when its plan needs a push (SMTP or webhook). */
  message(plan: DeliveryPlan, kind: OutboundKind) {
    if (plan.status !== 'pending' || (plan.transport !== 'smtp' && plan.transport !== 'webhook')) return;
    const { messageId } = plan;
    this.track(
      this.groups.delivery.sendMessage({ messageId, giveUpAt: Date.now() + this.deadlineMs }).then(
        (outcome) => {
          if (outcome.status === 'failed') this.failed.push({ messageId, kind, reason: outcome.detail });
        },
        async (err: unknown) => {
          // Temporal gave up before the activity could (no worker ran it in time): record it here.
          const reason = failureReason(err);
          await this.groups.store.recordDeliveryFailure({ messageId, reason }).catch(() => undefined);
          this.failed.push({ messageId, kind, reason });
        },
      ),
    );
  }

  /** Starts sending the webhooks a write of the read model raised; a failure is logged, not escalated. */
  webhooks(ticketId: string, deliveryIds: string[]) {
    if (deliveryIds.length === 0) return;
    this.track(
      this.groups.delivery.sendWebhooks({ ticketId, deliveryIds, giveUpAt: Date.now() + this.deadlineMs }).then(
        () => undefined,
        async (err: unknown) => {
          await this.groups.store.recordDeliveryFailure({ deliveryIds, reason: failureReason(err) }).catch(() => undefined);
        },
      ),
    );
  }

  private track(delivery: Promise<void>) {
    this.started++;
    this.inFlight++;
    void delivery.finally(() => this.inFlight--);
  }
}
