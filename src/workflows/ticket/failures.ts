import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';

/** The type of an activity's ApplicationFailure, looked up through the ActivityFailure wrapper. */
export function failureType(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}

/** Why an activity failed, in words for the timeline: a deadline says so. */
export function failureReason(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const atDeadline = 'no answer within its deadline; a later answer is dropped';
  if (cause instanceof TimeoutFailure) return cause.timeoutType === 'SCHEDULE_TO_CLOSE' ? atDeadline : `timed out (${cause.timeoutType})`;
  const message = (cause as Error | undefined)?.message ?? String(err);
  // Temporal ends the retries early when the next attempt would start past the deadline.
  return err instanceof ActivityFailure && err.retryState === 'TIMEOUT' ? `${atDeadline} (last: ${message})` : message;
}

/** An enrichment source's failure for the gaps list: an ActivityFailure's reason is in its cause. */
export const gapReason = (reason: unknown) =>
  ((reason as Error | undefined)?.cause as Error | undefined)?.message ?? (reason as Error | undefined)?.message ?? String(reason);
