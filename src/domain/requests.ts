/**
 * What makes two requests "the same request": a caller's request id (X-Request-Id, a message id,
 * an Idempotency-Key) is bound to what it asked for, so a retry is recognised and a reuse of the
 * id for something else is refused instead of silently answered with the earlier result.
 *
 * Pure and dependency-free: the workflow computes the same fingerprint as the API.
 */

/** Stable JSON (sorted keys, undefined dropped), so the same request always serialises the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** 53-bit string hash (cyrb53); two seeds give ~106 bits, plenty to tell requests apart. */
function cyrb53(text: string, seed: number): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

/** The fingerprint of (what was asked, by whom, with what): equal only for a true retry. */
export function requestFingerprint(kind: string, payload: unknown): string {
  const text = `${kind}\n${canonicalJson(payload)}`;
  return `${cyrb53(text, 1)}${cyrb53(text, 2)}`;
}

/** What a ticket remembers of an applied request, so a reuse of its id can be named. */
export interface RequestBinding {
  /** The Update id (X-Request-Id for actions, `message:<id>` for customer messages). */
  id: string;
  /** The action name, or `customerMessage`. */
  kind: string;
  actor: string;
  fingerprint: string;
  at: number;
}

/** The Update id a customer message is applied under: retries with the same message id meet. */
export const messageUpdateId = (messageId: string) => `message:${messageId}`;

/** A refusal that names the earlier request, for a 409. */
export function reuseConflict(binding: RequestBinding): string {
  return `request id ${binding.id} was already used for ${binding.kind} by ${binding.actor} at ${new Date(binding.at).toISOString()}; send a new id for a different request`;
}
