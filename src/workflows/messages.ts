import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ActionInput, ActionName } from '../domain/actions';
import type { Attachment } from '../domain/ticket';
import type { ActionResult, MessageReceipt, TicketView } from '../domain/ticketState';

export interface CustomerMessageInput {
  /** Caller's id for the message; a repeat with the same id is ignored. */
  messageId: string;
  body: string;
  /** For a message that came by email: its Message-ID (replies thread to it) and named attachments. */
  emailMessageId?: string;
  attachments?: Attachment[];
  /** The key that posted it (the API sets it): every customer message says who sent it in. */
  postedBy?: { name: string; role: string };
}

export interface CsatInput {
  score: number;
  comment?: string;
  /** Who gives it: the key's name, or `survey-link`. A later score replaces it only from the same. */
  by?: string;
}

export const stateQuery = defineQuery<TicketView>('state');
export const customerMessageSignal = defineSignal<[CustomerMessageInput]>('customerMessage');
/** The same message as an Update: the caller learns at once whether its message id was reused. */
export const customerMessageUpdate = defineUpdate<MessageReceipt, [CustomerMessageInput]>('customerMessage');
export const csatSignal = defineSignal<[CsatInput]>('csat');
/** Drop the customer's personal data from the ticket's state (an admin erased the customer). */
export const eraseSignal = defineSignal<[{ by: string }]>('erase');

type ActionUpdate<A extends ActionName> = ReturnType<typeof defineUpdate<ActionResult, [ActionInput<A>], A>>;
type ActionSignal<A extends ActionName> = ReturnType<typeof defineSignal<[ActionInput<A>], A>>;

function actionMessages<A extends ActionName>(name: A): { update: ActionUpdate<A>; signal: ActionSignal<A> } {
  return { update: defineUpdate<ActionResult, [ActionInput<A>], A>(name), signal: defineSignal<[ActionInput<A>], A>(name) };
}

/** Every agent action, as an Update and as a Signal of the same name and payload. */
export const actions = {
  approve: actionMessages('approve'),
  modify: actionMessages('modify'),
  takeover: actionMessages('takeover'),
  assign: actionMessages('assign'),
  reply: actionMessages('reply'),
  resolve: actionMessages('resolve'),
  handback: actionMessages('handback'),
  reclassify: actionMessages('reclassify'),
  note: actionMessages('note'),
  reprioritize: actionMessages('reprioritize'),
  feedback: actionMessages('feedback'),
} satisfies { [A in ActionName]: { update: ActionUpdate<A>; signal: ActionSignal<A> } };
