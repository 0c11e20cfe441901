import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routesOf } from '../src/api/app';
import { allowedRoles } from '../src/api/auth';
import { openApiPath } from '../src/api/openapi';
import { workflowIdFor } from '../src/domain/ids';
import { actions, stateQuery } from '../src/workflows/messages';
import { demoCustomers } from '../src/db/seed';
import { startTestStack, type TestStack } from './support/harness';
import { call } from './support/http';
import { everyQuadrant, testPolicy, waitForIdle, waitForTicket } from './support/tickets';

// Who may do what, table-driven: every endpoint × role, and every ticket endpoint × role × whose
// ticket (one's own, someone else's, unassigned). A refusal is a 403 problem naming the rule and
// leaves the ticket's history as it was.

type Key = 'svcA' | 'svcB' | 'svcAll' | 'ana' | 'bo' | 'lead' | 'admin';
let stack: TestStack<Key>;
/** Ticket ids: unassigned (started by svcA), and assigned to ana (started by svcA). */
const t = { unassigned: '', ana: '' };
let draftOf: Record<string, string> = {};

beforeAll(async () => {
  stack = await startTestStack({
    policy: testPolicy({ quadrants: everyQuadrant('ai_review') }),
    keys: { svcA: 'service', svcB: 'service', svcAll: 'service:all', ana: 'agent', bo: 'agent', lead: 'lead', admin: 'admin' },
  });
  for (const which of ['unassigned', 'ana'] as const) {
    const created = await call(stack.url, 'POST', '/v1/tickets', {
      key: stack.keys.svcA,
      body: {
        customer: { id: demoCustomers.freeTier },
        channel: 'chat',
        subject: 'Export to CSV',
        body: 'Where can I export all our contacts to a CSV file?',
      },
    });
    t[which] = created.body.ticketId;
    const state = await waitForTicket(stack.url, stack.keys.lead, t[which], (s) => s.status === 'awaiting_review');
    draftOf = { ...draftOf, [t[which]]: state.draft!.id };
  }
  expect((await call(stack.url, 'POST', `/v1/tickets/${t.ana}/actions/takeover`, { key: stack.keys.ana })).status).toBe(200);
});
afterAll(async () => stack?.close());

const historyLength = async (ticketId: string) =>
  Number((await stack.client.workflow.getHandle(workflowIdFor(ticketId)).describe()).historyLength);

describe('every endpoint × role', () => {
  it('answers 401 without a key (before looking at the body) and 403 to a role the route does not allow', async () => {
    const roleKeys: Record<string, Key> = { service: 'svcA', agent: 'ana', lead: 'lead', admin: 'admin' };
    for (const route of routesOf(stack.app)) {
      if (route.roles === 'public') continue;
      const path = openApiPath(route.path)
        .replace('{id}', 'no-such-ticket')
        .replace(/\{[A-Za-z]+\}/g, 'x');
      const method = route.method.toUpperCase();
      const anonymous = await call(
        stack.url,
        method,
        path,
        method === 'GET' || method === 'DELETE' ? {} : { raw: { body: '{not json', contentType: 'application/json' } },
      );
      expect(anonymous.status, `${method} ${path} without a key`).toBe(401);
      const allowed = allowedRoles(route.roles, route.exclusive);
      for (const [role, key] of Object.entries(roleKeys)) {
        const res = await call(stack.url, method, path, {
          key: stack.keys[key],
          ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }),
        });
        if (allowed.includes(role as never)) expect(res.status, `${method} ${path} as ${role}`).not.toBe(403);
        else {
          expect(res.status, `${method} ${path} as ${role}`).toBe(403);
          expect(res.headers.get('content-type')).toMatch(/problem\+json/);
        }
      }
    }
  });
});

interface Case {
  endpoint: string;
  method: string;
  path: (ticketId: string) => string;
  body?: (ticketId: string) => unknown;
  /** The roles the endpoint serves at all (others are the table above's 403). */
  roles: ('service' | 'agent')[];
  /** An agent may do it only to an unassigned ticket or their own. */
  owned?: boolean;
}

