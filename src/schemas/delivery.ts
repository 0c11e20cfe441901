import { z } from 'zod';
import { deliveryStatuses } from '../domain/delivery';
import { Channel } from './vocabulary';

// Responses of the customer-facing routes: the conversation, inbound email, the CSAT form.

export const Conversation = z
  .object({
    ticketId: z.string(),
    subject: z.string(),
    channel: Channel,
    status: z.enum(['open', 'waiting_on_customer', 'resolved', 'closed']),
    messages: z.array(
      z.object({
        id: z.string(),
        author: z.enum(['customer', 'ai', 'agent', 'system']),
        kind: z.enum(['message', 'reply', 'csat_survey', 'csat_reminder']).meta({ description: "`message`: the customer's own." }),
        body: z.string(),
        at: z.string(),
        delivery: z
          .object({ status: z.enum(deliveryStatuses), at: z.string().nullable() })
          .nullable()
          .meta({ description: 'How the message to the customer travelled; null for their own.' }),
        attachments: z.array(z.object({ filename: z.string().nullable(), contentType: z.string(), size: z.number().int() })),
      }),
    ),
    csat: z.object({
      surveyUrl: z.string().nullable().meta({ description: 'The signed survey page while the survey is open.' }),
      expiresAt: z.string().nullable(),
      score: z.number().int().nullable(),
    }),
  })
  .meta({ id: 'Conversation' });

export const InboundEmailAccepted = z
  .object({
    ticketId: z.string().nullable().meta({ description: 'The ticket the mail went to; null when it was ignored.' }),
    created: z.boolean().meta({ description: 'True when the mail started a new ticket.' }),
    matchedBy: z.enum(['thread', 'reply_address', 'new_ticket', 'ignored']),
    status: z.enum(['accepted', 'pending', 'ignored']),
    reason: z.string().optional().meta({ description: 'Why it was ignored (an auto-reply), or why it started a new ticket.' }),
    attachments: z.array(z.object({ filename: z.string().nullable(), contentType: z.string(), size: z.number().int() })),
  })
  .meta({ id: 'InboundEmailAccepted' });

/** The survey page's form: `score` from the button clicked (1–5, checked by the handler, which answers with the form again), an optional comment. */
export const CsatForm = z.object({ score: z.string().max(10), comment: z.string().max(8000).optional() }).meta({ id: 'CsatForm' });

export const CsatTokenParams = z.strictObject({ token: z.string().min(1).max(300) });
