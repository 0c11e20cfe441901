import { createHash, randomUUID } from 'node:crypto';
import net from 'node:net';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../src/api/app';
import { createApiKey, revokeApiKey } from '../src/api/auth';
import { openDatabase, type Database } from '../src/db/client';
import { apiKeys } from '../src/db/schema';
import { demoCustomers } from '../src/db/seed';
import { connectClient, openTestDatabase, startTestWorker, type TestWorker } from './support/harness';
import { call, serve } from './support/http';
import { everyQuadrant, testPolicy } from './support/tickets';

/**
 * Issue 11 point 12: verified API keys are cached briefly, so while PostgreSQL is away the
 * calls that need only Temporal (actions, customer messages) still get through. The outage is
 * a TCP proxy in front of the shared PostgreSQL that the test cuts; the server itself is never
 * touched, and the worker talks to it directly, so only the API loses its database.
 */

const databaseUrl = inject('databaseUrl');
const policy = testPolicy({ quadrants: everyQuadrant('ai_review') });

/** Forwards to `target`; cut() drops every connection and refuses new ones until restore(). */
async function cuttableProxy(target: { host: string; port: number }) {
  let cut = false;
  const pairs = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((inbound) => {
    if (cut) return inbound.destroy();
    const outbound = net.connect(target.port, target.host);
    const pair: [net.Socket, net.Socket] = [inbound, outbound];
    pairs.add(pair);
    const drop = () => {
      inbound.destroy();
      outbound.destroy();
      pairs.delete(pair);
    };
    inbound.on('error', drop).on('close', drop);
    outbound.on('error', drop).on('close', drop);
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      cut = true;
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
    },
    restore() {
      cut = false;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.skipIf(!databaseUrl)('API keys while PostgreSQL is away (through a proxy the test cuts)', () => {
  let direct: Database;
  let proxied: Database;
  let proxy: Awaited<ReturnType<typeof cuttableProxy>>;
  let client: Client;
  let closeClient: () => Promise<void>;
  let worker: TestWorker;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    direct = await openTestDatabase();
    const url = new URL(databaseUrl as string);
    proxy = await cuttableProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    proxied = openDatabase({ url: url.toString(), maxConnections: 2 });
    ({ client, close: closeClient } = await connectClient());
    worker = await startTestWorker({ database: direct });
  });

  afterAll(async () => {
    for (const close of closers) await close().catch(() => {});
    await worker?.close();
    await closeClient?.();
    proxy?.restore();
    await proxied?.close().catch(() => {});
    await proxy?.close();
    await direct?.close();
  });

  async function api(authCacheTtlMs: number) {
    const app = createApp({
      client,
      database: proxied,
      taskQueue: worker.taskQueue,
      policy: () => policy,
      authCacheTtlMs,
      timeouts: { databaseMs: 1000 },
    });
    const served = await serve(app);
    closers.push(served.close);
    return served.url;
  }

  const newKeys = async () => {
    const suffix = randomUUID().slice(0, 6);
    return {
      service: (await createApiKey(direct.db, { role: 'service', name: `svc-cache-${suffix}` })).key,
      agent: await createApiKey(direct.db, { role: 'agent', name: `agent-cache-${suffix}` }),
    };
  };

  it('a key verified before the outage still acts and posts messages during it; an unknown key is a 503 naming the database, not a 401', async () => {
    const base = await api(60_000);
    const keys = await newKeys();
    const created = await call(base, 'POST', '/v1/tickets', {
      key: keys.service,
      body: {
        customer: { id: demoCustomers.freeTier },
        channel: 'chat',
        subject: 'How do I reset my password?',
        body: 'Hi, how do I reset my password? I forgot it.',
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const ticketId = created.body.ticketId as string;
    // The agent's first call verifies its key (and waits for the draft to await review).
    await expect
      .poll(async () => (await call(base, 'GET', `/v1/tickets/${ticketId}`, { key: keys.agent.key })).body.status, { timeout: 30_000 })
      .toBe('awaiting_review');

    proxy.cut();
    try {
      const message = await call(base, 'POST', `/v1/tickets/${ticketId}/messages`, { key: keys.service, body: { body: 'Any news?' } });
      expect(message.status, JSON.stringify(message.body)).toBe(202);
      const takeover = await call(base, 'POST', `/v1/tickets/${ticketId}/actions/takeover`, { key: keys.agent.key });
      expect(takeover.status, JSON.stringify(takeover.body)).toBe(200);
      expect(takeover.body.status).toBe('human_handling');

      const stranger = await call(base, 'POST', `/v1/tickets/${ticketId}/actions/resolve`, {
        key: `tdm_agent_${randomUUID()}`,
        body: { reason: 'x' },
      });
      expect(stranger.status, JSON.stringify(stranger.body)).toBe(503);
      expect(stranger.body).toMatchObject({ status: 503, dependency: 'database' });
    } finally {
      proxy.restore();
    }
    // Back: the unknown key is checked again, and is a 401 now that the database can say so.
    await expect
      .poll(async () => (await call(base, 'GET', '/v1/queue', { key: `tdm_agent_${randomUUID()}` })).status, { timeout: 10_000 })
      .toBe(401);
  });

  it('a revoked key stops working within the TTL, and a key unknown a moment ago works at once', async () => {
    const ttlMs = 500;
    const base = await api(ttlMs);
    const keys = await newKeys();
    expect((await call(base, 'GET', '/v1/queue', { key: keys.agent.key })).status).toBe(200);
    await revokeApiKey(direct.db, keys.agent.id);
    const revokedAt = Date.now();
    await expect
      .poll(async () => (await call(base, 'GET', '/v1/queue', { key: keys.agent.key })).status, { timeout: 5000, interval: 50 })
      .toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(ttlMs + 1000);

    // No negative caching: a 401 for a key is not remembered once the key exists.
    // The key is stored the way createApiKey stores one (its SHA-256), so the test knows it first.
    const later = `tdm_agent_${randomUUID()}`;
    expect((await call(base, 'GET', '/v1/queue', { key: later })).status).toBe(401);
    const id = `key_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    await direct.db
      .insert(apiKeys)
      .values({ id, name: `agent-late-${id}`, role: 'agent', hash: createHash('sha256').update(later).digest('hex') });
    expect((await call(base, 'GET', '/v1/queue', { key: later })).status).toBe(200);
  });
});