const action = (name: string, body?: (id: string) => unknown, owned = true): Case => ({
  endpoint: `POST actions/${name}`,
  method: 'POST',
  path: (id) => `/v1/tickets/${id}/actions/${name}`,
  ...(body ? { body } : {}),
  roles: ['agent'],
  owned,
});

const cases: Case[] = [
  { endpoint: 'GET ticket', method: 'GET', path: (id) => `/v1/tickets/${id}`, roles: ['service', 'agent'] },
  { endpoint: 'GET conversation', method: 'GET', path: (id) => `/v1/tickets/${id}/conversation`, roles: ['service'] },
  { endpoint: 'GET request', method: 'GET', path: (id) => `/v1/tickets/${id}/requests/no-such-request`, roles: ['service', 'agent'] },
  {
    endpoint: 'POST messages',
    method: 'POST',
    path: (id) => `/v1/tickets/${id}/messages`,
    body: () => ({ body: 'One more thing.' }),
    roles: ['service'],
  },
  { endpoint: 'POST csat', method: 'POST', path: (id) => `/v1/tickets/${id}/csat`, body: () => ({ score: 4 }), roles: ['service'] },
  {
    endpoint: 'POST feedback',
    method: 'POST',
    path: (id) => `/v1/tickets/${id}/feedback`,
    body: (id) => ({ draftId: draftOf[id], rating: 'up' }),
    roles: ['agent'],
  },
  action('note', () => ({ body: 'Checked the logs.' }), false),
  action('reclassify', () => ({ changes: { urgency: 'high' } })),
  action('reprioritize', () => ({ level: 'P2', reason: 'key account' })),
  // To the agent already assigned (or the one asking): assigning elsewhere would change whose ticket it is mid-table.
  action('assign', () => ({ assignee: stack.names.ana })),
  action('approve'),
  action('modify', () => ({ body: 'Settings → Export.' })),
  action('reply', () => ({ body: 'Settings → Export.' })),
  action('takeover'),
  action('handback'),
  action('resolve'),
];

type Whose = 'own' | "someone else's" | 'unassigned';
/** Which ticket is `whose` to a key: a service's own is one it started; an agent's, one assigned to them. */
function ticketFor(key: Key, whose: Whose): keyof typeof t | null {
  if (key === 'svcA') return whose === 'own' ? 'unassigned' : null;
  if (key === 'svcB') return whose === "someone else's" ? 'unassigned' : null;
  if (key === 'svcAll') return whose === "someone else's" ? 'ana' : null;
  if (key === 'ana') return whose === 'own' ? 'ana' : whose === 'unassigned' ? 'unassigned' : null;
  if (key === 'bo') return whose === "someone else's" ? 'ana' : null;
  return whose === "someone else's" ? 'ana' : whose === 'unassigned' ? 'unassigned' : null; // lead, admin
}

/** Whether the key may act: the role gate, then the service scope, then the agent's ownership. */
function expected(c: Case, key: Key, whose: Whose): 'allowed' | 'forbidden' {
  const role = key.startsWith('svc') ? 'service' : key === 'ana' || key === 'bo' ? 'agent' : 'lead';
  if (role === 'lead') return 'allowed';
  if (!c.roles.includes(role)) return 'forbidden';
  if (role === 'service') return key === 'svcAll' || whose === 'own' ? 'allowed' : 'forbidden';
  return c.owned && whose === "someone else's" ? 'forbidden' : 'allowed';
}

const table = cases.flatMap((c) =>
  (['svcA', 'svcB', 'svcAll', 'ana', 'bo', 'lead', 'admin'] as Key[]).flatMap((key) =>
    (['own', "someone else's", 'unassigned'] as Whose[]).flatMap((whose) =>
      ticketFor(key, whose) ? [{ c, key, whose, verdict: expected(c, key, whose) }] : [],
    ),
  ),
);

