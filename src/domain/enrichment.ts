import type { PlanChangeKind, Tier } from './vocabulary';

export type { Tier };

export interface PlanChange {
  kind: PlanChangeKind;
  fromPlan: string | null;
  toPlan: string | null;
  at: string;
}

export interface LinkedIssue {
  id: string;
  title: string;
  status: string;
  url: string | null;
}

/** Everything the CRM, billing and ticket history say about the customer; gaps are recorded, never fatal. */
export interface Enrichment {
  customerId: string | null;
  accountId: string | null;
  accountName: string | null;
  tier: Tier | null;
  plan: string | null;
  mrrCents: number | null;
  billingStatus: string | null;
  accountAgeDays: number | null;
  recentPlanChanges: PlanChange[];
  churnSignal: boolean;
  openTickets: number;
  recentTickets: number;
  similarOpenTickets: { ticketId: string; subject: string }[];
  /** Issue-tracker issues linked to the customer (e.g. a known bug they are waiting on). */
  linkedIssues: LinkedIssue[];
  /** CRM lifecycle stage (lead, customer, evangelist …) and account owner, when the CRM has them. */
  lifecycleStage: string | null;
  accountOwner: string | null;
  gaps: { source: string; error: string }[];
}

/** What a directory knows of a customer it cannot find: the id it was asked for, nothing else. */
export const unknownAccount = (customerId: string | null) => ({
  customerId,
  accountId: null,
  accountName: null,
  tier: null,
  plan: null,
  mrrCents: null,
  accountAgeDays: null,
});

/** Enrichment before any source has answered; each lookup fills its part or records a gap. */
export const emptyEnrichment = (customerId: string | null): Enrichment => ({
  ...unknownAccount(customerId),
  billingStatus: null,
  recentPlanChanges: [],
  churnSignal: false,
  openTickets: 0,
  recentTickets: 0,
  similarOpenTickets: [],
  linkedIssues: [],
  lifecycleStage: null,
  accountOwner: null,
  gaps: [],
});
