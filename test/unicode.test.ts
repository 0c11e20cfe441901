import type { Client } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/client';
import { accounts, customers, tickets } from '../src/db/schema';
import { isWellFormedText } from '../src/domain/text';
import { workflowIdFor } from '../src/domain/ids';
import type { TicketView } from '../src/domain/ticketState';
import { createLogger } from '../src/logger';
import { stateQuery } from '../src/workflows/messages';
import { startTestStack, uniqueId, type TestStack } from './support/harness';
import { call } from './support/http';
import { everyQuadrant, testPolicy } from './support/tickets';

// Issue 11, points 1–2: text that is not valid Unicode is refused at the API with the field
// named, and valid text of any shape (astral characters, combining marks, emoji sequences, at any
// length) reaches the read model instead of freezing its ticket in `triaging`.

let database: Database;
let client: Client;
let base: string;
let stack: TestStack<'service' | 'agent'>;
let customerId: string;
const keys = { service: '', agent: '' };

beforeAll(async () => {
  stack = await startTestStack({
    policy: testPolicy({ quadrants: everyQuadrant('ai_review') }),
    policies: {},
    app: { logger: createLogger('error', () => {}) },
    keys: { service: 'service', agent: 'agent' },
  });
  ({ database, client, url: base } = stack);
  Object.assign(keys, stack.keys);
  // A customer of this file's own, so nothing another file does shows up in its tickets.
  customerId = uniqueId('cus');
  await database.db
    .insert(accounts)
    .values({ id: `acc-${customerId}`, name: `Account ${customerId}`, tier: 'pro', plan: 'pro', billingStatus: 'active' });
  await database.db
    .insert(customers)
    .values({ id: customerId, accountId: `acc-${customerId}`, email: `${customerId}@example.test`, name: customerId });
});

afterAll(() => stack?.close());

const LONE = '\ud800';

const validTicket = () => ({
  customer: { id: customerId },
  channel: 'chat',
  subject: 'Invoice question',
  body: 'Hi, my invoice shows the wrong amount. Can you check it?',
  pageContext: {
    pageUrl: 'https://app.example.com/billing',
    pageTitle: 'Billing',
    productArea: 'billing',
    recentActions: ['opened invoice'],
    state: { tab: 'invoices' },
  },
  metadata: { plan: 'pro', tags: ['billing'] },
});

const readModelRow = async (ticketId: string) =>
  (
    await database.db
      .select({ status: tickets.status, classification: tickets.classification })
      .from(tickets)
      .where(eq(tickets.id, ticketId))
  )[0];

const stateOf = (ticketId: string) => client.workflow.getHandle(workflowIdFor(ticketId)).query(stateQuery);

