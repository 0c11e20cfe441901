import type { z } from 'zod';
import { deliveriesToSend, reviveMessage } from '../../db/deliveries';
import {
  createEndpoint,
  deleteEndpoint,
  getDelivery,
  getEndpoint,
  listDeliveries,
  listEndpoints,
  rotateSecret,
  setEndpointEnabled,
  type EndpointRecord,
} from '../../db/webhookEndpoints';
import { attemptWebhooks } from '../../delivery/deliverer';
import {
  DeliveriesQuery,
  DeliveryIdParams,
  RegisterWebhookBody,
  RotateSecretBody,
  WebhookDelivery,
  WebhookDeliveryPage,
  WebhookEndpoint,
  WebhookEndpointList,
  WebhookEndpointWithSecret,
  WebhookIdParams,
} from '../../schemas/webhooks';
import { endpointUrlProblem } from '../../webhooks/endpointUrl';
import { newWebhookSecret } from '../../webhooks/secrets';
import { problems } from '../problems';
import { commonResponses, defineRoute, problemResponse, type RouteSpec } from '../route';
import { decodeCursor, encodeCursor } from '../views';
import type { TicketCalls } from './ticketCalls';

type Delivery = Awaited<ReturnType<typeof listDeliveries>>['rows'][number];

function endpointView(e: EndpointRecord) {
  const now = Date.now();
  return {
    id: e.id,
    url: e.url,
    events: e.events,
    description: e.description,
    integration: e.integration,
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    secretsActive: e.secrets.filter((s) => s.expiresAt === null || Date.parse(s.expiresAt) > now).length,
    createdBy: e.createdBy,
    createdAt: e.createdAt.toISOString(),
  };
}

const iso = (d: Date | null) => d?.toISOString() ?? null;
function deliveryView(d: Delivery) {
  return {
    id: d.id,
    eventId: d.eventId,
    eventType: d.eventType,
    ticketId: d.ticketId,
    messageId: d.messageId,
    status: d.status,
    attempts: d.attempts,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    deliveredAt: iso(d.deliveredAt),
    createdAt: d.createdAt.toISOString(),
    attemptLog: d.attemptLog.map((a) => ({
      at: a.at.toISOString(),
      trigger: a.trigger,
      ok: a.ok,
      status: a.status,
      error: a.error,
      responseBody: a.responseBody,
      durationMs: a.durationMs,
    })),
  };
}

