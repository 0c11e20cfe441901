import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { newWebhookSecret, sendWebhook, WEBHOOK_USER_AGENT, WebhookInputError, type WebhookMessage } from '../src/webhooks';
import { startRawServer, startReceiver } from './support/webhookReceiver';

const secret = newWebhookSecret();
const payload = JSON.stringify({
  type: 'ticket.replied',
  timestamp: '2025-01-01T00:00:00.000Z',
  data: { ticketId: 't-1', text: 'Grüße 👋🏽\n"quoted"' },
});

const message = (url: string, change: Partial<WebhookMessage> = {}): WebhookMessage => ({
  url,
  webhookId: `msg_${randomUUID()}`,
  timestamp: new Date(),
  payload,
  secrets: [secret],
  timeoutMs: 5_000,
  ...change,
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((close) => close()));
});
async function receiver(options: Parameters<typeof startReceiver>[0] = {}) {
  const started = await startReceiver({ secret, ...options });
  cleanups.push(started.close);
  return started;
}
async function rawServer(onConnection: Parameters<typeof startRawServer>[0]) {
  const started = await startRawServer(onConnection);
  cleanups.push(started.close);
  return started;
}

describe('sendWebhook', () => {
  it('delivers a signed POST that the standardwebhooks library verifies, reusing one connection', async () => {
    const hook = await receiver();
    const sent = message(`${hook.url}/hooks/tandem?source=test`);
    const attempt = await sendWebhook(sent);
    expect(attempt).toMatchObject({ ok: true, status: 200, responseBody: 'thanks', error: null, permanent: false });
    expect(attempt.durationMs).toBeGreaterThanOrEqual(0);
    const [got] = hook.received;
    expect(got).toMatchObject({ method: 'POST', url: '/hooks/tandem?source=test', verified: true });
    expect(got?.raw.equals(Buffer.from(payload, 'utf8'))).toBe(true);
    expect(got?.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': WEBHOOK_USER_AGENT,
      'content-length': String(Buffer.byteLength(payload)),
      'webhook-id': sent.webhookId,
      'webhook-timestamp': String(Math.floor(sent.timestamp.getTime() / 1000)),
    });
    expect(got?.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);

    for (let i = 0; i < 49; i++) expect((await sendWebhook(message(hook.url))).ok).toBe(true);
    expect(hook.received).toHaveLength(50);
    expect(hook.received.every((r) => r.verified)).toBe(true);
    expect(hook.connections()).toBe(1);
  });

  it('reports a 500 as a failure worth retrying, and the next attempt succeeds', async () => {
    const hook = await receiver({
      answer: (res, index) => (index === 0 ? res.writeHead(500).end('database down') : res.writeHead(204).end()),
    });
    const sent = message(hook.url);
    const first = await sendWebhook(sent);
    expect(first).toMatchObject({
      ok: false,
      status: 500,
      error: '500 Internal Server Error',
      permanent: false,
      responseBody: 'database down',
    });
    const second = await sendWebhook({ ...sent, timestamp: new Date() });
    expect(second).toMatchObject({ ok: true, status: 204, error: null, responseBody: '' });
    expect(hook.received.map((r) => r.headers['webhook-id'])).toEqual([sent.webhookId, sent.webhookId]);
  });

  it('gives up on a receiver that never answers at the deadline', async () => {
    const hook = await receiver({ answer: () => {} });
    const attempt = await sendWebhook(message(hook.url, { timeoutMs: 500 }));
    expect(attempt).toMatchObject({ ok: false, status: null, permanent: false, responseBody: '' });
    expect(attempt.error).toBe(`timeout after 500 ms: 127.0.0.1:${hook.port} accepted the connection but did not answer`);
    expect(attempt.durationMs).toBeGreaterThanOrEqual(490);
    expect(attempt.durationMs).toBeLessThan(1_500);
  });

  it('counts a trickling answer within the same deadline', async () => {
    const hook = await receiver({ answer: (res) => void res.writeHead(200).write('still working') });
    const attempt = await sendWebhook(message(hook.url, { timeoutMs: 500 }));
    // The 200 arrived in time: the receiver has the message, whatever became of the rest of its answer.
    expect(attempt).toMatchObject({ ok: true, status: 200, responseBody: 'still working', error: null });
    expect(attempt.durationMs).toBeLessThan(1_500);
  });

  it('treats 410 Gone as permanent: the receiver disabled the endpoint', async () => {
    const hook = await receiver({ answer: (res) => res.writeHead(410).end() });
    expect(await sendWebhook(message(hook.url))).toMatchObject({
      ok: false,
      status: 410,
      permanent: true,
      error: '410 Gone: the receiver has disabled this endpoint',
    });
  });

  it('passes on Retry-After from a 429', async () => {
    const hook = await receiver({ answer: (res) => res.writeHead(429, { 'retry-after': '7' }).end('slow down') });
    expect(await sendWebhook(message(hook.url))).toMatchObject({
      ok: false,
      status: 429,
      permanent: false,
      retryAfterMs: 7_000,
      error: '429 Too Many Requests',
    });
  });

  it('does not follow a redirect', async () => {
    const elsewhere = await receiver();
    const hook = await receiver({ answer: (res) => res.writeHead(302, { location: `${elsewhere.url}/moved` }).end() });
    const attempt = await sendWebhook(message(hook.url));
    expect(attempt).toMatchObject({ ok: false, status: 302, permanent: false });
    expect(attempt.error).toBe(`302 Found: redirect to ${elsewhere.url}/moved not followed; update the endpoint URL`);
    expect(elsewhere.received).toHaveLength(0);
    expect(elsewhere.connections()).toBe(0);
  });

  it('says so when the answer is not HTTP', async () => {
    const server = await rawServer((socket) => socket.once('data', () => socket.end('SSH-2.0-OpenSSH_9.6\r\n')));
    const attempt = await sendWebhook(message(server.url));
    expect(attempt).toMatchObject({ ok: false, status: null, permanent: false });
    expect(attempt.error).toBe(
      `not an HTTP answer from 127.0.0.1:${server.port} (Response does not match the HTTP/1.1 protocol (Expected HTTP/, RTSP/ or ICE/))`,
    );
  });

  it('says so when the receiver resets the connection', async () => {
    const server = await rawServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    const attempt = await sendWebhook(message(server.url));
    expect(attempt).toMatchObject({ ok: false, status: null, permanent: false });
    expect(attempt.error).toBe(`connection reset by 127.0.0.1:${server.port} before it answered`);
  });

  it('says so when the receiver hangs up without answering', async () => {
    const server = await rawServer((socket) => socket.once('data', () => socket.end()));
    expect((await sendWebhook(message(server.url))).error).toBe(`127.0.0.1:${server.port} closed the connection without answering`);
  });

  it('says so when nothing listens', async () => {
    const gone = await startReceiver();
    await gone.close();
    const attempt = await sendWebhook(message(gone.url));
    expect(attempt).toMatchObject({
      ok: false,
      status: null,
      permanent: false,
      error: `connection refused by 127.0.0.1:${gone.port}: nothing listens there`,
    });
  });

  it('says so when TLS fails', async () => {
    const plain = await receiver();
    const attempt = await sendWebhook(message(`https://127.0.0.1:${plain.port}/`));
    expect(attempt).toMatchObject({ ok: false, status: null, permanent: false });
    expect(attempt.error).toBe(
      `TLS with 127.0.0.1:${plain.port} failed: wrong version number: the receiver does not speak TLS there; should the URL be http://?`,
    );
  });

  it('reads 64 kB of a 2 MB answer, keeps 2 kB of it, and drops the connection', async () => {
    const line = 'x'.repeat(1023) + '\n';
    const hook = await receiver({ answer: (res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(line.repeat(2048)) });
    const attempt = await sendWebhook(message(hook.url));
    expect(attempt).toMatchObject({ ok: true, status: 200, error: null });
    expect(attempt.responseBody).toBe(line.repeat(2));
    expect((await sendWebhook(message(hook.url))).ok).toBe(true);
    // The next send is on a new connection (undici may open one more when a request is aborted).
    expect(hook.connections()).toBeGreaterThanOrEqual(2);
  });

  it('stores any answer as text: invalid UTF-8 becomes U+FFFD and NULs go', async () => {
    const hook = await receiver({ answer: (res) => res.writeHead(200).end(Buffer.from([0x6f, 0x00, 0xff, 0x6b])) });
    expect((await sendWebhook(message(hook.url))).responseBody).toBe('o\uFFFDk');
  });

  it('signs with every secret during a rotation: old, new and wrong receivers', async () => {
    const [oldSecret, newSecret] = [newWebhookSecret(), newWebhookSecret()];
    const holdsOld = await receiver({ secret: oldSecret });
    const holdsNew = await receiver({ secret: newSecret });
    const holdsWrong = await receiver({ secret: newWebhookSecret() });
    for (const hook of [holdsOld, holdsNew, holdsWrong]) {
      expect((await sendWebhook(message(hook.url, { secrets: [oldSecret, newSecret] }))).ok).toBe(true);
    }
    expect(holdsOld.received[0]?.verified).toBe(true);
    expect(holdsNew.received[0]?.verified).toBe(true);
    expect(holdsWrong.received[0]).toMatchObject({ verified: false, verifyError: 'No matching signature found' });
  });

  it('resends once on a fresh connection when a kept-alive one was closed under it', async () => {
    // Answers the first request on each connection and resets the connection at the second, as a
    // server does when it closes an idle keep-alive connection just as it is reused.
    const server = await rawServer((socket) => {
      let requests = 0;
      socket.on('data', () => {
        requests++;
        if (requests === 1) socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok');
        else socket.resetAndDestroy();
      });
    });
    expect((await sendWebhook(message(server.url))).ok).toBe(true);
    expect(await sendWebhook(message(server.url))).toMatchObject({ ok: true, status: 200, responseBody: 'ok' });
    expect(server.connections()).toBe(2);
  });

  it('refuses URLs that are no endpoint, for good', async () => {
    expect(await sendWebhook(message('ftp://127.0.0.1/x'))).toMatchObject({
      ok: false,
      status: null,
      permanent: true,
      error: 'refused: the scheme ftp: is not allowed: endpoints are http: or https: URLs',
    });
    expect(await sendWebhook(message('http://user:pw@127.0.0.1/x'))).toMatchObject({ ok: false, permanent: true });
  });

  it("throws only for the caller's mistakes", async () => {
    await expect(sendWebhook(message('http://127.0.0.1:1/', { timeoutMs: 0 }))).rejects.toThrow(WebhookInputError);
    await expect(sendWebhook(message('http://127.0.0.1:1/', { webhookId: 'a.b' }))).rejects.toThrow(WebhookInputError);
    await expect(sendWebhook(message('http://127.0.0.1:1/', { secrets: ['not-a-secret'] }))).rejects.toThrow(WebhookInputError);
  });
});
