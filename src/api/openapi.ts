import { z } from 'zod';
import { allowedRoles } from './auth';
import type { RouteSpec } from './route';

const ref = (schema: z.ZodType) => {
  const id = z.globalRegistry.get(schema)?.id;
  return id ? { $ref: `#/components/schemas/${id}` } : toSchema(schema);
};

/** Inline JSON Schema; nested schemas with an id point at their component instead of local $defs. */
function toSchema(schema: z.ZodType): Record<string, unknown> {
  const {
    $schema: _drop,
    $defs: _defs,
    ...json
  } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return JSON.parse(JSON.stringify(json).replaceAll('"#/$defs/', '"#/components/schemas/')) as Record<string, unknown>;
}

/** One parameter per property of an object schema (path and query strings). */
function parameters(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  type ObjectSchema = { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  // A schema registered with an id comes back as a $ref to itself: parameters need its body.
  const full = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as ObjectSchema & {
    $ref?: string;
    $defs?: Record<string, ObjectSchema>;
  };
  const json = full.$ref?.startsWith('#/$defs/') ? (full.$defs?.[full.$ref.slice('#/$defs/'.length)] ?? {}) : full;
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

export const openApiPath = (expressPath: string) => expressPath.replace(/:([A-Za-z_]+)/g, '{$1}');

/** The OpenAPI 3.1 document, derived from the same route specs and zod schemas that serve requests. */
export function buildOpenApi(
  routes: RouteSpec[],
  info: { version: string; serverUrl?: string },
  /** Outbound events (OpenAPI 3.1 `webhooks`): what a receiver is sent, by event type. */
  events: Record<string, { summary: string; schema: z.ZodType }> = {},
) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const operation = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [route.tag],
      ...(route.roles === 'public' ? { security: [] } : { 'x-roles': allowedRoles(route.roles, route.exclusive) }),
      parameters: [
        ...parameters(route.params, 'path'),
        ...parameters(route.query, 'query'),
        ...(route.headers ?? []).map((h) => ({
          name: h.name,
          in: 'header',
          required: false,
          description: h.description,
          schema: { type: 'string' },
        })),
      ],
      ...(route.bodyType === 'mime'
        ? {
            requestBody: {
              required: true,
              content: {
                'message/rfc822': { schema: { type: 'string', contentMediaType: 'message/rfc822', description: 'The whole raw message.' } },
              },
            },
          }
        : route.bodyType === 'export'
          ? {
              requestBody: {
                required: true,
                content: {
                  'text/csv': { schema: { type: 'string', description: 'A helpdesk export: a header line, then one ticket per record.' } },
                  'application/x-ndjson': {
                    schema: { type: 'string', description: 'One JSON object per line, keyed like the CSV columns.' },
                  },
                },
              },
            }
          : route.bodyType === 'form' && route.body
            ? {
                requestBody: {
                  // The schema that validates the form's fields, as for JSON bodies.
                  required: !route.body.safeParse({}).success,
                  content: { 'application/x-www-form-urlencoded': { schema: ref(route.body) } },
                },
              }
            : route.body
              ? {
                  requestBody: {
                    // Actions that need no fields (approve, takeover, …) may be posted without a body.
                    required: !route.body.safeParse({}).success,
                    content: {
                      'application/json': { schema: ref(route.body) },
                      ...(route.acceptsYaml ? { 'application/yaml': { schema: ref(route.body) } } : {}),
                    },
                  },
                }
              : {}),
      responses: Object.fromEntries(
        Object.entries(route.responses).map(([status, r]) => [
          status,
          {
            description: r.description,
            ...(r.schema ? { content: { [r.contentType ?? 'application/json']: { schema: ref(r.schema) } } } : {}),
          },
        ]),
      ),
    };
    (paths[openApiPath(route.path)] ??= {})[route.method] = operation;
  }
  // Every schema registered with an id becomes a component, so $refs above resolve.
  const components = z.toJSONSchema(z.globalRegistry, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Record<string, unknown>> };
  const schemas = Object.fromEntries(
    Object.entries(components.schemas).map(([id, s]) => {
      const { $schema: _drop, id: _id, ...rest } = s;
      return [id, rest];
    }),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tandem API',
      version: info.version,
      description:
        'Start customer-support tickets, act on them as an agent and read the human work queue. Every ticket is a durable Temporal workflow.',
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    security: [{ bearer: [] }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    webhooks: Object.fromEntries(
      Object.entries(events).map(([type, e]) => [
        type,
        {
          post: {
            operationId: `event_${type.replace('.', '_')}`,
            summary: e.summary,
            description:
              'Sent to every endpoint subscribed to this event, signed as Standard Webhooks specifies: `webhook-id` (the same on every retry: dedupe on it), `webhook-timestamp`, `webhook-signature` (`v1,<base64 HMAC-SHA256>`, one per active secret). Answer 2xx to accept; anything else (redirects included) is retried with backoff for up to 24 h; 410 disables the endpoint.',
            parameters: ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => ({
              name,
              in: 'header',
              required: true,
              schema: { type: 'string' },
            })),
            requestBody: { required: true, content: { 'application/json': { schema: ref(e.schema) } } },
            responses: { '2XX': { description: 'Accepted.' }, '410': { description: 'The endpoint is gone: Tandem disables it.' } },
          },
        },
      ]),
    ),
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key from `npm run keys -- create`.' } },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof buildOpenApi>;
