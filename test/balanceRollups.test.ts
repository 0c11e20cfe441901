import { randomUUID } from 'node:crypto';
import { and, gte, inArray, lt, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/client';
import { mulberry32 } from '../src/db/demoProfiles';
import { rowsOf } from '../src/db/reportSql';
import { importedTickets, tickets } from '../src/db/schema';
import { addHistograms, bucketBounds, bucketOf, histogramOf, histogramPercentile, HISTOGRAM_BUCKETS } from '../src/domain/histogram';
import { percentile } from '../src/domain/stats';
import { dayBlocks, splitWindow, wholeHourZone } from '../src/domain/rollupBlocks';
import { openTestDatabase } from './support/harness';

// The balance rollups (drizzle/0019_balance_rollups.sql) after a random sequence of inserts,
// updates that move tickets between groups, deletes and imports: each rollup equals the same
// aggregate computed afresh from the rows, in a window of 1987 no other test writes to.

const DAY = 86_400_000;
const start = Date.UTC(1987, 2, 2);
const days = 20;
const run = randomUUID().slice(0, 8);
let database: Database;

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => database?.close());

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function ticketRow(r: () => number, n: number): typeof tickets.$inferInsert {
  const created = start + Math.floor(r() * days * DAY);
  const mode = pick(r, ['ai_only', 'ai_plus_human', 'human_only', null] as const);
  return {
    id: `rlp_${run}_${n}`,
    workflowId: `ticket-rlp_${run}_${n}`,
    channel: pick(r, ['chat', 'email', 'api', 'widget'] as const),
    subject: 'Rollup',
    body: 'Seeded.',
    status: pick(r, ['closed', 'escalated', 'resolved'] as const),
    category: pick(r, ['how_to', 'billing', 'technical', null] as const),
    tier: pick(r, ['free', 'pro', null] as const),
    complexity: pick(r, ['low', 'high', null] as const),
    repeatability: pick(r, ['repeatable', 'unique'] as const),
    pageContext: r() < 0.3 ? { pageUrl: 'https://app.example.com/x' } : null,
    firstResolutionMode: mode,
    endedBy: mode ? pick(r, ['resolved', 'confirmed', 'no_reply'] as const) : null,
    firstResolvedAt: mode ? new Date(created + Math.floor(r() * 5 * DAY)) : null,
    firstResponseAt: r() < 0.8 ? new Date(created + Math.floor(r() * 3_600_000)) : null,
    reopens: r() < 0.2 ? 1 : 0,
    followUps: r() < 0.3 ? 2 : 0,
    escalated: r() < 0.4,
    humanTouched: r() < 0.5,
    csatScore: r() < 0.4 ? 1 + Math.floor(r() * 5) : null,
    msAi: Math.floor(r() * 60_000),
    msPerson: Math.floor(r() * 600_000),
    msReview: Math.floor(r() * 100_000),
    createdAt: new Date(created),
  };
}

function importedRow(r: () => number, n: number): typeof importedTickets.$inferInsert {
  const classified = r() < 0.7;
  return {
    id: `rlp_${run}_i${n}`,
    importId: `imp_${run}`,
    source: `rollup-test-${run}`,
    externalId: String(n),
    createdAt: new Date(start + Math.floor(r() * days * DAY)),
    subject: 'Imported',
    description: 'Seeded.',
    channel: pick(r, ['Chat', 'email', null] as const),
    handleMinutes: r() < 0.8 ? r() * 90 : null,
    csat: r() < 0.5 ? 1 + Math.floor(r() * 5) : null,
    reopens: r() < 0.2 ? 1 : 0,
    issueType: classified ? pick(r, ['how_to', 'billing'] as const) : null,
    complexity: classified ? pick(r, ['low', 'medium'] as const) : null,
    repeatability: classified ? pick(r, ['semi', 'unique'] as const) : null,
    classifiedAt: classified ? new Date() : null,
  };
}