describe('POST /v1/tickets refuses text that is not valid Unicode', () => {
  // Each case puts one lone surrogate in one place; the answer must name exactly that place.
  type Ticket = ReturnType<typeof validTicket>;
  const cases: [string, (t: Ticket) => unknown, string][] = [
    ['subject', (t) => ({ ...t, subject: `Refund ${LONE}` }), 'body.subject'],
    ['body', (t) => ({ ...t, body: `${'a'.repeat(138)}${LONE} and I really need help` }), 'body.body'],
    ['customer.email', (t) => ({ ...t, customer: { email: `sam${LONE}@example.test` } }), 'body.customer.email'],
    [
      'pageContext.pageUrl',
      (t) => ({ ...t, pageContext: { ...t.pageContext, pageUrl: `https://app.example.com/${LONE}` } }),
      'body.pageContext.pageUrl',
    ],
    [
      'pageContext.pageTitle',
      (t) => ({ ...t, pageContext: { ...t.pageContext, pageTitle: `Billing ${LONE}` } }),
      'body.pageContext.pageTitle',
    ],
    [
      'pageContext.productArea',
      (t) => ({ ...t, pageContext: { ...t.pageContext, productArea: `\udc00billing` } }),
      'body.pageContext.productArea',
    ],
    [
      'pageContext.recentActions item',
      (t) => ({ ...t, pageContext: { ...t.pageContext, recentActions: ['opened invoice', `clicked ${LONE}`] } }),
      'body.pageContext.recentActions.1',
    ],
    [
      'pageContext.state value',
      (t) => ({ ...t, pageContext: { ...t.pageContext, state: { tab: { name: LONE } } } }),
      'body.pageContext.state.tab.name',
    ],
    [
      'pageContext.state key',
      (t) => ({ ...t, pageContext: { ...t.pageContext, state: { [`tab${LONE}`]: 'x' } } }),
      'body.pageContext.state',
    ],
    ['metadata value', (t) => ({ ...t, metadata: { plan: `pro${LONE}` } }), 'body.metadata.plan'],
    ['metadata nested value', (t) => ({ ...t, metadata: { tags: ['billing', LONE] } }), 'body.metadata.tags.1'],
    ['metadata key', (t) => ({ ...t, metadata: { [`${LONE}plan`]: 'pro' } }), 'body.metadata'],
  ];

  it.each(cases)('a lone surrogate in %s is a 400 naming the field, and no ticket starts', async (_name, spoil, field) => {
    const externalId = uniqueId('ext');
    const spoilt = { ...(spoil(validTicket()) as object), externalId };
    const text = JSON.stringify(spoilt);
    // JSON.stringify writes a lone surrogate as a \ud800-style escape: what a client sends on the wire.
    expect(text).toMatch(/\\ud[89a-f][0-9a-f]{2}/);
    const refused = await call(base, 'POST', '/v1/tickets', { key: keys.service, raw: { body: text, contentType: 'application/json' } });
    expect(refused.status, JSON.stringify(refused.body)).toBe(400);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(refused.body.errors).toContainEqual({
      field,
      message: expect.stringMatching(/not valid Unicode: lone surrogate \\ud[89a-f][0-9a-f]{2}/),
    });
    // The same externalId with valid text starts a new ticket (201, not the 200 of a repeat):
    // the refused request started no workflow under that id.
    const valid = await call(base, 'POST', '/v1/tickets', { key: keys.service, body: { ...validTicket(), externalId } });
    expect(valid.status, JSON.stringify(valid.body)).toBe(201);
  });

  it('refuses a lone low surrogate sent as raw JSON text, before a pair and after one', async () => {
    const externalId = uniqueId('ext');
    const refused = await call(base, 'POST', '/v1/tickets', {
      key: keys.service,
      raw: {
        body: `{"customer":{"id":"${customerId}"},"channel":"chat","subject":"\\ud83d\\ude2d ok \\ude2d","body":"hello","externalId":"${externalId}"}`,
        contentType: 'application/json',
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      { field: 'body.subject', message: 'is not valid Unicode: lone surrogate \\ude2d at UTF-16 position 6' },
    ]);
    const rows = await database.db.select({ id: tickets.id }).from(tickets).where(eq(tickets.externalId, externalId));
    expect(rows).toEqual([]);
  });
});

describe('messages and agent actions refuse text that is not valid Unicode', () => {
  let ticketId: string;
  let before: Awaited<ReturnType<typeof stateOf>>;
  // What any applied message or action would change.
  const footprint = (s: TicketView) => ({
    status: s.status,
    assignee: s.assignee,
    draft: s.draft,
    transcript: s.transcript,
    resolution: s.resolution,
    timeline: s.timeline.length,
    version: s.version,
  });

  it('a ticket waits for review, with a draft to reply, modify or resolve', async () => {
    const howTo = { subject: 'How do I reset my password?', body: 'Hi, how do I reset my password? I forgot it and cannot sign in.' };
    const created = await call(base, 'POST', '/v1/tickets', { key: keys.service, body: { ...validTicket(), ...howTo } });
    expect(created.status).toBe(201);
    ticketId = created.body.ticketId;
    await expect.poll(async () => (await stateOf(ticketId)).status, { timeout: 30_000, interval: 100 }).toBe('awaiting_review');
    before = await stateOf(ticketId);
  });

  it.each([
    ['messages', { body: `still broken ${LONE}` }, 'body.body', 'service'],
    ['actions/reply', { body: `Hello ${LONE}` }, 'body.body', 'agent'],
    ['actions/modify', { body: `Edited reply \udfff` }, 'body.body', 'agent'],
    ['actions/modify', { body: 'Edited reply', note: `tone ${LONE}` }, 'body.note', 'agent'],
    ['actions/handback', { note: `over to you ${LONE}` }, 'body.note', 'agent'],
    ['actions/resolve', { reason: `done${LONE}` }, 'body.reason', 'agent'],
    ['actions/assign', { assignee: `bob${LONE}` }, 'body.assignee', 'agent'],
  ] as const)('POST %s with a lone surrogate in %j is a 400 naming %s', async (path, body, field, role) => {
    const res = await call(base, 'POST', `/v1/tickets/${ticketId}/${path}`, { key: keys[role], body });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.errors).toContainEqual({ field, message: expect.stringMatching(/^is not valid Unicode/) });
  });

  it('left the ticket exactly as it was', async () => {
    expect(footprint(await stateOf(ticketId))).toEqual(footprint(before));
  });
});

