import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import type { ApiKeyRole } from '../db/schema';
import { allow, principalOf, type Principal } from './auth';
import { parse as parseYaml } from 'yaml';
import { jsonLimitErrors } from './jsonLimits';
import { fieldErrors, Problem, problems, type FieldError } from './problems';
import { ProblemDetails } from '../schemas/api';

/**
 * A route is data: the same object registers the Express handler and describes the operation
 * in the OpenAPI document, so the docs list exactly the routes that exist with the schemas
 * that validate them.
 */
export interface RouteSpec<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  method: 'get' | 'post' | 'put' | 'delete';
  /** Express syntax (`/v1/tickets/:id`); the OpenAPI path is derived from it. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** Roles allowed besides lead and admin; `public` routes need no key. */
  roles: ApiKeyRole[] | 'public';
  /** Only the listed roles, not lead and admin by default. */
  exclusive?: boolean;
  /** Also accept the body as YAML (application/yaml). */
  acceptsYaml?: boolean;
  /**
   * A body that is not JSON: an HTML form (application/x-www-form-urlencoded, parsed into the
   * `body` schema), a raw email (message/rfc822, handed over as `raw` bytes) or a helpdesk
   * export (text/csv or JSON Lines, as `raw` bytes).
   */
  bodyType?: 'form' | 'mime' | 'export';
  /** A larger body limit than the app's (the codec server's payloads), in body-parser syntax ('16mb'). */
  bodyLimit?: string;
  /**
   * Also accept a signed-in session cookie instead of `Authorization` (the codec server, which
   * Temporal Web calls from the browser and cannot give a bearer key).
   */
  acceptsSession?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  /** Documented request headers. */
  headers?: { name: string; description: string }[];
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  handle(input: HandlerInput<z.output<P>, z.output<Q>, z.output<B>>): Promise<Reply>;
}

export interface HandlerInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** The request's bytes, for a `mime` route. */
  raw: Buffer | null;
  principal: Principal | null;
  requestId: string;
  header(name: string): string | undefined;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  contentType?: string;
}

/** A documented problem answer (RFC 9457), for a route's `responses`. */
export const problemResponse = (description: string) => ({ description, schema: ProblemDetails, contentType: 'application/problem+json' });

/** The problems every authenticated route can answer. */
export const commonResponses = {
  400: problemResponse('A parameter, query string or body field is invalid; `errors` names each one.'),
  401: problemResponse('Missing, unknown or revoked API key (answered before any 400).'),
  403: problemResponse("The key's role may not do this."),
  429: problemResponse('Over the per-key or per-address request budget; see Retry-After and the RateLimit fields.'),
  503: problemResponse('Temporal, a worker or the database did not answer in time; `dependency` names it; see Retry-After.'),
};

export const defineRoute = <P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(spec: RouteSpec<P, Q, B>) =>
  spec as unknown as RouteSpec;

// A route that takes no query string says so by refusing one, rather than ignoring it.
const noQuery = z.strictObject({});

