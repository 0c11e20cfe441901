import { proxyActivities } from '@temporalio/workflow';
import type { TandemActivities } from '../../activities';
import { DEFAULT_DELIVERY_DEADLINE_MS, deliveryRetry } from '../../domain/delivery';
import { aiStepDeadlineOf, type RoutingPolicy } from '../../domain/policy';
import { DEFAULT_HEARTBEAT_MS, DEFAULT_STORE_DEADLINE_MS, type ActivityTimeouts } from './timeouts';

/** An enrichment source: its own timeout and number of attempts. */
const lookup = (startToCloseTimeout: number, maximumAttempts: number) =>
  proxyActivities<TandemActivities>({
    startToCloseTimeout,
    retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts },
  });

/** One proxy group per dependency, each with its own timeout and retry policy. */
export function activityGroups(t: ActivityTimeouts, policy: RoutingPolicy) {
  const heartbeatTimeout = t.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  return {
    // An AI step gets the policy's deadline, retries included (a Retry-After past it ends the step
    // there): then a person takes the ticket and a late answer is dropped. Long model calls
    // heartbeat, so a dead worker's call restarts within the heartbeat timeout.
    ai: proxyActivities<TandemActivities>({
      startToCloseTimeout: t.aiMs,
      scheduleToCloseTimeout: aiStepDeadlineOf(policy),
      heartbeatTimeout,
      retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5 },
    }),
    // Enrichment sources are optional context: each fails fast on its own and leaves a gap rather
    // than hold up triage. Outside systems get a few attempts (a rate limit's Retry-After comes
    // through their adapters); Tandem's own ticket history is a local query, quick or not at all.
    crm: lookup(t.enrichmentMs, 3),
    billing: lookup(t.enrichmentMs, 3),
    issueTracker: lookup(t.enrichmentMs, 2),
    ticketHistory: lookup(Math.min(t.enrichmentMs, 5000), 2),
    // Persistence retries through an outage; past its deadline the ticket records that its
    // writes are delayed and tries again, so nothing a ticket decided is lost and no write
    // retries unseen. A value the database refuses fails at once (PersistenceRefused).
    store: proxyActivities<TandemActivities>({
      startToCloseTimeout: t.storeMs,
      scheduleToCloseTimeout: t.storeDeadlineMs ?? DEFAULT_STORE_DEADLINE_MS,
      heartbeatTimeout,
      retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s', nonRetryableErrorTypes: ['PersistenceRefused'] },
    }),
    // Delivery runs beside the ticket for up to its deadline (24 h by default), each attempt after a
    // longer pause; the activity knows the schedule and settles on its last attempt, so Temporal's
    // own deadline (a little later) only fires when no worker ran it at all. Attempts heartbeat, so
    // a worker that dies mid-send is noticed within seconds and the send is repeated at most once.
    delivery: proxyActivities<TandemActivities>({
      startToCloseTimeout: t.deliveryAttemptMs ?? 120_000,
      scheduleToCloseTimeout: (t.deliveryDeadlineMs ?? DEFAULT_DELIVERY_DEADLINE_MS) + 10 * 60_000,
      heartbeatTimeout,
      retry: {
        initialInterval: deliveryRetry.initialMs,
        backoffCoefficient: deliveryRetry.coefficient,
        maximumInterval: deliveryRetry.maximumMs,
        nonRetryableErrorTypes: ['PersistenceRefused'],
      },
    }),
  };
}

export type ActivityGroups = ReturnType<typeof activityGroups>;
