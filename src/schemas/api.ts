import { z } from 'zod';
import type { ActionName } from '../domain/actions';
import { ActionPayloads } from './actions';
import { Classification, EscalationSummary, PageContext } from './ticket';
import { Channel, HandlingMode, IssueType, PriorityLevel, ResolutionMode, TicketStatus, Tier } from './vocabulary';

// The one source of truth for the HTTP contract: these schemas validate requests and are
// turned into the OpenAPI document, so the docs cannot drift from what the API accepts.

const id = z.string().trim().min(1).max(100);

const earliest = Date.UTC(1970, 0, 1);
const latest = Date.UTC(9999, 11, 31, 23, 59, 59);
/** An ISO 8601 instant PostgreSQL can store: years 1970 to 9999 once the offset is applied. */
export const inStorableRange = (iso: string) => {
  const t = Date.parse(iso);
  return t >= earliest && t <= latest;
};
const instant = z.iso.datetime({ offset: true }).refine(inStorableRange, 'must fall between 1970 and 9999 (UTC)');

export const Customer = z
  .strictObject({ id: id.optional(), email: z.email().max(320).optional() })
  .refine((c) => c.id !== undefined || c.email !== undefined, 'give the customer id or email')
  .meta({ description: 'The customer, by CRM id or email. An unknown email opens a ticket without account context.' });

export const CreateTicketBody = z
  .strictObject({
    customer: Customer,
    channel: Channel,
    subject: z.string().trim().min(1).max(300),
    body: z.string().trim().min(1).max(20_000),
    pageContext: PageContext.optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    externalId: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: "The caller's own id for the ticket; a repeat returns the same ticket." }),
  })
  .meta({ id: 'CreateTicket' });

export const TicketIdParams = z.strictObject({ id: id.regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, _ . : - only') });

export const RequestIdParams = TicketIdParams.extend({
  requestId: z
    .string()
    .min(1)
    .max(210)
    .regex(/^[A-Za-z0-9._:-]+$/, 'a request id this API answered with'),
});

export const GetTicketQuery = z
  .strictObject({
    consistency: z
      .enum(['eventual', 'strong'])
      .optional()
      .meta({ description: '`strong` asks the running workflow; the default reads the read model.' }),
  })
  .meta({ id: 'GetTicketQuery' });

export const CustomerMessageBody = z
  .strictObject({
    body: z.string().trim().min(1).max(20_000),
    messageId: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: 'Dedupe key; defaults to X-Request-Id. A repeat with the same id is ignored.' }),
  })
  .meta({ id: 'CustomerMessage' });

export const CsatBody = z
  .strictObject({ score: z.number().int().min(1).max(5), comment: z.string().trim().max(2000).optional() })
  .meta({ id: 'Csat' });

/** Action bodies are the workflow payloads without `agentId`: the actor is the agent behind the API key. */
export const ActionBodies = Object.fromEntries(
  Object.entries(ActionPayloads).map(([name, schema]) => [
    name,
    (schema as z.ZodObject)
      .omit({ agentId: true, actorRole: true })
      .strict()
      .meta({ id: `${name[0]?.toUpperCase()}${name.slice(1)}Action` }),
  ]),
) as Record<ActionName, z.ZodObject>;

const csv = <T extends z.ZodType<string, string>>(item: T) =>
  z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item).min(1))
    .optional();

export const ListTicketsQuery = z
  .strictObject({
    status: csv(TicketStatus).meta({ description: 'One or more statuses, comma-separated.' }),
    priority: csv(PriorityLevel),
    category: csv(IssueType),
    tier: csv(Tier),
    mode: csv(HandlingMode),
    assignee: id.optional(),
    customerId: id.optional(),
    createdAfter: instant.optional(),
    createdBefore: instant.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(500).optional().meta({ description: 'nextCursor from the previous page.' }),
  })
  .meta({ id: 'ListTicketsQuery' });

