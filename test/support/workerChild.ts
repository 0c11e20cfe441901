import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { inject } from 'vitest';
import { testEncryptionKeys } from './encryption';

/** A worker running test/support/workerProcess.ts in its own process, so a test can kill it (or its database). */
export interface WorkerChild {
  child: ChildProcess;
  /** Everything it printed (bounded), for failure messages. */
  output: () => string;
  /** Set once the process has exited. */
  exit: () => { code: number | null; signal: NodeJS.Signals | null } | undefined;
}

/**
 * Starts the worker process on `taskQueue` over `databaseUrl` with the run's Temporal server and
 * workflow bundle; resolves once it polls. `env` adds variables (e.g. OPENAI_BASE_URL).
 */
export function startWorkerProcess(options: {
  taskQueue: string;
  databaseUrl: string;
  env?: Record<string, string>;
}): Promise<WorkerChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'workerProcess.ts')], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TASK_QUEUE: options.taskQueue,
      DATABASE_URL: options.databaseUrl,
      WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      TANDEM_ENCRYPTION_KEYS: testEncryptionKeys,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exit: ReturnType<WorkerChild['exit']>;
  const collect = (d: Buffer) => {
    output = (output + d.toString()).slice(-400_000); // bounded: a soak logs every failed attempt
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  child.once('exit', (code, signal) => (exit = { code, signal }));
  const handle: WorkerChild = { child, output: () => output, exit: () => exit };
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', () => {
      if (output.includes('worker-ready')) resolve(handle);
    });
    child.once('exit', (code) => reject(new Error(`worker process exited before it was ready (${code}):\n${output}`)));
  });
}
