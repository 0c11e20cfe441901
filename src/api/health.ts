import type { Client } from '@temporalio/client';
import type { Database } from '../db/client';
import { pollersOn } from './dependencies';

export interface Health {
  status: 'ok' | 'degraded';
  temporal: 'up' | 'down';
  /** A worker polled the ticket task queue in the last minute: tickets can move. */
  worker: 'up' | 'down';
  database: 'up' | 'down';
  databaseDriver: Database['driver'];
  /** The task queue whose pollers `worker` reports. */
  taskQueue: string;
}

/**
 * Asks both dependencies at once, each under `timeoutMs` (raced by a timer, so a dead or hung
 * dependency never holds the caller past it). One describeTaskQueue call answers both "is
 * Temporal there" and "is a worker polling".
 */
export async function checkHealth(client: Client, database: Database, options: { taskQueue: string; timeoutMs?: number }): Promise<Health> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const [pollers, databaseUp] = await Promise.all([
    pollersOn(client, options.taskQueue, timeoutMs).catch(() => undefined),
    database.ping(timeoutMs),
  ]);
  const temporalUp = pollers !== undefined;
  return {
    status: temporalUp && pollers && databaseUp ? 'ok' : 'degraded',
    temporal: temporalUp ? 'up' : 'down',
    worker: pollers ? 'up' : 'down',
    database: databaseUp ? 'up' : 'down',
    databaseDriver: database.driver,
    taskQueue: options.taskQueue,
  };
}
