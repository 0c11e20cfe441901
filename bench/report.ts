import type { BalanceReportsResult } from './balanceReports';
import type { FeedbackReportTiming } from './feedbackReports';
import type { Sizes } from './scenarios';

export interface HistoryProfile {
  events: number;
  historyKb: number;
  activities: number;
  activitiesByType: Record<string, number>;
}

export interface BenchReport {
  mode: 'quick' | 'full';
  at: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string };
  sizes: Sizes;
  durationSeconds?: number;
  results: {
    lifecycle?: {
      tickets: number;
      activitiesPerTicket: number;
      tandemPerSecond: number;
      baselinePerSecond: number;
      ratio: number;
      goal: number;
      profile?: { tandem: HistoryProfile; baseline: HistoryProfile };
    };
    actions?: {
      actions: number;
      tandem: { p50Ms: number; p99Ms: number };
      bareUpdate: { p50Ms: number; p99Ms: number };
      p99Ratio: number;
      goal: number;
    };
    creation?: {
      levels: {
        concurrency: number;
        api: { perSecond: number; p50Ms: number; p99Ms: number; errors: number };
        bareStart: { perSecond: number; p50Ms: number; p99Ms: number; errors: number };
        ratio: number;
      }[];
      goal: number;
      /** GET /v1/tickets/:id while tickets are created at `concurrency`. */
      reads?: { concurrency: number; reads: number; p50Ms: number; p99Ms: number; failures: number };
      goalReadP99Ms?: number;
    };
    atRest?: {
      openTickets: number;
      cachedWorkflows?: number;
      heapLimitMb?: number;
      workerRssMb: { open: number; rssMb: number }[];
      workerRssGrowthMb: number;
      temporalKbPerTicket: number;
      postgresKbPerTicket: number;
      queueRows: number;
      queue: { p50Ms: number; p99Ms: number };
      goalQueueP99Ms: number;
    };
    timers?: { timers: number; lagP50Ms: number; lagP99Ms: number; lagMaxMs: number };
    delivery?: {
      webhooks: number;
      concurrency: number;
      tandemPerSecond: number;
      barePerSecond: number;
      /** Older results have no undici loop. */
      bareUndiciPerSecond?: number;
      ratio: number;
      goal: number;
    };
    balanceReports?: BalanceReportsResult;
    feedbackReports?: { tickets: number; feedbackRows: number; requests: number; reports: FeedbackReportTiming[]; goalP99Ms: number };
  };
}

const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

