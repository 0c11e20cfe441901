// `npm run bench` (full) and `npm run bench -- --quick` (under 3 minutes): Tandem against bare
// Temporal workflows of the same shape, measured side by side in one run on this machine.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { ACTIVITY_SLOTS } from '../src/worker';
import { balanceReportsBench } from './balanceReports';
import { deliveryThroughput } from './delivery';
import { feedbackReports } from './feedbackReports';
import { startInfra } from './infra';
import {
  actionLatency,
  activatePolicy,
  atRest,
  benchPolicy,
  creation,
  fullSizes,
  lifecycle,
  quickSizes,
  readableTickets,
  timers,
  type Sizes,
} from './scenarios';
import { renderMarkdown, renderTable, type BenchReport } from './report';

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, size: { type: 'string', multiple: true } },
});
// --size atRest=2500 (repeatable) changes one size, to look closer at one measurement.
const sizes: Sizes = { ...(values.quick ? quickSizes : fullSizes) };
for (const pair of values.size ?? []) {
  const [key, value] = pair.split('=');
  if (!key || !(key in sizes) || !Number.isFinite(Number(value)))
    throw new Error(`--size ${pair}: expected one of ${Object.keys(sizes).join(', ')} =<number>`);
  sizes[key as keyof Sizes] = Number(value);
}
const only = values.only?.split(',');
const wanted = (name: string) => !only || only.includes(name);
const started = Date.now();
const log = (line: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);

const infra = await startInfra(log, { cachedWorkflows: sizes.cachedWorkflows });
const report: BenchReport = {
  mode: values.quick ? 'quick' : 'full',
  at: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  },
  sizes,
  results: {},
};
try {
  await activatePolicy(infra, benchPolicy(`bench-${Date.now()}`, '1h'));
  if (wanted('lifecycle')) report.results.lifecycle = await infra.watch(lifecycle(infra, sizes.lifecycle, log));
  if (wanted('actions')) report.results.actions = await infra.watch(actionLatency(infra, sizes.actions, log));
  if (wanted('atRest'))
    report.results.atRest = await infra.watch(atRest(infra, sizes.atRest, sizes.queueRows, sizes.cachedWorkflowsAtRest, log));
  if (wanted('timers')) report.results.timers = await infra.watch(timers(infra, sizes.timers, log));
  if (wanted('delivery'))
    report.results.delivery = await infra.watch(
      deliveryThroughput(infra, sizes.deliveries, Number(process.env.BENCH_DELIVERY_CONCURRENCY ?? ACTIVITY_SLOTS), log),
    );
  if (wanted('feedbackReports'))
    report.results.feedbackReports = await infra.watch(
      feedbackReports(infra, sizes.feedbackTickets, sizes.feedbackPerAnswer, sizes.feedbackReportRequests, log),
    );
  if (wanted('creation')) {
    // Starting a ticket does not need the worker; stopping it keeps the thousands of tickets this
    // step creates from competing for the CPU with the requests being measured (both sides alike).
    const readable = await infra.watch(readableTickets(infra));
    await infra.worker.stop();
    report.results.creation = await infra.watch(creation(infra, sizes.creationSeconds, readable, log));
  }
  // Last: a million rows of history would change what the steps above measure.
  if (wanted('balanceReports'))
    report.results.balanceReports = await infra.watch(balanceReportsBench(infra, sizes.balanceTickets, sizes.balanceRequests, log));
} finally {
  await infra.close();
}
report.durationSeconds = Math.round((Date.now() - started) / 1000);

console.log(renderTable(report));
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const stamp = report.at.replace(/[:.]/g, '-');
const file = new URL(`./results/${report.mode}-${stamp}.json`, import.meta.url);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwrote ${file.pathname}`);
// Only a complete run at the standard sizes stands for the latest figures.
if (!only && !values.size) {
  writeFileSync(new URL(`./results/latest-${report.mode}.json`, import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
  if (report.mode === 'full') {
    writeFileSync(new URL('../BENCHMARKS.md', import.meta.url), renderMarkdown(report));
    console.log('updated BENCHMARKS.md');
  }
}
