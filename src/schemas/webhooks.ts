import { z } from 'zod';
import { deliveryStatuses, deliveryTransports, webhookEventTypes, type WebhookEventType as EventType } from '../domain/delivery';
import type * as payloads from '../domain/webhookPayloads';
import type { AllSame, Same } from './exact';
import { Duration } from './policy';
import { Citation, EscalationSummary } from './ticket';
import { Channel, PriorityLevel, ResolutionMode, TicketStatus } from './vocabulary';

// The webhook admin API and the payload of every event, for validation and the OpenAPI document
// (its `webhooks` section). Payload schemas are checked against the domain's types below.

export const WebhookEventType = z.enum(webhookEventTypes);

export const RegisterWebhookBody = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .max(2048)
      .meta({ description: 'http(s) only; not the API itself, not link-local or metadata addresses.' }),
    events: z
      .array(WebhookEventType)
      .min(1)
      .refine((e) => new Set(e).size === e.length, 'list each event once')
      .meta({ description: 'The events to receive.' }),
    description: z.string().trim().max(300).optional(),
    integration: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .optional()
      .meta({ description: "Only tickets started by this service key's name (for one backend's endpoint); all tickets when left out." }),
  })
  .meta({ id: 'RegisterWebhook' });

export const RotateSecretBody = z
  .strictObject({
    gracePeriod: Duration.default(24 * 3_600_000).meta({
      description: 'How long the old secret still signs beside the new one ("24h" by default).',
    }),
  })
  .meta({ id: 'RotateWebhookSecret' });

export const WebhookIdParams = z.strictObject({ id: z.string().regex(/^whe_[a-z0-9]{1,40}$/, 'a webhook endpoint id') });
export const DeliveryIdParams = WebhookIdParams.extend({ deliveryId: z.string().regex(/^dlv_[a-f0-9]{24}$/, 'a delivery id') });
export const DeliveriesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional().meta({ description: 'nextCursor from the previous page.' }),
});

export const WebhookEndpoint = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(WebhookEventType),
    description: z.string().nullable(),
    integration: z.string().nullable(),
    enabled: z.boolean(),
    disabledReason: z.string().nullable(),
    secretsActive: z.number().int().meta({ description: 'How many secrets sign now: 2 during a rotation grace period.' }),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'WebhookEndpoint' });

export const WebhookEndpointWithSecret = WebhookEndpoint.extend({
  secret: z.string().meta({ description: 'The signing secret, `whsec_<base64>`. Shown this once; store it.' }),
}).meta({ id: 'WebhookEndpointWithSecret' });

export const WebhookEndpointList = z.object({ items: z.array(WebhookEndpoint) }).meta({ id: 'WebhookEndpointList' });

export const WebhookAttemptView = z.object({
  at: z.string(),
  trigger: z.enum(['workflow', 'manual']),
  ok: z.boolean(),
  status: z.number().int().nullable(),
  error: z.string().nullable(),
  responseBody: z.string().nullable().meta({ description: "The receiver's answer, first 2 kB." }),
  durationMs: z.number().int(),
});

export const WebhookDelivery = z
  .object({
    id: z.string(),
    eventId: z.string().meta({ description: 'The `webhook-id` header: the same on every attempt and endpoint.' }),
    eventType: WebhookEventType,
    ticketId: z.string(),
    messageId: z.string().nullable(),
    status: z.enum(deliveryStatuses),
    attempts: z.number().int(),
    lastStatus: z.number().int().nullable(),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    createdAt: z.string(),
    attemptLog: z.array(WebhookAttemptView),
  })
  .meta({ id: 'WebhookDelivery' });

export const WebhookDeliveryPage = z
  .object({ items: z.array(WebhookDelivery), nextCursor: z.string().nullable() })
  .meta({ id: 'WebhookDeliveryPage' });

// ---- Event payloads (what a receiver gets) ---------------------------------------------------

const WebhookTicket = z
  .object({
    id: z.string(),
    externalId: z.string().nullable(),
    customerId: z.string().nullable(),
    customerEmail: z.string().nullable(),
    channel: Channel,
    subject: z.string(),
    status: TicketStatus,
    priority: PriorityLevel.nullable(),
    category: z.string().nullable(),
    assignee: z.string().nullable(),
  })
  .meta({ id: 'WebhookTicket' });

const WebhookMessage = z
  .object({
    id: z.string().meta({ description: 'Stable: the same on every retry, so a receiver sends it once.' }),
    kind: z.enum(['reply', 'csat_survey', 'csat_reminder']),
    author: z.enum(['ai', 'agent', 'system']),
    agentId: z.string().nullable(),
    channel: Channel,
    recipient: z.string().nullable(),
    body: z.string(),
    citations: z.array(Citation),
    createdAt: z.string(),
  })
  .meta({ id: 'WebhookMessage' });

export const webhookEventData = {
  'ticket.created': z.object({ ticket: WebhookTicket }),
  'ticket.message': z.object({ ticket: WebhookTicket, message: WebhookMessage }),
  'ticket.escalated': z.object({ ticket: WebhookTicket, reasons: z.array(z.string()), summary: EscalationSummary.nullable() }),
  'ticket.assigned': z.object({ ticket: WebhookTicket, assignee: z.string().nullable(), by: z.string() }),
  'ticket.resolved': z.object({
    ticket: WebhookTicket,
    resolutionMode: ResolutionMode.nullable(),
    reason: z.string().nullable(),
    by: z.string(),
  }),
  'ticket.reopened': z.object({ ticket: WebhookTicket, followUps: z.number().int() }),
  'ticket.csat_requested': z.object({ ticket: WebhookTicket, surveyUrl: z.string(), expiresAt: z.string() }),
  'ticket.sla_breached': z.object({ ticket: WebhookTicket, sla: z.string(), priority: PriorityLevel.nullable() }),
  'ticket.delivery_failed': z.object({ ticket: WebhookTicket, messageId: z.string(), reason: z.string() }),
} satisfies Record<EventType, z.ZodType>;

/** The Standard Webhooks envelope of each event, as OpenAPI's `webhooks` documents it. */
export const webhookEnvelopes = Object.fromEntries(
  webhookEventTypes.map((type) => [
    type,
    z
      .object({
        type: z.literal(type),
        timestamp: z.string().meta({ description: 'When the event happened (ISO 8601).' }),
        data: webhookEventData[type],
      })
      .meta({ id: `Event_${type.replace('.', '_')}` }),
  ]),
) as unknown as Record<EventType, z.ZodType>;

export const deliveryTransport = z.enum(deliveryTransports);

type _PayloadsMatchTypes = AllSame<
  [
    Same<z.output<typeof WebhookTicket>, payloads.WebhookTicket>,
    Same<z.output<typeof WebhookMessage>, payloads.WebhookMessage>,
    ...{ [K in EventType]: Same<z.output<(typeof webhookEventData)[K]>, payloads.WebhookEventData[K]> }[EventType][],
  ]
>;
