import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { z } from 'zod';
import { defaultPolicy, type RoutingPolicy } from '../schemas/policy';
import type { Database } from '../db/client';
import type { PolicyStore } from '../db/policyStore';
import { createLogger, type Logger } from '../logger';
import type { ActivityTimeouts } from '../workflows/ticket/timeouts';
import { MAX_EMAIL_BYTES } from '../email/inbound';
import { authenticate } from './auth';
import { renderDocs } from './docsPage';
import { checkHealth } from './health';
import { buildOpenApi } from './openapi';
import { Problem, problems, sendProblem } from './problems';
import { defineRoute, register, type RouteSpec } from './route';
import { DEFAULT_EMAIL_FROM } from '../domain/delivery';
import { policyRoutes, ticketRoutes } from './routes';
import { webhookEventDocs } from './webhookEvents';
import type { RouteDeliveryOptions } from './routes/ticketCalls';

export interface AppDeps {
  client: Client;
  database: Database;
  /** The task queue ticket workflows are started on. */
  taskQueue?: string;
  /** Versioned policies: GET/PUT /v1/policy, and the source of new tickets' policy. */
  policies?: PolicyStore;
  /** Overrides where new tickets' policy comes from (tests pin one). */
  policy?: () => RoutingPolicy | Promise<RoutingPolicy>;
  activityTimeouts?: ActivityTimeouts;
  logger?: Logger;
  /** healthMs bounds each dependency check of /healthz and /readyz. */
  timeouts?: Partial<{ temporalMs: number; updateMs: number; databaseMs: number; healthMs: number }>;
  /** How long a verified API key is trusted without asking the database again (0: always ask). */
  authCacheTtlMs?: number;
  /** Largest accepted JSON body. */
  bodyLimit?: string;
  /** Largest accepted inbound email (message/rfc822), in bytes. */
  emailLimit?: number;
  /** `crm` when customer ids are an outside CRM's (HubSpot), not Tandem's own table's. */
  customerIds?: 'tandem' | 'crm';
  /** Public address, CSAT link key, email from-address, webhook timeout: see RouteDeliveryOptions. */
  delivery?: Partial<RouteDeliveryOptions>;
}

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

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,200}$/;
const jsonTypes = ['application/json', 'application/*+json'];
// Only routes that say so accept YAML (the routing policy), a form (the CSAT page) or a raw email
// (inbound mail); the others answer them with 415.
const yamlTypes = ['application/yaml', 'application/x-yaml', 'text/yaml'];
const formType = 'application/x-www-form-urlencoded';
const mimeType = 'message/rfc822';

