import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { RoutingPolicyInput } from '../schemas/policy';

// Tables that serve operations rather than tickets: API keys, AI usage, routing policy versions.

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

// ---- API keys: stored hashed; the plaintext is shown once, when created -------------------

export const apiKeyRoles = ['service', 'agent', 'lead', 'admin'] as const;
export type ApiKeyRole = (typeof apiKeyRoles)[number];

export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    /** The agent or service behind the key; recorded as the actor of its actions. */
    name: text('name').notNull(),
    role: text('role', { enum: apiKeyRoles }).notNull(),
    /**
     * What a service key may see and write: `own` tickets (those it started), or `all` (an internal
     * backend, granted explicitly). Other roles' keys ignore it.
     */
    scope: text('scope', { enum: ['own', 'all'] })
      .notNull()
      .default('own'),
    /** SHA-256 of the key: keys are 256-bit random, so a fast hash is enough. */
    hash: text('hash').notNull(),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('api_keys_hash_idx').on(t.hash)],
);

// ---- AI calls: tokens and latency of every model call, for cost per ticket -----------------

export const aiCalls = pgTable(
  'ai_calls',
  {
    id: text('id').primaryKey(),
    ticketId: text('ticket_id'),
    operation: text('operation').notNull(),
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    promptVersion: text('prompt_version').notNull(),
    inputTokens: integer('input_tokens'),
    outputTokens: integer('output_tokens'),
    latencyMs: integer('latency_ms').notNull(),
    /** ok, or why the answer was not used (rate_limited, server_error, timeout, invalid_output, ...). */
    outcome: text('outcome').notNull(),
    error: text('error'),
    createdAt: createdAt(),
  },
  (t) => [index('ai_calls_ticket_idx').on(t.ticketId, t.createdAt)],
);

// ---- Routing policies: versioned; new tickets start on the active one and keep it for life --

export const routingPolicies = pgTable(
  'routing_policies',
  {
    version: text('version').primaryKey(),
    /** The document as submitted (durations as written), so GET returns what was PUT. */
    document: jsonb('document').$type<RoutingPolicyInput>().notNull(),
    active: boolean('active').notNull().default(false),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('routing_policies_one_active_idx')
      .on(t.active)
      .where(sql`${t.active}`),
  ],
);

// ---- Rate limits: requests counted per API key and per client address, in the database so
// every API process draws on the same budget (rate-limiter-flexible's RateLimiterDrizzle shape) --

export const rateLimits = pgTable(
  'rate_limits',
  {
    /** `<policy>:<key id or address>`. */
    key: text('key').primaryKey(),
    points: integer('points').notNull(),
    /** When the window ends; past it the next request starts a new count. */
    expire: timestamp('expire', { withTimezone: true }),
  },
  (t) => [index('rate_limits_expire_idx').on(t.expire)],
);
