/**
 * A worker in its own process, so a test can kill it with SIGKILL mid-flight.
 * Env: TEMPORAL_ADDRESS, TASK_QUEUE, DATABASE_URL, WORKFLOW_BUNDLE, TANDEM_ENCRYPTION_KEYS, LOG_LEVEL; OPENAI_BASE_URL to use the
 * OpenAI-compatible provider against a local stub instead of the local provider.
 */
import { NativeConnection } from '@temporalio/worker';
import { createLocalSupportAI } from '../../src/ai/localProvider';
import { createOpenAISupportAI } from '../../src/ai/openaiProvider';
import { openDatabase } from '../../src/db/client';
import { tandemDataConverter } from '../../src/temporal/dataConverter';
import { parseKeyRing } from '../../src/temporal/keyRing';
import { loadConfig } from '../../src/config';
import { buildWorker, installRuntime } from '../../src/worker';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

// The runtime's logger as the production worker installs it, at LOG_LEVEL (a test reads what it prints).
if (process.env.LOG_LEVEL) installRuntime(loadConfig({ LOG_LEVEL: process.env.LOG_LEVEL }));
const database = openDatabase({ url: env('DATABASE_URL'), maxConnections: 4 });
const connection = await NativeConnection.connect({ address: env('TEMPORAL_ADDRESS') });
const worker = await buildWorker({
  connection,
  namespace: 'default',
  taskQueue: env('TASK_QUEUE'),
  workflowBundlePath: env('WORKFLOW_BUNDLE'),
  dataConverter: tandemDataConverter(parseKeyRing(env('TANDEM_ENCRYPTION_KEYS'))),
  deps: {
    db: database.db,
    ai: process.env.OPENAI_BASE_URL
      ? createOpenAISupportAI({
          db: database.db,
          baseURL: process.env.OPENAI_BASE_URL,
          apiKey: 'sk-test',
          model: 'gpt-test',
          temperature: 0.1,
          timeoutMs: 600_000,
        })
      : createLocalSupportAI(database.db),
  },
});
console.log('worker-ready');
await worker.run();
await database.close();
