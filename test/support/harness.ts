import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Express } from 'express';
import { inject } from 'vitest';
import type { DeliveryOptions } from '../../src/activities';
import { createApp, type AppDeps } from '../../src/api/app';
import { createApiKey } from '../../src/api/auth';
import { createLocalSupportAI } from '../../src/ai/localProvider';
import type { SupportAI } from '../../src/ai/supportAI';
import { openDatabase, type Database } from '../../src/db/client';
import { createPolicyStore } from '../../src/db/policyStore';
import type { ApiKeyRole } from '../../src/db/schema';
import { seedDemoData } from '../../src/db/seed';
import type { RoutingPolicy } from '../../src/domain/policy';
import type { Integrations } from '../../src/integrations/ports';
import { buildWorker } from '../../src/worker';
import { testDataConverter, testKeyRing, testWebOrigin } from './encryption';
import { serve } from './http';

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
  return { client: new Client({ connection, dataConverter: testDataConverter }), close: () => connection.close() };
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
  /** SMTP, CSAT links, webhook timeout. */
  delivery?: DeliveryOptions;
  /** Another key ring than the run's (key rotation tests). */
  dataConverter?: DataConverter;
}): Promise<TestWorker> {
  const taskQueue = options.taskQueue ?? `test-${randomUUID()}`;
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  const worker = await buildWorker({
    connection,
    namespace: 'default',
    taskQueue,
    workflowBundlePath: inject('workflowBundlePath'),
    dataConverter: options.dataConverter ?? testDataConverter,
    deps: {
      db: options.database.db,
      ai: options.ai ?? createLocalSupportAI(options.database.db),
      ...(options.integrations ? { integrations: options.integrations } : {}),
      ...(options.maxRetryDelayMs !== undefined ? { maxRetryDelayMs: options.maxRetryDelayMs } : {}),
      ...(options.delivery ? { delivery: options.delivery } : {}),
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

export interface TestStackOptions<K extends string> {
  /** Pinned as every new ticket's policy; without it new tickets take the policy store's active one. */
  policy?: RoutingPolicy;
  /** Serve GET/PUT /v1/policy from the database (`cacheMs` as the store takes it). */
  policies?: { cacheMs?: number };
  /**
   * API keys to create, by name and role (`service:all` for a service key granted every ticket);
   * each is stored as `<name>-<run suffix>` (see `names`).
   */
  keys?: Record<K, ApiKeyRole | 'service:all'>;
  /** Anything else the API takes (logger, timeouts, customer ids). */
  app?: Omit<AppDeps, 'client' | 'database' | 'taskQueue' | 'policy' | 'policies'>;
  worker?: Omit<Parameters<typeof startTestWorker>[0], 'database'>;
}

/** A test file's whole Tandem: database, Temporal client, a worker on its own task queue, and the API in front of them. */
export interface TestStack<K extends string = never> {
  database: Database;
  client: Client;
  worker: TestWorker;
  app: Express;
  /** The served API's base URL. */
  url: string;
  /** The bearer key for each name in `options.keys`. */
  keys: Record<K, string>;
  /** The stored name of each key: what the API records as the actor (`alice-1a2b3c`). */
  names: Record<K, string>;
  /** Closes the API, the worker, the client and the database, in that order. */
  close(): Promise<void>;
}

export async function startTestStack<K extends string = never>(options: TestStackOptions<K> = {}): Promise<TestStack<K>> {
  // Closed newest first, also when a later step fails, so a broken setup leaves nothing running.
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer();
  };
  try {
    const database = await openTestDatabase();
    closers.push(() => database.close());
    const { client, close: closeClient } = await connectClient();
    closers.push(closeClient);
    const worker = await startTestWorker({ ...options.worker, database });
    closers.push(() => worker.close());
    const { policy } = options;
    const app = createApp({
      codec: { ring: testKeyRing, webOrigins: [testWebOrigin] },
      ...options.app,
      client,
      database,
      taskQueue: worker.taskQueue,
      ...(policy ? { policy: () => policy } : {}),
      ...(options.policies ? { policies: createPolicyStore(database.db, options.policies) } : {}),
    });
    const served = await serve(app);
    closers.push(served.close);

    const suffix = randomUUID().slice(0, 6);
    const keys = {} as Record<K, string>;
    const names = {} as Record<K, string>;
    for (const [name, given] of Object.entries(options.keys ?? {}) as [K, ApiKeyRole | 'service:all'][]) {
      names[name] = `${name}-${suffix}`;
      const role = given === 'service:all' ? 'service' : given;
      keys[name] = (await createApiKey(database.db, { role, name: names[name], scope: given === 'service:all' ? 'all' : 'own' })).key;
    }
    return { database, client, worker, app, url: served.url, keys, names, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export const uniqueId = (prefix = 't') => `${prefix}-${randomUUID().slice(0, 8)}`;
