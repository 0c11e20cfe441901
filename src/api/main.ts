import { loadConfig } from '../config';
import { openDatabase } from '../db/client';
import { startApi } from './server';

const config = loadConfig();
const database = openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
await database.migrate();
const api = await startApi(config, database, config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_PORT}`);
console.log(`Tandem API on ${api.url} (database: ${database.driver})`);

const shutdown = async () => {
  await api.close();
  await database.close();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
