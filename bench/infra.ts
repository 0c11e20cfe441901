import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import postgres from 'postgres';
import { createApiKey } from '../src/api/auth';
import { openDatabase, type Database } from '../src/db/client';
import { seedDemoData } from '../src/db/seed';
import { tandemDataConverter } from '../src/temporal/dataConverter';
import { formatKey, parseKeyRing } from '../src/temporal/keyRing';
import { startDevServer, type RunningServer } from '../src/temporal/localServer';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface Process {
  child: ChildProcess;
  /** Everything it printed lately. */
  output(): string;
  rssMb(): number;
  stop(): Promise<void>;
  /** Rejects, with the process's last output, if it exits without being stopped. */
  died: Promise<never>;
}

/** A Node process running a TypeScript entry point directly (no tsx wrapper), so its RSS is its own. */
export async function startProcess(entry: string, env: NodeJS.ProcessEnv, ready: RegExp, nodeFlags: string[] = []): Promise<Process> {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', path.join(root, entry)], {
    cwd: root,
    env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let stopping = false;
  const died = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) => {
      if (!stopping) reject(new Error(`${entry} exited unexpectedly (${code ?? signal}):\n${output.slice(-3000)}`));
    });
  });
  died.catch(() => {}); // observed by whoever waits on it; never an unhandled rejection
  await Promise.race([
    new Promise<void>((resolve) => {
      const check = () => (ready.test(output) ? resolve() : setTimeout(check, 50));
      check();
    }),
    died,
  ]);
  return {
    child,
    died,
    output: () => output,
    rssMb() {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
      } catch {
        return NaN;
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }),
  };
}

export interface Infra {
  temporal: RunningServer;
  temporalDbFile: string;
  /** Bare Temporal: starts and reads the baseline workflows, whose payloads are not encrypted. */
  client: Client;
  /** With Tandem's data converter: reads tickets, whose payloads are. */
  tandemClient: Client;
  databaseUrl: string;
  database: Database;
  apiUrl: string;
  keys: { service: string; agent: string; admin: string };
  worker: Process;
  /** Fails as soon as a process the bench needs dies, instead of waiting out a step's timeout. */
  watch<T>(step: Promise<T>): Promise<T>;
  /** Replaces the Tandem worker with one whose sticky cache holds this many tickets (and Node flags). */
  restartWorker(cachedWorkflows: number, nodeFlags?: string[]): Promise<void>;
  api: Process;
  baseline: Process;
  ticketQueue: string;
  baselineQueue: string;
  close(): Promise<void>;
}

/** Temporal, a fresh Postgres database, and Tandem's worker and API plus the baseline worker as separate processes. */
export async function startInfra(log: (line: string) => void, options: { cachedWorkflows: number }): Promise<Infra> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'tandem-bench-'));
  const temporalDbFile = path.join(tmp, 'temporal.sqlite');
  const temporal = await startDevServer({ port: await freePort(), dbFile: temporalDbFile, log });
  log(`Temporal ${temporal.address} (${temporal.cli.source})`);

  const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `tandem_bench_${Date.now()}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const database = openDatabase({ url: databaseUrl, maxConnections: 4 });
  await database.migrate();
  await seedDemoData(database.db);
  log(`PostgreSQL database ${name}`);

  const keys = {
    service: (await createApiKey(database.db, { role: 'service', name: 'bench-service' })).key,
    agent: (await createApiKey(database.db, { role: 'agent', name: 'bench-agent' })).key,
    admin: (await createApiKey(database.db, { role: 'admin', name: 'bench-admin' })).key,
  };
  const encryptionKeys = formatKey({ id: 'bench', key: randomBytes(32) });
  const ticketQueue = 'bench-tickets';
  const baselineQueue = 'bench-baseline';
  const env = {
    TEMPORAL_ADDRESS: temporal.address,
    DATABASE_URL: databaseUrl,
    TEMPORAL_TASK_QUEUE: ticketQueue,
    OPENAI_API_KEY: '',
    OPENAI_BASE_URL: '',
    TANDEM_ENCRYPTION_KEYS: encryptionKeys,
    // One load generator on one address would measure the limiter, not Tandem: limits are off.
    RATE_LIMIT_PER_IP: '0',
    RATE_LIMIT_PER_KEY: '0',
  };
  const port = await freePort();
  // Any of the processes dying fails the step that is running, with that process's last words.
  let fail: (err: Error) => void = () => {};
  const anyDeath = new Promise<never>((_, reject) => (fail = reject));
  anyDeath.catch(() => {});
  const watched = (p: Process) => (p.died.catch(fail), p);
  const startWorker = async (cachedWorkflows: number, nodeFlags: string[] = []) =>
    watched(
      await startProcess('src/worker.ts', { ...env, WORKER_MAX_CACHED_WORKFLOWS: String(cachedWorkflows) }, /worker polling/, nodeFlags),
    );
  const [worker, api, baseline] = await Promise.all([
    startWorker(options.cachedWorkflows),
    startProcess('src/api/main.ts', { ...env, PORT: String(port) }, /Tandem API on/).then(watched),
    startProcess(
      'bench/baselineWorker.ts',
      { TEMPORAL_ADDRESS: temporal.address, TEMPORAL_TASK_QUEUE: baselineQueue },
      /baseline worker ready/,
    ).then(watched),
  ]);
  log('worker, API and baseline worker running');
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  const tandemClient = new Client({ connection, dataConverter: tandemDataConverter(parseKeyRing(encryptionKeys)) });
  const infra: Infra = {
    temporal,
    temporalDbFile,
    client,
    tandemClient,
    databaseUrl,
    database,
    apiUrl: `http://127.0.0.1:${port}`,
    keys,
    worker,
    watch: (step) => Promise.race([step, anyDeath]),
    async restartWorker(cachedWorkflows, nodeFlags) {
      await infra.worker.stop();
      infra.worker = await startWorker(cachedWorkflows, nodeFlags);
    },
    api,
    baseline,
    ticketQueue,
    baselineQueue,
    async close() {
      await Promise.all([infra.worker.stop(), api.stop(), baseline.stop()]);
      await connection.close();
      await database.close();
      await temporal.stop();
      await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
      await admin.end();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
  return infra;
}

export const fileMb = (file: string) => {
  try {
    return statSync(file).size / 1024 / 1024;
  } catch {
    return NaN;
  }
};
