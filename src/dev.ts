/**
 * `npm run dev`: the whole stack in one process — a local Temporal dev server (unless
 * TEMPORAL_ADDRESS points at one), migrations, demo data, the worker and the API.
 */
import path from 'node:path';
import { ConfigError, loadConfig } from './config';
import { DatabaseInUseError, openDatabase } from './db/client';
import { generateDemoHistory, hasDemoHistory } from './db/demoHistory';
import { demoTickets, seedDemoData } from './db/seed';
import { createApiKey, revokeApiKey, listApiKeys } from './api/auth';
import { localHost, startApi } from './api/server';
import { apiKeyRoles } from './db/schema';
import { temporalTarget } from './temporal/connection';
import { loadKeyRing } from './temporal/dataConverter';
import { projectRoot, startDevServer, type RunningServer } from './temporal/localServer';
import { setNamespaceRetention } from './temporal/retention';
import { installRuntime, superviseTandemWorker } from './worker';

const step = async <T>(label: string, run: () => Promise<T>): Promise<T> => {
  const started = Date.now();
  process.stdout.write(`• ${label} ... `);
  const result = await run();
  console.log(`done (${Date.now() - started} ms)`);
  return result;
};

async function main() {
  const config = loadConfig();
  installRuntime(config);
  let temporal: RunningServer | undefined;
  let target = temporalTarget(config);
  // Temporal Web decrypts payloads through the API's codec server, for a lead or admin signed in there.
  const codecEndpoint = `http://${localHost(config.HOST)}:${config.PORT}/codec`;
  if (!target.external) {
    temporal = await step(`starting Temporal dev server on port ${config.TEMPORAL_PORT}`, () =>
      startDevServer({
        port: config.TEMPORAL_PORT,
        uiPort: config.TEMPORAL_PORT + 1000,
        uiCodecEndpoint: codecEndpoint,
        dbFile: path.join(projectRoot, '.data', `temporal-${config.TEMPORAL_PORT}.sqlite`),
        log: () => {},
      }),
    );
    target = temporalTarget(config, { localAddress: temporal.address });
    const local = target;
    await step(`keeping closed tickets' histories ${config.TEMPORAL_RETENTION_HOURS} h (TEMPORAL_RETENTION_HOURS)`, () =>
      setNamespaceRetention(local, config.TEMPORAL_RETENTION_HOURS),
    );
  }
  const address = target.connection.address;
  if (temporal) console.log(`  Temporal CLI: ${temporal.cli.path ?? 'SDK download'} (${temporal.cli.source})`);

  const database = openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
  await step(`migrating ${database.driver === 'pglite' ? `embedded PGlite (${config.PGLITE_DIR})` : 'PostgreSQL'}`, () =>
    database.migrate(),
  );
  const keys = await loadKeyRing(config, database.db);
  const seeded = await step('seeding demo data', () => seedDemoData(database.db));
  console.log(`  ${seeded.accounts} accounts, ${seeded.customers} customers, ${seeded.articles} knowledge-base articles`);
  if (config.DEMO_HISTORY === 'on' && !(await hasDemoHistory(database.db))) {
    const history = await step('generating 90 days of synthetic ticket history for the reports', () =>
      generateDemoHistory(database.db, { days: 90, tickets: 3000, seed: 42 }),
    );
    console.log(
      `  ${history.tickets} closed tickets, ${history.feedback} feedback rows, ${history.overrides} overrides (DEMO_HISTORY=off skips this)`,
    );
  }

  // Demo keys are replaced on every start: only hashes are stored, so fresh ones are the only ones we can print.
  const demoKeys = await step('creating demo API keys', async () => {
    for (const k of await listApiKeys(database.db)) {
      if (k.name.startsWith('demo-') && !k.revokedAt) await revokeApiKey(database.db, k.id);
    }
    const keys = new Map<string, string>();
    for (const role of apiKeyRoles) keys.set(role, (await createApiKey(database.db, { role, name: `demo-${role}` })).key);
    return keys;
  });

  // Supervised: a worker that fails (Temporal or PostgreSQL gone) is restarted with backoff, 1 s
  // doubling to 30 s, and each restart is printed; the API keeps serving meanwhile.
  const worker = superviseTandemWorker(config, database, target, {
    onStarted: (_run, restarts) => {
      if (restarts > 0) console.log(`worker running again on task queue ${config.TEMPORAL_TASK_QUEUE}`);
    },
  });
  await step(`starting worker on task queue ${config.TEMPORAL_TASK_QUEUE}`, () => worker.started);
  const api = await step(`starting API on port ${config.PORT}`, () => startApi(config, database, target));
  if (config.DEMO_TICKETS === 'on') {
    const started = await step('starting demo tickets through the API', () => startDemoTickets(api.url, demoKeys.get('service')!));
    console.log(`  ${started.created} new, ${started.existing} already there (DEMO_TICKETS=off skips this)`);
  }

  const lead = demoKeys.get('lead');
  console.log(`
Tandem is running.
  API           ${api.url}
  Health        ${api.url}/healthz
  Docs          ${api.url}/docs
  Temporal      ${address} (${target.security}, namespace ${target.namespace})${temporal?.uiUrl ? `\n  Temporal Web  ${temporal.uiUrl}` : ''}
  Queue         ${api.url}/v1/queue (with the agent key)
Demo API keys (Authorization: Bearer <key>; revoked at the next start):
${[...demoKeys].map(([role, key]) => `  ${role.padEnd(8)} ${key}`).join('\n')}
Payloads in Temporal are encrypted (${keys.source === 'configured' ? 'TANDEM_ENCRYPTION_KEYS' : 'a key generated into the database'}). To read them:
  Temporal Web  sign in at ${codecEndpoint}/session with the lead key, then in Temporal Web's codec settings
                keep ${codecEndpoint} and tick "Include cross-origin credentials"
  CLI           temporal workflow show -w ticket-<id> --address ${address} --codec-endpoint ${codecEndpoint} --codec-auth "Bearer ${lead ?? '<lead key>'}"
Press Ctrl-C to stop.`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping ...`);
    await api.close().catch(() => {});
    await worker.stop(); // drains the running worker, or ends a wait between restarts
    await database.close().catch(() => {});
    await temporal?.stop();
    console.log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

/** Posts the demo tickets as a backend service would; the Idempotency-Key makes a restart a no-op. */
async function startDemoTickets(apiUrl: string, serviceKey: string) {
  let created = 0;
  let existing = 0;
  for (const { key, ...ticket } of demoTickets) {
    const res = await fetch(`${apiUrl}/v1/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serviceKey}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(ticket),
    });
    if (res.status === 201) created++;
    else if (res.status === 200) existing++;
    else throw new Error(`demo ticket ${key}: ${res.status} ${await res.text()}`);
  }
  return { created, existing };
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError || err instanceof DatabaseInUseError ? err.message : err);
  process.exit(1);
});
