import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createWebhookSender,
  endpointUrlProblem,
  newWebhookSecret,
  sendWebhook,
  type ResolveHost,
  type WebhookMessage,
} from '../src/webhooks';
import { startReceiver } from './support/webhookReceiver';

// The address check at connect time: whatever a name resolved to when the endpoint was registered,
// a connection is only made to an address that passes isForbiddenAddress now.

const secret = newWebhookSecret();
const message = (url: string): WebhookMessage => ({
  url,
  webhookId: `msg_${randomUUID()}`,
  timestamp: new Date(),
  payload: '{"type":"ticket.closed"}',
  secrets: [secret],
  timeoutMs: 5_000,
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((close) => close()));
});
async function receiver(options: Parameters<typeof startReceiver>[0] = {}) {
  const started = await startReceiver({ secret, ...options });
  cleanups.push(started.close);
  return started;
}
function sender(lookup: ResolveHost) {
  const created = createWebhookSender({ lookup });
  cleanups.push(created.close);
  return created;
}

/** A resolver that answers each name with the next of `answers`, the last one from then on: DNS rebinding. */
function rebinding(answers: string[][]): ResolveHost & { calls: () => number } {
  let calls = 0;
  const resolve = async () => answers[Math.min(calls++, answers.length - 1)] ?? [];
  return Object.assign(resolve, { calls: () => calls });
}

describe('the connect-time address check', () => {
  it.each([
    ['169.254.169.254', 'a cloud metadata address'],
    ['fd00:ec2::254', 'a cloud metadata address (AWS)'],
    ['::ffff:169.254.169.254', 'the IPv6 form of 169.254.169.254, a cloud metadata address'],
    ['0.0.0.0', 'an unspecified address'],
  ])('refuses a name resolving to %s, permanently', async (address, why) => {
    const hooks = sender(async () => [address]);
    for (const url of ['http://hooks.test/x', 'https://hooks.test/x']) {
      const attempt = await hooks.send(message(url));
      expect(attempt).toMatchObject({ ok: false, status: null, permanent: true, responseBody: '' });
      expect(attempt.error).toBe(`refused: hooks.test resolves to ${address}, ${why}`);
    }
  });

  it('refuses a name when any of its addresses is forbidden', async () => {
    const hook = await receiver();
    const hooks = sender(async () => ['127.0.0.1', '169.254.169.254']);
    expect(await hooks.send(message(`http://hooks.test:${hook.port}/`))).toMatchObject({ ok: false, permanent: true });
    expect(hook.connections()).toBe(0);
  });

  it('catches DNS rebinding: allowed at registration, refused at connect', async () => {
    const hook = await receiver();
    const lookup = rebinding([['127.0.0.1'], ['169.254.169.254']]);
    const url = `http://rebind.test:${hook.port}/hook`;
    expect(await endpointUrlProblem(url, { selfOrigins: ['http://127.0.0.1:3000'], lookup })).toBeNull();
    const attempt = await sender(lookup).send(message(url));
    expect(attempt).toMatchObject({
      ok: false,
      permanent: true,
      error: 'refused: rebind.test resolves to 169.254.169.254, a cloud metadata address',
    });
    expect(hook.connections()).toBe(0);
  });

  it('checks every new connection of the kept-alive pool, not only the first', async () => {
    // Each answer closes its connection, so each send needs a new one from the pool.
    const hook = await receiver({ answer: (res) => res.writeHead(200, { connection: 'close' }).end('ok') });
    const lookup = rebinding([['127.0.0.1'], ['127.0.0.1'], ['169.254.169.254']]);
    const hooks = sender(lookup);
    const url = `http://pool.test:${hook.port}/`;
    expect((await hooks.send(message(url))).ok).toBe(true);
    expect((await hooks.send(message(url))).ok).toBe(true);
    expect(await hooks.send(message(url))).toMatchObject({ ok: false, permanent: true });
    expect(lookup.calls()).toBe(3);
    expect(hook.received).toHaveLength(2);
  });

  it('connects to what the resolver allows: loopback names work', async () => {
    const hook = await receiver();
    const attempt = await sender(async () => ['127.0.0.1']).send(message(`http://receiver.internal.test:${hook.port}/`));
    expect(attempt).toMatchObject({ ok: true, status: 200 });
    expect(hook.received[0]?.headers.host).toBe(`receiver.internal.test:${hook.port}`);
    expect(hook.received[0]?.verified).toBe(true);
  });

  it('refuses forbidden address literals, which the OS would otherwise route to this host', async () => {
    // Linux delivers a connection to 0.0.0.0 to a server listening on 127.0.0.1.
    const hook = await receiver();
    for (const url of [`http://0.0.0.0:${hook.port}/`, `http://[::ffff:0.0.0.0]:${hook.port}/`, `http://0:${hook.port}/`]) {
      expect(await sendWebhook(message(url))).toMatchObject({
        ok: false,
        status: null,
        permanent: true,
        error: expect.stringMatching(/^refused: .*unspecified address/),
      });
    }
    expect(await sendWebhook(message('http://[::ffff:169.254.169.254]/'))).toMatchObject({ ok: false, permanent: true });
    expect(await sendWebhook(message('http://2852039166/'))).toMatchObject({
      ok: false,
      permanent: true,
      error: 'refused: 169.254.169.254 is a cloud metadata address',
    });
    expect(hook.connections()).toBe(0);
  });
});