/** One line per measurement: what, Tandem, baseline, ratio, goal. */
export function rows(r: BenchReport): string[][] {
  const out: string[][] = [['Measurement', 'Tandem', 'Baseline', 'Ratio', 'Goal']];
  const { lifecycle: l, actions: a, creation: c, atRest: z, timers: t, delivery: d } = r.results;
  if (l)
    out.push([
      `Lifecycle throughput (${l.tickets} tickets, ${l.activitiesPerTicket} activities each)`,
      `${l.tandemPerSecond} tickets/s`,
      `${l.baselinePerSecond} wf/s`,
      `${l.ratio}`,
      `≥ ${l.goal}: ${verdict(l.ratio >= l.goal)}`,
    ]);
  if (a) {
    out.push([
      `Approve round trip p50 (${a.actions} actions)`,
      `${a.tandem.p50Ms} ms`,
      `${a.bareUpdate.p50Ms} ms`,
      `${Math.round((a.tandem.p50Ms / a.bareUpdate.p50Ms) * 100) / 100}`,
      '',
    ]);
    out.push([
      `Approve round trip p99`,
      `${a.tandem.p99Ms} ms`,
      `${a.bareUpdate.p99Ms} ms`,
      `${a.p99Ratio}`,
      `≤ ${a.goal}: ${verdict(a.p99Ratio <= a.goal)}`,
    ]);
  }
  for (const level of c?.levels ?? []) {
    out.push([
      `Create ticket, concurrency ${level.concurrency}`,
      `${level.api.perSecond} req/s, p50 ${level.api.p50Ms} / p99 ${level.api.p99Ms} ms, ${level.api.errors} errors`,
      `${level.bareStart.perSecond} starts/s, p50 ${level.bareStart.p50Ms} / p99 ${level.bareStart.p99Ms} ms`,
      `${level.ratio}`,
      `≥ ${c!.goal}, 0 errors: ${verdict(level.ratio >= c!.goal && level.api.errors === 0)}`,
    ]);
  }
  if (c?.reads) {
    const goal = c.goalReadP99Ms ?? 100;
    out.push([
      `GET ticket while creating at concurrency ${c.reads.concurrency} (${c.reads.reads} reads, no worker)`,
      `p50 ${c.reads.p50Ms} / p99 ${c.reads.p99Ms} ms, ${c.reads.failures} failures`,
      '',
      '',
      `p99 < ${goal} ms, 0 failures: ${verdict(c.reads.p99Ms < goal && c.reads.failures === 0)}`,
    ]);
  }
  if (z) {
    // Bounded: once the cache is full, four times the open tickets cost at most a fifth more memory.
    const first = z.workerRssMb[0]?.rssMb ?? NaN;
    const last = z.workerRssMb.at(-1)?.rssMb ?? NaN;
    out.push([
      `Worker RSS with ${z.openTickets} open tickets${z.cachedWorkflows ? ` (cache ${z.cachedWorkflows}${z.heapLimitMb ? `, heap ≤ ${z.heapLimitMb} MB` : ''})` : ''}`,
      z.workerRssMb.map((x) => `${x.open}: ${x.rssMb} MB`).join(', '),
      '',
      `${Math.round((last / first) * 100) / 100}`,
      `bounded (last ≤ 1.2 × first): ${verdict(last <= first * 1.2)}`,
    ]);
    out.push(['Storage per open ticket', `Temporal ${z.temporalKbPerTicket} KB, Postgres ${z.postgresKbPerTicket} KB`, '', '', '']);
    out.push([
      `GET /v1/queue with ${z.queueRows} rows`,
      `p50 ${z.queue.p50Ms} ms, p99 ${z.queue.p99Ms} ms`,
      '',
      '',
      `p99 < ${z.goalQueueP99Ms} ms: ${verdict(z.queue.p99Ms < z.goalQueueP99Ms)}`,
    ]);
  }
  if (t) out.push([`Timer lag (${t.timers} review SLAs)`, `p50 ${t.lagP50Ms} ms, p99 ${t.lagP99Ms} ms, max ${t.lagMaxMs} ms`, '', '', '']);
  if (d)
    out.push([
      `Webhook delivery (${d.webhooks} signed, recorded deliveries at concurrency ${d.concurrency})`,
      `${d.tandemPerSecond} webhooks/s`,
      `${d.barePerSecond} bare POSTs/s${d.bareUndiciPerSecond ? ` (undici ${d.bareUndiciPerSecond}/s)` : ''}`,
      `${d.ratio}`,
      `≥ ${d.goal}: ${verdict(d.ratio >= d.goal)}`,
    ]);
  for (const b of r.results.balanceReports?.reports ?? []) {
    const goal = r.results.balanceReports!.goalP99Ms;
    out.push([
      `GET ${b.name} over ${r.results.balanceReports!.tickets} tickets (${r.results.balanceReports!.requests} requests)`,
      `p50 ${b.http.p50Ms} / p99 ${b.http.p99Ms} ms`,
      `bare SQL p50 ${b.bareSql.p50Ms} / p99 ${b.bareSql.p99Ms} ms`,
      `${b.p99Ratio}`,
      `p99 < ${goal} ms: ${verdict(b.http.p99Ms < goal)}`,
    ]);
  }
  const f = r.results.feedbackReports;
  for (const x of f?.reports ?? [])
    out.push([
      `GET ${x.report}, ${f!.tickets} tickets, ${f!.feedbackRows} feedback rows`,
      `p50 ${x.api.p50Ms} / p99 ${x.api.p99Ms} ms, ${x.failures} 503s`,
      `bare SQL p50 ${x.sql.p50Ms} / p99 ${x.sql.p99Ms} ms`,
      `${x.p99Ratio}`,
      `p99 < ${f!.goalP99Ms} ms, 0 503s: ${verdict(x.api.p99Ms < f!.goalP99Ms && x.failures === 0)}`,
    ]);
  return out;
}

