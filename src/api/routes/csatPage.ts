import { WorkflowNotFoundError } from '@temporalio/client';
import type { z } from 'zod';
import { csatClosedReason, CSAT_COMMENT_MAX } from '../../domain/csat';
import { getTicketRecord, type TicketRecord } from '../../db/ticketQueries';
import { cutText } from '../../domain/text';
import { CsatForm, CsatTokenParams } from '../../schemas/delivery';
import { csatSignal } from '../../workflows/messages';
import { csatPageHeaders, surveyForm, surveyMessage } from '../csatPage';
import { defineRoute, type Reply, type RouteSpec } from '../route';
import type { TicketCalls } from './ticketCalls';

const html = (status: number, body: string): Reply => ({ status, body, contentType: 'text/html', headers: csatPageHeaders });

/**
 * The survey page a CSAT link opens: GET shows five buttons, POST records the score. The signed
 * token is the permission (no API key); every answer is a page, never a problem document.
 */
export function csatPageRoutes(calls: TicketCalls): RouteSpec[] {
  const { db, database, temporal, handleFor, links } = calls;

  /** The ticket behind a token, or the page that says why there is none. */
  async function surveyFor(token: string): Promise<{ page: Reply } | { ticket: TicketRecord }> {
    const check = await database(() => links.verify(token));
    if (!check.ok) {
      return check.why === 'expired'
        ? { page: html(410, surveyMessage('This survey has closed', 'Thank you all the same: the time to rate this request has passed.')) }
        : {
            page: html(
              404,
              surveyMessage('Link not recognised', 'This survey link is not valid. Please use the link from your latest message.'),
            ),
          };
    }
    const ticket = await database(() => getTicketRecord(db, check.ticketId));
    if (!ticket?.state) return { page: html(404, surveyMessage('Link not recognised', 'We could not find this request.')) };
    if (ticket.state.csat.score !== null) {
      return { page: html(200, surveyMessage('Thank you', `You rated this request ${ticket.state.csat.score} out of 5.`)) };
    }
    const closed = csatClosedReason(ticket.state);
    if (closed) {
      const open = ticket.state.status !== 'resolved' && ticket.state.status !== 'closed';
      return {
        page: html(
          409,
          open
            ? surveyMessage('Your request is open again', 'We are still working on it; we will ask again once it is resolved.')
            : surveyMessage('This survey has closed', 'Thank you all the same: the time to rate this request has passed.'),
        ),
      };
    }
    return { ticket };
  }

  const show = defineRoute({
    method: 'get',
    path: '/csat/:token',
    operationId: 'csatPage',
    tag: 'Customer pages',
    summary: 'The CSAT survey page a survey link opens',
    description:
      'A tiny HTML page with five buttons (no JavaScript needed). The signed token in the link is the permission; it expires with the survey.',
    roles: 'public',
    params: CsatTokenParams,
    responses: {
      200: { description: 'The survey (or a thank-you when already answered).', contentType: 'text/html' },
      404: { description: 'The link is not valid.', contentType: 'text/html' },
      409: { description: 'The ticket was reopened: nothing to rate yet.', contentType: 'text/html' },
      410: { description: 'The survey has closed.', contentType: 'text/html' },
    },
    async handle({ params }: { params: z.output<typeof CsatTokenParams> }) {
      const found = await surveyFor(params.token);
      return 'page' in found ? found.page : html(200, surveyForm(found.ticket.subject));
    },
  });

  const answer = defineRoute({
    method: 'post',
    path: '/csat/:token',
    operationId: 'csatAnswer',
    tag: 'Customer pages',
    summary: "Record the survey page's answer",
    description:
      'The form post of the survey page (`application/x-www-form-urlencoded`: `score` 1–5, optional `comment`). Answers with a page.',
    roles: 'public',
    bodyType: 'form',
    params: CsatTokenParams,
    body: CsatForm,
    responses: {
      200: { description: 'Recorded: a thank-you page.', contentType: 'text/html' },
      400: { description: 'No score 1–5: the form again, saying so.', contentType: 'text/html' },
      404: { description: 'The link is not valid.', contentType: 'text/html' },
      409: { description: 'Already answered, or the ticket was reopened.', contentType: 'text/html' },
      410: { description: 'The survey has closed.', contentType: 'text/html' },
    },
    async handle({ params, body }: { params: z.output<typeof CsatTokenParams>; body: z.output<typeof CsatForm> }) {
      const found = await surveyFor(params.token);
      if ('page' in found) return found.page.status === 200 ? { ...found.page, status: 409 } : found.page;
      const score = Number(body.score);
      if (!Number.isInteger(score) || score < 1 || score > 5)
        return html(400, surveyForm(found.ticket.subject, 'Please choose a score from 1 to 5.'));
      const comment = body.comment === undefined ? undefined : cutText(body.comment.trim(), CSAT_COMMENT_MAX);
      try {
        await temporal(() => handleFor(found.ticket.id).signal(csatSignal, { score, ...(comment ? { comment } : {}), by: 'survey-link' }));
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return html(410, surveyMessage('This survey has closed', 'Thank you all the same.'));
        throw err;
      }
      return html(200, surveyMessage('Thank you', `You rated this request ${score} out of 5. It helps us get better.`));
    },
  });

  return [show, answer];
}
