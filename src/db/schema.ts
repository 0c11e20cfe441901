import { sql, type SQL } from 'drizzle-orm';
import {
  boolean,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { ReadModelState } from '../domain/readModel';
import { balanceColumns } from './schemaBalance';
import { deliveryStatuses, deliveryTransports, outboundKinds } from '../domain/delivery';
import type { Attachment, Citation, Classification, EscalationSummary, PageContext } from '../domain/ticket';
import { timelineEventTypes, type TicketState } from '../domain/ticketState';
import {
  channels,
  handlingModes,
  issueTypes,
  messageAuthors,
  planChangeKinds,
  priorityLevels,
  resolutionModes,
  ticketStatuses,
  tiers,
} from '../domain/vocabulary';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });
// Text enums and typed jsonb are TypeScript types only (no CHECK constraint, no migration): rows
// read back as the domain's types, and a write of a value outside the vocabulary fails to compile.

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

// ---- CRM-lite: the default source of enrichment -------------------------------------------

export const accounts = pgTable('accounts', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  tier: text('tier', { enum: tiers }).notNull(),
  plan: text('plan').notNull(),
  mrrCents: integer('mrr_cents').notNull().default(0),
  billingStatus: text('billing_status', { enum: ['active', 'trialing', 'past_due', 'canceled', 'unpaid'] })
    .notNull()
    .default('active'),
  createdAt: createdAt(),
});

export const customers = pgTable(
  'customers',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    email: text('email').notNull(),
    name: text('name').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('customers_email_idx').on(sql`lower(${t.email})`)],
);

