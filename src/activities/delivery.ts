import { Context } from '@temporalio/activity';
import { failDeliveries, settleMessage } from '../db/deliveries';
import { deliverEvents, deliverMessage, type Attempt, type DeliveryDeps } from '../delivery/deliverer';
import { guarded, type FailureOptions } from './failures';

export interface SendMessageInput {
  messageId: string;
  /** When the delivery gives up: the ticket's delivery deadline from the time it was sent. */
  giveUpAt: number;
}

export interface SendWebhooksInput {
  ticketId: string;
  deliveryIds: string[];
  giveUpAt: number;
}

export interface DeliveryFailureInput {
  messageId?: string;
  deliveryIds?: string[];
  reason: string;
}

const attempt = (giveUpAt: number): Attempt => ({ number: Context.current().info.attempt, giveUpAt });

/**
 * Delivery to the outside world, each call one attempt (Temporal's retries are the delivery's):
 * a message by SMTP or webhook, and the webhooks a ticket's events raised. The last attempt
 * settles and answers instead of throwing, so the ticket learns what happened and why.
 */
export function deliveryActivities(deps: DeliveryDeps, options: FailureOptions) {
  const run = guarded(options);
  return {
    sendMessage: (input: SendMessageInput) => run('sendMessage', () => deliverMessage(deps, input.messageId, attempt(input.giveUpAt))),
    sendWebhooks: (input: SendWebhooksInput) => run('sendWebhooks', () => deliverEvents(deps, input.deliveryIds, attempt(input.giveUpAt))),
    /** A delivery Temporal itself gave up on (its deadline passed while no worker ran it): recorded as failed. */
    recordDeliveryFailure: (input: DeliveryFailureInput) =>
      run('recordDeliveryFailure', async () => {
        if (input.deliveryIds) await failDeliveries(deps.db, input.deliveryIds, input.reason);
        if (input.messageId) await settleMessage(deps.db, input.messageId, { status: 'failed', at: deps.now(), detail: input.reason });
      }),
  };
}
