// `npm run import:customers -- customers.csv [--dry-run]`: loads accounts and contacts into the
// default CRM/billing tables. Columns: email, name, account_id, account_name, tier, plan, and
// optionally mrr, billing_status, customer_id, account_created_at. All or nothing.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../src/config';
import { DatabaseInUseError, openDatabase } from '../src/db/client';
import { importCustomers, readCustomerCsv } from '../src/integrations/customerImport';

async function main() {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { 'dry-run': { type: 'boolean', default: false } } });
  const [file] = positionals;
  if (!file) throw new Error('usage: npm run import:customers -- <file.csv> [--dry-run]');
  const { rows, problems } = readCustomerCsv(readFileSync(file, 'utf8'));
  if (problems.length > 0) {
    console.error(`${file}: ${problems.length} problem(s); nothing was imported`);
    for (const p of problems.slice(0, 50)) console.error(`  line ${p.line}: ${p.problem}`);
    if (problems.length > 50) console.error(`  … and ${problems.length - 50} more`);
    process.exit(1);
  }
  console.log(`${file}: ${rows.length} valid rows`);
  if (values['dry-run']) return;
  const config = loadConfig();
  const database = openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
  try {
    await database.migrate();
    const result = await importCustomers(database.db, rows, (done, total) => console.log(`  ${done}/${total} contacts`));
    console.log(
      `accounts: ${result.accounts.created} created, ${result.accounts.updated} updated; contacts: ${result.customers.created} created, ${result.customers.updated} updated; plan changes recorded: ${result.planChanges}`,
    );
  } finally {
    await database.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError || err instanceof DatabaseInUseError || err instanceof Error ? err.message : err);
  process.exit(1);
});