function parsePart(schema: z.ZodType | undefined, value: unknown, where: string, errors: FieldError[]): unknown {
  if (!schema) return undefined;
  const limits = jsonLimitErrors(value, where);
  if (limits.length > 0) {
    errors.push(...limits);
    return undefined;
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  errors.push(...fieldErrors(result.error, where));
  return undefined;
}

/** What `register` puts around a route's handler, from the app. */
export interface RouteMiddleware {
  /** Resolves the API key (401 when missing or unknown); routes with `acceptsSession` run `session` first. */
  authenticate: RequestHandler;
  session?: RequestHandler;
  /** Once the key is known: the per-key rate limit. */
  perKey: RequestHandler[];
  /** Before the body is read, on every route: the header checks that answer 400. */
  checks: RequestHandler[];
  /** Reads the body kinds the route takes (src/api/bodies.ts). */
  bodies(route: RouteSpec): RequestHandler[];
}

export function register(router: Router, route: RouteSpec, middleware: RouteMiddleware) {
  // Authentication, then the role, then everything that may answer 400: a caller without a key
  // learns that first, whatever else is wrong with the request.
  const guards =
    route.roles === 'public'
      ? []
      : [
          ...(route.acceptsSession && middleware.session ? [middleware.session] : []),
          middleware.authenticate,
          ...middleware.perKey,
          allow(route.roles, route.exclusive),
        ];
  const before = [...guards, ...middleware.checks, ...middleware.bodies(route)];
  router[route.method](route.path, ...before, async (req: Request, res: Response) => {
    const errors: FieldError[] = [];
    const params = parsePart(route.params, req.params, 'params', errors);
    const query = parsePart(route.query ?? noQuery, { ...req.query }, 'query', errors);
    // A POST without a body is an empty object, so actions that need no fields need no body.
    let raw: unknown = req.body ?? {};
    const bytes = Buffer.isBuffer(raw) ? raw : null;
    const takesBytes = route.bodyType === 'mime' || route.bodyType === 'export';
    if (bytes && !takesBytes) throw new Problem(415, 'Unsupported Media Type', 'send application/json');
    if (takesBytes) {
      if (!bytes) {
        const wanted = route.bodyType === 'mime' ? 'the raw message as message/rfc822' : 'the export as text/csv or application/x-ndjson';
        throw new Problem(415, 'Unsupported Media Type', `send ${wanted}`);
      }
      raw = {};
    }
    if (req.is('application/x-www-form-urlencoded') && route.bodyType !== 'form') {
      throw new Problem(415, 'Unsupported Media Type', 'send application/json');
    }
    if (typeof raw === 'string') {
      if (!route.acceptsYaml) throw new Problem(415, 'Unsupported Media Type', 'send application/json');
      try {
        raw = parseYaml(raw) ?? {};
      } catch (err) {
        throw problems.invalid([{ field: 'body', message: `not valid YAML: ${(err as Error).message.split('\n')[0]}` }]);
      }
    }
    const body = parsePart(route.body, raw, 'body', errors);
    if (errors.length > 0) throw problems.invalid(errors);
    const reply = await route.handle({
      params,
      query,
      body,
      raw: bytes,
      principal: route.roles === 'public' ? null : principalOf(req),
      requestId: req.requestId ?? '',
      header: (name) => req.get(name),
    });
    if (reply.headers) res.set(reply.headers);
    res.status(reply.status);
    if (reply.body === undefined) res.end();
    else if (reply.contentType && typeof reply.body === 'string') res.type(reply.contentType).send(reply.body);
    else if (reply.contentType) res.type(reply.contentType).json(reply.body);
    else res.json(reply.body);
  });
}

const methodOrder: RouteSpec['method'][] = ['get', 'post', 'put', 'delete'];
const allowHeader = (methods: Set<RouteSpec['method']>) =>
  methodOrder
    .filter((m) => methods.has(m))
    .flatMap((m) => (m === 'get' ? ['GET', 'HEAD'] : [m.toUpperCase()]))
    .join(', ');

/**
 * A known path asked with a method it does not take (OPTIONS, TRACE, PUT on a POST route…)
 * is a 405 naming the methods it does take, not a 404; registered after every route, so only
 * what no route answered reaches it.
 */
export function refuseOtherMethods(router: Router, routes: RouteSpec[]) {
  const byPath = new Map<string, Set<RouteSpec['method']>>();
  for (const route of routes) byPath.set(route.path, (byPath.get(route.path) ?? new Set()).add(route.method));
  for (const [path, methods] of byPath) {
    const allowed = allowHeader(methods);
    router.all(path, (req: Request, res: Response) => {
      res.set('Allow', allowed);
      throw new Problem(405, 'Method Not Allowed', `${req.method} is not allowed here; ${path} takes ${allowed}`);
    });
  }
}
