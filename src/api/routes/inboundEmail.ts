import { messageUpdateId } from '../../domain/requests';
import { cutText } from '../../domain/text';
import type { MessageReceipt } from '../../domain/ticketState';
import { ticketByEmailMessageIds } from '../../db/deliveries';
import { getTicketRecord } from '../../db/ticketQueries';
import { ticketIdFromAddresses } from '../../email/addresses';
import { MalformedEmail, parseInboundEmail, type InboundEmail } from '../../email/inbound';
import { InboundEmailAccepted } from '../../schemas/delivery';
import { customerMessageUpdate, type CustomerMessageInput } from '../../workflows/messages';
import { Problem } from '../problems';
import { commonResponses, defineRoute, problemResponse, type RouteSpec } from '../route';
import type { TicketCalls } from './ticketCalls';
import { openTicket, sha256 } from './ticketStarter';

const BODY_MAX = 20_000;
const SUBJECT_MAX = 300;

/** The text a ticket keeps of a mail: what the customer newly wrote, or what it carried when it had no words. */
function messageText(mail: InboundEmail): string {
  const text = mail.text.trim();
  if (text) return cutText(text, BODY_MAX, { ellipsis: true });
  const names = mail.attachments.map((a) => a.filename ?? a.contentType).join(', ');
  return names ? `(no text; attachments: ${cutText(names, 1000, { ellipsis: true })})` : '(no text)';
}

/**
 * Inbound email: a raw message (as a mail provider's inbound webhook or an MTA pipe hands it
 * over) goes to the ticket it answers, found by its threading headers or by the ticket's reply
 * address; otherwise it starts a ticket for its sender. Only what the customer newly wrote is
 * kept; attachments are named, never stored.
 */
export function inboundEmailRoutes(calls: TicketCalls): RouteSpec[] {
  const { db, database, deps, handleFor, applyUpdate } = calls;

  const inbound = defineRoute({
    method: 'post',
    path: '/v1/inbound/email',
    operationId: 'inboundEmail',
    tag: 'Delivery',
    summary: 'Take in a customer email (raw MIME)',
    description:
      "The body is the whole message as `message/rfc822`. A reply (by `In-Reply-To`/`References`, or sent to the ticket's reply address) from the ticket's customer continues that ticket; anything else starts a ticket for its sender. The same Message-ID posted again is applied once. Automatic replies (out of office, bulk) are ignored.",
    roles: ['service'],
    bodyType: 'mime',
    responses: {
      202: { description: 'Taken in (or ignored, `status: ignored`).', schema: InboundEmailAccepted },
      ...commonResponses,
      413: problemResponse('The message is larger than the limit.'),
      415: problemResponse('The body is not message/rfc822.'),
    },
    async handle({ raw, principal }) {
      let mail: InboundEmail;
      try {
        mail = await parseInboundEmail(raw!);
      } catch (err) {
        if (err instanceof MalformedEmail)
          throw new Problem(err.status, err.status === 413 ? 'Content Too Large' : 'Invalid email', err.message);
        throw err;
      }
      const attachments = mail.attachments;
      if (mail.automatic) {
        return {
          status: 202,
          body: {
            ticketId: null,
            created: false,
            matchedBy: 'ignored',
            status: 'ignored',
            reason: 'an automatic reply (out of office, bulk mail)',
            attachments,
          },
        };
      }
      // The same mail posted twice is one message: its id comes from its Message-ID (or its bytes).
      const mailId = sha256(mail.messageId ?? raw!.toString('base64')).slice(0, 32);
      const body = messageText(mail);
      const references = [...new Set([...(mail.inReplyTo ? [mail.inReplyTo] : []), ...mail.references])];
      const threaded = await database(() => ticketByEmailMessageIds(db, references));
      const addressed = threaded ? null : ticketIdFromAddresses([...mail.to, ...mail.cc], deps.delivery.emailFrom);
      const ticketId = threaded ?? addressed;
      let why: string | undefined;
      if (ticketId) {
        const record = await database(() => getTicketRecord(db, ticketId));
        const sender = mail.from.address.toLowerCase();
        if (!record) why = `ticket ${ticketId} is not known`;
        else if (record.status === 'closed') why = `ticket ${ticketId} is closed`;
        else if (record.customerEmail && record.customerEmail.toLowerCase() !== sender)
          why = `the sender is not ticket ${ticketId}'s customer`;
        else {
          const input: CustomerMessageInput = {
            messageId: `email-${mailId}`,
            body,
            ...(mail.messageId ? { emailMessageId: mail.messageId } : {}),
            ...(attachments.length ? { attachments } : {}),
            ...(principal ? { postedBy: { name: principal.name, role: principal.role } } : {}),
          };
          const updateId = messageUpdateId(input.messageId);
          const outcome = await applyUpdate<MessageReceipt>(ticketId, updateId, () =>
            handleFor(ticketId).executeUpdate(customerMessageUpdate, { args: [input], updateId }),
          );
          return {
            status: 202,
            body: {
              ticketId,
              created: false,
              matchedBy: threaded ? 'thread' : 'reply_address',
              status: 'pending' in outcome ? 'pending' : 'accepted',
              attachments,
            },
          };
        }
      }
      const opened = await openTicket(
        calls,
        {
          customer: { email: mail.from.address },
          channel: 'email',
          subject: cutText(mail.subject.trim() || '(no subject)', SUBJECT_MAX, { ellipsis: true }),
          body,
          ...(mail.messageId ? { emailMessageId: mail.messageId } : {}),
          ...(attachments.length ? { attachments } : {}),
          ...(ticketId ? { metadata: { previousTicketId: ticketId } } : {}),
        },
        { caller: principal?.name ?? '', idempotencyKey: `email:${mailId}`, requestHash: sha256(`email:${mailId}`) },
      );
      return {
        status: 202,
        body: {
          ticketId: opened.ticketId,
          created: opened.created,
          matchedBy: 'new_ticket',
          status: 'accepted',
          ...(why ? { reason: why } : {}),
          attachments,
        },
      };
    },
  });

  return [inbound];
}
