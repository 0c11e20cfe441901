// Synthetic ticket history for the reports: `npm run seed:history -- --days 90 --tickets 3000 --seed 42`.
// Closed read-model rows (ids hist_…) with the AI's call, the final one, outcomes, stage durations,
// AI drafts, feedback and overrides; the same seed gives the same history. See src/db/demoHistory.ts.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../src/config';
import { DatabaseInUseError, openDatabase } from '../src/db/client';
import { generateDemoHistory } from '../src/db/demoHistory';

const number = (name: string, value: string | undefined, fallback: number, max: number) => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`--${name} must be a whole number from 1 to ${max}, not ${value}`);
  return n;
};

async function main() {
  const { values } = parseArgs({
    options: { days: { type: 'string' }, tickets: { type: 'string' }, seed: { type: 'string' }, feedback: { type: 'string' } },
  });
  const days = number('days', values.days, 90, 400);
  const total = number('tickets', values.tickets, 3000, 5_000_000);
  const seed = number('seed', values.seed, 42, 2 ** 31);
  const feedbackPerAnswer = values.feedback === undefined ? 0.4 : Number(values.feedback);
  if (!(feedbackPerAnswer >= 0 && feedbackPerAnswer <= 20))
    throw new Error(`--feedback must be 0–20 ratings per answer, not ${values.feedback}`);
  const config = loadConfig();
  const database = openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
  await database.migrate();
  const started = Date.now();
  const written = await generateDemoHistory(database.db, {
    days,
    tickets: total,
    seed,
    feedbackPerAnswer,
    onProgress: (done, all) => process.stderr.write(`\r${done} of ${all} tickets (${Math.round((done / all) * 100)}%)`),
  });
  process.stderr.write('\n');
  console.log(
    `wrote ${written.tickets} tickets, ${written.drafts} AI drafts, ${written.feedback} feedback rows, ${written.overrides} overrides over ${days} days (seed ${seed}) in ${Math.round((Date.now() - started) / 1000)} s`,
  );
  await database.close();
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError || err instanceof DatabaseInUseError || err instanceof Error ? err.message : err);
  process.exit(1);
});
