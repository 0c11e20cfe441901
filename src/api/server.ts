import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';
import type { Database } from '../db/client';
import { createPolicyStore } from '../db/policyStore';
import type { Logger } from '../logger';
import { defaultActivityTimeouts } from '../workflows/ticket';
import { createApp } from './app';

export interface RunningApi {
  server: Server;
  url: string;
  client: Client;
  close(): Promise<void>;
}

/** One Temporal client per process; close() stops accepting, drains in-flight requests, then disconnects. */
export async function startApi(config: Config, database: Database, address: string, logger?: Logger): Promise<RunningApi> {
  // Connects on first use: an API started while Temporal is down serves 503s and /readyz says
  // why, instead of refusing to start.
  const connection = Connection.lazy({ address });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const app = createApp({
    client,
    database,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    policies: createPolicyStore(database.db),
    customerIds: config.HUBSPOT_ACCESS_TOKEN ? 'crm' : 'tandem',
    // A model call may take up to OPENAI_TIMEOUT_MS; the AI activity must outlast it.
    activityTimeouts: { ...defaultActivityTimeouts, aiMs: Math.max(defaultActivityTimeouts.aiMs, config.OPENAI_TIMEOUT_MS + 15_000) },
    ...(logger ? { logger } : {}),
    timeouts: {
      temporalMs: config.REQUEST_TIMEOUT_MS,
      updateMs: config.REQUEST_TIMEOUT_MS,
      databaseMs: Math.min(5_000, config.REQUEST_TIMEOUT_MS),
    },
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.PORT, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  return {
    server,
    url: `http://127.0.0.1:${config.PORT}`,
    client,
    async close() {
      // Stop accepting, let in-flight requests finish, and drop idle keep-alive sockets; past
      // the grace time, cut what is left rather than hang the shutdown.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_GRACE_MS);
      await closed;
      clearTimeout(grace);
      await connection.close();
    },
  };
}