describe('every ticket endpoint × role × whose ticket', () => {
  // Refusals first: they change nothing, so the tickets stay as the table expects.
  it.each(table.filter((r) => r.verdict === 'forbidden').map((r) => [r.c.endpoint, r.key, r.whose, r] as const))(
    '%s by %s on %s ticket: 403 naming the rule, history unchanged',
    async (_e, _k, _w, { c, key, whose }) => {
      const ticketId = t[ticketFor(key, whose)!];
      // Nothing under way, so any change to the history would be this request's.
      await waitForIdle(stack.client.workflow.getHandle(workflowIdFor(ticketId)));
      const before = await historyLength(ticketId);
      const res = await call(stack.url, c.method, c.path(ticketId), {
        key: stack.keys[key],
        ...(c.body ? { body: c.body(ticketId) } : {}),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      expect(res.body.detail).toMatch(
        key === 'bo' && c.owned
          ? new RegExp(`assigned to ${stack.names.ana}`)
          : key.startsWith('svc')
            ? /scope own|may not do this/
            : /may not do this/,
      );
      expect(await historyLength(ticketId)).toBe(before);
    },
  );

  // Agents' own actions before leads' and admins', whose takeovers would make every ticket theirs.
  const allowed = table.filter((r) => r.verdict === 'allowed');
  const byPeople = [
    ...allowed.filter((r) => r.key !== 'lead' && r.key !== 'admin'),
    ...allowed.filter((r) => r.key === 'lead' || r.key === 'admin'),
  ];
  it.each(byPeople.map((r) => [r.c.endpoint, r.key, r.whose, r] as const))(
    '%s by %s on %s ticket: allowed (the ticket may still refuse it for its state)',
    async (_e, _k, _w, { c, key, whose }) => {
      const ticketId = t[ticketFor(key, whose)!];
      const res = await call(stack.url, c.method, c.path(ticketId), {
        key: stack.keys[key],
        ...(c.body ? { body: c.body(ticketId) } : {}),
      });
      expect([401, 403], `${res.status} ${JSON.stringify(res.body)}`).not.toContain(res.status);
    },
  );
});

describe('assignment and the service view', () => {
  it('assigns only to a person who has an agent key, and lists them', async () => {
    const agents = await call(stack.url, 'GET', '/v1/agents', { key: stack.keys.ana });
    expect(agents.body.items).toEqual(
      expect.arrayContaining([
        { name: stack.names.ana, role: 'agent' },
        { name: stack.names.lead, role: 'lead' },
      ]),
    );
    expect(agents.body.items.some((a: { name: string }) => a.name === stack.names.svcA)).toBe(false);
    const res = await call(stack.url, 'POST', `/v1/tickets/${t.unassigned}/actions/assign`, {
      key: stack.keys.lead,
      body: { assignee: 'nobody-by-that-name' },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].field).toBe('body.assignee');
  });

  it('shows a service key the service view: no enrichment, MRR, drafts, summaries or similar tickets', async () => {
    const res = await call(stack.url, 'GET', `/v1/tickets/${t.unassigned}`, { key: stack.keys.svcA });
    expect(res.status).toBe(200);
    const text = JSON.stringify(res.body);
    for (const hidden of ['enrichment', 'mrrCents', 'draft', 'escalation', 'similarOpenTickets', 'classification', 'priority', 'timeline'])
      expect(text).not.toContain(`"${hidden}"`);
    expect(res.body).toMatchObject({ ticketId: t.unassigned, channel: 'chat' });
    expect(['open', 'waiting_on_customer', 'resolved', 'closed']).toContain(res.body.publicStatus);
    const agentView = await call(stack.url, 'GET', `/v1/tickets/${t.unassigned}`, { key: stack.keys.ana });
    expect(agentView.body.enrichment).toBeTruthy();
  });
});

describe('who posted', () => {
  it('records the key behind every customer message and CSAT score, and lets only that key change the score', async () => {
    const created = await call(stack.url, 'POST', '/v1/tickets', {
      key: stack.keys.svcA,
      body: { customer: { id: demoCustomers.freeTier }, channel: 'chat', subject: 'Export', body: 'Where is the CSV export of contacts?' },
    });
    const ticketId = created.body.ticketId;
    await waitForTicket(stack.url, stack.keys.lead, ticketId, (s) => s.status === 'awaiting_review');
    const post = (key: Key, path: string, body: unknown) =>
      call(stack.url, 'POST', `/v1/tickets/${ticketId}${path}`, { key: stack.keys[key], body });
    expect((await post('svcA', '/messages', { body: 'Also, can I export deals?' })).status).toBe(202);
    expect((await post('lead', '/messages', { body: 'Posted for the customer by phone.' })).status).toBe(202);
    const withBoth = await waitForTicket(stack.url, stack.keys.lead, ticketId, (s) =>
      s.transcript.some((m) => m.body === 'Posted for the customer by phone.'),
    );
    const postedBy = (body: string) => withBoth.transcript.find((m) => m.body === body)?.postedBy;
    expect(postedBy('Also, can I export deals?')).toEqual({ name: stack.names.svcA, role: 'service' });
    expect(postedBy('Posted for the customer by phone.')).toEqual({ name: stack.names.lead, role: 'lead' });
    // The AI's turn on those messages finishes before the lead resolves, so nothing it decides lands after.
    await waitForIdle(stack.client.workflow.getHandle(workflowIdFor(ticketId)));

    expect((await post('lead', '/actions/resolve', {})).status).toBe(200);
    await waitForTicket(stack.url, stack.keys.lead, ticketId, (s) => s.status === 'resolved');
    expect((await post('svcA', '/csat', { score: 4 })).status).toBe(202);
    await waitForTicket(stack.url, stack.keys.lead, ticketId, (s) => s.csat.score === 4);
    const other = await post('svcAll', '/csat', { score: 1 });
    expect(other.status).toBe(409);
    expect(other.body.detail).toMatch(/only whoever answered it may change the score/);
    expect((await post('svcA', '/csat', { score: 5 })).status).toBe(202);
    const rescored = await waitForTicket(stack.url, stack.keys.lead, ticketId, (s) => s.csat.score === 5);
    const scores = rescored.timeline.filter((e) => e.type === 'csat_received');
    expect(scores.map((e) => [e.data?.score, e.data?.by])).toEqual([
      [4, stack.names.svcA],
      [5, stack.names.svcA],
    ]);
  });
});

describe('Updates and Signals sent straight to Temporal', () => {
  // The Temporal CLI or another UI reaches the workflow without the API: its validators apply the
  // same per-ticket rules to the agent id and role the message carries.
  it('refuses an agent acting on another agent’s ticket, ignores the same Signal, and lets a lead act', async () => {
    const created = await call(stack.url, 'POST', '/v1/tickets', {
      key: stack.keys.svcA,
      body: { customer: { id: demoCustomers.freeTier }, channel: 'chat', subject: 'Export', body: 'Where is the CSV export of contacts?' },
    });
    const ticketId = created.body.ticketId;
    await waitForTicket(stack.url, stack.keys.lead, ticketId, (s) => s.status === 'awaiting_review');
    expect((await call(stack.url, 'POST', `/v1/tickets/${ticketId}/actions/takeover`, { key: stack.keys.ana })).status).toBe(200);
    const handle = stack.client.workflow.getHandle(workflowIdFor(ticketId));
    await waitForIdle(handle);
    const before = await historyLength(ticketId);

    await expect(
      handle.executeUpdate(actions.takeover.update, { args: [{ agentId: stack.names.bo, actorRole: 'agent' }] }),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(new RegExp(`assigned to ${stack.names.ana}`)) } });
    // A refused Update is never written to the history.
    expect(await historyLength(ticketId)).toBe(before);

    await handle.signal(actions.takeover.signal, { agentId: stack.names.bo, actorRole: 'agent' });
    await waitForIdle(handle);
    expect((await handle.query(stateQuery)).assignee).toBe(stack.names.ana);

    await handle.executeUpdate(actions.reprioritize.update, {
      args: [{ agentId: stack.names.lead, actorRole: 'lead', level: 'P1', reason: 'key account' }],
    });
    expect((await handle.query(stateQuery)).priority?.level).toBe('P1');
  });
});
