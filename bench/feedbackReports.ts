import { sql } from 'drizzle-orm';
import { createApiKey } from '../src/api/auth';
import { draftCounts, feedbackCounts, reasonCounts } from '../src/db/aiQualityReport';
import { acceptedCounts, correctionCounts, spanCounts } from '../src/db/contributorsReport';
import { generateDemoHistory } from '../src/db/demoHistory';
import { triageCounts } from '../src/db/triageReport';
import { trendSince, trendWeeks } from '../src/domain/aiQuality';
import type { Infra } from './infra';
import { percentile, round } from './stats';

type Log = (line: string) => void;
const DAY = 86_400_000;

export interface FeedbackReportTiming {
  report: string;
  /** Through the API: HTTP, authentication, validation, the SQL, shaping, JSON. */
  api: { p50Ms: number; p99Ms: number };
  /** Requests answered 503: the database did not answer within the API's deadline (5 s). */
  failures: number;
  /** The same aggregate queries run straight on the database from the bench process. */
  sql: { p50Ms: number; p99Ms: number };
  p99Ratio: number;
}

const timed = async (n: number, task: () => Promise<unknown>) => {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await task();
    samples.push(performance.now() - t);
  }
  return { p50Ms: round(percentile(samples, 50), 1), p99Ms: round(percentile(samples, 99), 1) };
};

/**
 * The leads' feedback reports on a seeded history (src/db/demoHistory.ts: `tickets` closed
 * tickets over 90 days, `feedbackPerAnswer` explicit ratings per AI answer, the review's
 * verdicts), each asked for the whole 90 days (every ticket in the window) over real HTTP, one
 * request at a time, against the same aggregate SQL run directly as the baseline. The history is
 * written through the rollup triggers (drizzle/0017_feedback_report_rollups.sql), as live writes
 * are, and the reports read the rollups they keep.
 */
export async function feedbackReports(infra: Infra, tickets: number, feedbackPerAnswer: number, requests: number, log: Log) {
  const { db } = infra.database;
  const now = new Date();
  log(`feedbackReports: seeding ${tickets} tickets of history, ${feedbackPerAnswer} ratings per AI answer`);
  const written = await generateDemoHistory(db, {
    days: 90,
    tickets,
    feedbackPerAnswer,
    now,
    onProgress: (done, total) => done % 20_000 < 800 && log(`  ${done}/${total} tickets`),
  });
  // As autovacuum leaves a table after a bulk load: statistics, and the visibility map index-only scans need.
  await db.execute(sql`vacuum analyze`);
  log(
    `  ${written.tickets} tickets, ${written.drafts} drafts, ${written.feedback} feedback rows, ${written.overrides} overrides, ${written.reviewItems} review items`,
  );
  const lead = (await createApiKey(db, { role: 'lead', name: 'bench-lead' })).key;

  const to = new Date(now.getTime() + 60_000);
  const from = new Date(now.getTime() - 90 * DAY);
  const window = `from=${from.toISOString()}&to=${to.toISOString()}`;
  const timezone = 'Europe/Paris';
  const weeks = trendWeeks(to, timezone);
  const since = new Date(Math.min(from.getTime(), trendSince(weeks).getTime()));
  const byWeekAndCategory = { from, to, timezone, byWeek: true, byCategory: true };
  const reports: { report: string; path: string; bare: () => Promise<unknown> }[] = [
    {
      report: 'triage (by field)',
      path: `/v1/reports/triage?${window}&timezone=${timezone}`,
      bare: () => triageCounts(db, { from, to, timezone, byWeek: false, byCategory: false }),
    },
    {
      report: 'triage (by week, category, field)',
      path: `/v1/reports/triage?${window}&timezone=${timezone}&groupBy=week,category,field`,
      bare: () => triageCounts(db, { from, to, timezone, byWeek: true, byCategory: true }),
    },
    {
      report: 'ai-quality (by week, category, with trend)',
      path: `/v1/reports/ai-quality?${window}&timezone=${timezone}`,
      bare: () =>
        Promise.all([
          draftCounts(db, { since, from, to, timezone }),
          feedbackCounts(db, byWeekAndCategory),
          reasonCounts(db, byWeekAndCategory),
        ]),
    },
    {
      report: 'feedback-contributors (by agent)',
      path: `/v1/reports/feedback-contributors?${window}&timezone=${timezone}`,
      bare: () =>
        Promise.all([correctionCounts(db, { from, to }), acceptedCounts(db, { from, to }), spanCounts(db, { from, to, weeks: 4 })]),
    },
  ];
  // A report the database did not answer within the API's deadline is a 503: counted, timed, not fatal.
  let failures = 0;
  const http = async (path: string) => {
    const res = await fetch(`${infra.apiUrl}${path}`, { headers: { authorization: `Bearer ${lead}` } });
    const body = (await res.json()) as { rows?: unknown[] };
    if (res.status === 503) failures++;
    else if (res.status !== 200 || !body.rows?.length) throw new Error(`${path} → ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  };
  const results: FeedbackReportTiming[] = [];
  for (const r of reports) {
    // Warm both sides (plans, caches, connections) before measuring.
    for (let i = 0; i < 2; i++) {
      await http(r.path);
      await r.bare();
    }
    failures = 0;
    const api = await timed(requests, () => http(r.path));
    const failed = failures;
    const bare = await timed(requests, r.bare);
    log(`  ${r.report}: API p50 ${api.p50Ms} / p99 ${api.p99Ms} ms (${failed} 503s), SQL p50 ${bare.p50Ms} / p99 ${bare.p99Ms} ms`);
    results.push({ report: r.report, api, failures: failed, sql: bare, p99Ratio: round(api.p99Ms / bare.p99Ms) });
  }
  return { tickets: written.tickets, feedbackRows: written.feedback, requests, reports: results, goalP99Ms: 300 };
}
