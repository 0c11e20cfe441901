import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/client';
import { planChanges, tickets } from '../src/db/schema';
import { demoCustomers } from '../src/db/seed';
import { importCustomers, parseCsv, readCustomerCsv } from '../src/integrations/customerImport';
import { lookupTicketHistory, postgresIntegrations } from '../src/integrations/postgres';
import { loadConfig } from '../src/config';
import { createIntegrations } from '../src/integrations';
import { createStripeBilling, stripeClient } from '../src/integrations/stripeBilling';
import { connectClient, openTestDatabase, startTestWorker, uniqueId } from './support/harness';
import { startTicket, statusIs, testPolicy, waitForState } from './support/tickets';
import { workflowIdFor } from '../src/domain/ids';
import type { TicketStatus } from '../src/domain/vocabulary';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
let database: Database;

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

describe('CSV parsing', () => {
  it('handles quotes, embedded commas, doubled quotes, newlines and CRLF', () => {
    expect(parseCsv('a,b,c\r\n"x, y","say ""hi""","two\nlines"\n\n1,,3')).toEqual([
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'two\nlines'],
      ['1', '', '3'],
    ]);
    expect(() => parseCsv('a,"open')).toThrow(/unterminated/);
  });

  it('reports every bad row with its line, and missing columns', () => {
    const { problems } = readCustomerCsv(
      [
        'email,name,account_id,account_name,tier,plan,mrr',
        'ok@example.test,Ok,acc_ok,Ok Inc,pro,Pro,49',
        'not-an-email,Bad,acc_bad,Bad Inc,gold,Pro,-5',
        'OK@example.test,Dup,acc_ok,Ok Inc,pro,Pro,49',
      ].join('\n'),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        { line: 3, problem: expect.stringMatching(/^email:/) },
        { line: 3, problem: expect.stringMatching(/^tier:/) },
        { line: 3, problem: expect.stringMatching(/^mrr:/) },
        { line: 4, problem: 'email ok@example.test is already on line 2' },
      ]),
    );
    expect(readCustomerCsv('email,name\nx@y.z,X').problems).toEqual([
      { line: 1, problem: 'missing columns: account_id, account_name, tier, plan' },
    ]);
  });
});

