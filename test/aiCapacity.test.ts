import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importedTickets, tickets } from '../src/db/schema';
import { growthVerdict } from '../src/domain/aiCapacity';
import { startTestStack, type TestStack } from './support/harness';
import { call } from './support/http';

// AI capacity targets and the report comparing them with what the AI resolved, over the real
// stack: read-model rows in months of 2011–2012 no other test writes to, so every count is known.

let stack: TestStack<'lead' | 'admin' | 'ana'>;
const run = randomUUID().slice(0, 8);
type TicketRow = typeof tickets.$inferInsert;
let n = 0;
const rows: TicketRow[] = [];
function add(count: number, at: string, fields: Partial<TicketRow>) {
  for (let i = 0; i < count; i++) {
    const id = `cap_${run}_${++n}`;
    rows.push({
      id,
      workflowId: `ticket-${id}`,
      channel: 'chat',
      subject: 'Capacity',
      body: 'Seeded.',
      status: 'closed',
      createdAt: new Date(at),
      ...fields,
    });
  }
}
const aiAlone = { category: 'how_to' as const, firstResolutionMode: 'ai_only' as const, endedBy: 'confirmed' as const };
const noReply = { category: 'how_to' as const, firstResolutionMode: 'ai_only' as const, endedBy: 'no_reply' as const };
const reopened = { ...aiAlone, reopens: 1 };
const person = {
  category: 'billing' as const,
  firstResolutionMode: 'human_only' as const,
  endedBy: 'resolved' as const,
  humanTouched: true,
};

beforeAll(async () => {
  stack = await startTestStack({ keys: { lead: 'lead', admin: 'admin', ana: 'agent' } });
  // December 2011: 10 imported tickets (people handled every one).
  await stack.database.db.insert(importedTickets).values(
    Array.from({ length: 10 }, (_, i) => ({
      id: `cap_imp_${run}_${i}`,
      importId: `import_${run}`,
      source: 'zendesk',
      externalId: `cap-${run}-${i}`,
      createdAt: new Date('2011-12-15T12:00:00Z'),
      subject: 'Imported',
      description: 'Seeded.',
      issueType: 'billing' as const,
    })),
  );
  // January: 20 (4 AI alone, 1 no reply, 15 people; one of them late on the 31st, February in Paris).
  add(4, '2012-01-15T12:00:00Z', aiAlone);
  add(1, '2012-01-15T12:00:00Z', noReply);
  add(14, '2012-01-15T12:00:00Z', person);
  add(1, '2012-01-31T23:30:00Z', person);
  // February: 30 (14 AI alone, 1 no reply, 15 people): total +50%, people flat → absorbed.
  add(14, '2012-02-15T12:00:00Z', aiAlone);
  add(1, '2012-02-15T12:00:00Z', noReply);
  add(15, '2012-02-15T12:00:00Z', person);
  // March: 40 (14 AI alone, 1 reopened, 25 people): people +67% → not absorbed.
  add(14, '2012-03-15T12:00:00Z', aiAlone);
  add(1, '2012-03-15T12:00:00Z', reopened);
  add(25, '2012-03-15T12:00:00Z', person);
  // April: 40 (20 AI alone, 20 people): no growth.
  add(20, '2012-04-15T12:00:00Z', aiAlone);
  add(20, '2012-04-15T12:00:00Z', person);
  await stack.database.db.insert(tickets).values(rows);
});
afterAll(async () => stack?.close());

const putTargets = (body: unknown, key = stack.keys.admin) => call(stack.url, 'PUT', '/v1/ai-capacity/targets', { key, body });
const report = (query = '', key = stack.keys.lead, headers: Record<string, string> = {}) =>
  call(stack.url, 'GET', `/v1/reports/ai-capacity?from=2012-01-01&to=2012-05-01${query}`, { key, headers });
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const rowOf = (body: any, period: string, category: string | null = null) =>
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body.rows.find((r: any) => r.period === period && r.category === category);

