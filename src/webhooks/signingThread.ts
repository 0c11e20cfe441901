// The body of the signing thread (see signingPool.ts): signs each batch it is sent with
// signedHeaders, the same code the event loop would run, and answers with the headers or the
// caller's mistake, in the batch's order.
import { parentPort } from 'node:worker_threads';
import { signedHeaders, WebhookInputError, type SignedHeaders, type SigningInput } from './signing';

export type SigningAnswer = { headers: SignedHeaders } | { inputError: string } | { error: string };

parentPort?.on('message', (batch: SigningInput[]) => {
  const answers = batch.map((input): SigningAnswer => {
    try {
      return { headers: signedHeaders(input) };
    } catch (err: unknown) {
      if (err instanceof WebhookInputError) return { inputError: err.message };
      return { error: err instanceof Error ? err.message : String(err) };
    }
  });
  parentPort!.postMessage(answers);
});
