import type { Client } from '@temporalio/client';
import type { Database } from '../db/client';

export interface Health {
  status: 'ok' | 'degraded';
  temporal: 'up' | 'down';
  database: 'up' | 'down';
  databaseDriver: Database['driver'];
}

/** Asks both dependencies with a deadline, so a dead dependency never hangs the caller. */
export async function checkHealth(client: Client, database: Database, timeoutMs = 2000): Promise<Health> {
  const [temporalUp, databaseUp] = await Promise.all([
    client.connection
      .withDeadline(Date.now() + timeoutMs, () => client.workflowService.getSystemInfo({}))
      .then(() => true)
      .catch(() => false),
    database.ping(timeoutMs),
  ]);
  return {
    status: temporalUp && databaseUp ? 'ok' : 'degraded',
    temporal: temporalUp ? 'up' : 'down',
    database: databaseUp ? 'up' : 'down',
    databaseDriver: database.driver,
  };
}
