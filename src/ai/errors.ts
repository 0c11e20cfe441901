/**
 * Why an AI call failed, in the terms the caller needs: may it be retried, and when. Providers
 * throw this; the activities turn it into a Temporal ApplicationFailure, so Temporal owns retries.
 */
export class AIProviderError extends Error {
  constructor(
    message: string,
    readonly kind: 'rate_limited' | 'server_error' | 'timeout' | 'connection' | 'invalid_output' | 'rejected',
    readonly retryable: boolean,
    /** The provider's Retry-After, when it sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'AIProviderError';
  }
}

/** Retry-After as seconds or an HTTP date, also the `retry-after-ms` header some servers send. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
