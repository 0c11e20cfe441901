import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aiDrafts, aiFeedback, overrides, reviewItems, reviewVerdicts, tickets } from '../src/db/schema';
import { demoCustomers } from '../src/db/seed';
import { clearlyBelow, trendLine, wilson } from '../src/domain/stats';
import { isoWeek } from '../src/domain/weeks';
import { startTestStack, type TestStack } from './support/harness';
import { call } from './support/http';
import { everyQuadrant, testPolicy, waitForTicket } from './support/tickets';
import { waitFor } from './support/waitFor';

// The leads' reports on what people make of the AI, over real HTTP against the real read model:
// live tickets an agent reclassified, approved, edited and rated; and a fixed history in March 2021
// (rows as the workflow's activities and the review endpoints write them) whose every figure is
// known. Untouched tickets are "not reviewed", never correct.

let stack: TestStack<'service' | 'ana' | 'lead' | 'admin'>;

beforeAll(async () => {
  stack = await startTestStack({
    policy: testPolicy({ quadrants: everyQuadrant('ai_review') }),
    keys: { service: 'service', ana: 'agent', lead: 'lead', admin: 'admin' },
  });
  await seedFixture();
});
afterAll(async () => stack?.close());

const report = (path: string, key = stack.keys.lead, headers: Record<string, string> = {}) =>
  call(stack.url, 'GET', path, { key, headers });
const share = (count: number, of: number) => wilson(count, of);

// ---- The fixture: March 2021, UTC -----------------------------------------------------------

const at = (iso: string) => new Date(`${iso}Z`);
const W = '?from=2021-03-01T00:00:00Z&to=2021-03-29T00:00:00Z';

