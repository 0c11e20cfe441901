import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createApiKey } from '../src/api/auth';
import { drainable, startApi, type RunningApi } from '../src/api/server';
import { loadConfig } from '../src/config';
import type { Database } from '../src/db/client';
import { demoCustomers } from '../src/db/seed';
import { temporalTarget } from '../src/temporal/connection';
import { freePort } from './globalSetup';
import { testEncryptionKeys } from './support/encryption';
import { connectClient, openTestDatabase, startTestWorker, type TestWorker } from './support/harness';

/**
 * Issue 11 point 11: shutdown is a drain. Once close() is called, no new request is taken, the
 * ones in flight finish with `Connection: close`, and no request is both cut and applied.
 */

let database: Database;
let client: Client;
let closeClient: () => Promise<void>;
let worker: TestWorker;

beforeAll(async () => {
  database = await openTestDatabase();
  ({ client, close: closeClient } = await connectClient());
  worker = await startTestWorker({ database });
});

afterAll(async () => {
  await worker?.close();
  await closeClient?.();
  await database?.close();
});

type Outcome =
  | { kind: 'answered'; status: number; connectionClose: boolean; workflowId?: string; sentAt: number; answeredAt: number }
  // The connection was never made: the server had stopped listening.
  | { kind: 'refused'; sentAt: number }
  // The connection broke before an answer: the request may or may not have been read.
  | { kind: 'cut'; code: string; sentAt: number };

function post(agent: http.Agent, url: URL, key: string, idempotencyKey: string, body: unknown): Promise<Outcome> {
  const sentAt = performance.now();
  const payload = JSON.stringify(body);
  return new Promise((resolve) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/v1/tickets',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          'idempotency-key': idempotencyKey,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const parsed = (res.headers['content-type'] ?? '').includes('json') && text ? (JSON.parse(text) as { workflowId?: string }) : {};
          resolve({
            kind: 'answered',
            status: res.statusCode ?? 0,
            connectionClose: res.headers.connection === 'close',
            ...(parsed.workflowId ? { workflowId: parsed.workflowId } : {}),
            sentAt,
            answeredAt: performance.now(),
          });
        });
        res.on('error', (err: NodeJS.ErrnoException) => resolve({ kind: 'cut', code: err.code ?? err.message, sentAt }));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) =>
      resolve(err.code === 'ECONNREFUSED' ? { kind: 'refused', sentAt } : { kind: 'cut', code: err.code ?? err.message, sentAt }),
    );
    req.end(payload);
  });
}

