import { z } from 'zod';
import { PolicyRejected, PolicyVersionExists, type PolicyStore, type StoredPolicy } from '../../db/policyStore';
import { callDatabase } from '../dependencies';
import { problems, Problem } from '../problems';
import { defineRoute, problemResponse, type RouteSpec } from '../route';

const PolicyView = z
  .object({
    version: z.string(),
    document: z.record(z.string(), z.unknown()).meta({ description: 'The policy document as submitted.' }),
    createdBy: z.string(),
    createdAt: z.string().nullable(),
  })
  .meta({ id: 'RoutingPolicy' });

// The body is checked in full by the policy schema in the store, so every problem is listed at once.
const PolicyDocument = z.record(z.string(), z.unknown()).meta({
  id: 'RoutingPolicyDocument',
  description: 'quadrants, categories, thresholds, triggers, SLAs, timers, segments, priority weights; see the README.',
});

const view = (p: StoredPolicy) => ({
  version: p.version,
  document: p.document,
  createdBy: p.createdBy,
  createdAt: p.createdAt?.toISOString() ?? null,
});
const problem = problemResponse;

export function policyRoutes(store: PolicyStore, databaseMs: number): RouteSpec[] {
  const get = defineRoute({
    method: 'get',
    path: '/v1/policy',
    operationId: 'getPolicy',
    tag: 'Policy',
    summary: 'The active routing policy',
    description: 'New tickets start on this version and keep it for life.',
    roles: ['agent'],
    responses: { 200: { description: 'The active policy.', schema: PolicyView }, 401: problem('No key.'), 403: problem('Wrong role.') },
    handle: async () => ({ status: 200, body: view(await callDatabase(databaseMs, () => store.active())) }),
  });

  const put = defineRoute({
    method: 'put',
    path: '/v1/policy',
    operationId: 'putPolicy',
    tag: 'Policy',
    summary: 'Validate and activate a new policy version',
    description:
      'JSON or YAML. Versions are immutable: a new document needs a new `version`. Running tickets keep the version they started with.',
    roles: ['admin'],
    exclusive: true,
    acceptsYaml: true,
    body: PolicyDocument,
    responses: {
      201: { description: 'Activated.', schema: PolicyView },
      400: problem('The document is invalid; `errors` lists every problem.'),
      401: problem('No key.'),
      403: problem('Only admin keys may change the policy.'),
      409: problem('This version already exists.'),
    },
    async handle({ body, principal }) {
      try {
        const stored = await callDatabase(databaseMs, () => store.activate(body, principal?.name ?? 'unknown'));
        return { status: 201, body: view(stored) };
      } catch (err) {
        if (err instanceof PolicyRejected) {
          throw problems.invalid(
            err.problems.map((p) => {
              const [field, ...message] = p.split(': ');
              return { field: `body.${field}`, message: message.join(': ') };
            }),
          );
        }
        if (err instanceof PolicyVersionExists) throw problems.conflict(err.message);
        if (err instanceof Problem) throw err;
        throw err;
      }
    },
  });
  return [get, put];
}
