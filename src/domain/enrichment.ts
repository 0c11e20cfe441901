import { z } from 'zod';
import { tiers } from './vocabulary';

export const Tier = z.enum(tiers);
export type Tier = z.infer<typeof Tier>;

export const PlanChange = z.object({
  kind: z.enum(['upgrade', 'downgrade', 'cancellation', 'renewal']),
  fromPlan: z.string().nullable(),
  toPlan: z.string().nullable(),
  at: z.string(),
});

export const LinkedIssue = z.object({
  id: z.string(),
  title: z.string(),
  status: z.string(),
  url: z.string().nullable(),
});
export type LinkedIssue = z.infer<typeof LinkedIssue>;

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
  /** Issue-tracker issues linked to the customer (e.g. a known bug they are waiting on). */
  linkedIssues: z.array(LinkedIssue).default([]),
  /** CRM lifecycle stage (lead, customer, evangelist …) and account owner, when the CRM has them. */
  lifecycleStage: z.string().nullable().default(null),
  accountOwner: z.string().nullable().default(null),
  gaps: z.array(z.object({ source: z.string(), error: z.string() })),
});
export type Enrichment = z.infer<typeof Enrichment>;