describe('default Postgres adapters', () => {
  it('imports accounts and contacts, and a plan drop on re-import becomes a churn signal', async () => {
    const account = uniqueId('acc');
    const email = `${uniqueId('lee')}@import.example`;
    const first = readCustomerCsv(
      `email,name,account_id,account_name,tier,plan,mrr,billing_status\n${email},Lee,${account},"Import, Inc",enterprise,Enterprise Annual,5000,active\n`,
    );
    expect(first.problems).toEqual([]);
    expect(await importCustomers(database.db, first.rows)).toMatchObject({
      accounts: { created: 1 },
      customers: { created: 1 },
      planChanges: 0,
    });

    const { directory, billing } = postgresIntegrations(database.db);
    const now = new Date();
    expect(await directory.lookup({ customerEmail: email.toUpperCase() }, now)).toMatchObject({
      accountId: account,
      accountName: 'Import, Inc',
      tier: 'enterprise',
      plan: 'Enterprise Annual',
      mrrCents: 500_000,
    });
    expect((await billing.lookup({ customerEmail: email }, now)).churnSignal).toBe(false);

    const second = readCustomerCsv(
      `email,name,account_id,account_name,tier,plan,mrr\n${email},Lee Park,${account},Import Inc,pro,Pro Monthly,99\n`,
    );
    expect(await importCustomers(database.db, second.rows)).toMatchObject({
      accounts: { updated: 1 },
      customers: { updated: 1 },
      planChanges: 1,
    });
    const facts = await billing.lookup({ customerEmail: email }, now);
    expect(facts.churnSignal).toBe(true);
    expect(facts.recentPlanChanges[0]).toMatchObject({ kind: 'downgrade', fromPlan: 'Enterprise Annual', toPlan: 'Pro Monthly' });
    expect(await database.db.select().from(planChanges).where(eq(planChanges.accountId, account))).toHaveLength(1);
  });

  it('a re-import with blank columns keeps what the account has, and records no false downgrade', async () => {
    const account = uniqueId('acc');
    const email = `${uniqueId('kim')}@import.example`;
    const header = 'email,name,account_id,account_name,tier,plan,mrr,billing_status';
    await importCustomers(database.db, readCustomerCsv(`${header}\n${email},Kim,${account},Kim Co,pro,Pro Monthly,49,past_due\n`).rows);
    // Renamed plan, same tier, MRR and status left blank: nothing moved that says up or down.
    const renamed = readCustomerCsv(`${header}\n${email},Kim,${account},Kim Co,pro,Pro (monthly),,\n`);
    expect(await importCustomers(database.db, renamed.rows)).toMatchObject({ planChanges: 0 });
    const { directory, billing } = postgresIntegrations(database.db);
    expect(await directory.lookup({ customerEmail: email }, new Date())).toMatchObject({ plan: 'Pro (monthly)', mrrCents: 4_900 });
    expect(await billing.lookup({ customerEmail: email }, new Date())).toMatchObject({ billingStatus: 'past_due', churnSignal: false });

    // A tier move up is an upgrade even without an MRR; coming back from canceled is a renewal.
    await importCustomers(database.db, readCustomerCsv(`${header}\n${email},Kim,${account},Kim Co,enterprise,Enterprise,,\n`).rows);
    await importCustomers(database.db, readCustomerCsv(`${header}\n${email},Kim,${account},Kim Co,enterprise,Enterprise,,canceled\n`).rows);
    await importCustomers(database.db, readCustomerCsv(`${header}\n${email},Kim,${account},Kim Co,enterprise,Enterprise,,active\n`).rows);
    const kinds = (await database.db.select().from(planChanges).where(eq(planChanges.accountId, account))).map((c) => c.kind);
    expect(kinds.sort()).toEqual(['cancellation', 'renewal', 'upgrade']);
  });

  it('counts open tickets of any age, and calls tickets similar only when they share two words', async () => {
    const customerId = uniqueId('cus');
    const old = new Date(Date.now() - 60 * 86_400_000);
    const row = (id: string, subject: string, status: TicketStatus, createdAt = new Date(), customer: string | null = customerId) => ({
      id,
      workflowId: workflowIdFor(id),
      customerId: customer,
      channel: 'email' as const,
      subject,
      body: subject,
      status,
      createdAt,
    });
    const ids = [uniqueId('h'), uniqueId('h'), uniqueId('h'), uniqueId('h'), uniqueId('h')];
    await database.db
      .insert(tickets)
      .values([
        row(ids[0]!, 'Old question still open', 'escalated', old),
        row(ids[1]!, 'Resolved last week', 'closed'),
        row(ids[2]!, 'Zanzibar webhook deliveries failing', 'awaiting_review', new Date(), 'cus_other_1'),
        row(ids[3]!, 'Zanzibar pricing question', 'awaiting_review', new Date(), 'cus_other_2'),
        row(ids[4]!, 'Webhook deliveries failing for Zanzibar', 'closed', new Date(), 'cus_other_3'),
      ]);
    const facts = await lookupTicketHistory(
      database.db,
      { customerId, ticketId: 'new', text: 'Zanzibar webhook deliveries are failing' },
      new Date(),
    );
    expect(facts.openTickets).toBe(1);
    expect(facts.recentTickets).toBe(1);
    // Shares three words with the first, only "Zanzibar" with the second; the third is closed.
    expect(facts.similarOpenTickets.map((t) => t.ticketId)).toEqual([ids[2]]);
  });

  it('lists only open linked issues for the customer’s account', async () => {
    const { issueTracker } = postgresIntegrations(database.db);
    const issues = await issueTracker.linkedIssues({ customerId: demoCustomers.enterprise });
    expect(issues.map((i) => i.id)).toEqual(['ENG-187']);
    expect(await issueTracker.linkedIssues({ customerEmail: 'nobody@nowhere.example' })).toEqual([]);
  });

  it('answers an unknown customer with nulls, not an error', async () => {
    const { directory, billing } = postgresIntegrations(database.db);
    expect(await directory.lookup({ customerId: 'cus_missing' }, new Date())).toMatchObject({ customerId: 'cus_missing', tier: null });
    expect(await billing.lookup({ customerId: 'cus_missing' }, new Date())).toEqual({
      billingStatus: null,
      recentPlanChanges: [],
      churnSignal: false,
    });
  });
});