/** Webhook endpoints (admin): register, list, delete, rotate secrets, read and retry deliveries. */
export function webhookRoutes(calls: TicketCalls): RouteSpec[] {
  const { db, database, deps } = calls;
  const tag = 'Webhooks';
  const admin = { roles: ['admin' as const], exclusive: true };
  const endpointOr404 = async (id: string) => {
    const endpoint = await database(() => getEndpoint(db, id));
    if (!endpoint) throw problems.notFound(`no webhook endpoint ${id}`);
    return endpoint;
  };

  const register = defineRoute({
    method: 'post',
    path: '/v1/webhooks',
    operationId: 'registerWebhook',
    tag,
    summary: 'Register a webhook endpoint',
    description:
      "Payloads are signed as the Standard Webhooks specification says (`webhook-id`, `webhook-timestamp`, `webhook-signature`). The answer carries the endpoint's secret (`whsec_…`) this once. The URL must be http(s), may not point at this API, and may not be or resolve to a link-local or cloud-metadata address.",
    ...admin,
    body: RegisterWebhookBody,
    responses: {
      201: { description: 'Registered; keep the secret.', schema: WebhookEndpointWithSecret },
      ...commonResponses,
    },
    async handle({
      body,
      principal,
      header,
    }: {
      body: z.output<typeof RegisterWebhookBody>;
      principal: { name: string } | null;
      header: (n: string) => string | undefined;
    }) {
      const host = header('host');
      const selfOrigins = [...deps.delivery.selfOrigins, ...(host ? [`http://${host}`, `https://${host}`] : [])];
      const problem = await endpointUrlProblem(body.url, { selfOrigins });
      if (problem) throw problems.invalid([{ field: 'body.url', message: problem }]);
      const secret = newWebhookSecret();
      const endpoint = await database(() =>
        createEndpoint(db, {
          url: body.url,
          events: body.events,
          description: body.description ?? null,
          integration: body.integration ?? null,
          secret,
          createdBy: principal?.name ?? 'unknown',
        }),
      );
      return { status: 201, headers: { Location: `/v1/webhooks/${endpoint.id}` }, body: { ...endpointView(endpoint), secret } };
    },
  });

  const list = defineRoute({
    method: 'get',
    path: '/v1/webhooks',
    operationId: 'listWebhooks',
    tag,
    summary: 'List webhook endpoints (never their secrets)',
    ...admin,
    responses: { 200: { description: 'The endpoints.', schema: WebhookEndpointList }, ...commonResponses },
    handle: async () => ({ status: 200, body: { items: (await database(() => listEndpoints(db))).map(endpointView) } }),
  });

  const get = defineRoute({
    method: 'get',
    path: '/v1/webhooks/:id',
    operationId: 'getWebhook',
    tag,
    summary: 'One webhook endpoint',
    ...admin,
    params: WebhookIdParams,
    responses: {
      200: { description: 'The endpoint.', schema: WebhookEndpoint },
      ...commonResponses,
      404: problemResponse('No such endpoint.'),
    },
    handle: async ({ params }: { params: z.output<typeof WebhookIdParams> }) => ({
      status: 200,
      body: endpointView(await endpointOr404(params.id)),
    }),
  });

  const remove = defineRoute({
    method: 'delete',
    path: '/v1/webhooks/:id',
    operationId: 'deleteWebhook',
    tag,
    summary: 'Delete a webhook endpoint',
    description: 'Nothing more is sent to it, deliveries under way included; its delivery log stays readable.',
    ...admin,
    params: WebhookIdParams,
    responses: { 204: { description: 'Deleted.' }, ...commonResponses, 404: problemResponse('No such endpoint.') },
    async handle({ params }: { params: z.output<typeof WebhookIdParams> }) {
      if (!(await database(() => deleteEndpoint(db, params.id)))) throw problems.notFound(`no webhook endpoint ${params.id}`);
      return { status: 204 };
    },
  });

  const rotate = defineRoute({
    method: 'post',
    path: '/v1/webhooks/:id/rotate-secret',
    operationId: 'rotateWebhookSecret',
    tag,
    summary: "Rotate an endpoint's secret",
    description:
      'Returns the new secret once. Until the grace period ends every payload is signed with both (two `v1,` signatures in `webhook-signature`), so a receiver verifies with either while it switches.',
    ...admin,
    params: WebhookIdParams,
    body: RotateSecretBody,
    responses: {
      200: { description: 'Rotated; keep the new secret.', schema: WebhookEndpointWithSecret },
      ...commonResponses,
      404: problemResponse('No such endpoint.'),
    },
    async handle({ params, body }: { params: z.output<typeof WebhookIdParams>; body: z.output<typeof RotateSecretBody> }) {
      const secret = newWebhookSecret();
      const endpoint = await database(() => rotateSecret(db, params.id, secret, body.gracePeriod));
      if (!endpoint) throw problems.notFound(`no webhook endpoint ${params.id}`);
      return { status: 200, body: { ...endpointView(endpoint), secret } };
    },
  });

  const toggle = (enabled: boolean) =>
    defineRoute({
      method: 'post',
      path: `/v1/webhooks/:id/${enabled ? 'enable' : 'disable'}`,
      operationId: `${enabled ? 'enable' : 'disable'}Webhook`,
      tag,
      summary: enabled ? 'Enable an endpoint again (after a 410, say)' : 'Stop sending to an endpoint for now',
      ...admin,
      params: WebhookIdParams,
      responses: {
        200: { description: 'The endpoint.', schema: WebhookEndpoint },
        ...commonResponses,
        404: problemResponse('No such endpoint.'),
      },
      async handle({ params }: { params: z.output<typeof WebhookIdParams> }) {
        const endpoint = await database(() => setEndpointEnabled(db, params.id, enabled));
        if (!endpoint) throw problems.notFound(`no webhook endpoint ${params.id}`);
        return { status: 200, body: endpointView(endpoint) };
      },
    });

  const deliveries = defineRoute({
    method: 'get',
    path: '/v1/webhooks/:id/deliveries',
    operationId: 'listWebhookDeliveries',
    tag,
    summary: "An endpoint's deliveries and every attempt at each",
    description:
      'Newest first. Each delivery is one event for this endpoint; `attemptLog` lists its attempts (workflow retries and manual ones).',
    ...admin,
    params: WebhookIdParams,
    query: DeliveriesQuery,
    responses: {
      200: { description: 'A page of deliveries.', schema: WebhookDeliveryPage },
      ...commonResponses,
      404: problemResponse('No such endpoint.'),
    },
    async handle({ params, query }: { params: z.output<typeof WebhookIdParams>; query: z.output<typeof DeliveriesQuery> }) {
      await endpointOr404(params.id);
      const after = query.cursor ? decodeCursor(query.cursor) : undefined;
      const page = await database(() =>
        listDeliveries(db, params.id, query.limit, after ? { createdAt: new Date(after.createdAt), id: after.id } : undefined),
      );
      const next = page.next ? encodeCursor({ createdAt: page.next.createdAt.toISOString(), id: page.next.id }) : null;
      return { status: 200, body: { items: page.rows.map(deliveryView), nextCursor: next } };
    },
  });

  const retry = defineRoute({
    method: 'post',
    path: '/v1/webhooks/:id/deliveries/:deliveryId/retry',
    operationId: 'retryWebhookDelivery',
    tag,
    summary: 'Send one delivery again, now',
    description:
      "One attempt, signed afresh with the same `webhook-id`, recorded in the delivery's log. A failed delivery that succeeds is delivered (a message's delivery state follows); one that fails stays as it was.",
    ...admin,
    params: DeliveryIdParams,
    responses: {
      200: { description: 'The delivery after the attempt.', schema: WebhookDelivery },
      ...commonResponses,
      404: problemResponse('No such endpoint or delivery.'),
      409: problemResponse('The endpoint is disabled: enable it first.'),
    },
    async handle({ params }: { params: z.output<typeof DeliveryIdParams> }) {
      const endpoint = await endpointOr404(params.id);
      if (!endpoint.enabled)
        throw problems.conflict(`endpoint ${endpoint.id} is disabled (${endpoint.disabledReason ?? 'no reason'}): enable it first`);
      const before = await database(() => getDelivery(db, params.id, params.deliveryId));
      if (!before) throw problems.notFound(`no delivery ${params.deliveryId} on endpoint ${params.id}`);
      const rows = await database(() => deliveriesToSend(db, { ids: [params.deliveryId] }));
      // One attempt, bounded by the webhook timeout; the database calls around it by theirs.
      const sender = {
        db,
        mailer: null,
        emailFrom: { address: '', name: '' },
        webhookTimeoutMs: deps.delivery.webhookTimeoutMs,
        now: () => new Date(),
      };
      const delivered = (await attemptWebhooks(sender, rows, 'manual')).delivered[0];
      const { messageId } = before;
      if (delivered && messageId) await database(() => reviveMessage(db, messageId, new Date(), `manual retry: ${delivered.detail}`));
      const after = await database(() => getDelivery(db, params.id, params.deliveryId));
      return { status: 200, body: deliveryView(after ?? before) };
    },
  });

  return [register, list, get, remove, rotate, toggle(true), toggle(false), deliveries, retry];
}
