import { randomUUID } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/app';
import { createApiKey } from '../src/api/auth';
import { openDatabase, type Database } from '../src/db/client';
import { seedDemoData } from '../src/db/seed';
import { createLogger } from '../src/logger';
import { errorForLog, redactText } from '../src/redaction';
import { testKeyRing, testWebOrigin } from './support/encryption';
import { connectClient } from './support/harness';
import { call, serve } from './support/http';
import { everyQuadrant, testPolicy, waitForTicket } from './support/tickets';
import { waitFor } from './support/waitFor';
import { startWorkerProcess, type WorkerChild } from './support/workerChild';

// Real traffic through the API and a worker process (the runtime's logger at debug), tickets
// with text no log may hold, and the failures that used to print it: a bad request, a database
// that refuses the API's query and the worker's writes (drizzle's "Failed query … params: …").
// Then every line logged is searched for that text.

const adminUrl = process.env.TEST_DATABASE_URL;
const marker = {
  email: `harriet.logcheck.${randomUUID().slice(0, 6)}@example.org`,
  subject: 'Obsidian-lantern refund',
  body: 'Obsidian-lantern: please refund invoice 5521, my card ending 9912 was charged twice',
};
const secrets = [marker.email, 'Obsidian-lantern', '5521', '9912', 'harriet.logcheck'];

describe.runIf(adminUrl)('logs never hold ticket text, emails or SQL parameters', () => {
  const name = `tandem_logs_${Date.now()}_${process.pid}`;
  let admin: postgres.Sql;
  let database: Database;
  let raw: postgres.Sql;
  let worker: WorkerChild;
  let closeClient: () => Promise<void>;
  let closeApi: () => Promise<void>;
  let url: string;
  let serviceKey: string;
  const apiLines: string[] = [];
  const taskQueue = `logs-${randomUUID()}`;

  beforeAll(async () => {
    // A database of its own: the test breaks its tables on purpose.
    admin = postgres(adminUrl!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const databaseUrl = Object.assign(new URL(adminUrl!), { pathname: `/${name}` }).toString();
    database = openDatabase({ url: databaseUrl, maxConnections: 2 });
    await database.migrate();
    await seedDemoData(database.db);
    raw = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    serviceKey = (await createApiKey(database.db, { role: 'service', name: 'logs-service' })).key;
    worker = await startWorkerProcess({ taskQueue, databaseUrl, env: { LOG_LEVEL: 'debug' } });
    const connected = await connectClient();
    closeClient = connected.close;
    const app = createApp({
      client: connected.client,
      database,
      taskQueue,
      policy: () => testPolicy({ quadrants: everyQuadrant('ai_review') }),
      codec: { ring: testKeyRing, webOrigins: [testWebOrigin] },
      logger: createLogger('debug', (line) => apiLines.push(line)),
    });
    ({ url, close: closeApi } = await serve(app));
  });

  afterAll(async () => {
    await closeApi?.();
    await closeClient?.();
    await stopChild(worker?.child);
    await raw?.end();
    await database?.close();
    await admin?.unsafe(`drop database if exists ${name} with (force)`);
    await admin?.end();
  });

  const ticket = (overrides: Record<string, unknown> = {}) => ({
    customer: { email: marker.email },
    channel: 'chat',
    subject: marker.subject,
    body: marker.body,
    ...overrides,
  });

  it('through tickets, bad requests and a failing database, no line holds the text', async () => {
    // Traffic that works: a ticket through triage, drafting and persistence.
    const first = await call(url, 'POST', '/v1/tickets', { key: serviceKey, body: ticket() });
    expect(first.status).toBe(201);
    await waitForTicket(url, serviceKey, first.body.ticketId, (s) => s.status === 'awaiting_review');

    // Bad requests that carry the text.
    expect((await call(url, 'POST', '/v1/tickets', { key: serviceKey, body: ticket({ channel: marker.body }) })).status).toBe(400);
    expect(
      (
        await call(url, 'POST', '/v1/tickets', {
          key: serviceKey,
          raw: { body: `{"body": "${marker.body}`, contentType: 'application/json' },
        })
      ).status,
    ).toBe(400);
    const withQuery = `/v1/tickets/${first.body.ticketId}?note=${encodeURIComponent(marker.email)}`;
    expect((await call(url, 'GET', withQuery, { key: serviceKey })).status).toBe(400);

    // The database refuses the API's customer lookup (the query's parameter is the email).
    await raw.unsafe('alter table customers rename to customers_away');
    const failed = await call(url, 'POST', '/v1/tickets', { key: serviceKey, body: ticket() });
    expect(failed.status).toBe(500);
    await raw.unsafe('alter table customers_away rename to customers');

    // And the worker's first write of a new ticket (its parameters are the ticket's text).
    await raw.unsafe('alter table tickets rename to tickets_away');
    const second = await call(url, 'POST', '/v1/tickets', { key: serviceKey, body: ticket() });
    expect(second.status).toBe(201);
    await waitFor(
      () => worker.output(),
      (out) => /SQLSTATE 42P01/.test(out),
      { describe: 'the worker logging a failed write', timeoutMs: 30_000 },
    );
    await raw.unsafe('alter table tickets_away rename to tickets');
    await waitForTicket(url, serviceKey, second.body.ticketId, (s) => s.status === 'awaiting_review');

    // The failures were logged, with what an operator needs (code, table, request id)...
    const errors = apiLines.filter((l) => l.includes('"unexpected error"'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('42P01');
    expect(errors[0]).toContain(failed.body.requestId);
    expect(worker.output()).toMatch(/Activity failed|activity failed/i);

    // ...and nothing the customer wrote, nor a query's parameters.
    const everything = [...apiLines, worker.output()].join('\n');
    for (const secret of secrets) expect(everything, secret).not.toContain(secret);
    expect(everything).not.toMatch(/params: (?!\(not logged\))/);
  });
});

function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describe('what a logged error keeps', () => {
  it("drops drizzle's query and parameters, quoted values and addresses, keeps codes and schema names", () => {
    const driver = Object.assign(new Error('relation "tickets" does not exist'), { code: '42P01', table_name: 'tickets' });
    const drizzle = Object.assign(new Error(`Failed query: insert into "tickets" ("body") values ($1)\nparams: ${marker.body}`), {
      cause: driver,
    });
    const logged = errorForLog(drizzle);
    expect(logged.message).toBe('Failed query (SQL and parameters not logged)');
    expect(logged.cause).toMatchObject({ code: '42P01', table: 'tickets', message: 'relation "…" does not exist' });
    expect(JSON.stringify(logged)).not.toContain('Obsidian');
    expect(redactText(`invalid input syntax for type json: "${marker.body}"`)).toBe('invalid input syntax for type json: "…"');
    expect(redactText(`no customer ${marker.email} here`)).toBe('no customer <email> here');
    expect(redactText(`Unexpected token 'O', "${marker.body}" is not valid JSON`)).not.toContain('Obsidian');
  });
});
