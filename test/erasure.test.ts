import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, customers } from '../src/db/schema';
import { workflowIdFor } from '../src/domain/ids';
import { stateQuery } from '../src/workflows/messages';
import { startTestStack, uniqueId, type TestStack } from './support/harness';
import { call } from './support/http';
import { everyQuadrant, testPolicy, waitForTicket } from './support/tickets';
import { waitFor } from './support/waitFor';

// Erasure: DELETE /v1/customers/:id leaves no trace of the customer's words or address in the
// read model, makes running tickets drop them from their state, and says what Temporal keeps.

let stack: TestStack<'service' | 'agent' | 'lead' | 'admin'>;
const customerId = uniqueId('cus_erase');
const email = `${customerId}@forget.example`;
const secret = `Zebra-Unicorn-${Math.floor(Math.random() * 1e6)}`;

beforeAll(async () => {
  stack = await startTestStack({
    policy: testPolicy({
      quadrants: everyQuadrant('ai_review'),
      timers: { customerReplyWindow: '1h', unresolvedTimeout: '1h', csatDelay: '50ms', csatWindow: '300ms', reopenWindow: '300ms' },
    }),
    keys: { service: 'service', agent: 'agent', lead: 'lead', admin: 'admin' },
  });
  const accountId = uniqueId('acc_erase');
  await stack.database.db.insert(accounts).values({ id: accountId, name: 'Forget Me Ltd', tier: 'pro', plan: 'Pro' });
  await stack.database.db.insert(customers).values({ id: customerId, accountId, email, name: 'Fiona Forget' });
});
afterAll(async () => stack?.close());

async function open(subject: string) {
  const res = await call(stack.url, 'POST', '/v1/tickets', {
    key: stack.keys.service,
    body: {
      customer: { id: customerId },
      channel: 'chat',
      subject: `${subject} ${secret}`,
      body: `Hi, how do I reset my password? I forgot it and cannot sign in. My code is ${secret}.`,
      pageContext: { pageTitle: `Export ${secret}` },
    },
  });
  return waitForTicket(stack.url, stack.keys.agent, res.body.ticketId, (s) => s.status === 'awaiting_review');
}

describe('DELETE /v1/customers/:id', () => {
  it('redacts the read model, tells running tickets to forget, and reports what Temporal keeps until when', async () => {
    const running = await open('How do I reset my password?');
    const done = await open('Reset my password please');
    await call(stack.url, 'POST', `/v1/tickets/${done.ticketId}/actions/approve`, { key: stack.keys.agent });
    await call(stack.url, 'POST', `/v1/tickets/${done.ticketId}/actions/resolve`, { key: stack.keys.agent });
    await waitFor(
      async () => (await stack.client.workflow.getHandle(workflowIdFor(done.ticketId)).describe()).status.name,
      (s) => s === 'COMPLETED',
      {
        describe: 'the resolved ticket closes',
      },
    );

    const res = await call(stack.url, 'DELETE', `/v1/customers/${customerId}`, { key: stack.keys.admin });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const byId = Object.fromEntries(res.body.tickets.map((t: { ticketId: string }) => [t.ticketId, t]));
    expect(byId[running.ticketId]).toMatchObject({ workflow: 'running', signalled: true });
    expect(byId[done.ticketId]).toMatchObject({ workflow: 'closed', signalled: false });
    expect(Date.parse(byId[done.ticketId].historyRetainedUntil)).toBeGreaterThan(Date.now());
    expect(res.body.readModel).toMatchObject({ customers: 1, tickets: 2 });
    expect(res.body.readModel.messages).toBeGreaterThanOrEqual(3);
    expect(res.body.temporal.note).toMatch(/retention/);

    // The running ticket's state forgets, and what it writes next is redacted too.
    await waitFor(
      async () => JSON.stringify(await stack.client.workflow.getHandle(workflowIdFor(running.ticketId)).query(stateQuery)),
      (s) => !s.includes(secret),
      {
        describe: 'the running ticket forgets',
      },
    );
    const db = stack.database.db;
    const leaks = async () => {
      const found: string[] = [];
      for (const table of ['tickets', 'messages', 'ai_drafts', 'customers', 'ai_feedback', 'webhook_deliveries', 'ticket_events']) {
        const rows = await db.execute(
          sql.raw(`select count(*)::int as n from ${table} t where t::text like '%${secret}%' or t::text ilike '%${email}%'`),
        );
        const n = (Array.isArray(rows) ? rows : (rows as unknown as { rows: { n: number }[] }).rows)[0] as { n: number };
        if (n.n > 0) found.push(`${table}: ${n.n}`);
      }
      return found;
    };
    await waitFor(leaks, (found) => found.length === 0, { describe: 'no trace in the read model' });
    // The ticket still works: a person can approve its (redacted) draft.
    expect((await call(stack.url, 'POST', `/v1/tickets/${running.ticketId}/actions/approve`, { key: stack.keys.agent })).status).toBe(200);
    await waitFor(leaks, (found) => found.length === 0, { describe: 'still no trace after the ticket moved on' });
  });

  it('is an admin’s alone, and names a customer that does not exist', async () => {
    for (const key of [stack.keys.lead, stack.keys.agent, stack.keys.service]) {
      expect((await call(stack.url, 'DELETE', `/v1/customers/${customerId}`, { key })).status).toBe(403);
    }
    expect((await call(stack.url, 'DELETE', '/v1/customers/nobody-here', { key: stack.keys.admin })).status).toBe(404);
  });
});