export function renderTable(r: BenchReport): string {
  const table = rows(r);
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  return [
    `Tandem benchmarks (${r.mode}), ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGb} GiB, Node ${r.machine.node}`,
    '',
    line(table[0]!),
    ...table.slice(1).map(line),
  ].join('\n');
}

/** The profile behind the lifecycle ratio: what a ticket costs Temporal beyond the bare shape. */
function whereTheCostGoes(r: BenchReport): string {
  const p = r.results.lifecycle?.profile;
  const z = r.results.atRest;
  const memory =
    z?.cachedWorkflows !== undefined
      ? [
          '',
          `Memory: from its start to ${z.openTickets} open tickets with a sticky cache of ${z.cachedWorkflows}, the worker grew by`,
          `${z.workerRssGrowthMb} MB, about ${Math.round((z.workerRssGrowthMb * 1024) / z.cachedWorkflows)} KB per cached ticket. The workflow bundle holds only the`,
          "Temporal SDK (`test/workflowBundle.test.ts` keeps it so): the SDK instantiates a workflow's modules",
          'once per cached workflow, and while zod was in the bundle each cached ticket carried its own copy,',
          'about 2.5 MB, which ran a 1 GiB worker out of memory before 1,000 tickets were open.',
          '',
        ].join('\n')
      : '';
  if (!p) return memory;
  const mix = Object.entries(p.tandem.activitiesByType)
    .sort(([, a], [, b]) => b - a)
    .map(([type, n]) => `${type} ${n}`)
    .join(', ');
  return `
## Where a ticket's cost goes

Per ticket of the lifecycle run (a sample of ten histories), against the baseline's:

| | Tandem | Baseline |
| --- | --- | --- |
| History events | ${p.tandem.events} | ${p.baseline.events} |
| History size | ${p.tandem.historyKb} KB | ${p.baseline.historyKb} KB |
| Activities | ${p.tandem.activities} | ${p.baseline.activities} |

Tandem's activities: ${mix}. The baseline runs the same number of no-op activities, so what the
ratio prices is the work inside them (one PostgreSQL transaction per \`persistTicket\` and
\`deliverMessage\`, a full-text search per draft and per ticket-history lookup), the larger
payloads (the ticket, its classification and enrichment travel with the AI calls), the search
attribute upserts and timers a ticket has and the bare workflow does not, and the API in front
(authentication is one indexed lookup per request).
${memory}`;
}

export function renderMarkdown(r: BenchReport): string {
  const table = rows(r);
  const md = (row: string[]) => `| ${row.join(' | ')} |`;
  return `# Benchmarks

The latest full run of \`npm run bench\`: every figure is Tandem against a bare Temporal
workflow of the same shape, measured side by side in the same run on the same machine, with the
same Temporal dev server and PostgreSQL. Ratios are what to compare; absolute numbers depend on
the machine.

- Run: ${r.at}, ${r.durationSeconds ?? '?'} s
- Machine: ${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGb} GiB, ${r.machine.platform}, Node ${r.machine.node}

${md(table[0]!)}
${md(table[0]!.map(() => '---'))}
${table.slice(1).map(md).join('\n')}
${whereTheCostGoes(r)}
## Reproduce

\`\`\`sh
npm ci
npm run bench            # full: ~${Math.round((r.durationSeconds ?? 600) / 60)} minutes
npm run bench -- --quick # under 3 minutes, same measurements at smaller sizes
\`\`\`

It needs PostgreSQL (\`BENCH_DATABASE_URL\`, default \`postgres://postgres@127.0.0.1:5432/postgres\`;
a fresh database is created and dropped) and starts its own Temporal dev server, Tandem worker,
API and baseline worker as separate processes. Raw results are in \`bench/results/\`.
`;
}