it('16 keep-alive clients creating tickets through close(): each request answered or cut, and no cut request started a ticket', async () => {
  const graceMs = 20_000;
  const config = loadConfig({
    PORT: String(await freePort()),
    TEMPORAL_TASK_QUEUE: worker.taskQueue,
    SHUTDOWN_GRACE_MS: String(graceMs),
    REQUEST_TIMEOUT_MS: '10000',
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TANDEM_ENCRYPTION_KEYS: testEncryptionKeys,
  });
  const api: RunningApi = await startApi(config, database, temporalTarget(config));
  const url = new URL(api.url);
  const service = await createApiKey(database.db, { role: 'service', name: `svc-drain-${randomUUID().slice(0, 6)}` });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const body = {
    customer: { id: demoCustomers.freeTier },
    channel: 'chat',
    subject: 'How do I reset my password?',
    body: 'Hi, how do I reset my password? I forgot it and cannot sign in.',
  };

  const outcomes: (Outcome & { idempotencyKey: string })[] = [];
  const clients = Array.from({ length: 16 }, async (_, c) => {
    // Each client keeps sending until the server is gone (refused), at most 40 requests.
    for (let n = 0; n < 40; n++) {
      const idempotencyKey = `drain-${c}-${n}-${randomUUID()}`;
      const outcome = await post(agent, url, service.key, idempotencyKey, body);
      outcomes.push({ ...outcome, idempotencyKey });
      if (outcome.kind === 'refused') return;
    }
  });

  // Mid-stream: once every client has had a few tickets created.
  await expect
    .poll(() => outcomes.filter((o) => o.kind === 'answered' && o.status === 201).length, { timeout: 30_000 })
    .toBeGreaterThanOrEqual(48);
  const closeAt = performance.now();
  await api.close();
  const closeMs = performance.now() - closeAt;
  await Promise.all(clients);
  agent.destroy();

  const answered = outcomes.filter((o) => o.kind === 'answered');
  const cut = outcomes.filter((o) => o.kind === 'cut');
  const refused = outcomes.filter((o) => o.kind === 'refused');
  const inFlightAtClose = answered.filter((o) => o.sentAt < closeAt && o.answeredAt > closeAt);
  console.log(
    `${outcomes.length} requests: ${answered.filter((o) => o.status === 201).length} created, ` +
      `${answered.filter((o) => o.status === 503).length} refused with 503, ${cut.length} cut (${cut.map((o) => o.code).join(', ')}), ` +
      `${refused.length} connections refused; ${inFlightAtClose.length} in flight at close() answered; close() took ${Math.round(closeMs)} ms`,
  );

  // Answered means created or told 503; nothing else (no 500, no 4xx).
  for (const o of answered) expect([201, 503], JSON.stringify(o)).toContain(o.status);
  // The drain finished what was in flight, telling each client to close its connection (an answer
  // already written when close() began still travels as keep-alive; the server ends that socket),
  // instead of waiting out the grace time and cutting it.
  expect(inFlightAtClose.filter((o) => o.status === 201 && o.connectionClose).length).toBeGreaterThan(0);
  expect(closeMs).toBeLessThan(graceMs);
  // Client and server share this process, so a request sent after close() began reached a
  // draining server: none was taken.
  for (const o of outcomes.filter((o) => o.sentAt > closeAt))
    expect(o.kind === 'answered' && o.status === 201, JSON.stringify(o)).toBe(false);
  // After close() nothing listens: a new connection is refused, not accepted and dropped.
  expect(refused.length).toBe(16);

  // Exactly the tickets answered 201 exist on the task queue: no cut or refused request started one.
  const createdIds = new Set(answered.filter((o) => o.status === 201).map((o) => o.workflowId));
  const startedIds = async () => {
    const ids: string[] = [];
    for await (const wf of client.workflow.list({ query: `TaskQueue = '${worker.taskQueue}'` })) ids.push(wf.workflowId);
    return ids.sort();
  };
  await expect.poll(startedIds, { timeout: 20_000, interval: 500 }).toEqual([...createdIds].sort());
});

it('a request on a kept-alive socket after the drain began is answered 503 with Connection: close, and in-flight ones finish', async () => {
  let release: () => void = () => {};
  const released = new Promise<void>((r) => (release = r));
  const seen: string[] = [];
  const drain = drainable((req, res) => {
    seen.push(req.url ?? '');
    const answer = () => res.writeHead(200, { 'content-type': 'text/plain' }).end(`done ${req.url}`);
    if (req.url === '/slow') void released.then(answer);
    else answer();
  });
  const server = http.createServer(drain.listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;

  // One raw keep-alive socket: one request answered before the drain, one sent after it began.
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (received += d));
  const socketClosed = new Promise((r) => socket.once('close', r));
  socket.write('GET /before HTTP/1.1\r\nHost: x\r\n\r\n');
  await expect.poll(() => received).toContain('done /before');

  const agent = new http.Agent({ keepAlive: true });
  const slow = new Promise<http.IncomingMessage>((resolve) => http.get({ agent, port, host: '127.0.0.1', path: '/slow' }, resolve));
  await expect.poll(() => drain.inFlight).toBe(1);

  drain.begin();
  socket.write('POST /after HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}');
  await socketClosed;
  expect(received).toMatch(/HTTP\/1\.1 503[\s\S]*Connection: close[\s\S]*shutting down/i);
  expect(seen).not.toContain('/after');

  release();
  const res = await slow;
  expect(res.statusCode).toBe(200);
  expect(res.headers.connection).toBe('close');
  agent.destroy();
  await new Promise((r) => server.close(r));
});
