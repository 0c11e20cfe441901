import type { z } from 'zod';
import { deriveReviewItems, listReviewItems } from '../../db/reviewItems';
import { decideReviewItem } from '../../db/reviewVerdicts';
import { weekRange } from '../../domain/weeks';
import { ReviewItemParams, ReviewQuery, ReviewWeek, VerdictBody, VerdictRecorded, reviewWeekOf } from '../../schemas/review';
import type { Principal } from '../auth';
import { problems } from '../problems';
import { commonResponses, defineRoute, problemResponse, type RouteSpec } from '../route';
import type { TicketCalls } from './ticketCalls';

/** The lead's weekly review of the AI's answers the agents called out, and the verdicts on them. */
export function reviewRoutes(calls: TicketCalls): RouteSpec[] {
  const { db, database } = calls;

  const list = defineRoute({
    method: 'get',
    path: '/v1/review',
    operationId: 'listReview',
    tag: 'Feedback and review',
    summary: "The week's AI answers to review",
    description:
      "Every AI draft whose first flag, explicit thumbs down or heavy edit (more than half its lines changed) falls in the ISO week (UTC), once each, with the ticket, the AI's text, the latest correction, the agents' feedback and, once decided, the verdict. Listing makes the week's missing items (idempotently), so listing twice or at once never shows an answer twice.",
    roles: ['lead'],
    query: ReviewQuery,
    responses: { 200: { description: "The week's items, open first.", schema: ReviewWeek }, ...commonResponses },
    async handle({ query }: { query: z.output<typeof ReviewQuery> }) {
      const week = reviewWeekOf(query);
      const range = weekRange(week)!;
      const items = await database(async () => {
        await deriveReviewItems(db, week, range);
        return listReviewItems(db, week);
      });
      return {
        status: 200,
        body: {
          week,
          from: range.from.toISOString(),
          to: range.to.toISOString(),
          open: items.filter((i) => i.status === 'open').length,
          decided: items.filter((i) => i.status === 'decided').length,
          items,
        },
      };
    },
  });

  const decide = defineRoute({
    method: 'post',
    path: '/v1/review/:itemId',
    operationId: 'decideReviewItem',
    tag: 'Feedback and review',
    summary: "Record the lead's verdict on a review item",
    description:
      "`accept_correction`: the correction (the body's, else the agents' latest) becomes an approved example that later drafts of the ticket's category use and cite. `add_to_knowledge_base`: the correction becomes a knowledge-base article (`articleId` updates that one instead). `dismiss`: nothing changes. One verdict per item; each is kept in the audit (review_verdicts).",
    roles: ['lead'],
    params: ReviewItemParams,
    body: VerdictBody,
    responses: {
      201: { description: 'Recorded.', schema: VerdictRecorded },
      ...commonResponses,
      404: problemResponse('No such review item.'),
      409: problemResponse('The item has a verdict already.'),
    },
    async handle({
      params,
      body,
      principal,
    }: {
      params: z.output<typeof ReviewItemParams>;
      body: z.output<typeof VerdictBody>;
      principal: Principal | null;
    }) {
      const by = principal?.name ?? 'unknown';
      const at = Date.now();
      const outcome = await database(() => decideReviewItem(db, { ...params, ...body, by, at }));
      if (!outcome.ok) {
        if (outcome.status === 404) throw problems.notFound(outcome.message);
        if (outcome.status === 409) throw problems.conflict(outcome.message, outcome.extra ?? {});
        throw problems.invalid([{ field: outcome.field, message: outcome.message }]);
      }
      return {
        status: 201,
        body: {
          itemId: params.itemId,
          verdict: body.verdict,
          verdictId: outcome.verdictId,
          by,
          at: new Date(at).toISOString(),
          exampleId: outcome.exampleId,
          articleId: outcome.articleId,
          articleCreated: outcome.articleCreated,
        },
      };
    },
  });

  return [list, decide];
}