describe('growth verdicts', () => {
  const counts = (total: number, humanHandled: number) => ({ total, humanHandled, imported: 0, resolved: total, aiResolved: 0 });
  it.each([
    [counts(100, 80), counts(120, 82), 'absorbed growth'],
    [counts(100, 80), counts(120, 70), 'absorbed growth'],
    // Exactly +5% for people is still flat.
    [counts(100, 80), counts(120, 84), 'absorbed growth'],
    [counts(100, 80), counts(120, 85), 'not absorbed'],
    [counts(100, 80), counts(105, 95), 'no growth'],
    [counts(100, 80), counts(90, 60), 'no growth'],
  ] as const)('%o → %o: %s', (before, now, verdict) => {
    expect(growthVerdict(before, now)).toBe(verdict);
  });
  it('has nothing to say without a previous period', () => {
    expect(growthVerdict(null, counts(10, 5))).toBeNull();
    expect(growthVerdict(counts(0, 0), counts(10, 5))).toBeNull();
  });
});

describe('AI capacity targets', () => {
  it('an admin sets overall and per-category targets; every setting is kept and the latest wins', async () => {
    const first = await putTargets({ quarter: '2012-Q1', overall: 0.3, categories: { how_to: 0.9 } });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const second = await putTargets({ quarter: '2012-Q1', overall: 0.4 });
    expect(second.status).toBe(200);
    expect(second.body.current).toEqual([
      expect.objectContaining({ quarter: '2012-Q1', category: null, targetShare: 0.4, setBy: stack.names.admin }),
      expect.objectContaining({ quarter: '2012-Q1', category: 'how_to', targetShare: 0.9 }),
    ]);
    expect(second.body.history.map((h: { targetShare: number }) => h.targetShare)).toEqual([0.3, 0.9, 0.4]);
    const listed = await call(stack.url, 'GET', '/v1/ai-capacity/targets?quarter=2012-Q1', { key: stack.keys.lead });
    expect(listed.status).toBe(200);
    expect(listed.body.current).toHaveLength(2);
  });

  it.each([
    [{ quarter: '2012Q1', overall: 0.4 }, 'body.quarter'],
    [{ quarter: '2012-Q5', overall: 0.4 }, 'body.quarter'],
    [{ quarter: '2012-Q1', overall: 1.5 }, 'body.overall'],
    [{ quarter: '2012-Q1', overall: -0.1 }, 'body.overall'],
    [{ quarter: '2012-Q1' }, 'body.overall'],
    [{ quarter: '2012-Q1', categories: { billing: 2 } }, 'body.categories.billing'],
    [{ quarter: '2012-Q1', categories: { shipping: 0.5 } }, 'body.categories'],
  ])('refuses %o with a 400 naming %s', async (body, field) => {
    const res = await putTargets(body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).some((f: string) => f.startsWith(field))).toBe(true);
  });

  it('only admins set targets; leads read them; agents neither', async () => {
    expect((await putTargets({ quarter: '2012-Q2', overall: 0.5 }, stack.keys.lead)).status).toBe(403);
    expect((await putTargets({ quarter: '2012-Q2', overall: 0.5 }, stack.keys.ana)).status).toBe(403);
    expect((await call(stack.url, 'GET', '/v1/ai-capacity/targets', { key: stack.keys.ana })).status).toBe(403);
    expect((await call(stack.url, 'GET', '/v1/ai-capacity/targets?quarter=Q2', { key: stack.keys.lead })).status).toBe(400);
  });
});

