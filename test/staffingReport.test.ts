import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capacityMonthCounts } from '../src/db/aiCapacity';
import { openDatabase } from '../src/db/client';
import { generateDemoHistory } from '../src/db/demoHistory';
import { importedTickets, tickets } from '../src/db/schema';
import { staffingCells } from '../src/db/staffingReport';
import { agentsForServiceLevel, agentsForWorkload, scheduledAgents } from '../src/domain/erlangC';
import { aiResolvedShares, hourOfWeek, hoursOfWeekIn, staffingHours, staffingTotals } from '../src/domain/staffing';
import { startTestStack, type TestStack } from './support/harness';
import { call } from './support/http';

// The staffing model over the real stack: read-model rows with known arrivals, AI outcomes and
// person time, in a window of 2011 no other test writes to, so every figure is known in advance.

let stack: TestStack<'lead' | 'admin' | 'ana'>;
const run = randomUUID().slice(0, 8);
const FROM = '2011-03-07T00:00:00Z'; // a Monday
const TO = '2011-03-21T00:00:00Z'; // two weeks later
const MINUTE = 60_000;

type TicketRow = typeof tickets.$inferInsert;
let n = 0;
function ticket(at: string, fields: Partial<TicketRow>): TicketRow {
  const id = `stf_${run}_${++n}`;
  return {
    id,
    workflowId: `ticket-${id}`,
    channel: 'chat',
    subject: 'Staffing',
    body: 'Seeded.',
    status: 'closed',
    createdAt: new Date(at),
    ...fields,
  };
}

beforeAll(async () => {
  stack = await startTestStack({ keys: { lead: 'lead', admin: 'admin', ana: 'agent' } });
  // Each week, on Monday 09:00–10:00 UTC:
  //  chat, how_to: 18 resolved by the AI alone (confirmed), 2 the AI closed for want of a reply,
  //    10 a person resolved after 12 minutes with them;
  //  email, billing: 2 resolved by the AI alone, 8 a person resolved after 30 minutes;
  //  imported from another helpdesk: 10 "Chat" how_to tickets (handled by people).
  const rows: TicketRow[] = [];
  const imported: (typeof importedTickets.$inferInsert)[] = [];
  for (const day of ['2011-03-07', '2011-03-14']) {
    const at = (minute: number) => `${day}T09:${String(minute).padStart(2, '0')}:00Z`;
    const aiAlone = { firstResolutionMode: 'ai_only' as const, endedBy: 'confirmed' as const };
    for (let i = 0; i < 18; i++) rows.push(ticket(at(i), { category: 'how_to', ...aiAlone }));
    for (let i = 0; i < 2; i++) rows.push(ticket(at(20 + i), { category: 'how_to', firstResolutionMode: 'ai_only', endedBy: 'no_reply' }));
    for (let i = 0; i < 10; i++)
      rows.push(ticket(at(30 + i), { category: 'how_to', firstResolutionMode: 'human_only', endedBy: 'resolved', msPerson: 12 * MINUTE }));
    for (let i = 0; i < 2; i++) rows.push(ticket(at(40 + i), { channel: 'email', category: 'billing', ...aiAlone }));
    for (let i = 0; i < 8; i++)
      rows.push(
        ticket(at(45 + i), {
          channel: 'email',
          category: 'billing',
          firstResolutionMode: 'human_only',
          endedBy: 'resolved',
          msPerson: 30 * MINUTE,
        }),
      );
    for (let i = 0; i < 10; i++)
      imported.push({
        id: `imp_${run}_${day}_${i}`,
        importId: `import_${run}`,
        source: 'zendesk',
        externalId: `${run}-${day}-${i}`,
        createdAt: new Date(at(50 + i)),
        subject: 'Imported',
        description: 'Seeded.',
        channel: 'Chat',
        issueType: 'how_to',
        handleMinutes: 20,
      });
  }
  await stack.database.db.insert(tickets).values(rows);
  await stack.database.db.insert(importedTickets).values(imported);
});
afterAll(async () => stack?.close());

const report = (query: string, key = stack.keys.lead, headers: Record<string, string> = {}) =>
  call(stack.url, 'GET', `/v1/reports/staffing?from=${FROM}&to=${TO}&${query}`, { key, headers });

