import { allHandlersFinished, condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import type { RoutingPolicy } from '../domain/policy';
import type { NewTicket } from '../domain/ticket';
import { initialTicketState } from '../domain/initialState';
import { canComplete, nextDeadline, outcomeOf, type TicketOutcome, type TicketState } from '../domain/ticketState';
import { stateQuery } from './messages';
import { registerActions } from './ticket/actions';
import { registerCustomerHandlers, registerErasure } from './ticket/customer';
import type { CarriedIds } from './ticket/requestLog';
import { TicketRun } from './ticket/run';
import type { ActivityTimeouts } from './ticket/timeouts';

export type { ActivityTimeouts } from './ticket/timeouts';
export { defaultActivityTimeouts } from './ticket/timeouts';

export interface TicketWorkflowInput {
  /** `requestHash` fingerprints the create request, so a reused Idempotency-Key is told apart for life. */
  ticket: NewTicket & { createdAt: number; requestHash?: string };
  /** The routing policy version the ticket started with; it keeps it for life. */
  policy: RoutingPolicy;
  /** State carried over continue-as-new; absent on the first run. */
  carried?: TicketState;
  /** Recent customer message ids and request bindings, carried so a retry after continue-as-new is still a repeat. */
  carriedIds?: CarriedIds;
  /** Continue-as-new once history passes this many events (server suggestion applies too). */
  historyLimit?: number;
  activityTimeouts?: ActivityTimeouts;
}

/**
 * One customer-support ticket, from triage to CSAT. The state and every lifecycle step live in
 * `TicketRun`; this function registers the handlers (before the first await), runs the main loop
 * (customer messages, AI turns owed, the next deadline) and continues-as-new when history grows.
 */
export async function ticketWorkflow(input: TicketWorkflowInput): Promise<TicketOutcome> {
  const historyLimit = input.historyLimit ?? 4000;
  const run = new TicketRun(
    input.carried ?? initialTicketState(input.ticket, input.policy.version),
    input.policy,
    input.activityTimeouts,
    input.carriedIds,
  );
  const { s, log, writes, inbox, deliveries } = run;

  registerActions(run);
  registerCustomerHandlers(run);
  registerErasure(run);
  setHandler(stateQuery, run.view);

  if (!input.carried) await run.triage();
  else log.record('continued_as_new', 'system', { runId: workflowInfo().runId });

  // A delivery under way keeps the ticket open: it is this workflow's activity.
  while (!canComplete(s) || inbox.length > 0 || run.aiTurnDue || deliveries.busy) {
    await writes.flush();
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > historyLimit) {
      await condition(allHandlersFinished);
      if (inbox.length === 0 && !run.aiTurnDue && s.status !== 'drafting' && !deliveries.busy) {
        await writes.flush();
        // Anything that arrived during the flush goes round the loop once more first.
        if (inbox.length === 0 && !run.aiTurnDue && !log.dirty && allHandlersFinished() && !deliveries.busy) {
          return await continueAsNew<typeof ticketWorkflow>({ ...input, carried: { ...s }, carriedIds: run.requests.carried() });
        }
      }
    }
    const due = nextDeadline(s, run.policy);
    const wakeUp = () =>
      inbox.length > 0 || log.dirty || run.aiTurnDue || deliveries.failed.length > 0 || (deliveries.lastSettled && canComplete(s));
    const woke = due ? await condition(wakeUp, Math.max(1, due.at - Date.now())) : (await condition(wakeUp), true);
    if (inbox.length > 0) {
      await run.onCustomerMessage(inbox.shift()!);
    } else if (deliveries.failed.length > 0) {
      await run.onDeliveryFailed(deliveries.failed.shift()!);
    } else if (run.aiTurnDue) {
      run.aiTurnDue = false;
      if (s.mode === 'ai_auto' || s.mode === 'ai_review') await run.aiTurn();
    } else if (!woke && due && Date.now() >= due.at) {
      await run.onDeadline(due);
    }
  }

  await condition(allHandlersFinished);
  log.setStatus('closed', 'system', { outcome: outcomeOf(s) });
  // Signals handled during a flush (a late CSAT, a refused action) are recorded too.
  while (log.dirty) await writes.flush();
  // A webhook the last write raised is still this workflow's to send.
  if (deliveries.inFlight > 0) await condition(() => deliveries.inFlight === 0);
  return outcomeOf(s);
}
