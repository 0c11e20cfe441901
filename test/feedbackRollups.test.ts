import fc from 'fast-check';
import { and, eq, inArray, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/client';
import {
  draftCounts,
  draftCountsFromRows,
  feedbackCounts,
  feedbackCountsFromRows,
  reasonCounts,
  reasonCountsFromRows,
} from '../src/db/aiQualityReport';
import { correctionCounts, spanCounts, spanCountsFromRows } from '../src/db/contributorsReport';
import { recordFeedback } from '../src/db/feedbackWrites';
import { aiDrafts, aiFeedback, overrides, tickets } from '../src/db/schema';
import { triageCounts, triageCountsFromRows } from '../src/db/triageReport';
import { aiQualityRows, approvalTrend, trendSince, trendWeeks } from '../src/domain/aiQuality';
import { contributorRows } from '../src/domain/contributors';
import { overrideFields } from '../src/domain/outcomes';
import { triageRows } from '../src/domain/triageAccuracy';
import {
  complexities,
  feedbackReasons,
  handlingModes,
  issueTypes,
  priorityLevels,
  repeatabilities,
  urgencies,
} from '../src/domain/vocabulary';
import { openTestDatabase } from './support/harness';

// The feedback reports read hourly rollups kept by triggers (drizzle/0017_feedback_report_rollups.sql).
// After random sequences of writes (tickets created, reclassified, touched and deleted; overrides
// added and removed; drafts reviewed; feedback given, replaced, erased and deleted), the reports
// from the rollups equal the reports counted from the rows, for windows with ragged edges and in
// time zones with and without DST. Everything lives in June 2019, which no other file writes.

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => database?.close());