describe('hours of the week', () => {
  it('numbers Monday 00:00 as 0 in the time zone and counts each hour of a two-week window twice', () => {
    expect(hourOfWeek(new Date('2011-03-07T09:30:00Z'), 'UTC')).toBe(9);
    expect(hourOfWeek(new Date('2011-03-07T09:30:00Z'), 'Europe/Paris')).toBe(10);
    expect(hourOfWeek(new Date('2021-03-07T23:59:00Z'), 'UTC')).toBe(167);
    const counts = hoursOfWeekIn(new Date(FROM), new Date(TO), 'UTC');
    expect(counts).toHaveLength(168);
    expect(new Set(counts)).toEqual(new Set([2]));
  });

  it('counts hours across daylight saving changes as they happened, hour by hour', () => {
    for (const timeZone of ['America/New_York', 'Europe/Paris', 'Australia/Lord_Howe', 'Asia/Kolkata']) {
      const from = new Date('2025-01-01T00:17:00Z');
      const to = new Date('2026-01-20T05:00:00Z');
      const oneByOne = new Array<number>(168).fill(0);
      for (let t = Date.parse('2025-01-01T00:00:00Z'); t < to.getTime(); t += 3_600_000) oneByOne[hourOfWeek(new Date(t), timeZone)]!++;
      expect(hoursOfWeekIn(from, to, timeZone), timeZone).toEqual(oneByOne);
    }
    // New York's spring-forward Sunday has no 02:00; its autumn Sunday has two 01:00s.
    const march = hoursOfWeekIn(new Date('2025-03-03T05:00:00Z'), new Date('2025-03-10T04:00:00Z'), 'America/New_York');
    expect(march[6 * 24 + 2]).toBe(0);
    const november = hoursOfWeekIn(new Date('2025-10-27T04:00:00Z'), new Date('2025-11-03T05:00:00Z'), 'America/New_York');
    expect(november[6 * 24 + 1]).toBe(2);
  });
});

