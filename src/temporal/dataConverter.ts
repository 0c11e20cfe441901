import { randomBytes } from 'node:crypto';
import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config';
import type { Db } from '../db/client';
import { generatedSecret, storedSecret } from '../db/generatedSecrets';
import { EncryptionCodec } from './codec';
import { KEY_BYTES, keyRingOf, withDecryptOnly, type EncryptionKey, type KeyRing } from './keyRing';

/**
 * The one data converter of every Tandem worker and Temporal client (API, dev stack, tests,
 * benchmarks): payloads are encrypted with the key ring. Codecs run outside the workflow
 * sandbox, so the workflow bundle is the same with or without it.
 */
export const tandemDataConverter = (ring: KeyRing): DataConverter => ({ payloadCodecs: [new EncryptionCodec(ring)] });

const GENERATED = 'payload_encryption_key';
/** The id payloads encrypted with the generated key carry. */
export const GENERATED_KEY_ID = 'tandem-generated';

const generatedKey = (value: string): EncryptionKey => ({ id: GENERATED_KEY_ID, key: Buffer.from(value, 'base64') });

export interface LoadedKeyRing {
  ring: KeyRing;
  /** `configured`: TANDEM_ENCRYPTION_KEYS; `generated`: a key made once and kept in the database. */
  source: 'configured' | 'generated';
}

/**
 * TANDEM_ENCRYPTION_KEYS when set. Without it, a key generated once into the database, shared by
 * every process over it: encryption is never off, and a development stack needs no set-up. The
 * read model in that same database holds the tickets in clear anyway; what the codec protects
 * is what Temporal and its operators see. Once TANDEM_ENCRYPTION_KEYS is set, a generated key
 * that exists stays in the ring for decryption, so tickets started before still read.
 */
export async function loadKeyRing(config: Pick<Config, 'TANDEM_ENCRYPTION_KEYS'>, db: Db): Promise<LoadedKeyRing> {
  if (config.TANDEM_ENCRYPTION_KEYS) {
    const earlier = await storedSecret(db, GENERATED);
    return {
      ring: earlier ? withDecryptOnly(config.TANDEM_ENCRYPTION_KEYS, [generatedKey(earlier)]) : config.TANDEM_ENCRYPTION_KEYS,
      source: 'configured',
    };
  }
  const value = await generatedSecret(db, GENERATED, () => randomBytes(KEY_BYTES).toString('base64'));
  return { ring: keyRingOf([generatedKey(value)]), source: 'generated' };
}
