// Endpoint signing secrets in the Standard Webhooks form: "whsec_" and the base64 of random bytes.
// The specification asks for 24 to 64 bytes; Tandem makes 32 (the size of an HMAC-SHA256 key) and
// accepts any length in that range, so secrets another Standard Webhooks sender made still work.
import { randomBytes } from 'node:crypto';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;
const NEW_SECRET_BYTES = 32;

// Standard (not URL-safe) base64 with its padding, as receivers' libraries decode it.
const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A new endpoint secret in the specification's form: 'whsec_' + base64 of 32 random bytes (node:crypto). */
export function newWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(NEW_SECRET_BYTES).toString('base64')}`;
}

/** The key bytes of a well-formed whsec_ secret, or null when `value` is not one. */
export function webhookSecretKey(value: string): Buffer | null {
  if (!value.startsWith(WEBHOOK_SECRET_PREFIX)) return null;
  const encoded = value.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!base64.test(encoded)) return null;
  const key = Buffer.from(encoded, 'base64');
  // Unused bits set in the last character decode the same key but are not the canonical spelling;
  // a receiver's stricter decoder may refuse them, so such a secret is refused here first.
  if (key.toString('base64') !== encoded) return null;
  return key.length >= MIN_SECRET_BYTES && key.length <= MAX_SECRET_BYTES ? key : null;
}

/** True for a well-formed whsec_ secret. */
export const isWebhookSecret = (value: string): boolean => webhookSecretKey(value) !== null;
