import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { defaultPolicy, defaultPolicyDocument, type RoutingPolicy } from '../schemas/policy';
import type { Database } from '../db/client';
import type { PolicyStore } from '../db/policyStore';
import { createLogger, type Logger } from '../logger';
import type { KeyRing } from '../temporal/keyRing';
import type { ActivityTimeouts } from '../workflows/ticket/timeouts';
import { MAX_EMAIL_BYTES } from '../email/inbound';
import { authenticate } from './auth';
import { bodyParsers, mimeType } from './bodies';
import { codecSessions } from './codecSession';
import { renderDocs } from './docsPage';
import { buildOpenApi } from './openapi';
import { Problem, problems, sendProblem } from './problems';
import { rateLimiters, type RateLimitOptions } from './rateLimits';
import { defineRoute, refuseOtherMethods, register, type RouteSpec } from './route';
import { DEFAULT_EMAIL_FROM } from '../domain/delivery';
import { policyRoutes, ticketRoutes } from './routes';
import { codecRoutes } from './routes/codec';
import { outcomesReportRoutes } from './routes/outcomesReport';
import { systemRoutes } from './routes/system';
import { codecCors, securityHeaders } from './security';
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
  /** The codec server (/codec/encode, /codec/decode, /codec/session): the key ring, and Temporal Web's origins for CORS. */
  codec?: { ring: KeyRing; webOrigins: string[]; sessionTtlMs?: number };
  /** Per-address and per-key budgets, shared through the database; none unless given. */
  rateLimits?: RateLimitOptions;
  /** Express's `trust proxy`, so the per-address budget sees clients behind a load balancer. */
  trustProxy?: string;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,200}$/;
/** How long a report's aggregate may take at least, whatever the request deadline. */
const REPORT_DEADLINE_MS = 30_000;

export function createApp(deps: AppDeps): Express {
  const { client, database } = deps;
  const logger = deps.logger ?? createLogger('info');
  const timeouts = { temporalMs: 10_000, updateMs: 30_000, databaseMs: 5_000, healthMs: 2_000, ...deps.timeouts };
  const taskQueue = deps.taskQueue ?? 'tandem-tickets';
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
  const publicUrl = deps.delivery?.publicUrl ?? 'http://127.0.0.1:3000';
  const sessions = codecSessions(database.db, {
    ttlMs: deps.codec?.sessionTtlMs ?? 8 * 3_600_000,
    secure: publicUrl.startsWith('https:'),
    databaseMs: timeouts.databaseMs,
    cacheTtlMs: deps.authCacheTtlMs ?? 30_000,
  });
  const codec = deps.codec
    ? codecRoutes({ db: database.db, ring: deps.codec.ring, sessions, databaseMs: timeouts.databaseMs, endpoint: `${publicUrl}/codec` })
    : [];
  const routes = [
    ...apiRoutes,
    ...(deps.policies ? policyRoutes(deps.policies, timeouts.databaseMs) : []),
    ...outcomesReportRoutes({
      db: database.db,
      // A report over a long window of a big history reads every ticket in it: longer than a ticket read.
      databaseMs: Math.max(timeouts.databaseMs, REPORT_DEADLINE_MS),
      activePolicy: async () =>
        deps.policies ? deps.policies.active() : { version: defaultPolicyDocument.version, document: defaultPolicyDocument },
    }),
    ...systemRoutes(client, database, { taskQueue, healthMs: timeouts.healthMs }),
    ...codec,
    ...docRoutes,
  ];
  let document: ReturnType<typeof buildOpenApi> | undefined;
  const openApi = () => (document ??= buildOpenApi(routes, { version: '1' }, webhookEventDocs));
  let html: string | undefined;
  const docsHtml = () => (html ??= renderDocs(openApi()));

  const app = express();
  app.disable('x-powered-by');
  app.set('routes', routes);

  // An X-Request-Id that is not one is a 400, but only once the key is known (401 first): until
  // then the request gets an id of its own.
  const requestId: RequestHandler = (req, res, next) => {
    const given = req.get('x-request-id');
    const usable = given !== undefined && REQUEST_ID.test(given);
    req.requestId = usable ? given : randomUUID();
    res.set('X-Request-Id', req.requestId);
    next();
  };
  const requestIdValid: RequestHandler = (req, _res, next) => {
    const given = req.get('x-request-id');
    if (given !== undefined && given !== req.requestId) {
      throw problems.invalid([{ field: 'header.X-Request-Id', message: 'must be 1–200 of A-Z a-z 0-9 . _ : -' }]);
    }
    next();
  };
  if (deps.trustProxy !== undefined) app.set('trust proxy', trustProxyValue(deps.trustProxy));
  const limits = deps.rateLimits ? rateLimiters(database.db, { timeoutMs: timeouts.databaseMs, ...deps.rateLimits }, logger) : null;
  app.use(securityHeaders, requestId, ...(limits?.perIp ? [limits.perIp] : []));
  if (deps.codec) app.use(['/codec/encode', '/codec/decode'], codecCors(deps.codec.webOrigins));

  const router = express.Router();
  const bodyLimits = { json: deps.bodyLimit ?? '1mb', email: deps.emailLimit ?? MAX_EMAIL_BYTES };
  const middleware = {
    authenticate: authenticate(database.db, timeouts.databaseMs, { cacheTtlMs: deps.authCacheTtlMs ?? 30_000 }),
    session: sessions.middleware,
    perKey: limits?.perKey ? [limits.perKey] : [],
    checks: [requestIdValid],
    bodies: (route: RouteSpec) => bodyParsers(route, bodyLimits),
  };
  for (const route of routes) register(router, route, middleware);
  refuseOtherMethods(router, routes);
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
    // The path, not the URL: a query string can carry an email address. The error is logged by errorForLog.
    logger.error('unexpected error', { requestId: req.requestId, method: req.method, path: req.route?.path ?? req.path, error: err });
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

/** `trust proxy` as Express takes it: a hop count, true/false, or addresses and subnets. */
function trustProxyValue(value: string): number | boolean | string {
  if (/^\d+$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}
