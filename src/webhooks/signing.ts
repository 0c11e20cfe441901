// Standard Webhooks signatures: HMAC-SHA256 over "{webhook-id}.{webhook-timestamp}.{payload}",
// sent as "v1,<base64>", made by the specification's own `standardwebhooks` library (the one its
// receivers verify with), one per secret while a rotation's grace period lasts.
import { Webhook } from 'standardwebhooks';
import { webhookSecretKey } from './secrets';

/**
 * A message that cannot be signed or sent as given: the caller's mistake, never the receiver's.
 * Retrying the same input cannot help (a Temporal activity lists it as non-retryable).
 */
export class WebhookInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookInputError';
  }
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export interface SigningInput {
  /** Stays the same across every attempt of one message: receivers use it to drop duplicates. */
  webhookId: string;
  /** When this attempt is made; receivers refuse timestamps far from their clock (replay protection). */
  timestamp: Date;
  /** Exactly the bytes sent as the body: a signature covers the text, not its parsed JSON. */
  payload: string;
  secrets: string[];
}

// The id is part of the signed text and a header value: a "." in it would let one (id, timestamp)
// pair pass for another, which the specification forbids, and control characters cannot be sent.
const webhookIdShape = /^[\x21-\x2d\x2f-\x7e]{1,256}$/;

/** Seconds since the epoch, as the webhook-timestamp header carries them. */
export function webhookTimestamp(timestamp: Date): string {
  const ms = timestamp.getTime();
  if (!Number.isFinite(ms)) throw new WebhookInputError('Webhook timestamp is an invalid Date.');
  return String(Math.floor(ms / 1000));
}

// A Webhook decodes its secret once, and a secret is checked once, when its signer is made:
// endpoints are few and each delivery signs, so the signers of well-formed secrets are kept.
const signers = new Map<string, Webhook>();
function signerFor(secret: string, index: number): Webhook {
  let signer = signers.get(secret);
  if (!signer) {
    if (!webhookSecretKey(secret)) {
      throw new WebhookInputError(`Signing secret #${index + 1} is not a whsec_ secret of 24 to 64 base64-encoded bytes.`);
    }
    if (signers.size >= 1000) signers.clear();
    signers.set(secret, (signer = new Webhook(secret)));
  }
  return signer;
}

/**
 * The three Standard Webhooks headers for one message; with several secrets (rotation grace period)
 * the signature header carries one 'v1,<sig>' per secret, space-separated, so a receiver holding
 * either verifies. Throws WebhookInputError for the caller's mistakes: an id with "." or characters
 * a header cannot carry, an invalid Date, no secret, or a secret that is not a whsec_ secret.
 */
export function signedHeaders(input: SigningInput): SignedHeaders {
  const { webhookId, payload, secrets } = input;
  if (!webhookIdShape.test(webhookId)) {
    throw new WebhookInputError(
      `Webhook id ${JSON.stringify(webhookId.slice(0, 80))} must be 1-256 printable ASCII characters without "." or spaces.`,
    );
  }
  if (secrets.length === 0) throw new WebhookInputError('A webhook needs at least one signing secret.');
  const timestamp = webhookTimestamp(input.timestamp);
  const at = new Date(Number(timestamp) * 1000);
  const signatures = secrets.map((secret, index) => signerFor(secret, index).sign(webhookId, at, payload));
  return {
    'webhook-id': webhookId,
    'webhook-timestamp': timestamp,
    // The same secret listed twice (a rotation to itself) would only repeat its signature.
    'webhook-signature': signatures.length === 1 ? signatures[0]! : [...new Set(signatures)].join(' '),
  };
}
