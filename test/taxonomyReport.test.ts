import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/client';
import { generateDemoHistory } from '../src/db/demoHistory';
import { historyImports, importedTickets, tickets } from '../src/db/schema';
import { taxonomyAggregates } from '../src/db/taxonomyReport';
import { percentile } from '../src/domain/stats';
import { suggestMode, taxonomyMatrix } from '../src/domain/taxonomy';
import { wilson } from '../src/domain/stats';
import { defaultPolicy } from '../src/schemas/policy';
import { startTestStack, type TestStack } from './support/harness';
import { call } from './support/http';

// The taxonomy audit over Tandem's closed tickets and imported ones: the nine quadrants with
// volume, share, median handle time, reopens, CSAT, top categories, the policy's mode and the
// evidence's. Its window (February 2025) holds only what this file writes.

let stack: TestStack<'lead' | 'agent'>;
const to = '2025-03-01T00:00:00Z';
const at = (day: number) => new Date(Date.UTC(2025, 1, day, 10));

interface Seeded {
  complexity: 'low' | 'medium' | 'high';
  repeatability: 'repeatable' | 'semi' | 'unique';
  category: 'billing' | 'how_to' | 'technical' | 'account';
  handleMinutes: number;
  reopens: number;
  csat: number | null;
}
const imported: Seeded[] = [];
const live: Seeded[] = [];

beforeAll(async () => {
  stack = await startTestStack({ keys: { lead: 'lead', agent: 'agent' } });
  const run = randomUUID().slice(0, 8);
  // low/repeatable: 40 imported, 1 reopen, happy customers; plus 10 of Tandem's own closed tickets.
  for (let i = 0; i < 40; i++)
    imported.push({
      complexity: 'low',
      repeatability: 'repeatable',
      category: i < 30 ? 'how_to' : 'billing',
      handleMinutes: i + 1,
      reopens: i === 0 ? 1 : 0,
      csat: i < 12 ? 5 : null,
    });
  for (let i = 0; i < 10; i++)
    live.push({ complexity: 'low', repeatability: 'repeatable', category: 'account', handleMinutes: 6, reopens: 0, csat: 4 });
  // medium/semi: half reopened.
  for (let i = 0; i < 40; i++)
    imported.push({ complexity: 'medium', repeatability: 'semi', category: 'technical', handleMinutes: 30, reopens: i % 2, csat: null });
  // high/unique: too few to suggest anything.
  for (let i = 0; i < 5; i++)
    imported.push({ complexity: 'high', repeatability: 'unique', category: 'technical', handleMinutes: 90, reopens: 0, csat: 2 });

  const importId = `imp_${run}00000000`;
  await stack.database.db
    .insert(historyImports)
    .values({ id: importId, source: `tax-${run}`, status: 'done', rows: imported.length, createdBy: 'test' });
  await stack.database.db.insert(importedTickets).values(
    imported.map((t, i) => ({
      id: `tax-${run}:${i}`,
      importId,
      source: `tax-${run}`,
      externalId: String(i),
      createdAt: at(1 + (i % 27)),
      solvedAt: at(2 + (i % 26)),
      subject: 's',
      description: 'd',
      handleMinutes: t.handleMinutes,
      csat: t.csat,
      reopens: t.reopens,
      issueType: t.category,
      complexity: t.complexity,
      repeatability: t.repeatability,
      urgency: 'low' as const,
      classifiedAt: new Date(),
    })),
  );
  await stack.database.db.insert(tickets).values(
    live.map((t, i) => ({
      id: `tax-${run}-${i}`,
      workflowId: `ticket-tax-${run}-${i}`,
      channel: 'chat' as const,
      subject: 's',
      body: 'b',
      status: 'closed' as const,
      category: t.category,
      complexity: t.complexity,
      repeatability: t.repeatability,
      reopens: t.reopens,
      csatScore: t.csat,
      msAi: 60_000,
      msReview: 120_000,
      msPerson: 180_000,
      msCustomer: 9_000_000,
      createdAt: at(10),
    })),
  );
  // An open ticket and an unclassified import row in the window are not counted.
  await stack.database.db.insert(tickets).values({
    id: `tax-${run}-open`,
    workflowId: `ticket-tax-${run}-open`,
    channel: 'chat',
    subject: 's',
    body: 'b',
    status: 'human_handling',
    complexity: 'low',
    repeatability: 'repeatable',
    createdAt: at(11),
  });
});
afterAll(async () => stack?.close());

const report = (query: string, key = stack.keys.lead, accept?: string) =>
  call(stack.url, 'GET', `/v1/reports/taxonomy?${query}`, { key, ...(accept ? { headers: { accept } } : {}) });

