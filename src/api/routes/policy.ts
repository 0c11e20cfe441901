import { z } from 'zod';
import { PolicyRejected, PolicyVersionExists, type PolicyStore, type StoredPolicy } from '../../db/policyStore';
import type { Principal } from '../auth';
import { callDatabase } from '../dependencies';
import { problems, Problem } from '../problems';
import { defineRoute, problemResponse, type RouteSpec } from '../route';

const PolicyView = z
  .object({
    version: z.string(),
    document: z.record(z.string(), z.unknown()).meta({ description: 'The policy document as submitted.' }),
    createdBy: z.string(),
    createdAt: z.string().nullable(),
    active: z.boolean().meta({ description: 'Whether new tickets start on this version.' }),
  })
  .meta({ id: 'RoutingPolicy' });

// The body is checked in full by the policy schema in the store, so every problem is listed at once.
const PolicyDocument = z.record(z.string(), z.unknown()).meta({
  id: 'RoutingPolicyDocument',
  description: 'quadrants, categories, thresholds, triggers, SLAs, timers, segments, priority weights; see the README.',
});

const view = (p: StoredPolicy, active = true) => ({
  version: p.version,
  document: p.document,
  createdBy: p.createdBy,
  createdAt: p.createdAt?.toISOString() ?? null,
  active,
});

const PutPolicyQuery = z.strictObject({
  activate: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true')
    .meta({
      description: "`false` stores the version without activating it (a proposal, such as the outcomes report's); activate it later.",
    }),
});
const VersionParams = z.strictObject({ version: z.string().min(1).max(200) });
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
    summary: 'Validate and activate (or just store) a new policy version',
    description:
      'JSON or YAML. Versions are immutable: a new document needs a new `version`. Running tickets keep the version they started with. With `activate=false` the version is stored and validated but new tickets keep the active one until POST /v1/policy/versions/{version}/activate.',
    roles: ['admin'],
    exclusive: true,
    acceptsYaml: true,
    query: PutPolicyQuery,
    body: PolicyDocument,
    responses: {
      201: { description: 'Stored, and activated unless `activate=false`.', schema: PolicyView },
      400: problem('The document is invalid; `errors` lists every problem.'),
      401: problem('No key.'),
      403: problem('Only admin keys may change the policy.'),
      409: problem('This version already exists.'),
    },
    async handle({ body, query, principal }: { body: unknown; query: z.output<typeof PutPolicyQuery>; principal: Principal | null }) {
      try {
        const stored = await callDatabase(databaseMs, () => store.save(body, principal?.name ?? 'unknown', { activate: query.activate }));
        return { status: 201, body: view(stored, query.activate) };
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
  const activate = defineRoute({
    method: 'post',
    path: '/v1/policy/versions/:version/activate',
    operationId: 'activatePolicyVersion',
    tag: 'Policy',
    summary: 'Activate a stored policy version',
    description: 'New tickets start on it from now on; running tickets keep theirs.',
    roles: ['admin'],
    exclusive: true,
    params: VersionParams,
    responses: {
      200: { description: 'Activated.', schema: PolicyView },
      400: problem('The version is not a valid name.'),
      401: problem('No key.'),
      403: problem('Only admin keys may change the policy.'),
      404: problem('No such version.'),
    },
    async handle({ params }: { params: z.output<typeof VersionParams> }) {
      const stored = await callDatabase(databaseMs, () => store.activateVersion(params.version));
      if (!stored) throw problems.notFound(`no policy version ${params.version}`);
      return { status: 200, body: view(stored) };
    },
  });
  return [get, put, activate];
}
