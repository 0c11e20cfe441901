import { setHandler } from '@temporalio/workflow';
import { CSAT_COMMENT_MAX, csatChangeRefusal, csatRefusal } from '../../domain/csat';
import { messageUpdateId } from '../../domain/requests';
import { cutText } from '../../domain/text';
import type { TranscriptMessage } from '../../domain/ticket';
import type { MessageReceipt } from '../../domain/ticketState';
import { erasedMessage, eraseFromState } from '../../domain/erasure';
import { csatSignal, customerMessageSignal, customerMessageUpdate, eraseSignal, type CustomerMessageInput } from '../messages';
import type { TicketRun } from './run';

const messageProblem = (m: CustomerMessageInput | null | undefined) =>
  !m || typeof m.body !== 'string' || m.body.trim() === '' || typeof m.messageId !== 'string'
    ? 'a customer message needs a messageId and a body'
    : null;
const fingerprinted = (m: CustomerMessageInput) => ({ messageId: m.messageId, body: m.body });
const reusedId = (m: CustomerMessageInput) => `message id ${m.messageId} was already used for a different message`;

/**
 * What the customer sends: messages (an Update, so a reused message id is refused at once, and
 * a Signal for tools that can only signal) and a CSAT score. Messages wait in the run's inbox
 * for the main loop; nothing here awaits.
 */
export function registerCustomerHandlers(run: TicketRun) {
  const { s, log, requests } = run;

  const receive = (m: CustomerMessageInput): MessageReceipt => {
    const id = `${s.ticketId}:in:${m.messageId}`;
    const bindingId = messageUpdateId(m.messageId);
    const request = requests.get(bindingId) ?? requests.bind(bindingId, 'customerMessage', 'customer', fingerprinted(m));
    if (requests.firstSighting(id)) {
      const message: TranscriptMessage = {
        id,
        author: 'customer',
        body: m.body,
        at: Date.now(),
        ...(typeof m.emailMessageId === 'string' ? { emailMessageId: m.emailMessageId } : {}),
        ...(Array.isArray(m.attachments) && m.attachments.length ? { attachments: m.attachments } : {}),
        ...(m.postedBy && typeof m.postedBy.name === 'string'
          ? { postedBy: { name: m.postedBy.name, role: String(m.postedBy.role) } }
          : {}),
      };
      run.inbox.push(message);
      log.queueCustomerMessages(message);
      log.dirty = true;
    }
    return { ticketId: s.ticketId, messageId: m.messageId, request };
  };

  setHandler(customerMessageSignal, (m: CustomerMessageInput) => {
    const problem =
      messageProblem(m) ?? (requests.collision(messageUpdateId(m.messageId), 'customerMessage', fingerprinted(m)) ? reusedId(m) : null);
    if (problem) return log.record('message_refused', 'customer', { reason: problem });
    receive(m);
  });
  setHandler(customerMessageUpdate, receive, {
    validator: (m: CustomerMessageInput) => {
      const problem = messageProblem(m);
      if (problem) throw new Error(problem);
      if (requests.collision(messageUpdateId(m.messageId), 'customerMessage', fingerprinted(m))) throw new Error(reusedId(m));
    },
  });

  setHandler(csatSignal, (c) => {
    const by = typeof c?.by === 'string' ? c.by : null;
    const refusal = csatRefusal(s, c?.score) ?? csatChangeRefusal(s, by);
    if (refusal) return log.record('csat_refused', 'customer', { reason: refusal, ...(by ? { by } : {}) });
    takeCsatScore(run, Number(c.score), typeof c.comment === 'string' ? c.comment : null, undefined, by);
  });
}

/** Erasure: the state keeps its shape (status, timers, outcome) without the customer's personal data. */
export function registerErasure(run: TicketRun) {
  setHandler(eraseSignal, (e) => {
    eraseFromState(run.s);
    run.inbox.splice(0, run.inbox.length, ...run.inbox.map(erasedMessage));
    run.log.eraseUnsaved();
    run.log.record('erased', typeof e?.by === 'string' ? e.by : 'admin');
  });
}

/** The customer's score: from the survey page or API (a Signal), or a bare number replied to the survey. */
export function takeCsatScore(run: TicketRun, score: number, comment: string | null, via?: 'reply', by: string | null = null) {
  const { s, log } = run;
  const previous = s.csat.score;
  s.csat.score = score;
  s.csat.comment = comment === null ? null : cutText(comment, CSAT_COMMENT_MAX);
  s.csat.at = Date.now();
  if (by !== null) s.csat.by = by;
  // The timeline keeps every score given, the replaced one included.
  log.record('csat_received', 'customer', {
    score,
    ...(via ? { via } : {}),
    ...(by ? { by } : {}),
    ...(previous !== null ? { replaced: previous } : {}),
  });
}
