// Activity timeouts of the ticket workflow. Plain data, so the API (which starts tickets with
// them) does not load workflow code.

/** Activity start-to-close timeouts, from the starter's configuration (LLM latency varies by model). */
export interface ActivityTimeouts {
  aiMs: number;
  enrichmentMs: number;
  storeMs: number;
  /** How long a write may keep retrying through an outage before the ticket says so (default 5 min). */
  storeDeadlineMs?: number;
  /** A worker that stops heartbeating this long is presumed dead and its work restarts elsewhere. */
  heartbeatMs?: number;
  /** How long a message or webhook keeps being retried before it fails (default 24 h). */
  deliveryDeadlineMs?: number;
  /** One delivery attempt (every endpoint of a message at once, or one SMTP send). */
  deliveryAttemptMs?: number;
}

export const defaultActivityTimeouts: ActivityTimeouts = { aiMs: 120_000, enrichmentMs: 10_000, storeMs: 30_000 };
export const DEFAULT_STORE_DEADLINE_MS = 5 * 60_000;
export const DEFAULT_HEARTBEAT_MS = 10_000;