describe('GET /v1/reports/taxonomy', () => {
  it('answers the nine quadrants over live closed and imported tickets, with the evidence and both modes', async () => {
    const res = await report(`to=${to}&days=28`);
    expect(res.status).toBe(200);
    expect(res.body.rows.map((r: { quadrant: string }) => r.quadrant)).toEqual([
      'low/repeatable',
      'low/semi',
      'low/unique',
      'medium/repeatable',
      'medium/semi',
      'medium/unique',
      'high/repeatable',
      'high/semi',
      'high/unique',
    ]);
    const total = imported.length + live.length;
    expect(res.body.totals).toEqual({ tickets: total, imported: imported.length });
    const q = (name: string) => res.body.rows.find((r: { quadrant: string }) => r.quadrant === name);

    const lowRep = [...imported, ...live].filter((t) => t.complexity === 'low' && t.repeatability === 'repeatable');
    // Live handle time: the AI, the review and a person (1 + 2 + 3 minutes), not the customer's wait.
    const handles = lowRep.map((t, i) => (i < 40 ? t.handleMinutes : 6));
    const rated = lowRep.filter((t) => t.csat !== null);
    expect(q('low/repeatable')).toMatchObject({
      tickets: 50,
      imported: 40,
      share: Math.round((50 / total) * 10000) / 10000,
      reopenRate: wilson(1, 50),
      csat: { mean: Math.round((rated.reduce((s, t) => s + t.csat!, 0) / rated.length) * 100) / 100, rated: rated.length },
      topCategories: [
        { category: 'how_to', tickets: 30, share: 0.6 },
        // A tie goes in alphabetical order.
        { category: 'account', tickets: 10, share: 0.2 },
        { category: 'billing', tickets: 10, share: 0.2 },
      ],
      policyMode: defaultPolicy.quadrants['low/repeatable'],
    });
    // The median is read from the rollup's histogram: within its bucket (a third of an octave, README "Reports").
    const median = percentile(handles, 50)!;
    expect(q('low/repeatable').medianHandleMinutes).toBeGreaterThanOrEqual(median / 2 ** (1 / 3) - 0.05);
    expect(q('low/repeatable').medianHandleMinutes).toBeLessThanOrEqual(median * 2 ** (1 / 3) + 0.05);
    expect(q('low/repeatable').suggestedMode).toBe(
      suggestMode('low', 'repeatable', {
        tickets: 50,
        reopenRate: wilson(1, 50),
        csatMean: q('low/repeatable').csat.mean,
        rated: rated.length,
      }).mode,
    );
    expect(q('medium/semi')).toMatchObject({ tickets: 40, reopenRate: wilson(20, 40), suggestedMode: 'human' });
    expect(q('high/unique')).toMatchObject({ tickets: 5, suggestedMode: null, reasons: [expect.stringContaining('fewer than 30')] });
    expect(q('low/semi')).toMatchObject({ tickets: 0, share: 0, medianHandleMinutes: null, topCategories: [] });
  });

  it('answers CSV with one line per quadrant', async () => {
    const res = await report(`to=${to}&days=28`, stack.keys.lead, 'text/csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = (res.body as string).trim().split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[0]).toContain('reopenRate.high');
    expect(lines[1]).toMatch(/^low\/repeatable,low,repeatable,50,40,/);
  });

  it('answers 400 naming the parameter for days out of range, days with from, an unknown parameter; 403 for an agent', async () => {
    for (const [query, field] of [
      ['days=0', 'query.days'],
      ['days=401', 'query.days'],
      ['days=ten', 'query.days'],
      ['days=7&from=2025-01-01', 'query.days'],
      ['colour=red', 'query.colour'],
      ['from=2020-01-01&to=2025-01-01', 'query.to'],
    ]) {
      const res = await report(query!);
      expect(res.status, query).toBe(400);
      expect(
        res.body.errors.map((e: { field: string }) => e.field),
        query,
      ).toContain(field);
    }
    expect((await report('days=7', stack.keys.agent)).status).toBe(403);
  });
});

describe('suggestMode', () => {
  const evidence = (tickets: number, reopened: number, csatMean: number | null = null, rated = 0) => ({
    tickets,
    reopenRate: wilson(reopened, tickets),
    csatMean,
    rated,
  });
  it.each([
    ['low', 'repeatable', evidence(200, 4, 4.5, 40), 'ai_auto'],
    ['low', 'repeatable', evidence(200, 20, 4.5, 40), 'ai_review'], // up to ~15 % reopens: review
    ['low', 'repeatable', evidence(200, 2, 3.6, 40), 'ai_review'], // CSAT under 4: review
    ['low', 'repeatable', evidence(200, 2, 3.6, 5), 'ai_auto'], // 5 ratings are not evidence yet
    ['medium', 'semi', evidence(200, 10, null), 'ai_review'],
    ['medium', 'semi', evidence(200, 80, null), 'human'], // at least ~33 % reopens
    ['low', 'semi', evidence(200, 2, 2.5, 30), 'human'], // CSAT under 3
    ['high', 'unique', evidence(200, 0, 5, 50), 'human'], // never climbs out of where it sits
    ['low', 'repeatable', evidence(29, 0, 5, 20), null],
  ] as const)('%s/%s with %o → %s', (c, r, e, mode) => {
    expect(suggestMode(c, r, e).mode).toBe(mode);
  });
});

describe('on the demo history', () => {
  it('has numbers in every quadrant the demo history fills, and a suggestion where there are enough tickets', async () => {
    // Its own database: the demo history's ids are fixed, so it stays out of the shared one.
    const database = openDatabase({ pgliteDir: 'memory://' });
    try {
      await database.migrate();
      const now = new Date('2024-06-01T00:00:00Z');
      await generateDemoHistory(database.db, { tickets: 1000, days: 90, now });
      const rows = taxonomyMatrix(
        await taxonomyAggregates(database.db, { from: new Date(now.getTime() - 90 * 86_400_000), to: now }),
        defaultPolicy,
      );
      expect(rows.reduce((s, r) => s + r.tickets, 0)).toBe(1000);
      const busy = rows.filter((r) => r.tickets >= 30);
      expect(busy.length).toBeGreaterThan(3);
      for (const r of busy) {
        expect(r.medianHandleMinutes).toBeGreaterThan(0);
        expect(r.suggestedMode).not.toBeNull();
        expect(r.topCategories.length).toBeGreaterThan(0);
      }
    } finally {
      await database.close();
    }
  });
});