describe('GET /v1/reports/staffing', () => {
  it('measures arrivals per hour of the week, the AI share per category and handle time, and needs fewer agents with the AI', async () => {
    const res = await report('serviceLevel=0.8&targetMinutes=1&shrinkage=0.3&occupancyCap=0.85');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const body = res.body;
    expect(body.window).toMatchObject({ timezone: 'UTC', weeks: 2 });
    expect(body.arrivals).toEqual({ live: 80, imported: 20 });
    // Live tickets with a first resolution: 80; the AI alone: 36 how_to + 4 billing (no_reply never counts).
    expect(body.aiResolvedShare.source).toBe('measured');
    expect(body.aiResolvedShare.overall).toMatchObject({ count: 40, of: 80, rate: 0.5 });
    expect(body.aiResolvedShare.byCategory.how_to).toMatchObject({ count: 36, of: 60, rate: 0.6 });
    expect(body.aiResolvedShare.byCategory.billing).toMatchObject({ count: 4, of: 20, rate: 0.2 });
    expect(body.handleMinutes.live).toMatchObject({ minutes: 12, sample: 20 });
    expect(body.handleMinutes.async).toMatchObject({ minutes: 30, sample: 16 });
    expect(body.rows).toHaveLength(168);

    const monday9 = body.rows[9];
    expect(monday9).toMatchObject({ hourOfWeek: 9, label: 'Mon 09:00', arrivals: 50 });
    // Chat: 30 live + 10 imported an hour, 60% of them (how_to) left to the AI → 16 for people.
    expect(monday9.live).toMatchObject({ arrivals: 40, humanArrivals: 16, workloadWithoutAi: 8, workloadWithAi: 3.2 });
    const chat = (arrivals: number) =>
      scheduledAgents(
        agentsForServiceLevel({
          arrivals,
          intervalSeconds: 3600,
          ahtSeconds: 720,
          targetSeconds: 60,
          serviceLevel: 0.8,
          occupancyCap: 0.85,
        }).agents,
        0.3,
      );
    expect(monday9.live.agentsWithoutAi).toBe(chat(40));
    expect(monday9.live.agentsWithAi).toBe(chat(16));
    // Email: 10 an hour, 20% left to the AI → 8 for people, 30 minutes each.
    expect(monday9.async).toMatchObject({ arrivals: 10, humanArrivals: 8, workloadWithoutAi: 5, workloadWithAi: 4 });
    expect(monday9.async.agentsWithoutAi).toBe(agentsForWorkload(5, 0.85, 0.3));
    expect(monday9.async.agentsWithAi).toBe(agentsForWorkload(4, 0.85, 0.3));
    expect(monday9.agentsWithAi).toBeLessThan(monday9.agentsWithoutAi);
    expect(body.totals.agentHoursPerWeekWithAi).toBeLessThan(body.totals.agentHoursPerWeekWithoutAi);
    // An hour nobody wrote in needs nobody.
    expect(body.rows[10]).toMatchObject({ arrivals: 0, agentsWithoutAi: 0, agentsWithAi: 0 });
  });

  it('buckets by hour of the week in the given time zone', async () => {
    const res = await report('timezone=Europe/Paris');
    expect(res.status).toBe(200);
    expect(res.body.rows[9].arrivals).toBe(0);
    expect(res.body.rows[10]).toMatchObject({ label: 'Mon 10:00', arrivals: 50 });
  });

  it('aiDeflection replaces the measured share: more deflection, fewer agents; none, as many as without the AI', async () => {
    const measured = (await report('targetMinutes=1')).body.rows[9];
    const high = await report('targetMinutes=1&aiDeflection=0.9');
    expect(high.status).toBe(200);
    expect(high.body.aiResolvedShare).toMatchObject({ source: 'what-if', whatIf: 0.9 });
    expect(high.body.rows[9].aiResolvedShare).toBe(0.9);
    expect(high.body.rows[9].agentsWithAi).toBeLessThan(measured.agentsWithAi);
    const none = (await report('targetMinutes=1&aiDeflection=0')).body.rows[9];
    expect(none.agentsWithAi).toBe(none.agentsWithoutAi);
    expect(none.agentsWithAi).toBeGreaterThan(measured.agentsWithAi);
  });

  it('spreads email work over the reply window: a 4-hour target needs fewer agents at the peak than a 1-hour one', async () => {
    const hour = (await report('targetMinutes=60')).body.rows;
    const four = (await report('targetMinutes=240')).body.rows;
    expect(four[9].async.workloadWithoutAi).toBeCloseTo(5 / 4, 3);
    expect(four[12].async.workloadWithoutAi).toBeCloseTo(5 / 4, 3);
    expect(four[13].async.workloadWithoutAi).toBe(0);
    expect(four[9].async.agentsWithoutAi).toBeLessThan(hour[9].async.agentsWithoutAi);
  });

  it('answers CSV for Accept: text/csv, one line per hour of the week', async () => {
    const res = await report('', stack.keys.lead, { accept: 'text/csv' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (res.body as string).trim().split('\n');
    expect(lines).toHaveLength(169);
    const header = lines[0]!.split(',');
    expect(header).toEqual(expect.arrayContaining(['hourOfWeek', 'label', 'live.agentsWithAi', 'async.agentsWithoutAi', 'agentsWithAi']));
    const monday9 = lines[10]!.split(',');
    expect(monday9[header.indexOf('label')]).toBe('Mon 09:00');
    expect(monday9[header.indexOf('arrivals')]).toBe('50');
  });

  it.each([
    ['serviceLevel=1', 'query.serviceLevel'],
    ['serviceLevel=0', 'query.serviceLevel'],
    ['serviceLevel=high', 'query.serviceLevel'],
    ['shrinkage=-0.1', 'query.shrinkage'],
    ['targetMinutes=-5', 'query.targetMinutes'],
    ['occupancyCap=0', 'query.occupancyCap'],
    ['aiDeflection=1.5', 'query.aiDeflection'],
    ['timezone=Mars/Base', 'query.timezone'],
    ['groupBy=agent', 'query.groupBy'],
    ['foo=1', 'query.foo'],
  ])('refuses %s with a 400 naming %s', async (query, field) => {
    const res = await report(query);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('refuses a window that runs backwards or is longer than 400 days', async () => {
    const backwards = await call(stack.url, 'GET', `/v1/reports/staffing?from=${TO}&to=${FROM}`, { key: stack.keys.lead });
    expect(backwards.status).toBe(400);
    expect(backwards.body.errors[0].field).toBe('query.from');
    const long = await call(stack.url, 'GET', '/v1/reports/staffing?from=2010-01-01&to=2011-03-07', { key: stack.keys.lead });
    expect(long.status).toBe(400);
    expect(long.body.errors[0].field).toBe('query.to');
  });

  it('is for leads and admins: an agent gets 403', async () => {
    expect((await report('', stack.keys.admin)).status).toBe(200);
    expect((await report('', stack.keys.ana)).status).toBe(403);
  });
});

describe('on the demo history `npm run dev` seeds', () => {
  it('has arrivals, an AI share and fewer agent-hours with the AI, and monthly AI capacity counts (in its own PGlite database)', async () => {
    // Its own embedded database, so the history's fixed ids never meet another test's rows; this
    // also runs both aggregates on the PGlite driver.
    const database = openDatabase({ pgliteDir: 'memory://' });
    try {
      await database.migrate();
      const now = new Date('2026-06-15T12:00:00Z');
      await generateDemoHistory(database.db, { tickets: 1500, days: 90, now });
      const from = new Date(now.getTime() - 56 * 86_400_000);
      const cells = await staffingCells(database.db, { from, to: now, timezone: 'UTC' });
      const hours = staffingHours(cells, hoursOfWeekIn(from, now, 'UTC'), {
        serviceLevel: 0.8,
        targetMinutes: 60,
        shrinkage: 0.3,
        occupancyCap: 0.85,
      });
      expect(hours.reduce((a, h) => a + h.arrivals, 0)).toBeGreaterThan(50);
      expect(aiResolvedShares(cells).overall.rate).toBeGreaterThan(0);
      const totals = staffingTotals(hours);
      expect(totals.agentHoursPerWeekWithAi).toBeGreaterThan(0);
      expect(totals.agentHoursPerWeekWithAi!).toBeLessThanOrEqual(totals.agentHoursPerWeekWithoutAi!);
      const months = await capacityMonthCounts(database.db, { from, to: now, timezone: 'UTC' });
      expect(months.reduce((a, m) => a + m.aiResolved, 0)).toBeGreaterThan(0);
      expect(months.reduce((a, m) => a + m.humanHandled, 0)).toBeGreaterThan(0);
    } finally {
      await database.close();
    }
  });
});
