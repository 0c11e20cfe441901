import type { Client } from '@temporalio/client';
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Database } from '../db/client';
import { checkHealth } from './health';

export interface AppDeps {
  client: Client;
  database: Database;
}

export function createApp({ client, database }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');

  // Liveness: the process answers, and says how its dependencies are doing.
  app.get('/healthz', async (_req, res) => {
    res.json(await checkHealth(client, database));
  });

  // Readiness: only ready when Temporal and the database both answer.
  app.get('/readyz', async (_req, res) => {
    const health = await checkHealth(client, database);
    if (health.status !== 'ok') res.status(503).set('Retry-After', '5');
    res.json(health);
  });

  app.use((req, res) => {
    res.status(404).type('application/problem+json').json({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: `no route for ${req.method} ${req.path}`,
    });
  });

  const onError: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
    console.error('unexpected error', err);
    res.status(500).type('application/problem+json').json({ type: 'about:blank', title: 'Internal Server Error', status: 500 });
  };
  app.use(onError);
  return app;
}
