/**
 * The keys Tandem encrypts Temporal payloads with. A ring, not a key: the first key encrypts
 * every new payload, and every key in the ring decrypts, so a key is rotated by putting a new
 * one in front and dropped only once no running ticket's history needs it any more.
 *
 * Written as `TANDEM_ENCRYPTION_KEYS=<id>:<base64 of 32 bytes>,<id>:<…>`, newest first. The id
 * travels in each payload's metadata (never the key), so a reader knows which key to use.
 */

export interface EncryptionKey {
  id: string;
  /** 32 bytes: an AES-256 key. */
  key: Buffer;
}

export interface KeyRing {
  /** Encrypts every new payload. */
  current: EncryptionKey;
  /** Every key that decrypts, by id, the current one included. */
  byId: ReadonlyMap<string, EncryptionKey>;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
export const KEY_BYTES = 32;

export class KeyRingError extends Error {}

/** A ring from keys listed newest first; the same id twice, or a key that is not 32 bytes, is refused. */
export function keyRingOf(keys: EncryptionKey[]): KeyRing {
  const [current] = keys;
  if (!current) throw new KeyRingError('at least one key is needed');
  const byId = new Map<string, EncryptionKey>();
  for (const k of keys) {
    if (!KEY_ID.test(k.id)) throw new KeyRingError(`key id ${JSON.stringify(k.id)} must be 1–64 of A-Z a-z 0-9 . _ -`);
    if (k.key.length !== KEY_BYTES) throw new KeyRingError(`key ${k.id} is ${k.key.length} bytes; AES-256 needs ${KEY_BYTES}`);
    if (byId.has(k.id)) throw new KeyRingError(`key id ${k.id} appears twice`);
    byId.set(k.id, k);
  }
  return { current, byId };
}

/** Parses `id:base64,id:base64` (newest first). Messages name the entry, never the key material. */
export function parseKeyRing(text: string): KeyRing {
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  return keyRingOf(
    entries.map((entry, i) => {
      const colon = entry.indexOf(':');
      if (colon <= 0) throw new KeyRingError(`entry ${i + 1} is not <id>:<base64 key>`);
      const id = entry.slice(0, colon);
      const encoded = entry.slice(colon + 1);
      if (!BASE64.test(encoded)) throw new KeyRingError(`key ${id} is not base64`);
      return { id, key: Buffer.from(encoded, encoded.includes('-') || encoded.includes('_') ? 'base64url' : 'base64') };
    }),
  );
}

/** The same ring with more keys that only decrypt (appended after the ring's own). */
export function withDecryptOnly(ring: KeyRing, extra: EncryptionKey[]): KeyRing {
  return keyRingOf([...ring.byId.values(), ...extra.filter((k) => !ring.byId.has(k.id))]);
}

/** `id:base64` for one key: what `TANDEM_ENCRYPTION_KEYS` takes. */
export const formatKey = (k: EncryptionKey) => `${k.id}:${k.key.toString('base64')}`;
