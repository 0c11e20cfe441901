import { z } from 'zod';
import { Classification, type HandlingMode, type TicketStatus } from './ticket';

/**
 * Agent actions. Each is a Workflow Update (validated synchronously, refused with nothing
 * written) and also a Signal of the same name and payload for tools that can only signal.
 */
const actor = z.string().trim().min(1).max(100);

export const ActionPayloads = {
  approve: z.object({ agentId: actor }),
  modify: z.object({ agentId: actor, body: z.string().trim().min(1).max(20_000), note: z.string().max(2000).optional() }),
  takeover: z.object({ agentId: actor }),
  assign: z.object({ agentId: actor, assignee: actor }),
  reply: z.object({ agentId: actor, body: z.string().trim().min(1).max(20_000) }),
  resolve: z.object({ agentId: actor, reason: z.string().trim().min(1).max(100).default('agent_resolved') }),
  handback: z.object({ agentId: actor, note: z.string().max(2000).optional() }),
  reclassify: z.object({
    agentId: actor,
    changes: Classification.pick({
      issueType: true,
      complexity: true,
      repeatability: true,
      urgency: true,
      sentiment: true,
      requestsHuman: true,
    })
      .partial()
      .refine((c) => Object.keys(c).length > 0, 'name at least one field to correct'),
  }),
} as const;

export type ActionName = keyof typeof ActionPayloads;
export const actionNames = Object.keys(ActionPayloads) as ActionName[];
export type ActionPayload<A extends ActionName> = z.output<(typeof ActionPayloads)[A]>;
export type ActionInput<A extends ActionName> = z.input<(typeof ActionPayloads)[A]>;

/** The slice of a ticket's state an action is judged against. */
export interface ActionContext {
  status: TicketStatus;
  mode: HandlingMode | null;
  assignee: string | null;
  hasPendingDraft: boolean;
}

export class ActionRefused extends Error {
  constructor(
    readonly action: string,
    readonly reason: string,
  ) {
    super(`${action} refused: ${reason}`);
    this.name = 'ActionRefused';
  }
}

const open = (s: TicketStatus) => s !== 'resolved' && s !== 'closed';

/**
 * Returns why an action does not fit the ticket's state, or null when it does. Pure, so the
 * workflow's synchronous update validators and its signal handlers judge actions the same way.
 */
export function refusalFor<A extends ActionName>(action: A, payload: ActionPayload<A>, t: ActionContext): string | null {
  if (t.status === 'closed') return 'the ticket is closed';
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
    default:
      return `unknown action ${String(action)}`;
  }
}