describe('npm run import:customers', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tandem-import-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = () => ({ ...process.env, DATABASE_URL: '', PGLITE_DIR: path.join(dir, 'pglite') });

  it('imports a valid file and refuses an invalid one, importing nothing', async () => {
    const good = path.join(dir, 'good.csv');
    writeFileSync(
      good,
      'email,name,account_id,account_name,tier,plan,mrr\na@x.example,A,acc_x,X Ltd,free,Free,0\nb@x.example,B,acc_x,X Ltd,free,Free,0\n',
    );
    const { stdout } = await run('npx', ['tsx', 'scripts/importCustomers.ts', good], { cwd: root, env: env() });
    expect(stdout).toContain('accounts: 1 created, 0 updated; contacts: 2 created, 0 updated');

    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'email,name,account_id,account_name,tier,plan\nc@x.example,C,acc_y,Y,platinum,Gold\n');
    const failed = await run('npx', ['tsx', 'scripts/importCustomers.ts', bad], { cwd: root, env: env() }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toContain('line 2: tier:');
  }, 120_000);
});

describe('adapter selection and outages', () => {
  it('uses a provider when its key is set and Tandem’s tables otherwise', () => {
    const local = createIntegrations(loadConfig({}), database.db);
    expect([local.directory.name, local.billing.name, local.issueTracker.name]).toEqual(['postgres', 'postgres', 'postgres']);
    const remote = createIntegrations(
      loadConfig({ STRIPE_API_KEY: 'sk_x', HUBSPOT_ACCESS_TOKEN: 'pat', LINEAR_API_KEY: 'lin' }),
      database.db,
    );
    expect([remote.directory.name, remote.billing.name, remote.issueTracker.name]).toEqual(['hubspot', 'stripe', 'linear']);
  });

  it('still triages a ticket when billing is down, recording the gap', async () => {
    const { client, close } = await connectClient();
    // A Stripe adapter pointed at a port nobody listens on: every call is refused.
    const integrations = {
      ...postgresIntegrations(database.db),
      billing: createStripeBilling({ client: stripeClient({ apiKey: 'sk_test', baseUrl: 'http://127.0.0.1:9', timeoutMs: 500 }) }),
    };
    const worker = await startTestWorker({ database, integrations });
    try {
      const handle = await startTicket(
        client,
        worker.taskQueue,
        { customerId: demoCustomers.enterprise, subject: 'Export question', body: 'How do I export my contacts to CSV?' },
        testPolicy(),
      );
      const state = await waitForState(handle, statusIs('awaiting_review', 'awaiting_customer', 'escalated'), 30_000);
      expect(state.enrichment?.gaps.map((g) => g.source)).toEqual(['billing']);
      expect(state.enrichment?.gaps[0]?.error).toMatch(/Stripe/);
      expect(state.enrichment).toMatchObject({ tier: 'enterprise', billingStatus: null, linkedIssues: [{ id: 'ENG-187' }] });
      expect(state.priority).not.toBeNull();
    } finally {
      await worker.close();
      await close();
    }
  }, 60_000);
});
