import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import type * as Proto from '@temporalio/proto';
import type { KeyRing } from './keyRing';

// @temporalio/proto is CommonJS whose exports Node's ESM loader cannot see by name (tsx, the
// worker process): required, as the SDK's own packages do.
const { temporal } = createRequire(import.meta.url)('@temporalio/proto') as typeof Proto;

/**
 * Encrypts every payload Tandem hands Temporal (workflow inputs, signals, updates, queries,
 * activity inputs and results, memo, user metadata) with AES-256-GCM, so the cluster, its
 * database, Temporal Cloud and anyone reading Temporal Web without Tandem's codec server see
 * ciphertext instead of customers' emails and messages. Search attributes are indexed by the
 * server and never pass through a codec: the workflow keeps personal data out of them.
 *
 * The whole payload (its metadata and data) is encrypted, so even the inner encoding is hidden;
 * the outer metadata carries only what a reader needs: the encoding and the key id.
 */

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';
export const METADATA_CIPHER = 'encryption-cipher';
const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const text = new TextEncoder();
const utf8 = new TextDecoder();

/** A payload encrypted under a key the ring no longer (or never) held. */
export class UnknownEncryptionKeyError extends ValueError {
  constructor(readonly keyId: string) {
    super(`payload is encrypted with key "${keyId}", which is not in the key ring (TANDEM_ENCRYPTION_KEYS): add that key back to read it`);
  }
}

export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly ring: KeyRing) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decrypt(payload));
  }

  /** The id of the key a payload was encrypted with; undefined for a payload that is not encrypted. */
  static keyIdOf(payload: Payload): string | undefined {
    if (!isEncrypted(payload)) return undefined;
    const id = payload.metadata?.[METADATA_KEY_ID];
    return id ? utf8.decode(id) : undefined;
  }

  private encrypt(payload: Payload): Payload {
    const { id, key } = this.ring.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
    // The key id is authenticated too: a payload relabelled with another key id fails, not misreads.
    cipher.setAAD(text.encode(id));
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: text.encode(ENCRYPTED_ENCODING),
        [METADATA_KEY_ID]: text.encode(id),
        [METADATA_CIPHER]: text.encode('AES-256-GCM'),
      },
      data: sealed,
    };
  }

  private decrypt(payload: Payload): Payload {
    // Payloads written before encryption (the recorded histories of test/histories, tickets that
    // were running when it was switched on) carry their own encoding: they pass through as they are.
    if (!isEncrypted(payload)) return payload;
    const keyId = EncryptionCodec.keyIdOf(payload);
    if (!keyId) throw new ValueError('an encrypted payload has no encryption-key-id in its metadata');
    const entry = this.ring.byId.get(keyId);
    if (!entry) throw new UnknownEncryptionKeyError(keyId);
    const sealed = payload.data ?? new Uint8Array();
    if (sealed.length < IV_BYTES + TAG_BYTES) throw new ValueError(`an encrypted payload (key "${keyId}") is truncated`);
    const iv = sealed.subarray(0, IV_BYTES);
    const tag = sealed.subarray(sealed.length - TAG_BYTES);
    const decipher = createDecipheriv(CIPHER, entry.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(text.encode(keyId));
    decipher.setAuthTag(tag);
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new ValueError(
        `a payload encrypted with key "${keyId}" does not decrypt: the ring's key of that id differs, or the payload was altered`,
      );
    }
    return temporal.api.common.v1.Payload.decode(plain);
  }
}

const isEncrypted = (payload: Payload) => {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  return encoding !== undefined && encoding !== null && utf8.decode(encoding) === ENCRYPTED_ENCODING;
};
