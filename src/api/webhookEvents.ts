import type { z } from 'zod';
import type { WebhookEventType } from '../domain/delivery';
import { webhookEnvelopes } from '../schemas/webhooks';

const summaries: Record<WebhookEventType, string> = {
  'ticket.created': 'A ticket was started (over the API or by an inbound email).',
  'ticket.message':
    "A reply (AI once sent, or an agent's), survey or reminder to deliver to the customer: channel, recipient, body, citations and a stable message id. Not sent for email tickets Tandem mails itself.",
  'ticket.escalated': 'A person is needed: the triggers and the handoff summary.',
  'ticket.assigned': 'A person took the ticket (takeover, assignment, or a reply).',
  'ticket.resolved': 'Resolved: how (AI only, AI + human, human only), why, and by whom.',
  'ticket.reopened': 'The customer wrote again within the reopen window.',
  'ticket.csat_requested': 'The CSAT survey went out: the signed survey link and when it expires.',
  'ticket.sla_breached': 'An SLA (review or first human response) was missed: tell a lead.',
  'ticket.delivery_failed': 'A message to the customer failed after its last attempt; the ticket went to a person.',
};

/** Every event for the OpenAPI document's `webhooks` section. */
export const webhookEventDocs: Record<string, { summary: string; schema: z.ZodType }> = Object.fromEntries(
  (Object.keys(summaries) as WebhookEventType[]).map((type) => [type, { summary: summaries[type], schema: webhookEnvelopes[type] }]),
);