const BASE = Date.UTC(2019, 5, 3); // Monday 3 June 2019
const DAY = 86_400_000;
const MIN = 60_000;
const SPAN = 28 * DAY;

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 4 });
const minute = fc.integer({ min: -3 * 1440, max: SPAN / MIN + 3 * 1440 });
const triage = fc.record({
  category: maybe(pick(issueTypes)),
  aiCategory: maybe(pick(issueTypes)),
  complexity: maybe(pick(complexities)),
  aiComplexity: maybe(pick(complexities)),
  repeatability: maybe(pick(repeatabilities)),
  aiRepeatability: maybe(pick(repeatabilities)),
  urgency: maybe(pick(urgencies)),
  aiUrgency: maybe(pick(urgencies)),
  priorityLevel: maybe(pick(priorityLevels)),
  aiPriorityLevel: maybe(pick(priorityLevels)),
  mode: maybe(pick(handlingModes)),
  aiMode: maybe(pick(handlingModes)),
  humanTouched: fc.boolean(),
});
const outcome = pick(['pending', 'sent', 'approved', 'modified', 'discarded'] as const);
const ref = fc.nat(40);
const command = fc.oneof(
  fc.record({ kind: fc.constant('tickets' as const), rows: fc.array(fc.tuple(minute, triage), { minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('retriage' as const), ticket: ref, values: triage }),
  fc.record({
    kind: fc.constant('override' as const),
    ticket: ref,
    fields: fc.subarray([...overrideFields], { minLength: 1 }),
    later: fc.nat(600),
  }),
  fc.record({ kind: fc.constant('unoverride' as const), ticket: ref }),
  fc.record({ kind: fc.constant('deleteTicket' as const), ticket: ref }),
  fc.record({
    kind: fc.constant('drafts' as const),
    rows: fc.array(fc.tuple(minute, maybe(pick(issueTypes)), outcome), { minLength: 1, maxLength: 4 }),
  }),
  fc.record({ kind: fc.constant('review' as const), draft: ref, outcome }),
  fc.record({
    kind: fc.constant('feedback' as const),
    draft: ref,
    agent: pick(['ana', 'bo', 'cy']),
    source: pick(['explicit', 'explicit', 'modify', 'takeover'] as const),
    rating: maybe(pick(['up', 'down'] as const)),
    reasons: fc.subarray([...feedbackReasons], { maxLength: 3 }),
    corrected: fc.boolean(),
    flag: fc.boolean(),
    // Eighths add up exactly in floating point, so both sides' edit-size sums are the same number.
    editSize: fc.integer({ min: 0, max: 8 }).map((n) => n / 8),
    later: fc.nat(3000),
  }),
  fc.record({ kind: fc.constant('erase' as const), draft: ref }),
  fc.record({ kind: fc.constant('deleteFeedback' as const), draft: ref }),
  fc.record({ kind: fc.constant('deleteDraft' as const), draft: ref }),
);
type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

let serial = 0;
async function run(commands: Command[]) {
  const { db } = database;
  const made = { tickets: [] as { id: string; at: number }[], drafts: [] as { id: string; ticketId: string; at: number }[] };
  const ticketOf = (i: number) => made.tickets[i % Math.max(made.tickets.length, 1)];
  const draftOf = (i: number) => made.drafts[i % Math.max(made.drafts.length, 1)];
  for (const c of commands) {
    if (c.kind === 'tickets') {
      const rows = c.rows.map(([m, values]) => {
        const id = `rollup-t${++serial}`;
        made.tickets.push({ id, at: BASE + m * MIN });
        return {
          id,
          workflowId: `ticket-${id}`,
          channel: 'chat' as const,
          subject: 's',
          body: 'b',
          status: 'closed' as const,
          ...values,
          createdAt: new Date(BASE + m * MIN),
        };
      });
      await db.insert(tickets).values(rows);
    } else if (c.kind === 'retriage') {
      const t = ticketOf(c.ticket);
      if (t)
        await db
          .update(tickets)
          .set({ ...c.values, updatedAt: new Date() })
          .where(eq(tickets.id, t.id));
    } else if (c.kind === 'override') {
      const t = ticketOf(c.ticket);
      if (!t) continue;
      const seq = ++serial;
      const rows = c.fields.map((field) => ({
        ticketId: t.id,
        seq,
        field,
        aiValue: 'x',
        before: 'x',
        after: 'y',
        actor: 'ana',
        at: new Date(t.at + c.later * MIN),
      }));
      await db.insert(overrides).values(rows).onConflictDoNothing();
    } else if (c.kind === 'unoverride') {
      const t = ticketOf(c.ticket);
      if (t) await db.delete(overrides).where(eq(overrides.ticketId, t.id));
    } else if (c.kind === 'deleteTicket') {
      const t = ticketOf(c.ticket);
      if (t) await db.delete(tickets).where(eq(tickets.id, t.id));
    } else if (c.kind === 'drafts') {
      const rows = c.rows.map(([m, category, outcome]) => {
        const id = `rollup-d${++serial}`;
        const ticketId = ticketOf(serial)?.id ?? 'rollup-none';
        made.drafts.push({ id, ticketId, at: BASE + m * MIN });
        return {
          id,
          ticketId,
          turn: 1,
          body: 'draft',
          confidence: 0.5,
          promptVersion: 'v',
          provider: 'test',
          outcome,
          category,
          createdAt: new Date(BASE + m * MIN),
        };
      });
      await db.insert(aiDrafts).values(rows);
    } else if (c.kind === 'review') {
      const d = draftOf(c.draft);
      if (d) await db.update(aiDrafts).set({ outcome: c.outcome, finalBody: 'final' }).where(eq(aiDrafts.id, d.id));
    } else if (c.kind === 'feedback') {
      const d = draftOf(c.draft);
      if (!d) continue;
      await db.transaction((tx) =>
        recordFeedback(tx, {
          ticketId: d.ticketId,
          draftId: d.id,
          agent: c.agent,
          source: c.source,
          rating: c.source === 'explicit' ? c.rating : c.source === 'takeover' ? 'down' : null,
          reasons: c.source === 'explicit' ? c.reasons : [],
          ...(c.corrected && c.source !== 'takeover' ? { correction: 'better words' } : {}),
          flag: c.source === 'explicit' && c.flag,
          ...(c.source === 'modify' ? { editSize: c.editSize } : {}),
          at: d.at + c.later * MIN + (serial++ % 7),
        }),
      );
    } else if (c.kind === 'erase') {
      const d = draftOf(c.draft);
      if (d)
        await db
          .update(aiFeedback)
          .set({ correction: sql`case when ${aiFeedback.correction} is null then null else '[erased]' end` })
          .where(eq(aiFeedback.ticketId, d.ticketId));
    } else if (c.kind === 'deleteFeedback') {
      const d = draftOf(c.draft);
      if (d) await db.delete(aiFeedback).where(and(eq(aiFeedback.draftId, d.id), eq(aiFeedback.agent, 'ana')));
    } else {
      const d = draftOf(c.draft);
      if (d) await db.delete(aiDrafts).where(eq(aiDrafts.id, d.id));
    }
  }
}

async function clear() {
  const { db } = database;
  await db.delete(overrides).where(like(overrides.ticketId, 'rollup-%'));
  await db.delete(aiFeedback).where(like(aiFeedback.draftId, 'rollup-%'));
  await db.delete(aiDrafts).where(like(aiDrafts.id, 'rollup-%'));
  await db.delete(tickets).where(like(tickets.id, 'rollup-%'));
}

const windowOf = fc.record({
  start: fc.integer({ min: -2 * 1440, max: 7 * 1440 }),
  length: fc.oneof(fc.integer({ min: 1, max: 59 }), fc.integer({ min: 60, max: SPAN / MIN })),
  timezone: pick(['UTC', 'Europe/Paris', 'America/New_York', 'Pacific/Auckland']),
  // Windows on whole hours read no rows at their edges.
  onTheHour: fc.boolean(),
});
type WindowArb = typeof windowOf extends fc.Arbitrary<infer W> ? W : never;

async function expectSameReports(w: WindowArb) {
  const { db } = database;
  const HOUR = 60 * MIN;
  const from = w.onTheHour ? new Date(BASE + Math.round(w.start / 60) * HOUR) : new Date(BASE + w.start * MIN + (w.start % 3) * 1000);
  const to = w.onTheHour
    ? new Date(from.getTime() + Math.max(1, Math.round(w.length / 60)) * HOUR)
    : new Date(from.getTime() + w.length * MIN + 17_000);
  const { timezone } = w;
  for (const [byWeek, byCategory] of [
    [false, false],
    [true, true],
    [true, false],
  ] as const) {
    const q = { from, to, timezone, byWeek, byCategory };
    const groupBy = [...(byWeek ? ['week' as const] : []), ...(byCategory ? ['category' as const] : []), 'field' as const];
    const [rolled, raw] = await Promise.all([triageCounts(db, q), triageCountsFromRows(db, q)]);
    expect(triageRows(rolled, groupBy)).toEqual(triageRows(raw, groupBy));
    const weeks = trendWeeks(to, timezone);
    const since = new Date(Math.min(from.getTime(), trendSince(weeks).getTime()));
    const dq = { since, from, to, timezone };
    const [d1, f1, r1, d2, f2, r2] = await Promise.all([
      draftCounts(db, dq),
      feedbackCounts(db, q),
      reasonCounts(db, q),
      draftCountsFromRows(db, dq),
      feedbackCountsFromRows(db, q),
      reasonCountsFromRows(db, q),
    ]);
    const grouping = [...(byWeek ? ['week' as const] : []), ...(byCategory ? ['category' as const] : [])];
    expect(aiQualityRows(d1, f1, r1, grouping)).toEqual(aiQualityRows(d2, f2, r2, grouping));
    expect(approvalTrend(d1, weeks)).toEqual(approvalTrend(d2, weeks));
  }
  const given = await correctionCounts(db, { from, to });
  for (const weeks of [1, 4]) {
    const [s1, s2] = await Promise.all([spanCounts(db, { from, to, weeks }), spanCountsFromRows(db, { from, to, weeks })]);
    for (const groupBy of [['agent'], ['agent', 'category']] as const)
      expect(contributorRows(given, [], s1, groupBy)).toEqual(contributorRows(given, [], s2, groupBy));
  }
}

describe('feedback report rollups', () => {
  it('equal the counts from the rows after any sequence of writes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(command, { minLength: 5, maxLength: 40 }),
        fc.array(windowOf, { minLength: 1, maxLength: 3 }),
        async (commands, windows) => {
          await clear();
          await run(commands);
          for (const w of windows) await expectSameReports(w);
        },
      ),
      { numRuns: 60, seed: 20261203 },
    );
  });

  it('give the contributors report the drafts around a first correction, to the minute', async () => {
    await clear();
    const { db } = database;
    // A draft of each outcome every 25 minutes over ten weeks, and a correction at 10:37:13.
    const outcomes = ['approved', 'modified', 'sent', 'pending'] as const;
    const drafts = Array.from({ length: (70 * 1440) / 25 }, (_, i) => ({
      id: `rollup-span${i}`,
      ticketId: 'rollup-span',
      turn: 1,
      body: 'draft',
      confidence: 0.5,
      promptVersion: 'v',
      provider: 'test',
      outcome: outcomes[i % 4]!,
      category: 'billing' as const,
      createdAt: new Date(BASE - 7 * DAY + i * 25 * MIN),
    }));
    for (let i = 0; i < drafts.length; i += 500) await db.insert(aiDrafts).values(drafts.slice(i, i + 500));
    const first = BASE + 28 * DAY + (10 * 60 + 37) * MIN + 13_000;
    await db.transaction((tx) =>
      recordFeedback(tx, {
        ticketId: 'rollup-span',
        draftId: 'rollup-span9',
        agent: 'ana',
        source: 'explicit',
        correction: 'x',
        category: 'billing',
        at: first,
      }),
    );
    const from = new Date(first - DAY);
    const to = new Date(first + DAY);
    for (const weeks of [1, 2, 4]) {
      const [rolled, raw] = await Promise.all([spanCounts(db, { from, to, weeks }), spanCountsFromRows(db, { from, to, weeks })]);
      expect(raw.length).toBe(2);
      expect(rolled.sort((a, b) => Number(a.after) - Number(b.after))).toEqual(raw.sort((a, b) => Number(a.after) - Number(b.after)));
    }
  });

  it('keep no cell of rows deleted or truncated away', async () => {
    await clear();
    const { db } = database;
    const count = async () =>
      (await db.execute(sql`select
        (select coalesce(sum(n), 0) from triage_feedback_rollup where hour >= ${new Date(BASE - 4 * DAY).toISOString()}::timestamptz and hour < ${new Date(BASE + SPAN + 4 * DAY).toISOString()}::timestamptz)::int as n`)) as unknown;
    const rows = (x: unknown) => (Array.isArray(x) ? x : (x as { rows: unknown[] }).rows) as { n: number }[];
    expect(rows(await count())[0]!.n).toBe(0);
    await run([
      {
        kind: 'tickets',
        rows: [
          [
            60,
            {
              category: 'billing',
              aiCategory: 'billing',
              complexity: null,
              aiComplexity: null,
              repeatability: null,
              aiRepeatability: null,
              urgency: null,
              aiUrgency: null,
              priorityLevel: null,
              aiPriorityLevel: null,
              mode: null,
              aiMode: null,
              humanTouched: false,
            },
          ],
        ],
      },
    ]);
    expect(rows(await count())[0]!.n).toBe(1);
    await db.delete(tickets).where(
      inArray(
        tickets.id,
        (await db.select({ id: tickets.id }).from(tickets).where(like(tickets.id, 'rollup-%'))).map((r) => r.id),
      ),
    );
    expect(rows(await count())[0]!.n).toBe(0);
  });
});