async function seedFixture() {
  const { db } = stack.database;
  const ticket = (id: string, ai: string | null, final: string, touched: boolean, created: string) => ({
    id,
    workflowId: `ticket-${id}`,
    channel: 'chat' as const,
    subject: 'fixture',
    body: 'fixture',
    status: 'closed' as const,
    category: final as 'billing',
    aiCategory: ai as 'billing' | null,
    complexity: 'low' as const,
    aiComplexity: ai ? ('low' as const) : null,
    humanTouched: touched,
    createdAt: at(created),
  });
  // Triage: A kept, B and E overridden, C and D untouched, F without an AI call.
  await db
    .insert(tickets)
    .values([
      ticket('fx-a', 'billing', 'billing', true, '2021-03-02T09:00:00'),
      ticket('fx-b', 'billing', 'technical', true, '2021-03-02T10:00:00'),
      ticket('fx-c', 'billing', 'billing', false, '2021-03-03T09:00:00'),
      ticket('fx-d', 'technical', 'technical', false, '2021-03-09T09:00:00'),
      ticket('fx-e', 'technical', 'billing', true, '2021-03-10T09:00:00'),
      ticket('fx-f', null, 'billing', true, '2021-03-10T10:00:00'),
    ]);
  const override = (ticketId: string, ai: string, after: string) => ({
    ticketId,
    seq: 1,
    field: 'issueType' as const,
    aiValue: ai,
    before: ai,
    after,
    actor: 'fx-ana',
    at: at('2021-03-11T09:00:00'),
  });
  await db.insert(overrides).values([override('fx-b', 'billing', 'technical'), override('fx-e', 'technical', 'billing')]);

  // Drafts, all how_to: d1–d4 in 2021-W02, d5–d6 in W07, d7 in W09, d8–d11 in W10, d12–d14 in W11.
  const draft = (n: number, outcome: 'sent' | 'approved' | 'modified' | 'discarded', created: string) => ({
    id: `fx-d${n}`,
    ticketId: `fx-t${n}`,
    turn: 1,
    body: 'draft',
    confidence: 0.9,
    promptVersion: 'fixture',
    provider: 'fixture',
    outcome,
    category: 'how_to' as const,
    createdAt: at(created),
  });
  await db
    .insert(aiDrafts)
    .values([
      draft(1, 'approved', '2021-01-11T09:00:00'),
      draft(2, 'modified', '2021-01-11T09:00:00'),
      draft(3, 'modified', '2021-01-11T09:00:00'),
      draft(4, 'modified', '2021-01-11T09:00:00'),
      draft(5, 'modified', '2021-02-15T09:00:00'),
      draft(6, 'modified', '2021-02-16T09:00:00'),
      draft(7, 'modified', '2021-03-02T08:00:00'),
      draft(8, 'approved', '2021-03-08T09:00:00'),
      draft(9, 'approved', '2021-03-08T09:00:00'),
      draft(10, 'approved', '2021-03-08T09:00:00'),
      draft(11, 'modified', '2021-03-09T09:00:00'),
      draft(12, 'sent', '2021-03-15T09:00:00'),
      draft(13, 'approved', '2021-03-15T09:00:00'),
      draft(14, 'discarded', '2021-03-16T09:00:00'),
    ]);
  type Fb = typeof aiFeedback.$inferInsert;
  const fb = (id: string, n: number, agent: string, created: string, rest: Partial<Fb>): Fb => ({
    id,
    ticketId: `fx-t${n}`,
    draftId: `fx-d${n}`,
    agent,
    source: 'explicit',
    category: 'how_to',
    createdAt: at(created),
    ...rest,
  });
  await db.insert(aiFeedback).values([
    // ana's first correction in how_to: her edit of d7.
    fb('fx-f1', 7, 'fx-ana', '2021-03-02T10:00:00', { source: 'modify', correction: 'edited', editSize: 0.4 }),
    fb('fx-f2', 8, 'fx-ana', '2021-03-09T09:00:00', { rating: 'up', supersededAt: at('2021-03-09T10:00:00') }),
    fb('fx-f3', 8, 'fx-ana', '2021-03-09T10:00:00', {
      rating: 'down',
      reasons: ['wrong_answer', 'tone'],
      correction: 'It should say X.',
      flag: true,
    }),
    fb('fx-f4', 8, 'fx-bo', '2021-03-09T11:00:00', { rating: 'up' }),
    fb('fx-f5', 11, 'fx-bo', '2021-03-09T15:00:00', { source: 'modify', correction: 'edited', editSize: 0.5 }),
    fb('fx-f6', 14, 'fx-bo', '2021-03-16T10:00:00', { source: 'takeover', rating: 'down', reasons: ['unknown'] }),
  ]);
  const item = (id: string, n: number) => ({
    id,
    week: '2021-W10',
    draftId: `fx-d${n}`,
    ticketId: `fx-t${n}`,
    category: 'how_to' as const,
  });
  await db.insert(reviewItems).values([item('fx-r1', 8), item('fx-r2', 11), item('fx-r3', 7), item('fx-r4', 13)]);
  const verdict = (itemId: string, v: 'accept_correction' | 'dismiss', correctedBy: string | null, when: string) => ({
    itemId,
    verdict: v,
    correctedBy,
    by: 'fx-lead',
    at: at(when),
  });
  await db
    .insert(reviewVerdicts)
    .values([
      verdict('fx-r1', 'accept_correction', 'fx-ana', '2021-03-12T09:00:00'),
      verdict('fx-r2', 'dismiss', null, '2021-03-12T09:00:00'),
      verdict('fx-r3', 'accept_correction', 'fx-ana', '2021-04-10T09:00:00'),
      verdict('fx-r4', 'accept_correction', 'fx-carl', '2021-03-20T09:00:00'),
    ]);
}

