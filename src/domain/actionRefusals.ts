import { actionNames, type ActionName, type ActionPayload, type ActorRole } from './actions';
import type { HandlingMode, TicketStatus } from './vocabulary';

// Whether an action fits a ticket: who may act on it (per-ticket authorization) and what its
// state allows. Pure, so the workflow's validators and the API judge actions the same way.

/** The slice of a ticket's state an action is judged against. */
export interface ActionContext {
  status: TicketStatus;
  mode: HandlingMode | null;
  assignee: string | null;
  hasPendingDraft: boolean;
  /** Per-ticket rules apply (tickets started before they existed act as they did). */
  ownedActions?: boolean;
}

/** What changes a ticket (all but notes and feedback): only its assignee, a lead or an admin may do these to an assigned ticket. */
const ownedActions: ActionName[] = actionNames.filter((a) => a !== 'note' && a !== 'feedback');
/** Refusals that are a matter of who asks (the API answers them 403), not of the ticket's state. */
export const FORBIDDEN_PREFIX = 'forbidden: ';

/** Why this actor may not do this to this ticket, or null: an agent acts on unassigned tickets and their own. */
export function ownershipRefusal(action: ActionName, agentId: string, role: ActorRole | undefined, t: ActionContext): string | null {
  if (!t.ownedActions || !ownedActions.includes(action) || (role ?? 'agent') !== 'agent') return null;
  if (t.assignee === null || t.assignee === agentId) return null;
  return `${FORBIDDEN_PREFIX}the ticket is assigned to ${t.assignee}; only they, a lead or an admin may ${action} it`;
}

const open = (s: TicketStatus) => s !== 'resolved' && s !== 'closed';

/**
 * Returns why an action does not fit the ticket's state, or null when it does. Pure, so the
 * workflow's synchronous update validators and its signal handlers judge actions the same way.
 */
export function refusalFor<A extends ActionName>(action: A, payload: ActionPayload<A>, t: ActionContext): string | null {
  if (t.status === 'closed') return 'the ticket is closed';
  const forbidden = ownershipRefusal(action, payload.agentId, payload.actorRole, t);
  if (forbidden) return forbidden;
  switch (action) {
    case 'approve':
    case 'modify':
      if (t.status !== 'awaiting_review' || !t.hasPendingDraft) return `no draft awaits review (status ${t.status})`;
      return null;
    case 'takeover':
      if (!open(t.status)) return `the ticket is ${t.status}`;
      if (t.mode === 'human' && t.assignee === payload.agentId) return `${payload.agentId} already owns the ticket`;
      return null;
    case 'assign':
      if (!open(t.status)) return `the ticket is ${t.status}`;
      return null;
    case 'reply':
      if (!open(t.status)) return `the ticket is ${t.status}; reopen it by a customer message`;
      if (t.mode !== 'human') return 'the AI is handling this ticket: take it over before replying';
      if (t.assignee && t.assignee !== payload.agentId) return `the ticket is assigned to ${t.assignee}`;
      return null;
    case 'resolve':
      if (!open(t.status)) return `the ticket is already ${t.status}`;
      if (t.status === 'triaging' || t.status === 'drafting') return `the ticket is still ${t.status}`;
      return null;
    case 'handback':
      if (!open(t.status)) return `the ticket is ${t.status}`;
      if (t.mode !== 'human') return 'the AI is already handling this ticket';
      return null;
    case 'reclassify':
      if (t.status === 'triaging') return 'the ticket has not been classified yet';
      return null;
    case 'note':
    case 'feedback':
      return null;
    case 'reprioritize':
      if (!open(t.status)) return `the ticket is ${t.status}`;
      if (t.status === 'triaging') return 'the ticket has not been prioritised yet';
      return null;
    default:
      return `unknown action ${String(action)}`;
  }
}
