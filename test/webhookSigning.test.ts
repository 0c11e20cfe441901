import { randomBytes } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { isWebhookSecret, newWebhookSecret, signedHeaders, WebhookInputError } from '../src/webhooks';
import { signedHeadersOffThread, signingOnThread } from '../src/webhooks/signingPool';

const secretOf = (bytes: number) => `whsec_${randomBytes(bytes).toString('base64')}`;
const payload = JSON.stringify({ type: 'ticket.replied', data: { ticketId: 't-1', text: 'Grüße 👋🏽' } });

describe('webhook secrets', () => {
  it('makes whsec_ secrets of 32 random bytes that the standardwebhooks library accepts', () => {
    const secrets = Array.from({ length: 20 }, newWebhookSecret);
    expect(new Set(secrets).size).toBe(20);
    for (const secret of secrets) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
      expect(isWebhookSecret(secret)).toBe(true);
      expect(() => new Webhook(secret)).not.toThrow();
    }
  });

  it.each([
    ['24 bytes, the specification minimum', secretOf(24), true],
    ['64 bytes, the maximum', secretOf(64), true],
    ['23 bytes', secretOf(23), false],
    ['65 bytes', secretOf(65), false],
    ['no prefix', randomBytes(32).toString('base64'), false],
    ['the wrong prefix', `whsk_${randomBytes(32).toString('base64')}`, false],
    ['URL-safe base64', `whsec_${'-_'.repeat(22)}`, false],
    ['missing padding', secretOf(32).replace(/=$/, ''), false],
    ['spaces', `whsec_ ${randomBytes(32).toString('base64')}`, false],
    // 32 bytes fill 42 characters and 4 bits of the 43rd; "B" sets one of its 2 unused bits.
    ['unused bits set in the last character', `whsec_${'A'.repeat(42)}B=`, false],
    ['the same bytes spelt canonically', `whsec_${'A'.repeat(43)}=`, true],
    ['nothing after the prefix', 'whsec_', false],
    ['empty', '', false],
  ])('isWebhookSecret: %s → %s', (_what, value, expected) => {
    expect(isWebhookSecret(value)).toBe(expected);
  });
});

describe('signedHeaders', () => {
  it('gives the three Standard Webhooks headers, which the standardwebhooks library verifies', () => {
    const secret = newWebhookSecret();
    const timestamp = new Date();
    const headers = signedHeaders({ webhookId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', timestamp, payload, secrets: [secret] });
    expect(headers['webhook-id']).toBe('msg_2KWPBgLlAfxdpx2AI54pPJ85f4W');
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(timestamp.getTime() / 1000)));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    // The library's own signature over the same message is the same string.
    expect(headers['webhook-signature']).toBe(new Webhook(secret).sign('msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', timestamp, payload));
    expect(new Webhook(secret).verify(payload, { ...headers })).toEqual(JSON.parse(payload));
  });

  it('signs with every secret during a rotation, so a receiver holding either one verifies', () => {
    const [oldSecret, newSecret] = [newWebhookSecret(), newWebhookSecret()];
    const headers = signedHeaders({ webhookId: 'msg_1', timestamp: new Date(), payload, secrets: [oldSecret, newSecret] });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(oldSecret).verify(payload, { ...headers })).not.toThrow();
    expect(() => new Webhook(newSecret).verify(payload, { ...headers })).not.toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(payload, { ...headers })).toThrow(WebhookVerificationError);
  });

  it('covers the id, the timestamp and every byte of the payload', () => {
    const secret = newWebhookSecret();
    const timestamp = new Date();
    const headers = signedHeaders({ webhookId: 'msg_1', timestamp, payload, secrets: [secret, secret] });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(1);
    const receiver = new Webhook(secret);
    expect(() => receiver.verify(`${payload} `, { ...headers })).toThrow(WebhookVerificationError);
    expect(() => receiver.verify(payload, { ...headers, 'webhook-id': 'msg_2' })).toThrow(WebhookVerificationError);
    const later = String(Number(headers['webhook-timestamp']) + 1);
    expect(() => receiver.verify(payload, { ...headers, 'webhook-timestamp': later })).toThrow(WebhookVerificationError);
  });

  it.each([
    ['an id with a dot, which would let one id.timestamp pass for another', { webhookId: 'msg.1' }],
    ['an id with a space', { webhookId: 'msg 1' }],
    ['an empty id', { webhookId: '' }],
    ['an invalid Date', { timestamp: new Date(Number.NaN) }],
    ['no secret', { secrets: [] }],
    ['a secret that is not whsec_', { secrets: ['hunter2'] }],
  ])('refuses %s with a WebhookInputError', (_what, change) => {
    const input = { webhookId: 'msg_1', timestamp: new Date(), payload, secrets: [newWebhookSecret()], ...change };
    expect(() => signedHeaders(input)).toThrow(WebhookInputError);
  });
});

describe('signedHeadersOffThread', () => {
  it('signs on the signing thread exactly as signedHeaders does, many at once, with the same input errors', async () => {
    const secrets = [newWebhookSecret(), newWebhookSecret()];
    const inputs = Array.from({ length: 300 }, (_, i) => ({
      webhookId: `msg_${i}`,
      timestamp: new Date(),
      payload: `${payload}${' '.repeat(i)}`,
      secrets: i % 2 === 0 ? secrets.slice(0, 1) : secrets,
    }));
    // Sent together: they travel to the thread in batches and come back each to its own caller.
    const answers = await Promise.all(inputs.map((input) => signedHeadersOffThread(input)));
    expect(answers).toEqual(inputs.map((input) => signedHeaders(input)));
    expect(signingOnThread()).toBe(true);
    const [, odd] = answers;
    expect(new Webhook(secrets[1]!).verify(inputs[1]!.payload, { ...odd! })).toEqual(JSON.parse(payload));

    const bad = [
      signedHeadersOffThread({ ...inputs[0]!, webhookId: 'a.b' }),
      signedHeadersOffThread({ ...inputs[0]!, secrets: ['not-a-secret'] }),
      signedHeadersOffThread(inputs[2]!),
    ];
    const [dotted, unusable, good] = await Promise.allSettled(bad);
    expect(dotted).toMatchObject({ status: 'rejected', reason: expect.any(WebhookInputError) });
    expect(unusable).toMatchObject({ status: 'rejected', reason: { message: expect.stringContaining('Signing secret #1') } });
    expect(unusable).toMatchObject({ reason: expect.any(WebhookInputError) });
    expect(good).toEqual({ status: 'fulfilled', value: answers[2] });
  });
});