describe("the issue's reproduction: an emoji across the summary cut", () => {
  it('reaches the read model with a well-formed summary, and no write ever failed', async () => {
    const body = `${'a'.repeat(138)}😭 and I really need help with my invoice`;
    const created = await call(base, 'POST', '/v1/tickets', { key: keys.service, body: { ...validTicket(), subject: 'Invoice', body } });
    expect(created.status).toBe(201);
    const { ticketId } = created.body as { ticketId: string };
    await expect
      .poll(async () => (await readModelRow(ticketId))?.status ?? 'absent', { timeout: 30_000, interval: 100 })
      .not.toMatch(/^(absent|triaging)$/);
    const row = await readModelRow(ticketId);
    const summary = (row?.classification as { summary?: string } | null)?.summary ?? '';
    // The body's opening is cut before the emoji, whole, not through its surrogate pair.
    expect(summary).toBe(`Invoice: ${'a'.repeat(138)}…`);
    expect(isWellFormedText(summary)).toBe(true);
    // Reached by a clean cut, not by a failed write the workflow recovered from.
    expect((await stateOf(ticketId)).persistence).toBeUndefined();
  });
});

describe('property: every valid ticket reaches the read model', () => {
  // Whole units of text, each well formed: any code point (astral ones included), grapheme
  // clusters (combining marks, ZWJ sequences, flags), spaces and sentence ends so the summary
  // is cut mid-text, and the emoji from the issue. NUL is valid Unicode but the API refuses it.
  const unit = fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => c !== '\u0000'),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
    fc.constantFrom(' ', '. ', '😭', 'e\u0301', 'Z\u0351\u036b\u0343', '👨‍👩‍👧‍👦', '🇯🇵', '𝒜', '\n'),
  );
  // A text of exactly-or-just-under `length` UTF-16 units: a short pattern of units repeated,
  // never splitting one, so every length up to the schema's limit is reachable cheaply.
  const textUpTo = (max: number) =>
    fc
      .tuple(
        fc.array(unit, { minLength: 1, maxLength: 40 }),
        // The cut points of summaries (140, 200) and the limits themselves, besides any length.
        fc.oneof(
          fc.integer({ min: 1, max }),
          fc.constantFrom(...[1, 138, 139, 140, 141, 199, 200, 201, max - 1, max].filter((n) => n >= 1 && n <= max)),
        ),
      )
      .map(([units, length]) => {
        let text = '';
        for (let i = 0; ; i++) {
          const next = units[i % units.length]!;
          if (text.length + next.length > length) break;
          text += next;
        }
        return text;
      })
      // The schemas trim before counting; a text that trims to nothing is not a valid input.
      .filter((text) => text.trim().length > 0);

  const input = fc.record({
    subject: textUpTo(300),
    body: textUpTo(20_000),
    pageContext: fc.record(
      {
        pageUrl: textUpTo(2000).map((path) => `https://app.example.com/${path}`),
        pageTitle: textUpTo(300),
        productArea: textUpTo(100),
        recentActions: fc.array(textUpTo(300), { maxLength: 5 }),
        state: fc.dictionary(textUpTo(40), textUpTo(300), { maxKeys: 3 }),
      },
      { requiredKeys: [] },
    ),
    metadata: fc.dictionary(textUpTo(40), textUpTo(500), { maxKeys: 3 }),
  });

  it('POST /v1/tickets with arbitrary valid text: every ticket leaves triaging in the read model', async () => {
    await fc.assert(
      fc.asyncProperty(input, async (generated) => {
        const created = await call(base, 'POST', '/v1/tickets', {
          key: keys.service,
          body: { customer: { id: customerId }, channel: 'widget', ...generated },
        });
        expect(created.status, JSON.stringify(created.body).slice(0, 500)).toBe(201);
        const { ticketId } = created.body as { ticketId: string };
        await expect
          .poll(async () => (await readModelRow(ticketId))?.status ?? 'absent', { timeout: 20_000, interval: 100 })
          .not.toMatch(/^(absent|triaging)$/);
        const summary = ((await readModelRow(ticketId))?.classification as { summary?: string } | null)?.summary;
        expect(summary === undefined || isWellFormedText(summary)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});
