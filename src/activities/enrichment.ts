import type { Db } from '../db/client';
import type { CustomerRef, Integrations } from '../integrations/ports';
import { lookupTicketHistory } from '../integrations/postgres';
import { guarded, type FailureOptions } from './failures';

/** Enrichment: each source on its own activity, so one outage leaves a gap, not a failure. */
export function enrichmentActivities(db: Db, { directory, billing, issueTracker }: Integrations, now: () => Date, options: FailureOptions) {
  const run = guarded(options);
  return {
    lookupAccount: (ref: CustomerRef) => run(`${directory.name} CRM lookup`, () => directory.lookup(ref, now())),
    lookupBilling: (ref: CustomerRef) => run(`${billing.name} billing lookup`, () => billing.lookup(ref, now())),
    lookupLinkedIssues: (ref: CustomerRef) => run(`${issueTracker.name} issue lookup`, () => issueTracker.linkedIssues(ref)),
    lookupTicketHistory: (input: CustomerRef & { ticketId: string; text: string }) =>
      run('ticket history lookup', () => lookupTicketHistory(db, input, now())),
  };
}
