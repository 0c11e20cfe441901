import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker, type LogLevel, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps, type DeliveryOptions } from './activities';
import { createSupportAI } from './ai';
import { loadConfig, publicUrlOf, type Config } from './config';
import { createMailer } from './email/outbound';
import { openDatabase, type Database } from './db/client';
import { createIntegrations } from './integrations';
import { temporalTarget, type TemporalTarget } from './temporal/connection';
import { loadKeyRing, tandemDataConverter } from './temporal/dataConverter';
import { describeRestart, superviseWorker, type SupervisedRun, type Supervisor } from './workerSupervision';

export const workflowsPath = fileURLToPath(new URL('./workflows/index.ts', import.meta.url));

export interface BuildWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** Encrypts payloads (tandemDataConverter): the same one every client of these workflows uses. */
  dataConverter: DataConverter;
  /** A pre-built bundle (tests, production images); otherwise workflows are bundled at start. */
  workflowBundlePath?: string;
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
  /** Sticky cache size: bounds the worker's memory; the SDK sizes it from the heap when unset. */
  maxCachedWorkflows?: number | undefined;
}

const sdkLevels: Record<Config['LOG_LEVEL'], LogLevel> = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' };

/** The Temporal runtime's logger at LOG_LEVEL; once per process, before the first worker. */
export function installRuntime(config: Config) {
  Runtime.install({ logger: new DefaultLogger(sdkLevels[config.LOG_LEVEL]) });
}

/**
 * How many activities a worker runs side by side (Temporal's own default, stated here): deliveries
 * are activities, so this is also how many webhooks one worker has in flight, and the delivery
 * benchmark sends at this concurrency.
 */
export const ACTIVITY_SLOTS = 100;

/** The one place a Tandem worker is put together. */
export function buildWorker(options: BuildWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundlePath ? { workflowBundle: { codePath: options.workflowBundlePath } } : { workflowsPath }),
    activities: createActivities(options.deps),
    dataConverter: options.dataConverter,
    shutdownGraceTime: options.shutdownGraceTime ?? '10s',
    maxConcurrentActivityTaskExecutions: ACTIVITY_SLOTS,
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
  });
}

/** How the worker's deliveries leave: SMTP when SMTP_URL is set, webhooks, CSAT links on PUBLIC_URL. */
export function deliveryOptions(config: Config): DeliveryOptions {
  return {
    mailer: config.SMTP_URL ? createMailer(config.SMTP_URL) : null,
    emailFrom: { address: config.EMAIL_FROM, name: config.EMAIL_FROM_NAME },
    publicUrl: publicUrlOf(config),
    csatLinkSecret: config.CSAT_LINK_SECRET,
    webhookTimeoutMs: config.WEBHOOK_TIMEOUT_MS,
  };
}

export interface RunningWorker extends SupervisedRun {
  worker: Worker;
  connection: NativeConnection;
}

/** Connects, builds and starts the worker over an open database. */
export async function startWorker(config: Config, database: Database, target: TemporalTarget): Promise<RunningWorker> {
  const { ring } = await loadKeyRing(config, database.db);
  const connection = await NativeConnection.connect(target.connection);
  // A supervisor calls this again after every failure: a build that fails must not leak its connection.
  const worker = await buildWorker({
    connection,
    namespace: target.namespace,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    dataConverter: tandemDataConverter(ring),
    deps: {
      db: database.db,
      ai: createSupportAI(config, database.db),
      integrations: createIntegrations(config, database.db),
      delivery: deliveryOptions(config),
      maxRetryDelayMs: config.MAX_RETRY_DELAY_MS,
    },
    shutdownGraceTime: config.SHUTDOWN_GRACE_MS,
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
  }).catch(async (error: unknown) => {
    await connection.close().catch(() => {});
    throw error;
  });
  const done = worker.run().finally(() => connection.close());
  return {
    worker,
    connection,
    done,
    shutdown: () => {
      // The runtime may already be draining it after SIGINT/SIGTERM; shutdown() then throws.
      if (worker.getState() === 'RUNNING') worker.shutdown();
    },
  };
}

export interface TandemSupervisionOptions {
  /** Apply migrations before the first start (retried like any start while PostgreSQL is down). */
  migrate?: boolean;
  /** Runs after every successful start; `restarts` is 0 for the first. */
  onStarted?: (run: RunningWorker, restarts: number) => void;
}

/**
 * The worker under supervision: restarted with backoff when a run fails (Temporal unreachable,
 * PostgreSQL down while migrating, a run that ends in an error), each restart said on stderr.
 */
export function superviseTandemWorker(
  config: Config,
  database: Database,
  target: TemporalTarget,
  { migrate = false, onStarted = () => {} }: TandemSupervisionOptions = {},
): Supervisor<RunningWorker> {
  let migrated = !migrate;
  let restarts = 0;
  return superviseWorker(
    async () => {
      if (!migrated) {
        await database.migrate();
        migrated = true;
      }
      const run = await startWorker(config, database, target);
      onStarted(run, restarts);
      return run;
    },
    {
      onRestart: (notice) => {
        restarts++;
        console.error(describeRestart(notice));
      },
    },
  );
}

async function main() {
  const config = loadConfig();
  installRuntime(config);
  const database = openDatabase({ url: config.DATABASE_URL, pgliteDir: config.PGLITE_DIR });
  const target = temporalTarget(config);
  const { directory, billing, issueTracker } = createIntegrations(config, database.db);
  const supervisor = superviseTandemWorker(config, database, target, {
    migrate: true,
    onStarted: (_run, restarts) =>
      console.log(
        `worker polling ${config.TEMPORAL_TASK_QUEUE} on ${target.connection.address} (${target.security}, namespace ${target.namespace})${restarts ? ` again after ${restarts} restart(s)` : ''} (database: ${database.driver}; AI: ${createSupportAI(config, database.db).name}; CRM: ${directory.name}, billing: ${billing.name}, issues: ${issueTracker.name})`,
      ),
  });
  // The Temporal runtime drains a running worker on these signals by itself; ours also ends a
  // wait between restarts, when there is no worker for the runtime to stop.
  const stop = () => void supervisor.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await supervisor.done;
  await database.close();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
