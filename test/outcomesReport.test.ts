import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tickets } from '../src/db/schema';
import { demoCustomers } from '../src/db/seed';
import { compareModes } from '../src/domain/routingAdvice';
import { noCounts } from '../src/domain/outcomeRows';
import { percentile } from '../src/domain/stats';
import { startOfLocalDay } from '../src/domain/weeks';
import { startTestStack, uniqueId, type TestStack } from './support/harness';
import { call } from './support/http';
import { everyQuadrant, testPolicy, waitForTicket } from './support/tickets';
import { waitFor } from './support/waitFor';

// The outcomes report on the real stack: read-model rows written straight into Postgres in a
// window of their own (so the figures are exactly known), and real tickets run through the
// workflow end to end, whose balance columns come from the lifecycle itself.

let stack: TestStack<'service' | 'ana' | 'lead' | 'admin'>;

beforeAll(async () => {
  stack = await startTestStack({
    policy: testPolicy({ quadrants: everyQuadrant('ai_auto') }),
    policies: {},
    keys: { service: 'service', ana: 'agent', lead: 'lead', admin: 'admin' },
  });
});
afterAll(async () => stack?.close());

const MINUTE = 60_000;
// A window in the past no other test writes to.
const windowStart = Date.UTC(2003, 2, 3);
const windowEnd = windowStart + 30 * 86_400_000;
const q = (params: Record<string, string>) => `/v1/reports/outcomes?${new URLSearchParams(params).toString()}`;
const inWindow = { from: new Date(windowStart).toISOString(), to: new Date(windowEnd).toISOString() };

interface Spec {
  category: 'how_to' | 'billing' | 'technical' | 'account';
  tier: 'free' | 'pro' | 'enterprise';
  mode: 'ai_only' | 'ai_plus_human';
  count: number;
  /** How the i-th ticket of the group went. */
  outcome: (i: number) => { endedBy: 'resolved' | 'confirmed' | 'no_reply'; reopens?: number; followUps?: number };
}

const run = uniqueId('o');
async function seed(specs: Spec[]) {
  let n = 0;
  const rows = specs.flatMap((s) =>
    Array.from({ length: s.count }, (_, i) => {
      const created = windowStart + (n++ % 1000) * MINUTE;
      const o = s.outcome(i);
      const ttr = (i + 1) * MINUTE;
      const id = `${run}_${n}`;
      return {
        id,
        workflowId: `ticket-${id}`,
        channel: i % 2 === 0 ? ('chat' as const) : ('email' as const),
        subject: 'seeded',
        body: 'seeded',
        pageContext: i % 4 === 0 ? { pageUrl: 'https://app.example.com/billing' } : null,
        status: 'closed' as const,
        category: s.category,
        tier: s.tier,
        escalated: s.mode === 'ai_plus_human',
        resolutionMode: s.mode,
        firstResolutionMode: s.mode,
        endedBy: o.endedBy,
        reopens: o.reopens ?? 0,
        followUps: o.followUps ?? 0,
        firstResponseAt: new Date(created + 30_000),
        firstResolvedAt: new Date(created + ttr),
        csatScore: i % 3 === 0 ? 4 + (i % 2) : null,
        msAi: 5_000,
        msPerson: s.mode === 'ai_only' ? 0 : (i + 1) * 1_000,
        msCustomer: ttr - 40_000,
        createdAt: new Date(created),
      };
    }),
  );
  for (let i = 0; i < rows.length; i += 500) await stack.database.db.insert(tickets).values(rows.slice(i, i + 500));
  return rows;
}

const kept = () => ({ endedBy: 'confirmed' as const });
const tenPercent = (ok: (i: number) => boolean) => (i: number) =>
  ok(i) ? { endedBy: 'confirmed' as const, followUps: i % 10 === 0 ? 1 : 0 } : { endedBy: 'no_reply' as const };