/** The rollup's rows in the test's blocks, against the same statement run afresh over the rows into a temporary copy. */
async function compare(table: 'outcome_rollup' | 'taxonomy_rollup' | 'arrival_rollup') {
  const db = database.db;
  const from = new Date(start - 64 * DAY).toISOString();
  const to = new Date(start + (days + 64) * DAY).toISOString();
  const inWindow =
    table === 'arrival_rollup'
      ? `hour >= '${from}' and hour < '${to}'`
      : `block >= ${Math.floor(start / DAY) - 64} and block < ${Math.floor(start / DAY) + days + 64}`;
  const raw = (t: string) =>
    `(select 1 as s, * from ${t} where created_at >= '${new Date(start).toISOString()}' and created_at < '${new Date(start + days * DAY).toISOString()}') t`;
  return db.transaction(async (tx) => {
    await tx.execute(sql.raw(`create temp table expected (like ${table}) on commit drop`));
    const key = {
      outcome_rollup: 'level, block, category, tier, channel, page, mode',
      taxonomy_rollup: 'level, block, imported, complexity, repeatability, category',
      arrival_rollup: 'hour, source, channel, category',
    }[table];
    await tx.execute(sql.raw(`alter table expected add constraint ${table}_key unique nulls not distinct (${key})`));
    const statements =
      table === 'outcome_rollup'
        ? [`rollup_outcomes_sql('${raw('tickets')}')`]
        : table === 'taxonomy_rollup'
          ? [`rollup_taxonomy_sql('${raw('tickets')}', false)`, `rollup_taxonomy_sql('${raw('imported_tickets')}', true)`]
          : [`rollup_arrivals_sql('${raw('tickets')}', false)`, `rollup_arrivals_sql('${raw('imported_tickets')}', true)`];
    for (const s of statements) {
      const [row] = (await rowsOf<{ q: string }>(
        tx as never,
        sql.raw(`select ${s.replace(/'\(/g, '$$q$$(').replace(/\) t'/g, ') t$$q$$')} as q`),
      )) as { q: string }[];
      await tx.execute(sql.raw(row!.q.replace(`INSERT INTO ${table} AS r`, 'INSERT INTO pg_temp.expected AS r')));
    }
    // Float sums (imported handle minutes) may differ in the last bits after subtractions.
    const rows = async (q: string) =>
      (await rowsOf<Record<string, unknown>>(tx as never, sql.raw(q))).map((row) =>
        'handle_minutes' in row ? { ...row, handle_minutes: Number(row.handle_minutes).toFixed(6) } : row,
      );
    const actual = await rows(
      `select * from ${table} where ${inWindow} and ${table === 'arrival_rollup' ? 'arrivals' : 'tickets'} <> 0 order by ${key}`,
    );
    const expected = await rows(
      `select * from pg_temp.expected where ${table === 'arrival_rollup' ? 'arrivals' : 'tickets'} <> 0 order by ${key}`,
    );
    return { actual, expected };
  });
}

