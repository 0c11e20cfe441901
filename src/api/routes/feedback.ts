import type { z } from 'zod';
import type { ActionResult } from '../../domain/ticketState';
import { feedbackTarget } from '../../db/feedbackReads';
import { recordFeedback } from '../../db/feedbackWrites';
import { getTicketRecord } from '../../db/ticketQueries';
import { FeedbackBody, FeedbackRecorded } from '../../schemas/feedback';
import { TicketIdParams } from '../../schemas/api';
import { actions } from '../../workflows/messages';
import type { Principal } from '../auth';
import { problems, Problem } from '../problems';
import { commonResponses, defineRoute, problemResponse, type RouteSpec } from '../route';
import type { TicketCalls } from './ticketCalls';

/** Agents' and leads' feedback on the AI's answers: thumbs, reasons, corrections, flags. */
export function feedbackRoutes(calls: TicketCalls): RouteSpec[] {
  const { db, database, handleFor, applyUpdate } = calls;

  const feedback = defineRoute({
    method: 'post',
    path: '/v1/tickets/:id/feedback',
    operationId: 'giveFeedback',
    tag: 'Feedback and review',
    summary: 'Rate, correct or flag an AI answer',
    description:
      "On a message the AI sent (`messageId`) or a draft it wrote (`draftId`). One current rating per agent and answer: a second one replaces it, and the history keeps both. While the ticket runs, the feedback is its `feedback` Update (so it is in the ticket's history) and a row in Postgres; once it has closed, the row alone. `X-Request-Id` makes a retry apply once.",
    roles: ['agent'],
    params: TicketIdParams,
    body: FeedbackBody,
    headers: [{ name: 'X-Request-Id', description: 'The Update id: a retry with the same id is applied once.' }],
    responses: {
      201: { description: 'Recorded.', schema: FeedbackRecorded },
      ...commonResponses,
      404: problemResponse('No such ticket, or no such message or draft on it.'),
      409: problemResponse('The request id was used for something else.'),
    },
    async handle({
      params,
      body,
      principal,
      requestId,
    }: {
      params: z.output<typeof TicketIdParams>;
      body: z.output<typeof FeedbackBody>;
      principal: Principal | null;
      requestId: string;
    }) {
      const record = await database(() => getTicketRecord(db, params.id));
      if (!record) throw problems.notFound(`no ticket ${params.id}`);
      const target = await database(() => feedbackTarget(db, params.id, body));
      if (!target.ok) {
        if (target.status === 404) throw problems.notFound(target.message);
        throw problems.invalid([{ field: target.field, message: target.message }]);
      }
      const agent = principal?.name ?? 'unknown';
      const given = {
        draftId: target.draftId,
        ...(target.messageId ? { messageId: target.messageId } : {}),
        ...(body.rating ? { rating: body.rating } : {}),
        ...(body.reasons ? { reasons: [...new Set(body.reasons)] } : {}),
        ...(body.correction !== undefined ? { correction: body.correction } : {}),
        ...(body.flag !== undefined ? { flag: body.flag } : {}),
      };
      const answer = (recordedBy: 'workflow' | 'read-model') => ({
        status: 201,
        body: {
          ticketId: params.id,
          draftId: target.draftId,
          messageId: target.messageId ?? null,
          agent,
          rating: body.rating ?? null,
          reasons: given.reasons ?? [],
          flag: body.flag ?? false,
          corrected: body.correction !== undefined,
          recordedBy,
        },
      });
      if (record.status === 'closed') {
        // A closed ticket's history is complete: its feedback is the read model's alone.
        await database(() =>
          db.transaction((tx) =>
            recordFeedback(tx, { ...given, ticketId: params.id, agent, source: 'explicit', category: record.category, at: Date.now() }),
          ),
        );
        return answer('read-model');
      }
      const outcome = await applyUpdate<ActionResult>(params.id, requestId, () =>
        handleFor(params.id).executeUpdate(actions.feedback.update, { args: [{ ...given, agentId: agent }], updateId: requestId }),
      ).catch((err: unknown) => {
        // It closed a moment ago: its history is complete, so the read model takes it.
        if (err instanceof Problem && err.status === 409 && err.extra.ticketStatus === 'closed') return null;
        throw err;
      });
      if (outcome === null) {
        await database(() =>
          db.transaction((tx) =>
            recordFeedback(tx, { ...given, ticketId: params.id, agent, source: 'explicit', category: record.category, at: Date.now() }),
          ),
        );
        return answer('read-model');
      }
      if ('pending' in outcome) return outcome.pending;
      return answer('workflow');
    },
  });

  return [feedback];
}
