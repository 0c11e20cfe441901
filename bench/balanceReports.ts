import { sql } from 'drizzle-orm';
import type { Db } from '../src/db/client';
import { generateDemoHistory } from '../src/db/demoHistory';
import { capacityMonthCounts } from '../src/db/aiCapacity';
import { outcomeParts } from '../src/db/outcomesReport';
import { staffingCells } from '../src/db/staffingReport';
import { taxonomyParts } from '../src/db/taxonomyReport';
import type { Infra } from './infra';
import { percentile, round } from './stats';

// The balance reports on a big history: the synthetic history (src/db/demoHistory.ts) written
// into the bench database, then each report timed over real HTTP against its own aggregate run
// as a bare SQL statement from this process, request for request, interleaved, so both see the
// same load. A report is one entry in `balanceReports` below.

type Log = (line: string) => void;
const DAY = 86_400_000;

/** One report to time: its path (window included) and the same aggregate as bare SQL. */
export interface BalanceReport {
  name: string;
  path: string;
  /** Runs the aggregate the report runs, straight on the database, as the report's code runs it. */
  bare(db: Db): Promise<unknown>;
}

/** The window every report is asked for: the whole history, so each reads every ticket. */
export interface HistoryWindow {
  from: Date;
  to: Date;
}

const range = (w: HistoryWindow) => `from=${w.from.toISOString()}&to=${w.to.toISOString()}`;

/** The reports to time. Adding one is one entry: its path and its bare aggregate. */
export function balanceReports(w: HistoryWindow): BalanceReport[] {
  const last28 = { from: new Date(w.to.getTime() - 28 * DAY), to: w.to };
  const last56 = { from: new Date(w.to.getTime() - 56 * DAY), to: w.to };
  // Each report's reads as it runs them (the rollup's whole days or hours, the tickets of the
  // partial ones at the edges), without the HTTP around them and the domain code after them.
  const outcomes = (window: HistoryWindow, groupBy: Parameters<typeof outcomeParts>[2]) => (db: Db) => outcomeParts(db, window, groupBy);
  return [
    {
      name: 'outcomes (category × tier, whole history)',
      path: `/v1/reports/outcomes?${range(w)}`,
      bare: outcomes(w, ['category', 'tier']),
    },
    {
      name: 'outcomes (channel × page context, whole history)',
      path: `/v1/reports/outcomes?${range(w)}&groupBy=channel,pageContext`,
      bare: outcomes(w, ['channel', 'pageContext']),
    },
    {
      name: 'outcomes (category × tier, last 28 days)',
      path: `/v1/reports/outcomes?${range(last28)}`,
      bare: outcomes(last28, ['category', 'tier']),
    },
    {
      // The taxonomy audit's window is its last `days`, up to now.
      name: 'taxonomy (last 90 days)',
      path: '/v1/reports/taxonomy?days=90',
      bare: (db) => taxonomyParts(db, { from: new Date(Date.now() - 90 * DAY), to: new Date() }),
    },
    {
      name: 'staffing (last 8 weeks)',
      path: `/v1/reports/staffing?${range(last56)}`,
      bare: (db) => staffingCells(db, { ...last56, timezone: 'UTC' }),
    },
    {
      name: 'ai-capacity (whole history)',
      path: `/v1/reports/ai-capacity?${range(w)}`,
      bare: (db) => capacityMonthCounts(db, { ...w, timezone: 'UTC' }),
    },
  ];
}

export interface BalanceReportsResult {
  tickets: number;
  historyDays: number;
  seedSeconds: number;
  requests: number;
  reports: {
    name: string;
    path: string;
    http: { p50Ms: number; p99Ms: number };
    bareSql: { p50Ms: number; p99Ms: number };
    p99Ratio: number;
  }[];
  goalP99Ms: number;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** Seeds `tickets` of history over 90 days, then times each report `requests` times each way. */
export async function balanceReportsBench(infra: Infra, tickets: number, requests: number, log: Log): Promise<BalanceReportsResult> {
  const days = 90;
  const now = new Date();
  const db = infra.database.db;
  const seedStarted = Date.now();
  let reported = 0;
  await generateDemoHistory(db, {
    tickets,
    days,
    now,
    onProgress: (done, total) => {
      if (done === total || done - reported >= total / 10) {
        reported = done;
        log(`history: ${done} of ${total} tickets (${Math.round((Date.now() - seedStarted) / 1000)} s)`);
      }
    },
  });
  // What autovacuum does in production: statistics for the planner, and a visibility map so the
  // window can be read from the index alone.
  await infra.database.db.execute(sql`vacuum (analyze) tickets`);
  const seedSeconds = Math.round((Date.now() - seedStarted) / 1000);
  log(`history of ${tickets} tickets written and vacuumed in ${seedSeconds} s`);

  const window = { from: new Date(now.getTime() - (days + 1) * DAY), to: new Date(now.getTime() + DAY) };
  const reports: BalanceReportsResult['reports'] = [];
  for (const report of balanceReports(window)) {
    const get = async () => {
      const res = await fetch(`${infra.apiUrl}${report.path}`, { headers: { authorization: `Bearer ${infra.keys.admin}` } });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`GET ${report.path} → ${res.status} ${body.slice(0, 300)}`);
    };
    // Warm both paths (connections, plans, caches) before counting.
    await get();
    await report.bare(db);
    const http: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < requests; i++) {
      http.push(await timed(get));
      bare.push(await timed(() => report.bare(db)));
    }
    const p = (xs: number[]) => ({ p50Ms: round(percentile(xs, 50), 1), p99Ms: round(percentile(xs, 99), 1) });
    const result = {
      name: report.name,
      path: report.path,
      http: p(http),
      bareSql: p(bare),
      p99Ratio: round(percentile(http, 99) / percentile(bare, 99)),
    };
    log(
      `${report.name}: HTTP p50 ${result.http.p50Ms} / p99 ${result.http.p99Ms} ms; bare SQL p50 ${result.bareSql.p50Ms} / p99 ${result.bareSql.p99Ms} ms`,
    );
    reports.push(result);
  }
  return { tickets, historyDays: days, seedSeconds, requests, reports, goalP99Ms: 500 };
}
