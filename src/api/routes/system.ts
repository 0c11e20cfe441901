import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Database } from '../../db/client';
import { checkHealth } from '../health';
import { defineRoute, type RouteSpec } from '../route';

const Health = z
  .object({
    status: z.enum(['ok', 'degraded']),
    temporal: z.enum(['up', 'down']),
    worker: z.enum(['up', 'down']).meta({ description: 'A worker polled the ticket task queue in the last minute.' }),
    database: z.enum(['up', 'down']),
    databaseDriver: z.enum(['postgres', 'pglite']),
    taskQueue: z.string().meta({ description: 'The task queue whose pollers `worker` reports.' }),
  })
  .meta({ id: 'Health' });

const Unready = Health.omit({ status: true })
  .extend({
    type: z.string(),
    title: z.string(),
    status: z.literal(503),
    detail: z.string(),
    requestId: z.string(),
  })
  .meta({ id: 'Unready' });

/** Liveness and readiness: what orchestrators and health checks ask, with no key. */
export function systemRoutes(client: Client, database: Database, options: { taskQueue: string; healthMs: number }): RouteSpec[] {
  const { taskQueue } = options;
  const health = () => checkHealth(client, database, { taskQueue, timeoutMs: options.healthMs });
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      operationId: 'healthz',
      tag: 'Operations',
      summary: 'Liveness, with the status of Temporal, the worker and the database',
      description:
        'Always 200 while the process answers; each dependency is asked with a 2 s deadline, so the answer comes within about 2 s even when one is down.',
      roles: 'public',
      responses: { 200: { description: 'The process answers.', schema: Health } },
      handle: async () => ({ status: 200, body: await health() }),
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      operationId: 'readyz',
      tag: 'Operations',
      summary: 'Readiness: Temporal and the database reachable, a worker polling the task queue',
      description: 'Each dependency is asked with a 2 s deadline, so the answer comes within about 2 s even when one is down.',
      roles: 'public',
      responses: {
        200: { description: 'Ready.', schema: Health },
        503: {
          description: 'A dependency is down: a problem that also carries the health fields; see Retry-After.',
          schema: Unready,
          contentType: 'application/problem+json',
        },
      },
      async handle({ requestId }) {
        const state = await health();
        if (state.status === 'ok') return { status: 200, body: state };
        // With Temporal away nobody can see the pollers, so the worker is named only when Temporal answers.
        const down = [
          ...(state.temporal === 'down' ? ['temporal unreachable'] : []),
          ...(state.temporal === 'up' && state.worker === 'down' ? [`no worker polling task queue ${state.taskQueue}`] : []),
          ...(state.database === 'down' ? ['database unreachable'] : []),
        ];
        return {
          status: 503,
          contentType: 'application/problem+json',
          headers: { 'Retry-After': '5' },
          body: {
            type: 'about:blank',
            title: 'Service Unavailable',
            status: 503,
            detail: `not ready: ${down.join(' and ')}`,
            temporal: state.temporal,
            worker: state.worker,
            database: state.database,
            databaseDriver: state.databaseDriver,
            taskQueue: state.taskQueue,
            requestId,
          },
        };
      },
    }),
  ];
}
