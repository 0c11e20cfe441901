import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../src/api/app';
import { createApiKey } from '../src/api/auth';
import { openDatabase, type Database } from '../src/db/client';
import { connectClient, openTestDatabase, startTestWorker, type TestWorker } from './support/harness';

let database: Database;
let client: Client;
let close: () => Promise<void>;
let worker: TestWorker;
const servers: Server[] = [];

async function serve(db: Database, temporal = client): Promise<string> {
  // The worker's task queue: readiness includes a worker polling it.
  const server = createApp({ client: temporal, database: db, taskQueue: worker.taskQueue, timeouts: { temporalMs: 2000 } }).listen(0);
  await new Promise((r) => server.once('listening', r));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

beforeAll(async () => {
  database = await openTestDatabase();
  ({ client, close } = await connectClient());
  worker = await startTestWorker({ database });
});
afterAll(async () => {
  for (const s of servers) s.close();
  await worker?.close();
  await close?.();
  await database?.close();
});

it('GET /healthz and /readyz report Temporal, the worker and the database as up', async () => {
  const base = await serve(database);
  // The worker's first poll reaches Temporal a moment after it starts.
  await expect
    .poll(async () => (await fetch(`${base}/healthz`)).json())
    .toMatchObject({ status: 'ok', temporal: 'up', worker: 'up', database: 'up', taskQueue: worker.taskQueue });
  expect((await fetch(`${base}/readyz`)).status).toBe(200);
});

it('GET /readyz is 503 with Retry-After when the database is unreachable, and answers promptly', async () => {
  const dead = openDatabase({ url: 'postgres://nobody@127.0.0.1:1/none', maxConnections: 1 });
  const base = await serve(dead);
  const started = Date.now();
  const res = await fetch(`${base}/readyz`);
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toBe('5');
  expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(await res.json()).toMatchObject({
    status: 503,
    title: 'Service Unavailable',
    detail: 'not ready: database unreachable',
    database: 'down',
    temporal: 'up',
  });
  expect(Date.now() - started).toBeLessThan(5000);
  const health = await fetch(`${base}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({ status: 'degraded', database: 'down' });
  await dead.close();
});

it('GET /readyz is 503 when Temporal is unreachable, and a ticket call fails fast with 503', async () => {
  // A lazy connection, as the API process makes: it starts even while Temporal is down.
  const nowhere = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  const base = await serve(database, nowhere);
  const started = Date.now();
  const res = await fetch(`${base}/readyz`);
  expect(res.status).toBe(503);
  expect(await res.json()).toMatchObject({ status: 503, detail: 'not ready: temporal unreachable', temporal: 'down', database: 'up' });
  expect(Date.now() - started).toBeLessThan(5000);

  const { key } = await createApiKey(database.db, { role: 'agent', name: `ops-${Date.now()}` });
  const asked = Date.now();
  const ticket = await fetch(`${base}/v1/tickets/tkt_nowhere`, { headers: { authorization: `Bearer ${key}` } });
  expect(ticket.status).toBe(503);
  expect(ticket.headers.get('retry-after')).toBe('5');
  expect(await ticket.json()).toMatchObject({ status: 503, dependency: 'temporal' });
  // The app's 2 s Temporal deadline, with room for a loaded machine: a bounded wait, not a hang.
  expect(Date.now() - asked).toBeLessThan(6000);
  // Not closed: the SDK's gRPC retry interceptor keeps a timer for the call the deadline abandoned,
  // and that timer throws "Channel has been shut down" (uncaught) if it fires after a close. An
  // unconnected lazy connection holds nothing; the test process ends with it.
});

it('unknown routes get a problem+json 404', async () => {
  const base = await serve(database);
  const res = await fetch(`${base}/nope`);
  expect(res.status).toBe(404);
  expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(await res.json()).toMatchObject({ status: 404, title: 'Not Found' });
});