describe('triage accuracy', () => {
  it('counts, per field, untouched tickets as not reviewed, overrides, the AI’s kept calls and the confusion matrix with Wilson intervals', async () => {
    const res = await report(`/v1/reports/triage${W}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const issueType = res.body.rows.find((r: { field: string }) => r.field === 'issueType');
    expect(issueType).toMatchObject({
      tickets: 5,
      reviewed: 3,
      notReviewed: share(2, 5),
      overridden: share(2, 5),
      overriddenOfReviewed: share(2, 3),
      aiKept: share(1, 3),
      smallSample: true,
    });
    expect(issueType.matrix).toEqual([
      {
        ai: 'billing',
        reviewed: 2,
        notReviewed: 1,
        final: [
          { value: 'billing', count: 1, share: share(1, 2) },
          { value: 'technical', count: 1, share: share(1, 2) },
        ],
      },
      { ai: 'technical', reviewed: 1, notReviewed: 1, final: [{ value: 'billing', count: 1, share: share(1, 1) }] },
    ]);
    // Untouched tickets never count as the AI being right: complexity is kept on all three reviewed.
    const complexity = res.body.rows.find((r: { field: string }) => r.field === 'complexity');
    expect(complexity).toMatchObject({ tickets: 5, reviewed: 3, aiKept: share(3, 3), notReviewed: share(2, 5), overridden: share(0, 5) });
    // Fields the fixture gave no AI call have no row.
    expect(res.body.rows.map((r: { field: string }) => r.field).sort()).toEqual(['complexity', 'issueType']);
  });

  it('groups by week and by final category', async () => {
    const res = await report(`/v1/reports/triage${W}&groupBy=week,category`);
    expect(res.status).toBe(200);
    const rows = res.body.rows.filter((r: { field: string }) => r.field === 'issueType');
    expect(rows.map((r: { week: string; category: string; tickets: number }) => [r.week, r.category, r.tickets])).toEqual([
      [isoWeek(at('2021-03-02T00:00:00')), 'billing', 2],
      [isoWeek(at('2021-03-02T00:00:00')), 'technical', 1],
      [isoWeek(at('2021-03-09T00:00:00')), 'billing', 1],
      [isoWeek(at('2021-03-09T00:00:00')), 'technical', 1],
    ]);
  });

  it('answers CSV, one line per row with dotted columns', async () => {
    const json = await report(`/v1/reports/triage${W}`);
    const csv = await report(`/v1/reports/triage${W}`, stack.keys.lead, { accept: 'text/csv' });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (csv.body as string).trim().split('\n');
    expect(lines).toHaveLength(json.body.rows.length + 1);
    const header = lines[0]!.split(',');
    expect(header).toEqual(
      expect.arrayContaining(['field', 'tickets', 'notReviewed.count', 'overridden.rate', 'aiKept.low', 'aiKept.high']),
    );
    const issueType = lines.find((l) => l.startsWith('issueType,'))!.split(',');
    expect(issueType[header.indexOf('notReviewed.count')]).toBe('2');
  });
});

describe('AI answer quality', () => {
  it('counts, per week and category, what became of the drafts, the mean edit size, takeovers and current feedback', async () => {
    const res = await report(`/v1/reports/ai-quality${W}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const week = (d: string) => isoWeek(at(`${d}T12:00:00`));
    const byWeek = Object.fromEntries(res.body.rows.map((r: { week: string }) => [r.week, r]));
    expect(Object.keys(byWeek)).toEqual([week('2021-03-02'), week('2021-03-08'), week('2021-03-15')]);
    expect(byWeek[week('2021-03-02')]).toMatchObject({
      category: 'how_to',
      sent: 1,
      modified: 1,
      approvalUnchanged: share(0, 1),
      meanEditSize: 0.4,
      thumbsUp: 0,
      corrections: 0,
    });
    expect(byWeek[week('2021-03-08')]).toMatchObject({
      sent: 4,
      autoSent: 0,
      approvedUnchanged: 3,
      modified: 1,
      takenOver: 0,
      approvalUnchanged: share(3, 4),
      meanEditSize: 0.5,
      // ana's earlier thumbs up was replaced by her thumbs down: only the current one counts.
      thumbsUp: 1,
      thumbsDown: 1,
      flags: 1,
      corrections: 1,
      reasons: expect.objectContaining({ wrong_answer: 1, tone: 1, incomplete: 0 }),
    });
    expect(byWeek[week('2021-03-15')]).toMatchObject({
      sent: 2,
      autoSent: 1,
      approvedUnchanged: 1,
      takenOver: 1,
      approvalUnchanged: share(1, 2),
      meanEditSize: null,
    });
  });

  it('draws the weekly approval-unchanged trend of the last 12 weeks per category, with its line', async () => {
    const res = await report(`/v1/reports/ai-quality${W}&groupBy=category`);
    expect(res.status).toBe(200);
    expect(res.body.rows).toHaveLength(1);
    expect(res.body.rows[0]).toMatchObject({ category: 'how_to', sent: 7, approvalUnchanged: share(4, 7) });
    const [trend] = res.body.trend;
    expect(trend.category).toBe('how_to');
    expect(trend.weeks.map((w: { week: string }) => w.week)).toEqual(
      Array.from({ length: 12 }, (_, i) => `2021-W${String(i + 1).padStart(2, '0')}`),
    );
    const expected: Record<string, [number, number]> = {
      '2021-W02': [1, 4],
      '2021-W07': [0, 2],
      '2021-W09': [0, 1],
      '2021-W10': [3, 4],
      '2021-W11': [1, 2],
    };
    for (const w of trend.weeks) expect(w.approvalUnchanged, w.week).toEqual(share(...(expected[w.week] ?? [0, 0])));
    const line = trendLine(trend.weeks.map((w: { approvalUnchanged: { rate: number | null } }) => w.approvalUnchanged.rate))!;
    expect(trend.line).toEqual({ slopePerWeek: line.slope, intercept: line.intercept });
    expect(trend.line.slopePerWeek).toBeGreaterThan(0);
  });

  it('buckets weeks in the time zone asked: in Honolulu, drafts written Monday 09:00 UTC fall on Sunday', async () => {
    const res = await report(`/v1/reports/ai-quality${W}&timezone=Pacific/Honolulu`);
    expect(res.status).toBe(200);
    const weeks = res.body.rows.map((r: { week: string; sent: number; takenOver: number }) => [r.week, r.sent, r.takenOver]);
    // d7–d10 in W09 (d8–d10: Sunday evening there), d11–d13 in W10, d14 in W11 (taken over, not sent).
    expect(weeks).toEqual([
      ['2021-W09', 4, 0],
      ['2021-W10', 3, 0],
      ['2021-W11', 0, 1],
    ]);
    expect(res.body.trend[0].weeks.at(-1).week).toBe('2021-W12');
  });

  it('answers CSV with the rows', async () => {
    const csv = await report(`/v1/reports/ai-quality${W}`, stack.keys.lead, { accept: 'text/csv' });
    expect(csv.status).toBe(200);
    const lines = (csv.body as string).trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain('approvalUnchanged.rate');
    expect(lines[0]).toContain('reasons.wrong_answer');
  });
});

describe('feedback contributors', () => {
  it('counts corrections given and accepted per agent, and the approval-unchanged rate before and after their first correction', async () => {
    const res = await report(`/v1/reports/feedback-contributors${W}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const byAgent = Object.fromEntries(res.body.rows.map((r: { agent: string }) => [r.agent, r]));
    expect(Object.keys(byAgent).sort()).toEqual(['fx-ana', 'fx-bo', 'fx-carl']);
    // ana: her edit of d7 (Mar 2, 10:00) splits time; before: d5, d6, d7 (all edited); after: d8–d14 but the auto-sent d12.
    const before = share(0, 3);
    const after = share(4, 6);
    expect(byAgent['fx-ana']).toEqual({
      agent: 'fx-ana',
      correctionsGiven: 2,
      explicitCorrections: 1,
      edits: 1,
      correctionsAccepted: 1,
      categories: ['how_to'],
      approvalUnchangedBefore: before,
      approvalUnchangedAfter: after,
      change: Math.round((after.rate! - before.rate!) * 10_000) / 10_000,
      direction: clearlyBelow(before, after) ? 'higher' : 'no clear change',
    });
    // bo: his edit of d11 (Mar 9, 15:00): before d5–d11, after d12–d14. The takeover is no correction.
    expect(byAgent['fx-bo']).toMatchObject({
      correctionsGiven: 1,
      edits: 1,
      correctionsAccepted: 0,
      approvalUnchangedBefore: share(3, 7),
      approvalUnchangedAfter: share(1, 2),
    });
    // carl's correction was accepted in the window though given before it: no categories to compare.
    expect(byAgent['fx-carl']).toMatchObject({ correctionsGiven: 0, correctionsAccepted: 1, change: null, direction: null });
  });

  it('splits by category with the first correction’s time, and reads a shorter span when asked', async () => {
    const res = await report(`/v1/reports/feedback-contributors${W}&groupBy=agent,category&weeks=1`);
    expect(res.status).toBe(200);
    const ana = res.body.rows.find((r: { agent: string }) => r.agent === 'fx-ana');
    // One week either side of Mar 2, 10:00: d7 before; d8–d11 after (approved 3 of 4).
    expect(ana).toMatchObject({
      category: 'how_to',
      firstCorrectionAt: '2021-03-02T10:00:00.000Z',
      approvalUnchangedBefore: share(0, 1),
      approvalUnchangedAfter: share(3, 4),
    });
    expect(res.body.window.weeks).toBe(1);
    const csv = await report(`/v1/reports/feedback-contributors${W}`, stack.keys.lead, { accept: 'text/csv' });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect((csv.body as string).trim().split('\n')).toHaveLength(4);
  });
});

describe('live tickets', () => {
  it('counts a ticket an agent reclassified and approved, one they edited and rated, and one nobody touched', async () => {
    const from = new Date().toISOString();
    const start = async (subject: string, body: string) => {
      const created = await call(stack.url, 'POST', '/v1/tickets', {
        key: stack.keys.service,
        body: { customer: { id: demoCustomers.freeTier }, channel: 'chat', subject, body },
      });
      return waitForTicket(stack.url, stack.keys.ana, created.body.ticketId, (s) => s.status === 'awaiting_review');
    };
    const [one, two, three] = await Promise.all([
      start('How do I reset my password?', 'Hi, how do I reset my password? I forgot it.'),
      start('Export to CSV', 'Where can I export all our contacts to a CSV file?'),
      start('Invite a teammate', 'How do I invite a colleague to our workspace?'),
    ]);
    const act = (id: string, action: string, body?: unknown) =>
      call(stack.url, 'POST', `/v1/tickets/${id}/actions/${action}`, { key: stack.keys.ana, body });
    const issueType = one.classification!.issueType === 'billing' ? 'account' : 'billing';
    expect((await act(one.ticketId, 'reclassify', { changes: { issueType } })).status).toBe(200);
    expect((await act(one.ticketId, 'approve')).status).toBe(200);
    expect((await act(two.ticketId, 'modify', { body: `${two.draft!.body}\n\nYou can also schedule a weekly export.` })).status).toBe(200);
    const rated = await call(stack.url, 'POST', `/v1/tickets/${two.ticketId}/feedback`, {
      key: stack.keys.ana,
      body: { draftId: two.draft!.id, rating: 'down', reasons: ['incomplete'], correction: 'Mention the weekly export.', flag: true },
    });
    expect(rated.status).toBe(201);
    await waitFor(
      async () => stack.database.db.select().from(aiFeedback).where(eq(aiFeedback.draftId, two.draft!.id)),
      (rows) => rows.length === 2,
      { describe: 'the edit and the rating' },
    );
    await waitFor(
      async () => (await stack.database.db.select().from(tickets).where(eq(tickets.id, one.ticketId)))[0],
      (t) => t?.category === issueType && t.humanTouched,
      { describe: 'the reclassified ticket in the read model' },
    );
    const to = new Date(Date.now() + 60_000).toISOString();
    const window = `?from=${from}&to=${to}`;

    const triage = await report(`/v1/reports/triage${window}`);
    expect(triage.status).toBe(200);
    const row = triage.body.rows.find((r: { field: string }) => r.field === 'issueType');
    expect(row).toMatchObject({ tickets: 3, reviewed: 2, notReviewed: share(1, 3), overridden: share(1, 3), aiKept: share(1, 2) });
    const aiRow = row.matrix.find((m: { ai: string }) => m.ai === one.classification!.issueType);
    expect(aiRow.final).toEqual(expect.arrayContaining([{ value: issueType, count: 1, share: expect.objectContaining({ count: 1 }) }]));
    const untouchedRow = row.matrix.find((m: { ai: string }) => m.ai === three.classification!.issueType);
    expect(untouchedRow.notReviewed).toBeGreaterThanOrEqual(1);

    const quality = await report(`/v1/reports/ai-quality${window}&groupBy=week`);
    expect(quality.status).toBe(200);
    const [edit] = (await stack.database.db.select().from(aiFeedback).where(eq(aiFeedback.draftId, two.draft!.id))).filter(
      (f) => f.source === 'modify',
    );
    // One row unless the test straddles midnight between Sunday and Monday: sum the weeks.
    type QualityRow = Record<'sent' | 'approvedUnchanged' | 'modified' | 'thumbsDown' | 'flags' | 'corrections', number>;
    const sum = (k: keyof QualityRow) => (quality.body.rows as QualityRow[]).reduce((a, r) => a + r[k], 0);
    expect([sum('sent'), sum('approvedUnchanged'), sum('modified'), sum('thumbsDown'), sum('flags'), sum('corrections')]).toEqual([
      2, 1, 1, 1, 1, 1,
    ]);
    const edited = quality.body.rows.find((r: { modified: number }) => r.modified === 1);
    expect(edited.meanEditSize).toBe(edit!.editSize);
    expect(edit!.editSize).toBeGreaterThan(0);
    expect(edited.reasons.incomplete).toBe(1);

    const contributors = await report(`/v1/reports/feedback-contributors${window}`);
    expect(contributors.status).toBe(200);
    expect(contributors.body.rows).toEqual([
      expect.objectContaining({ agent: stack.names.ana, correctionsGiven: 1, explicitCorrections: 1, edits: 1, correctionsAccepted: 0 }),
    ]);
  });
});

describe('refusals', () => {
  it('answers 400 naming the parameter: an unknown groupBy, from after to, a window over 400 days, a bad time zone or span', async () => {
    const cases: [string, string][] = [
      ['/v1/reports/triage?groupBy=hour', 'query.groupBy'],
      ['/v1/reports/ai-quality?groupBy=week,agent', 'query.groupBy'],
      ['/v1/reports/feedback-contributors?groupBy=week', 'query.groupBy'],
      ['/v1/reports/triage?from=2021-03-10&to=2021-03-01', 'query.from'],
      ['/v1/reports/ai-quality?from=2020-01-01&to=2021-03-01', 'query.to'],
      ['/v1/reports/feedback-contributors?from=2021-03-10T00:00:00Z&to=2021-03-01T00:00:00Z', 'query.from'],
      ['/v1/reports/triage?timezone=Mars/Olympus', 'query.timezone'],
      ['/v1/reports/feedback-contributors?weeks=13', 'query.weeks'],
      ['/v1/reports/ai-quality?category=billing', 'query.category'],
    ];
    for (const [path, field] of cases) {
      const res = await report(path);
      expect(res.status, path).toBe(400);
      expect(res.headers.get('content-type'), path).toMatch(/application\/problem\+json/);
      expect(
        res.body.errors.map((e: { field: string }) => e.field),
        path,
      ).toContain(field);
    }
  });

  it('is for leads and admins: agents and services get 403', async () => {
    for (const path of ['/v1/reports/triage', '/v1/reports/ai-quality', '/v1/reports/feedback-contributors']) {
      expect((await report(path, stack.keys.ana)).status, path).toBe(403);
      expect((await report(path, stack.keys.service)).status, path).toBe(403);
      expect((await report(path, stack.keys.admin)).status, path).toBe(200);
    }
  });
});
