import { fileURLToPath, pathToFileURL } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities';
import { createSupportAI } from './ai';
import { loadConfig, type Config } from './config';
import { openDatabase, type Database } from './db/client';
import { createIntegrations } from './integrations';

export const workflowsPath = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

export interface BuildWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A pre-built bundle (tests, production images); otherwise workflows are bundled at start. */
  workflowBundlePath?: string;
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
  /** Sticky cache size: bounds the worker's memory; the SDK sizes it from the heap when unset. */
  maxCachedWorkflows?: number | undefined;
}

/** The one place a Tandem worker is put together. */
export function buildWorker(options: BuildWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundlePath ? { workflowBundle: { codePath: options.workflowBundlePath } } : { workflowsPath }),
    activities: createActivities(options.deps),
    shutdownGraceTime: options.shutdownGraceTime ?? '10s',
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
  });
}

export interface RunningWorker {
  worker: Worker;
  connection: NativeConnection;
  done: Promise<void>;
}

/** Connects, builds and starts the worker over an open database. */
export async function startWorker(config: Config, database: Database, address: string): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address });
  const worker = await buildWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    deps: { db: database.db, ai: createSupportAI(config, database.db), integrations: createIntegrations(config, database.db) },
    shutdownGraceTime: config.SHUTDOWN_GRACE_MS,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
  });
  const done = worker.run().finally(() => connection.close());
  return { worker, connection, done };
}

async function main() {
  const config = loadConfig();
  const database = openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
  await database.migrate();
  const address = config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_PORT}`;
  const { done } = await startWorker(config, database, address);
  const { directory, billing, issueTracker } = createIntegrations(config, database.db);
  console.log(
    `worker polling ${config.TEMPORAL_TASK_QUEUE} on ${address} (database: ${database.driver}; AI: ${createSupportAI(config, database.db).name}; CRM: ${directory.name}, billing: ${billing.name}, issues: ${issueTracker.name})`,
  );
  await done; // Worker installs SIGINT/SIGTERM handlers and drains on shutdown.
  await database.close();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
