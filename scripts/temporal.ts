/**
 * `tsx scripts/temporal.ts install` makes sure a Temporal CLI is available (used by .ci/run);
 * `tsx scripts/temporal.ts start` runs a dev server in the foreground on TEMPORAL_PORT.
 */
import path from 'node:path';
import { loadConfig } from '../src/config';
import { projectRoot, resolveTemporalCli, startDevServer } from '../src/temporal/localServer';

const command = process.argv[2] ?? 'install';

if (command === 'install') {
  const cli = resolveTemporalCli();
  console.log(`[temporal] Temporal CLI: ${cli.path ?? '(none found; the SDK will download one at start-up)'} — source: ${cli.source}`);
} else if (command === 'start') {
  const config = loadConfig();
  const server = await startDevServer({
    port: config.TEMPORAL_PORT,
    uiPort: config.TEMPORAL_PORT + 1000,
    dbFile: path.join(projectRoot, '.data', `temporal-${config.TEMPORAL_PORT}.sqlite`),
  });
  const stop = () => void server.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} else {
  console.error(`usage: tsx scripts/temporal.ts [install|start]`);
  process.exit(2);
}
