import type { Enrichment, LinkedIssue } from '../domain/enrichment';

/** Who a ticket is from, as far as the caller knows. */
export interface CustomerRef {
  customerId?: string | undefined;
  customerEmail?: string | undefined;
}

/** What the CRM knows about the customer's account. */
export type AccountFacts = Pick<Enrichment, 'customerId' | 'accountId' | 'accountName' | 'tier' | 'plan' | 'mrrCents' | 'accountAgeDays'> &
  Partial<Pick<Enrichment, 'lifecycleStage' | 'accountOwner'>>;

/** What billing knows: status and plan history; plan and MRR when billing is their source of truth. */
export type BillingFacts = Pick<Enrichment, 'billingStatus' | 'recentPlanChanges' | 'churnSignal'> &
  Partial<Pick<Enrichment, 'plan' | 'mrrCents'>>;

// Each port answers one part of the enrichment, so the workflow runs them in parallel and a
// failing one leaves a recorded gap instead of a stuck ticket.

export interface CustomerDirectory {
  readonly name: string;
  lookup(ref: CustomerRef, now: Date): Promise<AccountFacts>;
}

export interface Billing {
  readonly name: string;
  lookup(ref: CustomerRef, now: Date): Promise<BillingFacts>;
}

export interface IssueTracker {
  readonly name: string;
  /** Open issues linked to the customer or their account. */
  linkedIssues(ref: CustomerRef): Promise<LinkedIssue[]>;
}

export interface Integrations {
  directory: CustomerDirectory;
  billing: Billing;
  issueTracker: IssueTracker;
}

/** Plan changes within this many days are a churn signal when they are downgrades or cancellations. */
export const CHURN_WINDOW_DAYS = 30;

/**
 * A failed call to an outside system, in the terms Temporal needs: retry or not, and when.
 * Adapters throw it; the activities turn it into an ApplicationFailure.
 */
export class IntegrationError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'IntegrationError';
  }
}

export { unknownAccount } from '../domain/enrichment';
