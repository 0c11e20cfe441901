import { patched } from '@temporalio/workflow';
import { emptyEnrichment, type Enrichment } from '../../domain/enrichment';
import type { TicketState } from '../../domain/ticketState';
import type { ActivityGroups } from './activityGroups';
import { gapReason } from './failures';

/**
 * Asks every enrichment source at once (CRM, billing, Tandem's ticket history, the issue
 * tracker). Each is optional context: one that fails leaves a gap with its reason, never a
 * stuck ticket.
 */
export async function gatherEnrichment(groups: ActivityGroups, s: TicketState): Promise<Enrichment> {
  const { crm, billing, ticketHistory, issueTracker } = groups;
  const ref = { customerId: s.ticket.customerId, customerEmail: s.ticket.customerEmail };
  const [account, bill, history, issues] = await Promise.allSettled([
    crm.lookupAccount(ref),
    billing.lookupBilling(ref),
    ticketHistory.lookupTicketHistory({ ...ref, ticketId: s.ticketId, text: `${s.ticket.subject} ${s.ticket.body}` }),
    // Tickets started before the issue tracker existed replay without it.
    patched('linked-issues') ? issueTracker.lookupLinkedIssues(ref) : Promise.resolve([]),
  ]);
  const result = emptyEnrichment(s.ticket.customerId ?? null);
  const gap = (source: string, r: PromiseRejectedResult) => result.gaps.push({ source, error: gapReason(r.reason) });
  if (account.status === 'fulfilled') Object.assign(result, account.value);
  else gap('crm', account);
  if (bill.status === 'fulfilled') Object.assign(result, withoutUndefined(bill.value));
  else gap('billing', bill);
  if (history.status === 'fulfilled') Object.assign(result, history.value);
  else gap('ticket_history', history);
  if (issues.status === 'fulfilled') result.linkedIssues = issues.value;
  else gap('issue_tracker', issues);
  return result;
}

const withoutUndefined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
