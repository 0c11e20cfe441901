// `npm run import:history -- export.csv [--format zendesk|intercom|tandem] [--map field=Column,…]
// [--source name] [--batch 200] [--wait]`: loads past tickets from a helpdesk export (CSV, or
// JSON Lines for a .jsonl/.ndjson file). The whole file is checked first: any problem is printed
// with its line and column, nothing is imported and the exit code is 1. A clean file is inserted
// and the history-import workflow classifies it; --wait shows its progress (a bar and the time
// left, on stderr, from the workflow's `progress` Query) until it is done. Needs the database and
// Temporal the worker uses (DATABASE_URL, TEMPORAL_ADDRESS…) and a running worker.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { ConfigError, loadConfig } from '../src/config';
import { DatabaseInUseError, openDatabase } from '../src/db/client';
import { historyFormats, parseColumnMap, type HistoryFormat } from '../src/domain/historyFormats';
import { etaSeconds, readableSeconds, type ImportProgress } from '../src/domain/historyImport';
import { importHistory } from '../src/integrations/historyImport';
import { temporalTarget } from '../src/temporal/connection';
import { loadKeyRing, tandemDataConverter } from '../src/temporal/dataConverter';
import { progressQuery } from '../src/workflows/historyImportMessages';

const usage =
  'usage: npm run import:history -- <export.csv|.jsonl> [--format zendesk|intercom|tandem] [--map field=Column,…] [--source name] [--batch n] [--wait]';

function bar(p: ImportProgress, startClassified: number): string {
  const width = 30;
  const share = p.total === 0 ? 1 : p.classified / p.total;
  const filled = Math.round(share * width);
  const eta = etaSeconds(p, startClassified);
  const left = p.status === 'done' ? 'done' : eta === null ? 'ETA …' : `ETA ${readableSeconds(eta)}`;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.classified}/${p.total} (${(share * 100).toFixed(1)}%) ${left}`;
}

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'tandem' },
      map: { type: 'string' },
      source: { type: 'string' },
      batch: { type: 'string' },
      wait: { type: 'boolean', default: false },
    },
  });
  const [file] = positionals;
  if (!file) throw new Error(usage);
  if (!(historyFormats as readonly string[]).includes(values.format))
    throw new Error(`--format must be one of ${historyFormats.join(', ')}`);
  const mapped = values.map ? parseColumnMap(values.map) : { map: {}, problems: [] };
  if (mapped.problems.length > 0) throw new Error(`--map: ${mapped.problems.join('; ')}`);
  const batchSize = values.batch === undefined ? undefined : Number(values.batch);
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 5000))
    throw new Error('--batch must be 1–5000');

  const config = loadConfig();
  const database = openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
  const target = temporalTarget(config);
  const connection = await Connection.connect(target.connection);
  try {
    await database.migrate();
    const { ring } = await loadKeyRing(config, database.db);
    const client = new Client({ connection, namespace: target.namespace, dataConverter: tandemDataConverter(ring) });
    const started = Date.now();
    const outcome = await importHistory(
      { db: database.db, client, taskQueue: config.TEMPORAL_TASK_QUEUE },
      {
        bytes: readFileSync(file),
        kind: /\.(jsonl|ndjson)$/i.test(file) ? 'jsonl' : 'csv',
        format: values.format as HistoryFormat,
        map: mapped.map,
        ...(values.source ? { source: values.source } : {}),
        fileName: path.basename(file),
        createdBy: 'cli',
        ...(batchSize ? { batchSize } : {}),
      },
    );
    if (outcome.status === 'invalid') {
      console.error(`${file}: ${outcome.problems.length} problem(s); nothing was imported (import ${outcome.importId})`);
      for (const p of outcome.problems.slice(0, 100)) console.error(`  line ${p.line}${p.field ? `, ${p.field}` : ''}: ${p.message}`);
      if (outcome.problems.length > 100)
        console.error(`  … and ${outcome.problems.length - 100} more (GET /v1/history/imports/${outcome.importId})`);
      process.exitCode = 1;
      return;
    }
    console.log(
      `import ${outcome.importId}: ${outcome.rows} tickets inserted, ${outcome.skipped} already imported, in ${((Date.now() - started) / 1000).toFixed(1)} s` +
        (outcome.workflowId ? `; classifying in workflow ${outcome.workflowId}` : ''),
    );
    if (!values.wait || !outcome.workflowId) return;
    const handle = client.workflow.getHandle(outcome.workflowId);
    let startClassified: number | undefined;
    for (;;) {
      const progress = await handle.query(progressQuery).catch(() => null);
      if (progress) {
        startClassified ??= progress.classified;
        process.stderr.write(`\r${bar(progress, startClassified)}   `);
        if (progress.status === 'done') break;
      } else process.stderr.write('\rwaiting for a worker to answer…   ');
      await new Promise((r) => setTimeout(r, 500));
    }
    process.stderr.write('\n');
    console.log(`classified ${outcome.rows} tickets; ${((Date.now() - started) / 1000).toFixed(1)} s from start`);
  } finally {
    await connection.close();
    await database.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError || err instanceof DatabaseInUseError || err instanceof Error ? err.message : err);
  process.exit(1);
});
