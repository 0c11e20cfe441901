// A batch of signatures as it crosses between threads (see signingPool.ts): columns of plain
// values, which cost less to copy than as many small objects, signed with signedHeaders, the same
// code the event loop would run, and answered in the batch's order.
import { signedHeaders, WebhookInputError } from './signing';

export interface SigningBatch {
  ids: string[];
  /** Milliseconds since the epoch (NaN for an invalid Date, which signedHeaders refuses). */
  times: number[];
  payloads: string[];
  secrets: string[][];
}

export interface SignedBatch {
  timestamps: string[];
  signatures: string[];
  /** null where signed; else the error, `input` when it is the caller's mistake (WebhookInputError). */
  failures: ({ input: boolean; message: string } | null)[];
}

export function signBatch(batch: SigningBatch): SignedBatch {
  const answer: SignedBatch = { timestamps: [], signatures: [], failures: [] };
  batch.ids.forEach((webhookId, i) => {
    try {
      const headers = signedHeaders({
        webhookId,
        timestamp: new Date(batch.times[i]!),
        payload: batch.payloads[i]!,
        secrets: batch.secrets[i]!,
      });
      answer.timestamps.push(headers['webhook-timestamp']);
      answer.signatures.push(headers['webhook-signature']);
      answer.failures.push(null);
    } catch (err: unknown) {
      answer.timestamps.push('');
      answer.signatures.push('');
      answer.failures.push({ input: err instanceof WebhookInputError, message: err instanceof Error ? err.message : String(err) });
    }
  });
  return answer;
}
