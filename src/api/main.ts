import { loadConfig } from '../config';
import { openDatabase } from '../db/client';
import { createLogger } from '../logger';
import { temporalTarget } from '../temporal/connection';
import { startApi } from './server';

const config = loadConfig();
const logger = createLogger(config.LOG_LEVEL);
const database = openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
await database.migrate();
const target = temporalTarget(config);
const api = await startApi(config, database, target, logger);
console.log(
  `Tandem API on ${api.url} (database: ${database.driver}; Temporal ${target.connection.address}, ${target.security}, namespace ${target.namespace})`,
);

// A drain: new requests are refused at once, those in flight finish (at most SHUTDOWN_GRACE_MS),
// then the process exits. A second signal while draining exits at once, for an impatient operator.
let stopping = false;
const shutdown = async (signal: NodeJS.Signals) => {
  if (stopping) process.exit(1);
  stopping = true;
  logger.info('API shutting down', { signal });
  try {
    await api.close();
    await database.close();
    process.exit(0);
  } catch (err) {
    logger.error('API shutdown failed', { error: err });
    process.exit(1);
  }
};
process.on('SIGINT', (signal) => void shutdown(signal));
process.on('SIGTERM', (signal) => void shutdown(signal));
