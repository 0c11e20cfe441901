// Signing off the event loop. The standardwebhooks library computes HMAC-SHA256 in JavaScript
// (fast-sha256): about 20 µs of a busy worker's event loop a webhook, where the Temporal worker
// also runs every other activity and its own polling. A second thread signs instead, with the same
// library and code (signedHeaders), batched like the database statements: whatever is waiting goes
// over in one message. If the thread cannot start or dies, signing falls back to the event loop.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { groupCommit } from '../db/groupCommit';
import { WebhookInputError, type SignedHeaders, type SigningInput } from './signing';
import { signBatch as signOnEventLoop, type SignedBatch, type SigningBatch } from './signingBatch';

interface Thread {
  worker: Worker;
  /** The batch it is signing now (groupCommit sends one at a time). */
  pending: { resolve: (answers: SignedBatch) => void; reject: (error: Error) => void } | null;
}

let thread: Thread | null = null;
/** Set when the thread failed: from then on this process signs on its event loop. */
let unavailable = false;

function start(): Thread {
  const file = fileURLToPath(new URL('./signingThread.ts', import.meta.url));
  // The thread loads the TypeScript module through tsx, as the worker process itself does; both
  // paths are absolute, so the process's working directory does not matter.
  const tsx = createRequire(import.meta.url).resolve('tsx/cjs/api');
  const worker = new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(file)});`, { eval: true });
  const started: Thread = { worker, pending: null };
  const fail = (error: Error) => {
    unavailable = true;
    if (thread === started) thread = null;
    const pending = started.pending;
    started.pending = null;
    pending?.reject(error);
  };
  worker.on('message', (answers: SignedBatch) => {
    // Idle, the thread must not keep the process alive.
    worker.unref();
    const pending = started.pending;
    started.pending = null;
    pending?.resolve(answers);
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the signing thread exited (${code})`)));
  return started;
}

function onThread(batch: SigningBatch): Promise<SignedBatch> {
  return new Promise((resolve, reject) => {
    thread ??= start();
    thread.pending = { resolve, reject };
    thread.worker.ref();
    thread.worker.postMessage(batch);
  });
}

type Answer = { headers: SignedHeaders } | { error: Error };

const signMany = groupCommit<SigningInput, Answer>(async (inputs) => {
  const batch: SigningBatch = {
    ids: inputs.map((i) => i.webhookId),
    times: inputs.map((i) => i.timestamp.getTime()),
    payloads: inputs.map((i) => i.payload),
    secrets: inputs.map((i) => i.secrets),
  };
  const signed = unavailable ? signOnEventLoop(batch) : await onThread(batch).catch(() => signOnEventLoop(batch));
  return inputs.map((input, i): Answer => {
    const failure = signed.failures[i];
    if (failure) return { error: failure.input ? new WebhookInputError(failure.message) : new Error(failure.message) };
    return {
      headers: { 'webhook-id': input.webhookId, 'webhook-timestamp': signed.timestamps[i]!, 'webhook-signature': signed.signatures[i]! },
    };
  });
});

/** Whether signatures are being made on the thread: it is running (a failed one is dropped). */
export const signingOnThread = (): boolean => thread !== null;

/** signedHeaders, computed on the signing thread; the same answers and the same WebhookInputErrors. */
export async function signedHeadersOffThread(input: SigningInput): Promise<SignedHeaders> {
  const answer = await signMany(input);
  if ('error' in answer) throw answer.error;
  return answer.headers;
}