describe('outcomes report', () => {
  let seeded: Awaited<ReturnType<typeof seed>>;
  beforeAll(async () => {
    seeded = await seed([
      // how_to, free: the AI alone as good as AI + human (90% each, 10% follow-ups), 10% of AI-only closed for want of a reply.
      { category: 'how_to', tier: 'free', mode: 'ai_only', count: 400, outcome: tenPercent((i) => i % 10 !== 9) },
      { category: 'how_to', tier: 'free', mode: 'ai_plus_human', count: 400, outcome: tenPercent((i) => i % 10 !== 9) },
      // billing, free: reviewed by default, and the AI alone does no worse.
      { category: 'billing', tier: 'free', mode: 'ai_only', count: 400, outcome: tenPercent((i) => i % 20 !== 19) },
      { category: 'billing', tier: 'free', mode: 'ai_plus_human', count: 400, outcome: tenPercent((i) => i % 10 !== 9) },
      // technical, pro: half of the AI's resolutions reopened or unanswered.
      {
        category: 'technical',
        tier: 'pro',
        mode: 'ai_only',
        count: 200,
        outcome: (i) => (i % 4 === 0 ? { endedBy: 'confirmed', reopens: 1, followUps: 1 } : i % 4 === 1 ? { endedBy: 'no_reply' } : kept()),
      },
      { category: 'technical', tier: 'pro', mode: 'ai_plus_human', count: 200, outcome: tenPercent((i) => i % 10 !== 9) },
      // account, enterprise: too few to read.
      { category: 'account', tier: 'enterprise', mode: 'ai_plus_human', count: 10, outcome: kept },
    ]);
  });

  it('counts each group × resolution mode with intervals, never counting no_reply as a resolution, and marks small groups', async () => {
    const res = await call(stack.url, 'GET', q(inWindow), { key: stack.keys.lead });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.groupBy).toEqual(['category', 'tier']);
    const row = (category: string, mode: string) =>
      res.body.rows.find((r: { category: string; mode: string }) => r.category === category && r.mode === mode);

    const howToAi = row('how_to', 'ai_only');
    expect(howToAi).toMatchObject({ tier: 'free', tickets: 400, smallSample: false });
    // 40 closed for want of a reply: not resolutions.
    expect(howToAi.resolution).toMatchObject({ count: 360, of: 400, rate: 0.9 });
    expect(howToAi.resolution.low).toBeLessThan(0.9);
    expect(howToAi.resolution.high).toBeGreaterThan(0.9);
    expect(howToAi.followUp).toMatchObject({ count: 40, of: 400 });
    expect(howToAi.escalation).toMatchObject({ count: 0, of: 400 });

    const tech = row('technical', 'ai_only');
    expect(tech.resolution).toMatchObject({ count: 100, of: 200 });
    expect(tech.reopen).toMatchObject({ count: 50, of: 200 });

    // CSAT: every third ticket answered, scores 4 and 5 alternating.
    const csatScores = seeded.filter((r) => r.category === 'how_to' && r.firstResolutionMode === 'ai_only' && r.csatScore !== null);
    expect(howToAi.csat.response).toMatchObject({ count: csatScores.length, of: 400 });
    const mean = csatScores.reduce((a, r) => a + r.csatScore!, 0) / csatScores.length;
    expect(howToAi.csat.mean).toBeCloseTo(mean, 3);
    expect(howToAi.csat.low).toBeLessThan(mean);
    expect(howToAi.csat.high).toBeGreaterThan(mean);

    // Medians and p90s as the shared percentile function computes them over the same tickets,
    // within the rollup histogram's bucket (a third of an octave, README "Reports").
    const withinBucket = (actual: number, exact: number) => {
      expect(actual).toBeGreaterThanOrEqual(exact / 2 ** (1 / 3));
      expect(actual).toBeLessThanOrEqual(exact * 2 ** (1 / 3));
    };
    const ttrs = Array.from({ length: 400 }, (_, i) => (i + 1) * MINUTE);
    withinBucket(howToAi.timeToResolution.p50Ms, percentile(ttrs, 50)!);
    withinBucket(howToAi.timeToResolution.p90Ms, percentile(ttrs, 90)!);
    const handles = Array.from({ length: 400 }, (_, i) => 5_000 + (i + 1) * 1_000);
    withinBucket(row('how_to', 'ai_plus_human').handleTime.p50Ms, percentile(handles, 50)!);

    expect(row('account', 'ai_plus_human')).toMatchObject({ tier: 'enterprise', tickets: 10, smallSample: true });
    const big = await call(stack.url, 'GET', q({ ...inWindow, minSample: '500' }), { key: stack.keys.lead });
    expect(big.body.rows.every((r: { smallSample: boolean }) => r.smallSample)).toBe(true);
  });

  it('groups by channel and page context, and answers CSV', async () => {
    const res = await call(stack.url, 'GET', q({ ...inWindow, groupBy: 'channel,pageContext' }), { key: stack.keys.lead });
    expect(res.status).toBe(200);
    const withPage = res.body.rows.filter((r: { pageContext: string }) => r.pageContext === 'with');
    const total = (rs: { tickets: number }[]) => rs.reduce((a, r) => a + r.tickets, 0);
    expect(total(withPage)).toBe(seeded.filter((r) => r.pageContext !== null).length);
    expect(total(res.body.rows)).toBe(seeded.length);
    expect(res.body.rows.every((r: { category?: string }) => r.category === undefined)).toBe(true);

    const csv = await call(stack.url, 'GET', q({ ...inWindow, groupBy: 'channel,pageContext' }), {
      key: stack.keys.lead,
      headers: { accept: 'text/csv' },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (csv.body as string).trim().split('\n');
    expect(lines[0]).toContain('resolution.rate');
    expect(lines[0]).toContain('timeToResolution.p90Ms');
    expect(lines).toHaveLength(res.body.rows.length + 1);
  });

  it('advises per category × tier and proposes a policy version that PUT /v1/policy stores without activating', async () => {
    const res = await call(stack.url, 'GET', q(inWindow), { key: stack.keys.lead });
    const { advice } = res.body;
    const verdict = (category: string, tier: string) =>
      advice.comparisons.categoryTier.find((c: { category: string; tier: string }) => c.category === category && c.tier === tier)?.verdict;
    expect(verdict('how_to', 'free')).toBe('ai_not_worse');
    expect(verdict('billing', 'free')).toBe('ai_not_worse');
    expect(verdict('technical', 'pro')).toBe('ai_worse');
    expect(verdict('account', 'enterprise')).toBe('too_small');

    const before = await call(stack.url, 'GET', '/v1/policy', { key: stack.keys.admin });
    expect(advice.basedOnVersion).toBe(before.body.version);
    const paths = advice.changes.map((c: { path: string; from: unknown; to: unknown }) => [c.path, c.from, c.to]);
    // billing leaves review when the active policy reviews it; technical joins; pro tickets get a review.
    if (before.body.document.reviewCategories.includes('billing')) expect(paths).toContainEqual(['reviewCategories', 'billing', null]);
    expect(paths).toContainEqual(['reviewCategories', null, 'technical']);
    expect(paths).toContainEqual(['segments.pro.minimumMode', null, 'ai_review']);
    for (const change of advice.changes) expect(change.evidence.length).toBeGreaterThan(0);
    const proposed = advice.proposedPolicy;
    expect(proposed.reviewCategories).toContain('technical');
    expect(proposed.reviewCategories).not.toContain('billing');
    expect(proposed.segments.pro).toEqual({ minimumMode: 'ai_review' });

    const put = await call(stack.url, 'PUT', '/v1/policy?activate=false', { key: stack.keys.admin, body: proposed });
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    expect(put.body).toMatchObject({ version: proposed.version, active: false });
    const still = await call(stack.url, 'GET', '/v1/policy', { key: stack.keys.admin });
    expect(still.body.version).not.toBe(proposed.version);

    const activated = await call(stack.url, 'POST', `/v1/policy/versions/${encodeURIComponent(proposed.version)}/activate`, {
      key: stack.keys.admin,
    });
    expect(activated.status, JSON.stringify(activated.body)).toBe(200);
    expect((await call(stack.url, 'GET', '/v1/policy', { key: stack.keys.admin })).body.version).toBe(proposed.version);
    // Put the previous policy back (as a new version) for whatever runs next on this database.
    const restore = await call(stack.url, 'PUT', '/v1/policy', {
      key: stack.keys.admin,
      body: { ...before.body.document, version: `${before.body.version}-restored-${run}` },
    });
    expect(restore.status, JSON.stringify(restore.body)).toBe(201);
  });

  it('reads date-only bounds as midnight in the time zone', async () => {
    const day = { from: '2003-03-03', to: '2003-03-04' };
    const total = (body: { rows: { tickets: number }[] }) => body.rows.reduce((a, r) => a + r.tickets, 0);
    const utc = await call(stack.url, 'GET', q(day), { key: stack.keys.lead });
    expect(utc.body.window).toMatchObject({ from: '2003-03-03T00:00:00.000Z', to: '2003-03-04T00:00:00.000Z', timezone: 'UTC' });
    expect(total(utc.body)).toBe(seeded.length);
    // Tokyo's 3 March ends at 15:00 UTC: the tickets created after it fall outside.
    const tokyo = await call(stack.url, 'GET', q({ ...day, timezone: 'Asia/Tokyo' }), { key: stack.keys.lead });
    expect(tokyo.body.window).toMatchObject({ from: '2003-03-02T15:00:00.000Z', to: '2003-03-03T15:00:00.000Z' });
    expect(total(tokyo.body)).toBe(seeded.filter((r) => r.createdAt.getTime() < Date.UTC(2003, 2, 3, 15)).length);
    expect(total(tokyo.body)).toBeLessThan(seeded.length);
    expect(startOfLocalDay('2026-03-29', 'Europe/Paris').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(startOfLocalDay('2026-11-01', 'America/Los_Angeles').toISOString()).toBe('2026-11-01T07:00:00.000Z');
  });

  it('refuses bad input with a 400 naming the parameter, and keys other than lead and admin', async () => {
    const field = async (params: Record<string, string>) => {
      const res = await call(stack.url, 'GET', q(params), { key: stack.keys.lead });
      expect(res.status).toBe(400);
      return res.body.errors.map((e: { field: string }) => e.field);
    };
    expect(await field({ from: '2026-02-01', to: '2026-01-01' })).toContain('query.from');
    expect(await field({ from: '2024-01-01', to: '2026-01-01' })).toContain('query.to');
    expect(await field({ groupBy: 'category,weather' })).toContain('query.groupBy');
    expect(await field({ minSample: '0' })).toContain('query.minSample');
    expect(await field({ timezone: 'Mars/Olympus' })).toContain('query.timezone');
    expect((await call(stack.url, 'GET', q({}), { key: stack.keys.ana })).status).toBe(403);
    expect((await call(stack.url, 'GET', q({}), { key: stack.keys.admin })).status).toBe(200);
  });
});

describe('comparing AI-only with AI + human', () => {
  const counts = (tickets: number, resolvedKept: number, followedUp = 0) => ({
    ...noCounts(),
    tickets,
    resolvedKept,
    responded: tickets,
    followedUp,
  });
  it.each([
    ['ai_worse', counts(200, 100), counts(200, 180)],
    ['ai_worse', counts(400, 360, 120), counts(400, 360, 40)],
    ['ai_not_worse', counts(400, 370), counts(400, 360)],
    ['inconclusive', counts(60, 50), counts(60, 54)],
    ['too_small', counts(29, 29), counts(400, 360)],
  ] as const)('%s', (verdict, ai, human) => {
    expect(compareModes(ai, human, 30).verdict).toBe(verdict);
  });
});

describe('a real ticket through the workflow', () => {
  const say = (id: string, body: string) =>
    call(stack.url, 'POST', `/v1/tickets/${id}/messages`, { key: stack.keys.service, body: { body, messageId: uniqueId('m') } });
  const readModel = async (id: string) => (await stack.database.db.select().from(tickets).where(eq(tickets.id, id)))[0]!;

  it('records the outcome columns from the lifecycle, keeps the first resolution across a reopen, and the report counts it', async () => {
    const created = await call(stack.url, 'POST', '/v1/tickets', {
      key: stack.keys.service,
      body: {
        customer: { id: demoCustomers.freeTier },
        channel: 'chat',
        subject: 'How do I reset my password?',
        body: 'Hi, how do I reset my password? I forgot it.',
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.ticketId as string;
    await waitForTicket(stack.url, stack.keys.ana, id, (s) => s.status === 'awaiting_customer' && s.aiTurns === 1);
    // A follow-up: the customer writes again after the first answer, and not to thank.
    await say(id, "That didn't work, the reset email never arrives.");
    await waitForTicket(stack.url, stack.keys.ana, id, (s) => s.status === 'awaiting_customer' && s.aiTurns === 2);
    await say(id, 'Found it, thank you!');
    await waitForTicket(stack.url, stack.keys.ana, id, (s) => s.status === 'resolved');
    const first = await waitFor(
      () => readModel(id),
      (r) => r.firstResolutionMode !== null,
      { describe: 'the first resolution in the read model' },
    );
    expect(first).toMatchObject({ firstResolutionMode: 'ai_only', endedBy: 'confirmed', reopens: 0, followUps: 1, humanTouched: false });
    expect(first.firstResponseAt!.getTime()).toBeGreaterThanOrEqual(first.createdAt.getTime());
    expect(first.msAi).toBeGreaterThan(0);
    expect(first.msCustomer).toBeGreaterThan(0);
    expect(first.msPerson).toBe(0);

    // Reopened inside the window, then a person resolves it: the first resolution's mode survives.
    await say(id, 'Actually the reset link has expired again, it still does not work.');
    await waitForTicket(stack.url, stack.keys.ana, id, (s) => s.followUps === 1 && s.status === 'awaiting_customer');
    expect((await call(stack.url, 'POST', `/v1/tickets/${id}/actions/takeover`, { key: stack.keys.ana, body: {} })).status).toBeLessThan(
      300,
    );
    await waitForTicket(stack.url, stack.keys.ana, id, (s) => s.status === 'human_handling');
    expect((await call(stack.url, 'POST', `/v1/tickets/${id}/actions/resolve`, { key: stack.keys.ana, body: {} })).status).toBeLessThan(
      300,
    );
    const after = await waitFor(
      () => readModel(id),
      (r) => r.status === 'resolved' && r.resolutionMode === 'ai_plus_human',
      { describe: 'resolved again by a person' },
    );
    expect(after).toMatchObject({ firstResolutionMode: 'ai_only', endedBy: 'confirmed', reopens: 1, followUps: 2, humanTouched: true });
    expect(after.msPerson).toBeGreaterThan(0);
    expect((await call(stack.url, 'POST', `/v1/tickets/${id}/csat`, { key: stack.keys.service, body: { score: 4 } })).status).toBeLessThan(
      300,
    );
    await waitFor(
      () => readModel(id),
      (r) => r.csatScore === 4,
      { describe: 'the CSAT score in the read model' },
    );

    // An enterprise ticket waits for review (the segment's minimum), a person approves: time in review, AI + human.
    const reviewed = await call(stack.url, 'POST', '/v1/tickets', {
      key: stack.keys.service,
      body: {
        customer: { id: demoCustomers.enterprise },
        channel: 'chat',
        subject: 'How do I reset my password?',
        body: 'Hi, how do I reset my password? I forgot it.',
      },
    });
    const rid = reviewed.body.ticketId as string;
    await waitForTicket(stack.url, stack.keys.ana, rid, (s) => s.status === 'awaiting_review');
    await waitFor(
      () => readModel(rid),
      (r) => r.status === 'awaiting_review',
      { describe: 'awaiting review in the read model' },
    );
    expect((await call(stack.url, 'POST', `/v1/tickets/${rid}/actions/approve`, { key: stack.keys.ana, body: {} })).status).toBeLessThan(
      300,
    );
    await say(rid, 'Found it, thank you!');
    const approved = await waitFor(
      () => readModel(rid),
      (r) => r.firstResolutionMode !== null,
      { describe: 'the reviewed ticket resolved' },
    );
    expect(approved).toMatchObject({ firstResolutionMode: 'ai_plus_human', endedBy: 'confirmed', followUps: 0, humanTouched: true });
    expect(approved.msReview).toBeGreaterThan(0);

    // A window of this ticket's millisecond alone.
    const at = after.createdAt.getTime();
    const res = await call(stack.url, 'GET', q({ from: new Date(at).toISOString(), to: new Date(at + 1).toISOString() }), {
      key: stack.keys.lead,
    });
    expect(res.status).toBe(200);
    const mine = res.body.rows.filter((r: { category: string }) => r.category === after.category);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      tier: 'free',
      mode: 'ai_only',
      tickets: 1,
      smallSample: true,
      resolution: { count: 0, of: 1 },
      reopen: { count: 1, of: 1 },
      followUp: { count: 1, of: 1 },
      csat: { count: 1, mean: 4 },
    });
  });
});