export const QueueQuery = z
  .strictObject({
    agent: id.optional().meta({ description: "Also list this agent's own tickets in human_handling." }),
    deliveryFailed: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional()
      .meta({ description: '`true`: only tickets whose message to the customer failed to deliver.' }),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .meta({ id: 'QueueQuery' });

// ---- Responses (documented; the handlers build them) --------------------------------------

export const TicketCreated = z.object({ ticketId: z.string(), workflowId: z.string(), status: TicketStatus }).meta({ id: 'TicketCreated' });

export const TicketState = z
  .looseObject({
    ticketId: z.string(),
    status: TicketStatus,
    mode: HandlingMode.nullable(),
    classification: Classification.nullable(),
    priority: z.looseObject({ score: z.number(), level: PriorityLevel, breakdown: z.array(z.unknown()) }).nullable(),
    enrichment: z.record(z.string(), z.unknown()).nullable(),
    draft: z.record(z.string(), z.unknown()).nullable(),
    escalation: z.looseObject({ triggers: z.array(z.unknown()), summary: EscalationSummary.nullable(), at: z.number() }).nullable(),
    assignee: z.string().nullable(),
    sla: z.record(z.string(), z.unknown()),
    resolution: z.looseObject({ mode: ResolutionMode, reason: z.string(), at: z.number(), by: z.string() }).nullable(),
    timeline: z.array(z.looseObject({ seq: z.number(), at: z.number(), type: z.string(), actor: z.string() })),
  })
  .meta({ id: 'TicketState', description: 'The `state` Query of the ticket workflow.' });

export const ServiceTicket = z
  .object({
    ticketId: z.string(),
    status: TicketStatus,
    publicStatus: z.enum(['open', 'waiting_on_customer', 'resolved', 'closed']),
    channel: Channel,
    subject: z.string(),
    externalId: z.string().nullable(),
    createdAt: z.string(),
    assigned: z.boolean(),
    transcript: z.array(
      z.object({
        id: z.string(),
        author: z.string(),
        body: z.string(),
        at: z.string(),
        delivery: z.object({ status: z.string(), at: z.string().nullable() }).optional(),
      }),
    ),
    csat: z.object({ score: z.number().nullable(), surveySentAt: z.string().nullable(), windowClosed: z.boolean() }),
    resolution: z.object({ mode: ResolutionMode, reason: z.string(), at: z.string() }).nullable(),
    version: z.number(),
  })
  .meta({
    id: 'ServiceTicket',
    description: "What a service key sees of a ticket: its status and public conversation, nothing of Tandem's internals.",
  });

export const TicketRow = z
  .object({
    ticketId: z.string(),
    workflowId: z.string(),
    externalId: z.string().nullable(),
    customerId: z.string().nullable(),
    channel: Channel,
    subject: z.string(),
    status: TicketStatus,
    mode: HandlingMode.nullable(),
    category: IssueType.nullable(),
    tier: Tier.nullable(),
    priority: PriorityLevel.nullable(),
    priorityScore: z.number().nullable(),
    assignee: z.string().nullable(),
    escalated: z.boolean(),
    slaDeadline: z.string().nullable(),
    slaBreached: z.boolean(),
    deliveryFailed: z.boolean().meta({ description: 'A message to the customer failed after its last attempt.' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'TicketRow' });

export const TicketPage = z.object({ items: z.array(TicketRow), nextCursor: z.string().nullable() }).meta({ id: 'TicketPage' });

export const QueueRow = TicketRow.extend({
  summaryLine: z.string().nullable().meta({ description: "The escalation summary's first line." }),
}).meta({ id: 'QueueRow' });

export const Queue = z.object({ items: z.array(QueueRow) }).meta({ id: 'Queue' });

export const Accepted = z
  .object({
    ticketId: z.string(),
    accepted: z.literal(true).optional(),
    requestId: z.string().optional(),
    status: z.literal('pending').optional(),
    location: z.string().optional(),
  })
  .meta({ id: 'Accepted', description: '`accepted: true` once applied; `status: pending` with a `location` to poll otherwise.' });

export const RequestPending = z
  .object({
    ticketId: z.string(),
    requestId: z.string(),
    status: z.literal('pending'),
    location: z.string(),
    dependency: z.enum(['worker']).meta({ description: 'What the request waits on.' }),
  })
  .meta({ id: 'RequestPending' });

export const RequestStatus = z
  .object({
    ticketId: z.string(),
    requestId: z.string(),
    status: z.enum(['pending', 'applied', 'refused']),
    result: z.unknown().optional().meta({ description: 'When applied: what the action or message returned.' }),
    reason: z.string().optional().meta({ description: 'When refused: why.' }),
  })
  .meta({ id: 'RequestStatus' });

export const ProblemDetails = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    requestId: z.string().optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details.' });
