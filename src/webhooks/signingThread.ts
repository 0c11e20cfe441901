// The body of the signing thread (see signingPool.ts): signs each batch it is sent.
import { parentPort } from 'node:worker_threads';
import { signBatch, type SigningBatch } from './signingBatch';

parentPort?.on('message', (batch: SigningBatch) => parentPort!.postMessage(signBatch(batch)));
