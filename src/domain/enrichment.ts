import { z } from 'zod';

export const Tier = z.enum(['free', 'pro', 'enterprise']);
export type Tier = z.infer<typeof Tier>;

export const PlanChange = z.object({
  kind: z.enum(['upgrade', 'downgrade', 'cancellation', 'renewal']),
  fromPlan: z.string().nullable(),
  toPlan: z.string().nullable(),
  at: z.string(),
});

/** Everything the CRM, billing and ticket history say about the customer; gaps are recorded, never fatal. */
export const Enrichment = z.object({
  customerId: z.string().nullable(),
  accountId: z.string().nullable(),
  accountName: z.string().nullable(),
  tier: Tier.nullable(),
  plan: z.string().nullable(),
  mrrCents: z.number().int().nullable(),
  billingStatus: z.string().nullable(),
  accountAgeDays: z.number().int().nullable(),
  recentPlanChanges: z.array(PlanChange),
  churnSignal: z.boolean(),
  openTickets: z.number().int(),
  recentTickets: z.number().int(),
  similarOpenTickets: z.array(z.object({ ticketId: z.string(), subject: z.string() })),
  gaps: z.array(z.object({ source: z.string(), error: z.string() })),
});
export type Enrichment = z.infer<typeof Enrichment>;

export const emptyEnrichment = (customerId: string | null): Enrichment => ({
  customerId,
  accountId: null,
  accountName: null,
  tier: null,
  plan: null,
  mrrCents: null,
  billingStatus: null,
  accountAgeDays: null,
  recentPlanChanges: [],
  churnSignal: false,
  openTickets: 0,
  recentTickets: 0,
  similarOpenTickets: [],
  gaps: [],
});
