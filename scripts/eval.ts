// `npm run eval`: runs an AI provider over the labelled tickets and prints, for each split, accuracy
// per field, the routing confusion and escalation recall; with --conversations, over the labelled
// conversations instead: reply-assessment accuracy, escalation timing and summary completeness.
//   --provider local|openai   default: openai when OPENAI_API_KEY or OPENAI_BASE_URL is set
//   --split dev|heldout|heldout2|heldout3|all
//                             which tickets: eval/tickets.jsonl (dev, the rules were built on it),
//                             eval/tickets-heldout.jsonl (the first held-out split: held out until the
//                             rules were widened on it, now studied too), eval/tickets-heldout2.jsonl
//                             (the second held-out split: seen after the issue-17 rules, then studied),
//                             eval/tickets-heldout3.jsonl (the third held-out split, written before the
//                             rule change and never used to build rules), or all four, each reported (default)
//   --conversations           the conversation evaluation over eval/conversations.jsonl
//   --verbose                 with --conversations: the conversations whose timing was off and the missed facts
//   --limit N                 only the first N tickets (of each split) or conversations
//   --json FILE               also write the report and every result as JSON
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseConversations, runConversationEvaluation } from '../src/ai/conversationEval';
import { formatConversationReport, summarizeConversations } from '../src/ai/conversationReport';
import { formatReport, parseEvalSet, runEvaluation } from '../src/ai/evaluation';
import { createLocalSupportAI } from '../src/ai/localProvider';
import { createSupportAI } from '../src/ai';
import { ConfigError, loadConfig } from '../src/config';
import { openDatabase } from '../src/db/client';
import { seedDemoData } from '../src/db/seed';
import { emptyEnrichment } from '../src/domain/enrichment';
import { defaultPolicy } from '../src/schemas/policy';
import { lookupAccount, lookupBilling } from '../src/integrations/postgres';

const file = (name: string) => new URL(`../eval/${name}`, import.meta.url).pathname;
const splits = {
  dev: file('tickets.jsonl'),
  heldout: file('tickets-heldout.jsonl'),
  heldout2: file('tickets-heldout2.jsonl'),
  heldout3: file('tickets-heldout3.jsonl'),
} as const;
type Split = keyof typeof splits;
/** How each split is named in the printed report. */
const splitNames: Record<Split, string> = {
  dev: 'dev',
  heldout: 'held-out (first)',
  heldout2: 'held-out (second)',
  heldout3: 'held-out (third)',
};

async function main() {
  const { values } = parseArgs({
    options: {
      provider: { type: 'string' },
      split: { type: 'string', default: 'all' },
      conversations: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      limit: { type: 'string' },
      json: { type: 'string' },
    },
  });
  const config = loadConfig();
  if (values.provider && !['local', 'openai'].includes(values.provider)) throw new Error('--provider must be local or openai');
  if (values.provider === 'openai' && !config.OPENAI_API_KEY && !config.OPENAI_BASE_URL) {
    throw new Error('--provider openai needs OPENAI_API_KEY or OPENAI_BASE_URL');
  }
  if (![...Object.keys(splits), 'all'].includes(values.split!)) throw new Error('--split must be dev, heldout, heldout2, heldout3 or all');
  const limit = values.limit ? Number(values.limit) : undefined;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new Error('--limit must be a positive integer');

  // A private in-memory database with the demo customers, so the run never touches real data.
  const database = openDatabase({ pgliteDir: 'memory://' });
  try {
    await database.migrate();
    await seedDemoData(database.db);
    const ai = values.provider === 'local' ? createLocalSupportAI(database.db) : createSupportAI(config, database.db);
    const now = new Date();
    const enrichmentFor = async (customerId: string | null) => {
      const ref = { customerId: customerId ?? undefined };
      return {
        ...emptyEnrichment(customerId),
        ...(await lookupAccount(database.db, ref, now)),
        ...(await lookupBilling(database.db, ref, now)),
      };
    };
    const progress = (what: string) => (done: number, total: number) => {
      if (done % 20 === 0 || done === total) process.stderr.write(`  ${what} ${done}/${total}\n`);
    };
    const written: Record<string, unknown> = { provider: ai.name, policy: defaultPolicy.version, at: now.toISOString() };

    if (values.conversations) {
      const cases = parseConversations(readFileSync(file('conversations.jsonl'), 'utf8')).slice(0, limit);
      const results = await runConversationEvaluation(cases, {
        ai,
        policy: defaultPolicy,
        enrichmentFor,
        onProgress: progress('replayed'),
      });
      const report = summarizeConversations(cases, results);
      console.log(formatConversationReport(report, ai.name, values.verbose));
      Object.assign(written, { report, results });
    } else {
      const chosen: Split[] = values.split === 'all' ? (Object.keys(splits) as Split[]) : [values.split as Split];
      for (const [i, split] of chosen.entries()) {
        const cases = parseEvalSet(readFileSync(splits[split], 'utf8')).slice(0, limit);
        const { results, report } = await runEvaluation({
          ai,
          cases,
          policy: defaultPolicy,
          concurrency: ai.name === 'local' ? 1 : 4,
          enrichmentFor,
          onProgress: progress(`classified (${split})`),
        });
        console.log(`${i > 0 ? '\n' : ''}${formatReport(report, ai.name, splitNames[split])}`);
        written[split] = { report, results };
      }
    }
    if (values.json) {
      writeFileSync(values.json, `${JSON.stringify(written, null, 2)}\n`);
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