export const planChanges = pgTable(
  'plan_changes',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    kind: text('kind', { enum: planChangeKinds }).notNull(),
    fromPlan: text('from_plan'),
    toPlan: text('to_plan'),
    changedAt: timestamp('changed_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('plan_changes_account_idx').on(t.accountId, t.changedAt)],
);

// ---- Knowledge base ---------------------------------------------------------------------

export const kbArticles = pgTable(
  'kb_articles',
  {
    id: text('id').primaryKey(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    productArea: text('product_area'),
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    search: tsvector('search').generatedAlwaysAs(
      (): SQL =>
        sql`setweight(to_tsvector('english', coalesce(${kbArticles.title}, '')), 'A') || setweight(to_tsvector('english', coalesce(${kbArticles.body}, '')), 'B')`,
    ),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('kb_articles_search_idx').using('gin', t.search)],
);

// ---- Tickets: the read model of what the workflows decide -------------------------------

export const tickets = pgTable(
  'tickets',
  {
    id: text('id').primaryKey(),
    workflowId: text('workflow_id').notNull(),
    externalId: text('external_id'),
    customerId: text('customer_id'),
    customerEmail: text('customer_email'),
    /** The name behind the service key that started the ticket: its webhooks, its scope. */
    createdBy: text('created_by'),
    channel: text('channel', { enum: channels }).notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    pageContext: jsonb('page_context').$type<PageContext>(),
    status: text('status', { enum: ticketStatuses }).notNull(),
    mode: text('mode', { enum: handlingModes }),
    category: text('category', { enum: issueTypes }),
    tier: text('tier', { enum: tiers }),
    priorityLevel: text('priority_level', { enum: priorityLevels }),
    priorityScore: integer('priority_score'),
    assignee: text('assignee'),
    escalated: boolean('escalated').notNull().default(false),
    escalationReason: text('escalation_reason'),
    escalationSummary: jsonb('escalation_summary').$type<EscalationSummary>(),
    classification: jsonb('classification').$type<Classification>(),
    /** The last full `state` snapshot, so a completed ticket reads the same as a running one. */
    snapshot: jsonb('snapshot').$type<TicketState>(),
    slaDeadline: timestamp('sla_deadline', { withTimezone: true }),
    slaBreached: boolean('sla_breached').notNull().default(false),
    /** A message to the customer failed after its last attempt. */
    deliveryFailed: boolean('delivery_failed').notNull().default(false),
    policyVersion: text('policy_version'),
    resolutionMode: text('resolution_mode', { enum: resolutionModes }),
    resolutionReason: text('resolution_reason'),
    csatScore: integer('csat_score'),
    csatComment: text('csat_comment'),
    /** Fingerprint of the create request: a reused Idempotency-Key with another body is a 409 for life. */
    requestHash: text('request_hash'),
    /** The state as the workflow's Query answers it, less transcript and timeline: reads come from here. */
    state: jsonb('state').$type<ReadModelState>(),
    // Monotonic per workflow: a stale retry of an older snapshot never overwrites a newer one.
    version: integer('version').notNull().default(0),
    search: tsvector('search').generatedAlwaysAs(
      (): SQL => sql`to_tsvector('english', coalesce(${tickets.subject}, '') || ' ' || coalesce(${tickets.body}, ''))`,
    ),
    ...balanceColumns(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [
    // Not unique: an externalId is the caller's own id, and two callers may use the same one.
    index('tickets_external_id_idx').on(t.externalId),
    index('tickets_queue_idx').on(t.status, t.priorityScore, t.slaDeadline),
    // The human queue's exact order over only the statuses it shows, so GET /v1/queue reads the
    // first rows of an index instead of sorting every open ticket.
    index('tickets_human_queue_idx')
      .on(sql`${t.priorityScore} desc nulls last`, sql`${t.slaDeadline} asc nulls last`, t.createdAt)
      .where(sql`${t.status} in ('awaiting_review', 'escalated', 'human_handling')`),
    index('tickets_customer_idx').on(t.customerId, t.createdAt),
    // The balance reports read windows of tickets by creation time.
    index('tickets_created_idx').on(t.createdAt),
    index('tickets_search_idx').using('gin', t.search),
  ],
);

/**
 * Every message in a ticket's conversation, with how it was delivered; the id is derived from
 * ticket + turn so a retry never duplicates. Internal notes live here too, never delivered.
 */
export const messages = pgTable(
  'messages',
  {
    id: text('id').primaryKey(),
    ticketId: text('ticket_id').notNull(),
    author: text('author', { enum: messageAuthors }).notNull(),
    agentId: text('agent_id'),
    body: text('body').notNull(),
    draftId: text('draft_id'),
    /** What was sent (reply, survey, reminder) or `note`; null for the customer's own messages. */
    kind: text('kind', { enum: [...outboundKinds, 'note'] }),
    /** An agent's note for colleagues: never delivered, never in the customer's conversation. */
    internal: boolean('internal').notNull().default(false),
    recipient: text('recipient'),
    citations: jsonb('citations').$type<Citation[]>(),
    deliveryStatus: text('delivery_status', { enum: deliveryStatuses }),
    deliveryTransport: text('delivery_transport', { enum: deliveryTransports }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    /** The receiver's answer, or why the delivery failed. */
    deliveryDetail: text('delivery_detail'),
    /** The email Message-ID (ours for replies, the customer's for their mail), for threading. */
    emailMessageId: text('email_message_id'),
    /** Attachments the customer's email named; their content is not stored. */
    attachments: jsonb('attachments').$type<Attachment[]>(),
    /** For a customer's message: the API key that posted it, and its role (a lead or admin posting for a customer shows). */
    postedBy: text('posted_by'),
    postedAs: text('posted_as'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('messages_ticket_idx').on(t.ticketId, t.createdAt), index('messages_email_id_idx').on(t.emailMessageId)],
);

/** The audit trail: one row per event the workflow recorded, keyed by (ticket, sequence). */
export const ticketEvents = pgTable(
  'ticket_events',
  {
    ticketId: text('ticket_id').notNull(),
    seq: integer('seq').notNull(),
    type: text('type', { enum: timelineEventTypes }).notNull(),
    actor: text('actor').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>(),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.ticketId, t.seq] }), index('ticket_events_type_idx').on(t.type, t.at)],
);

/** Each AI draft and what the human made of it: the feedback that reports and future drafts learn from. */
export const aiDrafts = pgTable(
  'ai_drafts',
  {
    id: text('id').primaryKey(),
    ticketId: text('ticket_id').notNull(),
    turn: integer('turn').notNull(),
    body: text('body').notNull(),
    confidence: doublePrecision('confidence').notNull(),
    citations: jsonb('citations')
      .$type<Citation[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    promptVersion: text('prompt_version').notNull(),
    provider: text('provider').notNull(),
    outcome: text('outcome', { enum: ['pending', 'sent', 'approved', 'modified', 'discarded'] })
      .notNull()
      .default('pending'),
    finalBody: text('final_body'),
    feedback: jsonb('feedback').$type<Record<string, unknown>>(),
    reviewedBy: text('reviewed_by'),
    category: text('category', { enum: issueTypes }),
    createdAt: createdAt(),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
  },
  (t) => [
    index('ai_drafts_ticket_idx').on(t.ticketId),
    index('ai_drafts_outcome_idx').on(t.outcome, t.category),
    // Also ai_drafts_created_idx and ai_drafts_category_created_idx (covering, for the feedback
    // reports), from drizzle/0014_feedback_report_indexes.sql: drizzle's builder has no INCLUDE.
  ],
);

// ---- Linked issues: the default issue tracker (bugs a customer is waiting on) --------------

export const linkedIssues = pgTable(
  'linked_issues',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    title: text('title').notNull(),
    status: text('status').notNull(),
    url: text('url'),
    createdAt: createdAt(),
  },
  (t) => [index('linked_issues_account_idx').on(t.accountId, t.status)],
);

export * from './schemaDelivery';
export * from './schemaFeedback';
export * from './schemaImport';
export * from './schemaOperations';
