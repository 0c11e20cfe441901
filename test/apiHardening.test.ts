import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../src/api/app';
import { drainable, startApi } from '../src/api/server';
import { secured } from '../src/api/security';
import { loadConfig } from '../src/config';
import { openDatabase, type Database } from '../src/db/client';
import { createLogger } from '../src/logger';
import { temporalTarget } from '../src/temporal/connection';
import { freePort } from './globalSetup';
import { testEncryptionKeys } from './support/encryption';
import { startTestStack, type TestStack } from './support/harness';
import { call, serve } from './support/http';
import { testPolicy } from './support/tickets';

// Abuse limits and the headers every answer carries: helmet's security headers, 405 for methods
// a path does not take, 401 before any 400, rate limits (429, Retry-After, the IETF RateLimit
// fields) shared by two API instances over one database, and the API on loopback by default.

let stack: TestStack<'service' | 'agent' | 'lead'>;
const policy = testPolicy();

beforeAll(async () => {
  stack = await startTestStack({ policy, keys: { service: 'service', agent: 'agent', lead: 'lead' } });
});
afterAll(() => stack?.close());

const expectSecurityHeaders = (headers: Headers, what: string) => {
  expect(headers.get('content-security-policy'), what).toContain("default-src 'none'");
  expect(headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(headers.get('strict-transport-security'), what).toMatch(/max-age=\d+/);
  expect(headers.get('x-frame-options'), what).toBe('SAMEORIGIN');
  expect(headers.get('referrer-policy'), what).toBe('no-referrer');
  expect(headers.get('x-powered-by'), what).toBeNull();
};

describe('security headers', () => {
  it('on every kind of answer: 200, 401, 400, 404, 405, HTML pages', async () => {
    const answers = {
      ok: await call(stack.url, 'GET', '/v1/openapi.json'),
      unauthenticated: await call(stack.url, 'GET', '/v1/queue'),
      invalid: await call(stack.url, 'GET', '/v1/tickets?limit=0', { key: stack.keys.agent }),
      missing: await call(stack.url, 'GET', '/v2/nothing'),
      method: await call(stack.url, 'PUT', '/v1/queue', { key: stack.keys.agent }),
      docs: await call(stack.url, 'GET', '/docs'),
    };
    expect(Object.fromEntries(Object.entries(answers).map(([k, r]) => [k, r.status]))).toEqual({
      ok: 200,
      unauthenticated: 401,
      invalid: 400,
      missing: 404,
      method: 405,
      docs: 200,
    });
    for (const [what, res] of Object.entries(answers)) expectSecurityHeaders(res.headers, what);
  });

  it("also on the drain's 503, which never reaches the app", async () => {
    const drain = drainable(stack.app);
    const server = createServer(secured(drain.listener));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      drain.begin();
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/openapi.json`);
      expect(res.status).toBe(503);
      expectSecurityHeaders(res.headers, 'drain');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('methods', () => {
  it('OPTIONS and TRACE on known paths are 405 with Allow', async () => {
    for (const [method, path, allow] of [
      ['OPTIONS', '/v1/tickets', 'GET, HEAD, POST'],
      ['OPTIONS', '/healthz', 'GET, HEAD'],
      ['PATCH', '/v1/tickets/t-1', 'GET, HEAD'],
      ['OPTIONS', '/codec/decode', 'POST'],
    ] as const) {
      const res = await call(stack.url, method, path);
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get('allow'), `${method} ${path}`).toBe(allow);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    // fetch refuses to send TRACE; node:http does not.
    const trace = await new Promise<{ status: number; allow: string | undefined }>((resolve, reject) => {
      const url = new URL(`${stack.url}/v1/tickets`);
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'TRACE' }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, allow: res.headers.allow });
      });
      req.on('error', reject);
      req.end();
    });
    expect(trace).toEqual({ status: 405, allow: 'GET, HEAD, POST' });
  });
});

describe('401 before any 400', () => {
  it('a request without a key is a 401 whatever else is wrong with it', async () => {
    const cases = [
      call(stack.url, 'POST', '/v1/tickets', { raw: { body: '{"subject": ', contentType: 'application/json' } }),
      call(stack.url, 'POST', '/v1/tickets', { raw: { body: 'subject=hi', contentType: 'text/plain' } }),
      call(stack.url, 'POST', '/v1/tickets', {
        raw: { body: JSON.stringify({ body: 'x'.repeat(2_000_000) }), contentType: 'application/json' },
      }),
      call(stack.url, 'POST', '/v1/tickets', { body: { unknown: true } }),
      call(stack.url, 'GET', '/v1/tickets?limit=0&colour=red'),
      call(stack.url, 'GET', '/v1/queue', { headers: { 'x-request-id': 'not valid!' } }),
      call(stack.url, 'POST', '/v1/tickets/t-1/actions/modify', { body: { draft: 42 } }),
    ];
    for (const res of await Promise.all(cases)) {
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    // With a key, the same requests are the 400, 415 and 413 they deserve.
    const keyed = await Promise.all([
      call(stack.url, 'POST', '/v1/tickets', { key: stack.keys.service, raw: { body: '{"subject": ', contentType: 'application/json' } }),
      call(stack.url, 'POST', '/v1/tickets', { key: stack.keys.service, raw: { body: 'subject=hi', contentType: 'text/plain' } }),
      call(stack.url, 'GET', '/v1/queue', { key: stack.keys.agent, headers: { 'x-request-id': 'not valid!' } }),
    ]);
    expect(keyed.map((r) => r.status)).toEqual([400, 415, 400]);
    // And a key with the wrong role is a 403, still before the body is looked at.
    expect((await call(stack.url, 'POST', '/v1/tickets', { key: stack.keys.agent, body: { unknown: true } })).status).toBe(403);
  });
});

describe('rate limits', () => {
  let second: Database;
  const urls: string[] = [];
  const closers: (() => Promise<void>)[] = [];
  const limits = { perIpPerMinute: 4, perKeyPerMinute: 5 };
  // Each test counts from its own client address (through X-Forwarded-For, trusted from loopback),
  // so tests sharing the run's database never share a budget.
  let address = 0;
  const fresh = () => ({ 'x-forwarded-for': `203.0.113.${++address}` });

  beforeAll(async () => {
    // Two API instances, each with its own connection pool to the run's database, as two processes would have.
    const url = inject('databaseUrl');
    second = url ? openDatabase({ url, maxConnections: 2 }) : stack.database;
    for (const database of [stack.database, second]) {
      const app = createApp({
        client: stack.client,
        database,
        taskQueue: stack.worker.taskQueue,
        policy: () => policy,
        rateLimits: limits,
        trustProxy: 'loopback',
      });
      const served = await serve(app);
      urls.push(served.url);
      closers.push(served.close);
    }
  });
  afterAll(async () => {
    for (const close of closers) await close();
    if (second !== stack.database) await second?.close();
  });

  it('per key: two instances share one budget; past it a 429 with Retry-After and the RateLimit fields', async () => {
    const headers = { ...fresh() };
    const seen: { status: number; policy: string | null; limit: string | null }[] = [];
    for (let i = 0; i < 5; i++) {
      // Alternate instances: the count is the database's, not a process's.
      const res = await call(urls[i % 2]!, 'GET', '/v1/queue', { key: stack.keys.lead, headers: { 'x-forwarded-for': `198.51.100.${i}` } });
      seen.push({ status: res.status, policy: res.headers.get('ratelimit-policy'), limit: res.headers.get('ratelimit') });
    }
    expect(seen.map((s) => s.status)).toEqual([200, 200, 200, 200, 200]);
    expect(seen[0]!.policy).toBe('"ip";q=4;w=60, "key";q=5;w=60');
    expect(seen.map((s) => /"key";r=(\d+);t=(\d+)/.exec(s.limit ?? '')?.[1])).toEqual(['4', '3', '2', '1', '0']);

    const over = await call(urls[1]!, 'GET', '/v1/queue', { key: stack.keys.lead, headers });
    expect(over.status).toBe(429);
    expect(over.headers.get('content-type')).toContain('application/problem+json');
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(over.headers.get('ratelimit')).toMatch(new RegExp(`"key";r=0;t=${retryAfter}`));
    expect(over.body).toMatchObject({ status: 429, title: 'Too Many Requests', policy: 'key' });
    expect(over.body.detail).toMatch(/more than 5 requests a minute with this API key/);

    // Another key has its own budget.
    expect((await call(urls[0]!, 'GET', '/v1/queue', { key: stack.keys.agent, headers: fresh() })).status).toBe(200);
  });

  it('per address: counted before authentication, on public routes too, across both instances', async () => {
    const headers = fresh();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await call(urls[i % 2]!, 'GET', '/v1/openapi.json', { headers })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    // A request without a key from the exhausted address is refused before the key is even looked at.
    const unauthenticated = await call(urls[0]!, 'GET', '/v1/queue', { headers });
    expect(unauthenticated.status).toBe(429);
    expect(unauthenticated.body.policy).toBe('ip');
    expect(unauthenticated.headers.get('ratelimit-policy')).toBe('"ip";q=4;w=60');
  });

  it('keeps serving when the database is away, counting in memory meanwhile', async () => {
    const lines: string[] = [];
    const away = openDatabase({ url: 'postgres://tandem@127.0.0.1:1/nowhere', maxConnections: 1 });
    const app = createApp({
      client: stack.client,
      database: away,
      taskQueue: stack.worker.taskQueue,
      rateLimits: { ...limits, timeoutMs: 300 },
      trustProxy: 'loopback',
      logger: createLogger('warn', (l) => lines.push(l)),
    });
    const { url, close } = await serve(app);
    try {
      const headers = fresh();
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await call(url, 'GET', '/v1/openapi.json', { headers })).status);
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
      expect(lines.some((l) => l.includes('rate limits counted in memory'))).toBe(true);
    } finally {
      await close();
      await away.close();
    }
  });
});

it('the API listens on loopback unless HOST says otherwise', async () => {
  const config = loadConfig({
    PORT: String(await freePort()),
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TANDEM_ENCRYPTION_KEYS: testEncryptionKeys,
  });
  expect(config.HOST).toBe('127.0.0.1');
  const api = await startApi(
    config,
    stack.database,
    temporalTarget(config),
    createLogger('error', () => {}),
  );
  try {
    expect((api.server.address() as AddressInfo).address).toBe('127.0.0.1');
  } finally {
    await api.close();
  }
});