export function createApp(deps: AppDeps): Express {
  const { client, database } = deps;
  const logger = deps.logger ?? createLogger('info');
  const timeouts = { temporalMs: 10_000, updateMs: 30_000, databaseMs: 5_000, healthMs: 2_000, ...deps.timeouts };
  const taskQueue = deps.taskQueue ?? 'tandem-tickets';
  const health = () => checkHealth(client, database, { taskQueue, timeoutMs: timeouts.healthMs });

  const systemRoutes: RouteSpec[] = [
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
  const apiRoutes = ticketRoutes({
    client,
    db: database.db,
    taskQueue,
    policy: deps.policy ?? (deps.policies ? async () => (await deps.policies!.active()).policy : () => defaultPolicy),
    ...(deps.activityTimeouts ? { activityTimeouts: deps.activityTimeouts } : {}),
    ...(deps.customerIds ? { customerIds: deps.customerIds } : {}),
    timeouts,
    delivery: {
      publicUrl: deps.delivery?.publicUrl ?? 'http://127.0.0.1:3000',
      selfOrigins: deps.delivery?.selfOrigins ?? [],
      csatLinkSecret: deps.delivery?.csatLinkSecret,
      emailFrom: deps.delivery?.emailFrom ?? DEFAULT_EMAIL_FROM.address,
      webhookTimeoutMs: deps.delivery?.webhookTimeoutMs ?? 10_000,
    },
  });
  const docRoutes: RouteSpec[] = [
    defineRoute({
      method: 'get',
      path: '/v1/openapi.json',
      operationId: 'openapi',
      tag: 'Operations',
      summary: 'This OpenAPI 3.1 document',
      roles: 'public',
      responses: { 200: { description: 'The document.' } },
      handle: async () => ({ status: 200, body: openApi() }),
    }),
    defineRoute({
      method: 'get',
      path: '/docs',
      operationId: 'docs',
      tag: 'Operations',
      summary: 'The rendered API reference',
      roles: 'public',
      responses: { 200: { description: 'An HTML page.', contentType: 'text/html' } },
      handle: async () => ({ status: 200, body: docsHtml(), contentType: 'text/html' }),
    }),
  ];
  const routes = [...apiRoutes, ...(deps.policies ? policyRoutes(deps.policies, timeouts.databaseMs) : []), ...systemRoutes, ...docRoutes];
  let document: ReturnType<typeof buildOpenApi> | undefined;
  const openApi = () => (document ??= buildOpenApi(routes, { version: '1' }, webhookEventDocs));
  let html: string | undefined;
  const docsHtml = () => (html ??= renderDocs(openApi()));

  const app = express();
  app.disable('x-powered-by');
  app.set('routes', routes);

  const requestId: RequestHandler = (req, res, next) => {
    const given = req.get('x-request-id');
    if (given !== undefined && !REQUEST_ID.test(given)) {
      throw problems.invalid([{ field: 'header.X-Request-Id', message: 'must be 1–200 of A-Z a-z 0-9 . _ : -' }]);
    }
    req.requestId = given ?? randomUUID();
    res.set('X-Request-Id', req.requestId);
    next();
  };
  // A body that is not JSON is refused before it is read, so nothing downstream guesses at it.
  const jsonOnly: RequestHandler = (req, _res, next) => {
    const hasBody = req.get('content-length') ? req.get('content-length') !== '0' : req.get('transfer-encoding') !== undefined;
    if (hasBody && !req.is([...jsonTypes, ...yamlTypes, formType, mimeType])) {
      throw new Problem(415, 'Unsupported Media Type', `send application/json, not ${req.get('content-type') ?? 'no content type'}`);
    }
    next();
  };
  const limit = deps.bodyLimit ?? '1mb';
  app.use(
    requestId,
    jsonOnly,
    express.json({ limit, type: jsonTypes }),
    express.text({ limit, type: yamlTypes }),
    express.urlencoded({ limit: '64kb', type: formType, extended: false }),
    express.raw({ limit: deps.emailLimit ?? MAX_EMAIL_BYTES, type: mimeType }),
  );

  const router = express.Router();
  const auth = authenticate(database.db, timeouts.databaseMs, { cacheTtlMs: deps.authCacheTtlMs ?? 30_000 });
  for (const route of routes) register(router, route, auth);
  app.use(router);

  app.use((req) => {
    throw problems.notFound(`no route for ${req.method} ${req.path}; see /docs`);
  });

  const onError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof Problem) return sendProblem(res, err, req.requestId);
    // body-parser and Express raise errors that carry an HTTP status for client mistakes.
    const e = err as { status?: number; type?: string; message?: string; expose?: boolean };
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      const detail =
        e.type === 'entity.too.large'
          ? `the body is larger than ${req.is(mimeType) ? `${deps.emailLimit ?? MAX_EMAIL_BYTES} bytes` : (deps.bodyLimit ?? '1mb')}`
          : e.type === 'entity.parse.failed'
            ? 'the body is not valid JSON'
            : e.expose
              ? e.message
              : undefined;
      const title = e.status === 413 ? 'Content Too Large' : e.status === 415 ? 'Unsupported Media Type' : 'Bad Request';
      return sendProblem(res, new Problem(e.status, title, detail), req.requestId);
    }
    logger.error('unexpected error', { requestId: req.requestId, method: req.method, path: req.path, error: err });
    sendProblem(
      res,
      new Problem(500, 'Internal Server Error', `an unexpected error occurred; quote request id ${req.requestId ?? 'unknown'}`),
      req.requestId,
    );
  };
  app.use(onError);
  return app;
}

/** The routes an app serves, for the OpenAPI consistency test. */
export const routesOf = (app: Express) => app.get('routes') as RouteSpec[];
