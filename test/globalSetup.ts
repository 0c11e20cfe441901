import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../src/db/client';
import { seedDemoData } from '../src/db/seed';
import { startDevServer, type RunningServer } from '../src/temporal/localServer';
import { workflowsPath } from '../src/worker';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
    /** A fresh database for this run, migrated and seeded; absent → each file uses in-memory PGlite. */
    databaseUrl: string | undefined;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** One Temporal server, one workflow bundle and one database for the whole run. */
export default async function setup(project: TestProject) {
  const started = Date.now();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'tandem-test-'));
  let temporal: RunningServer | undefined;
  let address = process.env.TEMPORAL_ADDRESS;
  if (!address) {
    temporal = await startDevServer({ port: await freePort(), log: (l) => console.log(`[temporal] ${l}`) });
    address = temporal.address;
  }

  const { code } = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
  const bundlePath = path.join(tmp, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);

  let dropDatabase: (() => Promise<void>) | undefined;
  let databaseUrl: string | undefined;
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (adminUrl) {
    const name = `tandem_test_${Date.now()}_${process.pid}`;
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    const database = openDatabase({ url: databaseUrl, maxConnections: 2 });
    await database.migrate();
    await seedDemoData(database.db);
    await database.close();
    dropDatabase = async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    };
  }

  project.provide('temporalAddress', address);
  project.provide('workflowBundlePath', bundlePath);
  project.provide('databaseUrl', databaseUrl);
  console.log(
    `[setup] Temporal ${address}${temporal ? ` (${temporal.cli.source})` : ' (existing)'}, database ${databaseUrl ? 'PostgreSQL (fresh database)' : 'PGlite per file'}, ready in ${Date.now() - started} ms`,
  );

  return async () => {
    await dropDatabase?.();
    await temporal?.stop();
    rmSync(tmp, { recursive: true, force: true });
  };
}

const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
