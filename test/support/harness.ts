import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { createLocalSupportAI } from '../../src/ai/localProvider';
import type { SupportAI } from '../../src/ai/supportAI';
import { openDatabase, type Database } from '../../src/db/client';
import { seedDemoData } from '../../src/db/seed';
import type { Integrations } from '../../src/integrations/ports';
import { buildWorker } from '../../src/worker';

/** The run's PostgreSQL database when TEST_DATABASE_URL is set, else a migrated in-memory PGlite. */
export async function openTestDatabase(): Promise<Database> {
  const url = inject('databaseUrl');
  const database = url ? openDatabase({ url, maxConnections: 4 }) : openDatabase({ pgliteDir: 'memory://' });
  if (!url) {
    await database.migrate();
    await seedDemoData(database.db);
  }
  return database;
}

export async function connectClient(): Promise<{ client: Client; close: () => Promise<void> }> {
  const connection = await Connection.connect({ address: inject('temporalAddress') });
  return { client: new Client({ connection }), close: () => connection.close() };
}

export interface TestWorker {
  worker: Worker;
  taskQueue: string;
  connection: NativeConnection;
  close(): Promise<void>;
}

/** A worker on its own task queue, so test files never steal each other's tasks. */
export async function startTestWorker(options: {
  database: Database;
  ai?: SupportAI;
  integrations?: Integrations;
  taskQueue?: string;
  /** The cap on a provider's Retry-After (the activities' default otherwise). */
  maxRetryDelayMs?: number;
}): Promise<TestWorker> {
  const taskQueue = options.taskQueue ?? `test-${randomUUID()}`;
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const worker = await buildWorker({
    connection,
    namespace: 'default',
    taskQueue,
    workflowBundlePath: inject('workflowBundlePath'),
    deps: {
      db: options.database.db,
      ai: options.ai ?? createLocalSupportAI(options.database.db),
      ...(options.integrations ? { integrations: options.integrations } : {}),
      ...(options.maxRetryDelayMs !== undefined ? { maxRetryDelayMs: options.maxRetryDelayMs } : {}),
    },
    shutdownGraceTime: '1s',
  });
  const running = worker.run();
  return {
    worker,
    taskQueue,
    connection,
    async close() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

export const uniqueId = (prefix = 't') => `${prefix}-${randomUUID().slice(0, 8)}`;