describe('GET /v1/reports/ai-capacity', () => {
  it('compares the AI-resolved share with the target per quarter and month, and says whether the AI absorbed growth', async () => {
    const res = await report();
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.flatWithin).toBe(0.05);
    const periods = [...new Set(res.body.rows.map((r: { period: string }) => r.period))];
    expect(periods).toEqual(['2012-Q1', '2012-Q2', '2012-01', '2012-02', '2012-03', '2012-04']);

    const q1 = rowOf(res.body, '2012-Q1');
    // 32 of 90 resolved by the AI alone (no_reply and the reopened one never count); target 0.4 (the latest).
    expect(q1).toMatchObject({
      granularity: 'quarter',
      complete: true,
      total: 90,
      resolved: 90,
      aiResolved: 32,
      humanHandled: 55,
      target: 0.4,
      met: false,
    });
    expect(q1.aiShare.rate).toBeCloseTo(32 / 90, 4);
    // Against Q4 2011 (10 imported tickets): more tickets, and more for people.
    expect(q1).toMatchObject({ previousTotal: 10, previousHumanHandled: 10, verdict: 'not absorbed' });
    expect(rowOf(res.body, '2012-Q2')).toMatchObject({ total: 40, target: null, met: null, verdict: 'no growth' });

    expect(rowOf(res.body, '2012-01')).toMatchObject({ total: 20, humanHandled: 15, previousTotal: 10, verdict: 'not absorbed' });
    const feb = rowOf(res.body, '2012-02');
    expect(feb).toMatchObject({
      total: 30,
      aiResolved: 14,
      humanHandled: 15,
      totalChange: 0.5,
      humanChange: 0,
      verdict: 'absorbed growth',
    });
    // A month meets its quarter's target on its own share: 14/30 ≥ 0.4.
    expect(feb).toMatchObject({ target: 0.4, met: true });
    expect(rowOf(res.body, '2012-03')).toMatchObject({ total: 40, humanHandled: 25, verdict: 'not absorbed' });
    expect(rowOf(res.body, '2012-04')).toMatchObject({ total: 40, verdict: 'no growth' });

    // Per category: how_to's target was met in Q1 (32 of 35).
    const howTo = rowOf(res.body, '2012-Q1', 'how_to');
    expect(howTo).toMatchObject({ total: 35, aiResolved: 32, target: 0.9, met: true });
    expect(rowOf(res.body, '2012-Q1', 'billing')).toMatchObject({ total: 55, aiResolved: 0, target: null });
  });

  it('counts months in the given time zone', async () => {
    const paris = await report('&timezone=Europe/Paris&groupBy=month');
    expect(paris.status).toBe(200);
    expect(rowOf(paris.body, '2012-01')).toMatchObject({ total: 19 });
    expect(rowOf(paris.body, '2012-02')).toMatchObject({ total: 31 });
    expect(
      paris.body.rows.every((r: { granularity: string; category: string | null }) => r.granularity === 'month' && r.category === null),
    ).toBe(true);
  });

  it('answers CSV for Accept: text/csv', async () => {
    const res = await report('&groupBy=quarter', stack.keys.lead, { accept: 'text/csv' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    const [header, ...lines] = (res.body as string).trim().split('\n');
    const columns = header!.split(',');
    expect(columns).toEqual(expect.arrayContaining(['period', 'total', 'aiShare.rate', 'target', 'met', 'humanHandled', 'verdict']));
    expect(lines).toHaveLength(2);
    expect(lines[0]!.split(',')[columns.indexOf('period')]).toBe('2012-Q1');
  });

  it.each([
    ['&groupBy=week', 'query.groupBy'],
    ['&timezone=Nowhere/City', 'query.timezone'],
    ['&quarter=2012-Q1', 'query.quarter'],
  ])('refuses %s with a 400 naming %s', async (query, field) => {
    const res = await report(query);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('refuses windows that run backwards or are longer than 400 days, and agents', async () => {
    const back = await call(stack.url, 'GET', '/v1/reports/ai-capacity?from=2012-05-01&to=2012-01-01', { key: stack.keys.lead });
    expect(back.status).toBe(400);
    expect(back.body.errors[0].field).toBe('query.from');
    const long = await call(stack.url, 'GET', '/v1/reports/ai-capacity?from=2011-01-01&to=2012-05-01', { key: stack.keys.lead });
    expect(long.status).toBe(400);
    expect(long.body.errors[0].field).toBe('query.to');
    expect((await report('', stack.keys.ana)).status).toBe(403);
    expect((await report('', stack.keys.admin)).status).toBe(200);
  });
});
