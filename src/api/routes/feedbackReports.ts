import type { z } from 'zod';
import { aiQualityRows, approvalTrend, trendSince, trendWeeks } from '../../domain/aiQuality';
import { contributorRows } from '../../domain/contributors';
import { triageRows } from '../../domain/triageAccuracy';
import { draftCounts, feedbackCounts, reasonCounts } from '../../db/aiQualityReport';
import { acceptedCounts, correctionCounts, spanCounts } from '../../db/contributorsReport';
import { triageCounts } from '../../db/triageReport';
import {
  AiQualityReport,
  AiQualityReportQuery,
  ContributorsReport,
  ContributorsReportQuery,
  TriageReport,
  TriageReportQuery,
} from '../../schemas/feedbackReports';
import { windowOf } from '../../schemas/reports';
import { reportReply } from '../reportReply';
import { commonResponses, defineRoute, type RouteSpec } from '../route';
import type { TicketCalls } from './ticketCalls';

// The leads' reports on what people make of the AI: SQL aggregates over the read model (src/db),
// shaped by pure functions (src/domain), JSON or CSV. Never a workflow Query.

const answered = (schema: z.ZodType) => ({
  description: 'The report; with `Accept: text/csv`, its rows as CSV (nested fields as dotted columns).',
  schema,
});
const windowEcho = (w: { from: Date; to: Date }, timezone: string, groupBy: string[]) => ({
  from: w.from.toISOString(),
  to: w.to.toISOString(),
  timezone,
  groupBy,
});

export function feedbackReportRoutes(calls: TicketCalls): RouteSpec[] {
  const { db, database } = calls;

  const triage = defineRoute({
    method: 'get',
    path: '/v1/reports/triage',
    operationId: 'triageAccuracyReport',
    tag: 'Reports',
    summary: 'Triage accuracy: how often people change the AI’s call, field by field',
    description:
      'Tickets created in [from, to). Per field (issueType, complexity, repeatability, urgency, priority, mode): tickets with an AI call, those no person touched (`notReviewed`, never counted as correct), those a person overrode, the share of reviewed tickets that kept the AI’s value, and the confusion matrix AI → final over the reviewed tickets, each cell a share of its AI row with its Wilson 95% interval. `groupBy` adds week and/or category (the final one); rows are always per field.',
    roles: [],
    query: TriageReportQuery,
    responses: { 200: answered(TriageReport), ...commonResponses },
    async handle({ query, header }: { query: z.output<typeof TriageReportQuery>; header: (n: string) => string | undefined }) {
      const w = windowOf(query);
      const cells = await database(() =>
        triageCounts(db, {
          ...w,
          timezone: query.timezone,
          byWeek: query.groupBy.includes('week'),
          byCategory: query.groupBy.includes('category'),
        }),
      );
      const report = { window: windowEcho(w, query.timezone, query.groupBy), rows: triageRows(cells, query.groupBy) };
      return reportReply(report, header('accept'), 'triage-accuracy');
    },
  });

  const aiQuality = defineRoute({
    method: 'get',
    path: '/v1/reports/ai-quality',
    operationId: 'aiQualityReport',
    tag: 'Reports',
    summary: 'AI answer quality: what became of its drafts, what agents said, and the trend',
    description:
      'Drafts written in [from, to), by week and category: sent (by the AI alone, approved unchanged or modified), modified with the mean edit size, taken over; the approval-unchanged rate (approved as written, of the drafts a person decided on) with its Wilson 95% interval; explicit feedback given in the window (thumbs, flags, corrections, reasons). `trend`: per category, the weekly approval-unchanged rate over the 12 weeks ending with `to`, and its least-squares line. CSV (`Accept: text/csv`) has the rows.',
    roles: [],
    query: AiQualityReportQuery,
    responses: { 200: answered(AiQualityReport), ...commonResponses },
    async handle({ query, header }: { query: z.output<typeof AiQualityReportQuery>; header: (n: string) => string | undefined }) {
      const w = windowOf(query);
      const weeks = trendWeeks(w.to, query.timezone);
      const since = new Date(Math.min(w.from.getTime(), trendSince(weeks).getTime()));
      const grouping = {
        ...w,
        timezone: query.timezone,
        byWeek: query.groupBy.includes('week'),
        byCategory: query.groupBy.includes('category'),
      };
      const [drafts, feedback, reasons] = await database(() =>
        Promise.all([
          draftCounts(db, { since, from: w.from, to: w.to, timezone: query.timezone }),
          feedbackCounts(db, grouping),
          reasonCounts(db, grouping),
        ]),
      );
      const report = {
        window: windowEcho(w, query.timezone, query.groupBy),
        rows: aiQualityRows(drafts, feedback, reasons, query.groupBy),
        trend: approvalTrend(drafts, weeks),
      };
      return reportReply(report, header('accept'), 'ai-quality');
    },
  });

  const contributors = defineRoute({
    method: 'get',
    path: '/v1/reports/feedback-contributors',
    operationId: 'feedbackContributorsReport',
    tag: 'Reports',
    summary: 'Feedback contributors: corrections given and accepted, and how the corrected categories did after',
    description:
      'Per agent (and category with `groupBy=agent,category`): drafts they corrected in [from, to) (an explicit correction or an edit when approving), their corrections a lead accepted in the review in the window, and the approval-unchanged rate of the categories they corrected in the `weeks` weeks before and after their first correction there (every draft of the category, pooled over their categories), with Wilson 95% intervals; `direction` is higher/lower only when the intervals do not overlap.',
    roles: [],
    query: ContributorsReportQuery,
    responses: { 200: answered(ContributorsReport), ...commonResponses },
    async handle({ query, header }: { query: z.output<typeof ContributorsReportQuery>; header: (n: string) => string | undefined }) {
      const w = windowOf(query);
      const [given, accepted, spans] = await database(() =>
        Promise.all([correctionCounts(db, w), acceptedCounts(db, w), spanCounts(db, { ...w, weeks: query.weeks })]),
      );
      const report = {
        window: { ...windowEcho(w, query.timezone, query.groupBy), weeks: query.weeks },
        rows: contributorRows(given, accepted, spans, query.groupBy),
      };
      return reportReply(report, header('accept'), 'feedback-contributors');
    },
  });

  return [triage, aiQuality, contributors];
}
