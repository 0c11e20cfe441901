// `npm run eval`: runs an AI provider over the labelled tickets in eval/tickets.jsonl and prints
// accuracy per field, the routing confusion and escalation recall.
//   --provider local|openai   default: openai when OPENAI_API_KEY or OPENAI_BASE_URL is set
//   --limit N                 only the first N tickets
//   --json FILE               also write the report and every case's result as JSON
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatReport, parseEvalSet, runEvaluation } from '../src/ai/evaluation';
import { createLocalSupportAI } from '../src/ai/localProvider';
import { createSupportAI } from '../src/ai';
import { ConfigError, loadConfig } from '../src/config';
import { openDatabase } from '../src/db/client';
import { seedDemoData } from '../src/db/seed';
import { emptyEnrichment } from '../src/domain/enrichment';
import { defaultPolicy } from '../src/schemas/policy';
import { lookupAccount, lookupBilling } from '../src/integrations/postgres';

async function main() {
  const { values } = parseArgs({
    options: {
      provider: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'string' },
      set: { type: 'string', default: new URL('../eval/tickets.jsonl', import.meta.url).pathname },
    },
  });
  const config = loadConfig();
  if (values.provider && !['local', 'openai'].includes(values.provider)) throw new Error('--provider must be local or openai');
  if (values.provider === 'openai' && !config.OPENAI_API_KEY && !config.OPENAI_BASE_URL) {
    throw new Error('--provider openai needs OPENAI_API_KEY or OPENAI_BASE_URL');
  }
  const limit = values.limit ? Number(values.limit) : undefined;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new Error('--limit must be a positive integer');

  const cases = parseEvalSet(readFileSync(values.set!, 'utf8')).slice(0, limit);
  // A private in-memory database with the demo customers, so the run never touches real data.
  const database = openDatabase({ pgliteDir: 'memory://' });
  try {
    await database.migrate();
    await seedDemoData(database.db);
    const ai = values.provider === 'local' ? createLocalSupportAI(database.db) : createSupportAI(config, database.db);
    const now = new Date();
    const { results, report } = await runEvaluation({
      ai,
      cases,
      policy: defaultPolicy,
      concurrency: ai.name === 'local' ? 1 : 4,
      enrichmentFor: async (customerId) => {
        const ref = { customerId: customerId ?? undefined };
        return {
          ...emptyEnrichment(customerId),
          ...(await lookupAccount(database.db, ref, now)),
          ...(await lookupBilling(database.db, ref, now)),
        };
      },
      onProgress: (done, total) => {
        if (done % 20 === 0 || done === total) process.stderr.write(`  classified ${done}/${total}\n`);
      },
    });
    console.log(formatReport(report, ai.name));
    if (values.json) {
      writeFileSync(
        values.json,
        `${JSON.stringify({ provider: ai.name, policy: defaultPolicy.version, at: now.toISOString(), report, results }, null, 2)}\n`,
      );
      console.log(`\nwrote ${values.json}`);
    }
  } finally {
    await database.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError || err instanceof Error ? err.message : err);
  process.exit(1);
});