describe('balance rollups', () => {
  it('equal the aggregate of the rows after random inserts, moving updates, deletes and imports', async () => {
    const db = database.db;
    const r = mulberry32(1987);
    let n = 0;
    let m = 0;
    for (let step = 0; step < 30; step++) {
      const op = pick(r, ['insert', 'insert', 'update', 'move', 'delete', 'import', 'classify', 'unimport'] as const);
      const ids = (
        await db
          .select({ id: tickets.id })
          .from(tickets)
          .where(and(gte(tickets.createdAt, new Date(start)), lt(tickets.createdAt, new Date(start + days * DAY))))
      ).map((t) => t.id);
      const some = ids.filter(() => r() < 0.2);
      if (op === 'insert') await db.insert(tickets).values(Array.from({ length: 1 + Math.floor(r() * 40) }, () => ticketRow(r, ++n)));
      else if (op === 'update' && some.length > 0)
        for (const id of some.slice(0, 5)) {
          const next = ticketRow(r, 0);
          const { id: _id, workflowId: _w, ...fields } = next;
          await db
            .update(tickets)
            .set(fields)
            .where(inArray(tickets.id, [id]));
        }
      else if (op === 'move' && some.length > 0)
        // One statement moving many tickets: reopen, resolve, re-categorise, shift a day.
        await db.execute(sql`update tickets set category = 'account', reopens = reopens + 1, first_resolution_mode = coalesce(first_resolution_mode, 'human_only'),
          ended_by = coalesce(ended_by, 'resolved'), first_resolved_at = coalesce(first_resolved_at, created_at + interval '2 hours'),
          status = 'closed', created_at = least(created_at + interval '1 day', ${new Date(start + days * DAY - 1).toISOString()}::timestamptz)
          where id = any(${`{${some.join(',')}}`}::text[])`);
      else if (op === 'delete' && some.length > 0) await db.delete(tickets).where(inArray(tickets.id, some));
      else if (op === 'import')
        await db.insert(importedTickets).values(Array.from({ length: 1 + Math.floor(r() * 30) }, () => importedRow(r, ++m)));
      else if (op === 'classify')
        await db.execute(sql`update imported_tickets set classified_at = now(), issue_type = 'technical', complexity = 'high', repeatability = 'semi', handle_minutes = coalesce(handle_minutes, 7)
          where source = ${`rollup-test-${run}`} and random() < 0.3`);
      else if (op === 'unimport')
        await db.execute(sql`delete from imported_tickets where source = ${`rollup-test-${run}`} and random() < 0.2`);
    }
    for (const table of ['outcome_rollup', 'taxonomy_rollup', 'arrival_rollup'] as const) {
      const { actual, expected } = await compare(table);
      expect(expected.length, table).toBeGreaterThan(0);
      expect(actual, table).toEqual(expected);
    }
    // And independently of the rollup's own statement: arrivals per hour are the rows' counts.
    const [raw] = await rowsOf<{ n: number }>(
      db,
      sql`select count(*)::int as n from tickets where created_at >= ${new Date(start).toISOString()}::timestamptz and created_at < ${new Date(start + days * DAY).toISOString()}::timestamptz`,
    );
    const [rolled] = await rowsOf<{ n: number }>(
      db,
      sql`select coalesce(sum(arrivals), 0)::int as n from arrival_rollup where source = 'live' and hour >= ${new Date(start).toISOString()}::timestamptz and hour < ${new Date(start + days * DAY).toISOString()}::timestamptz`,
    );
    expect(Number(rolled!.n)).toBe(Number(raw!.n));
  });
});

describe('histogram and window (pure)', () => {
  it('reads percentiles within the bucket of the exact value', () => {
    const r = mulberry32(7);
    for (let trial = 0; trial < 50; trial++) {
      const values = Array.from({ length: 1 + Math.floor(r() * 500) }, () => 1000 * 2 ** (r() * 20));
      const h = histogramOf(values.map(bucketOf));
      for (const p of [0.5, 0.9]) {
        const exact = percentile(values, p * 100)!;
        const read = histogramPercentile(h, p)!;
        expect(read / exact).toBeGreaterThan(1 / 2 ** (1 / 3) - 1e-9);
        expect(read / exact).toBeLessThan(2 ** (1 / 3) + 1e-9);
      }
    }
    expect(histogramPercentile(histogramOf([]), 0.5)).toBeNull();
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(1000)).toBe(1);
    expect(bucketOf(1e15)).toBe(HISTOGRAM_BUCKETS - 1);
    expect(bucketBounds(4)).toMatchObject({ low: 2000 });
    expect(addHistograms(histogramOf([1, 1]), histogramOf([1]))[1]).toBe(3);
  });

  it('tiles whole days with aligned blocks and splits a window at its edges', () => {
    const blocks = dayBlocks(5, 200);
    expect(blocks.reduce((a, b) => a + 2 ** b.level, 0)).toBe(195);
    for (const b of blocks) expect(b.block % 2 ** b.level).toBe(0);
    expect(blocks.length).toBeLessThanOrEqual(14);
    const w = { from: new Date('2026-01-01T10:30:00Z'), to: new Date('2026-01-05T02:00:00Z') };
    expect(splitWindow(w, DAY)).toEqual({
      whole: { from: new Date('2026-01-02T00:00:00Z'), to: new Date('2026-01-05T00:00:00Z') },
      edges: [
        { from: w.from, to: new Date('2026-01-02T00:00:00Z') },
        { from: new Date('2026-01-05T00:00:00Z'), to: w.to },
      ],
    });
    expect(splitWindow({ from: w.from, to: new Date('2026-01-01T11:00:00Z') }, DAY).whole).toBeNull();
    expect(wholeHourZone('Europe/Paris', w)).toBe(true);
    expect(wholeHourZone('Asia/Kolkata', w)).toBe(false);
  });
});
