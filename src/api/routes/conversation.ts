import type { z } from 'zod';
import { customerConversation } from '../../db/conversationReads';
import { publicStatusOf } from '../../domain/delivery';
import { Conversation } from '../../schemas/delivery';
import { TicketIdParams } from '../../schemas/api';
import type { Principal } from '../auth';
import { problems } from '../problems';
import { commonResponses, defineRoute, problemResponse, type RouteSpec } from '../route';
import type { TicketCalls } from './ticketCalls';

/** The conversation as the customer may see it, for the widget or backend that shows it to them. */
export function conversationRoutes(calls: TicketCalls): RouteSpec[] {
  const { db, database, links, mustReach } = calls;

  const conversation = defineRoute({
    method: 'get',
    path: '/v1/tickets/:id/conversation',
    operationId: 'getConversation',
    tag: 'Tickets',
    summary: 'The customer-safe conversation',
    description:
      "Only what the customer may see: their messages, the AI's replies once sent, agents' replies, the survey, each with its delivery state; the ticket's public status (`open`, `waiting_on_customer`, `resolved`, `closed`); and the CSAT link while the survey is open. Never drafts awaiting review, internal notes, enrichment, escalation summaries or anything of another customer's. From the read model, so it answers without a worker.",
    roles: ['service'],
    params: TicketIdParams,
    responses: {
      200: { description: 'The conversation.', schema: Conversation },
      ...commonResponses,
      404: problemResponse('No such ticket (or not written yet: retry in a moment).'),
    },
    async handle({ params, principal }: { params: z.output<typeof TicketIdParams>; principal: Principal | null }) {
      await mustReach(principal, params.id);
      const found = await database(() => customerConversation(db, params.id));
      if (!found) throw problems.notFound(`no ticket ${params.id}`);
      const { ticket } = found;
      const csat = ticket.state?.csat;
      const surveyEnd = ticket.state?.deadlines.find((d) => d.kind === 'csat_window_end')?.at ?? null;
      const surveyOpen =
        csat !== undefined && csat.surveySentAt !== null && csat.score === null && !csat.windowClosed && surveyEnd !== null;
      return {
        status: 200,
        body: {
          ticketId: ticket.id,
          subject: ticket.subject,
          channel: ticket.channel,
          status: publicStatusOf(ticket.status),
          messages: found.messages.map((m) => ({
            id: m.id,
            author: m.author,
            kind: m.kind ?? 'message',
            body: m.body,
            at: m.at.toISOString(),
            delivery:
              m.author === 'customer' || m.deliveryStatus === null
                ? null
                : { status: m.deliveryStatus, at: m.deliveredAt?.toISOString() ?? null },
            attachments: (m.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size })),
          })),
          csat: {
            surveyUrl: surveyOpen ? await database(() => links.link(ticket.id, surveyEnd)) : null,
            expiresAt: surveyOpen ? new Date(surveyEnd).toISOString() : null,
            score: csat?.score ?? ticket.csatScore ?? null,
          },
        },
      };
    },
  });

  return [conversation];
}
