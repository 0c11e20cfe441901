import { ApplicationFailure, Context } from '@temporalio/activity';
import { AIProviderError } from '../ai/errors';
import { DeliveryPending } from '../delivery/deliverer';
import { IntegrationError } from '../integrations/ports';
import { redactText } from '../redaction';

/** The longest a provider's Retry-After may delay the next attempt unless configured otherwise. */
export const DEFAULT_MAX_RETRY_DELAY_MS = 60_000;

/** A provider's Retry-After, within [100 ms, the configured cap]. */
const retryDelay = (retryAfterMs: number, maxDelayMs: number) => Math.min(Math.max(retryAfterMs, 100), maxDelayMs);

/**
 * Every failure an activity can meet, as Temporal should see it: retry (after a Retry-After,
 * capped, so a 429 asking for an hour cannot park a ticket out of sight) or stop. The one place
 * errors become ApplicationFailures. Messages never carry SQL parameters or ticket text.
 */
function toActivityFailure(operation: string, err: unknown, maxRetryDelayMs: number): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof AIProviderError || err instanceof IntegrationError) {
    const ai = err instanceof AIProviderError;
    return ApplicationFailure.create({
      message: `${operation} failed: ${err.message}`,
      type: ai ? `AI_${err.kind}` : 'IntegrationError',
      nonRetryable: !err.retryable,
      ...(err.retryAfterMs !== undefined ? { nextRetryDelay: retryDelay(err.retryAfterMs, maxRetryDelayMs) } : {}),
    });
  }
  // A receiver that failed this attempt: Temporal tries again on the delivery's schedule.
  if (err instanceof DeliveryPending) return ApplicationFailure.retryable(`${operation}: ${err.message}`, 'DeliveryPending');
  const code = sqlState(err);
  if (code !== undefined) {
    // SQLSTATE class 22 (data exception: invalid text, a value out of range): the database refuses
    // this value and always will, so the activity fails at once and the workflow records it.
    // Connection failures (08, 53, 57P…) stay retryable.
    if (code.startsWith('22'))
      return ApplicationFailure.nonRetryable(`${operation}: the database refused a value (SQLSTATE ${code})`, 'PersistenceRefused');
    return ApplicationFailure.retryable(`${operation} failed (SQLSTATE ${code}): ${errorName(err)}`, 'PersistenceError');
  }
  return ApplicationFailure.retryable(`${operation} failed: ${errorName(err)}`, 'ActivityError');
}

function sqlState(err: unknown, depth = 0): string | undefined {
  // drizzle wraps driver errors (DrizzleQueryError), so look through the cause chain.
  const { code, cause } = (err ?? {}) as { code?: unknown; cause?: unknown };
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  return cause && depth < 3 ? sqlState(cause, depth + 1) : undefined;
}

/** An error's own words without the query text and parameters drizzle puts in front. */
function errorName(err: unknown, depth = 0): string {
  const { cause, code, message } = (err ?? {}) as { cause?: unknown; code?: unknown; message?: unknown };
  if (cause && depth < 3) return errorName(cause, depth + 1);
  // Failure messages sit in the ticket's history in clear (only payloads are encrypted): no quoted data.
  if (typeof message === 'string' && !message.startsWith('Failed query')) return redactText(message);
  return typeof code === 'string' ? code : 'unknown error';
}

/**
 * Runs a long activity while heartbeating, so a worker that dies mid-call is noticed within
 * the heartbeat timeout rather than the whole start-to-close timeout.
 */
export async function heartbeating<T>(everyMs: number, work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const timer = setInterval(() => context.heartbeat(), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** Options every activity group shares. */
export interface FailureOptions {
  maxRetryDelayMs: number;
  heartbeatEveryMs: number;
}

/** Runs `work` heartbeating, mapping whatever it throws. */
export const guarded =
  ({ maxRetryDelayMs, heartbeatEveryMs }: FailureOptions) =>
  <T>(operation: string, work: () => Promise<T>): Promise<T> =>
    heartbeating(heartbeatEveryMs, work).catch((e: unknown) => {
      throw toActivityFailure(operation, e, maxRetryDelayMs);
    });
