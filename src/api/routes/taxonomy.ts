import { z } from 'zod';
import { taxonomyAggregates } from '../../db/taxonomyReport';
import { taxonomyMatrix } from '../../domain/taxonomy';
import { MAX_REPORT_DAYS, reportQuery, windowOf } from '../../schemas/reports';
import { reportReply } from '../reportReply';
import { commonResponses, defineRoute, type RouteSpec } from '../route';
import type { TicketCalls } from './ticketCalls';

const DAY = 86_400_000;

const TaxonomyQuery = reportQuery({
  id: 'TaxonomyReportQuery',
  groupings: ['quadrant'] as const,
  defaultGroupBy: ['quadrant'],
  defaultDays: 90,
  extra: {
    days: z
      .string()
      .regex(/^\d+$/, 'a whole number of days')
      .transform(Number)
      .refine((d) => d >= 1 && d <= MAX_REPORT_DAYS, `from 1 to ${MAX_REPORT_DAYS}`)
      .optional()
      .meta({ description: `The window: the last \`days\` days up to \`to\` (default 90; not with \`from\`).` }),
  },
}).superRefine((q, ctx) => {
  if (q.days !== undefined && q.from !== undefined)
    ctx.addIssue({ code: 'custom', path: ['days'], message: 'give days or from, not both' });
});

const QuadrantSchema = z.object({
  quadrant: z.string(),
  complexity: z.string(),
  repeatability: z.string(),
  tickets: z.number(),
  imported: z.number(),
  share: z.number().nullable(),
  medianHandleMinutes: z.number().nullable(),
  reopenRate: z.object({
    count: z.number(),
    of: z.number(),
    rate: z.number().nullable(),
    low: z.number().nullable(),
    high: z.number().nullable(),
  }),
  csat: z.object({ mean: z.number().nullable(), rated: z.number() }),
  topCategories: z.array(z.object({ category: z.string(), tickets: z.number(), share: z.number() })),
  policyMode: z.string(),
  suggestedMode: z.string().nullable(),
  reasons: z.array(z.string()),
});

const TaxonomyReport = z
  .object({
    from: z.string(),
    to: z.string(),
    policyVersion: z.string(),
    totals: z.object({ tickets: z.number(), imported: z.number() }),
    rows: z.array(QuadrantSchema).meta({ description: 'The nine quadrants, complexity then repeatability.' }),
  })
  .meta({ id: 'TaxonomyReport' });

/** The taxonomy audit (lead): the complexity × repeatability matrix over live and imported history. */
export function taxonomyRoutes({ db, database, deps }: TicketCalls): RouteSpec[] {
  const report = defineRoute({
    method: 'get',
    path: '/v1/reports/taxonomy',
    operationId: 'taxonomyReport',
    tag: 'Reports',
    summary: 'Taxonomy audit: the 3 × 3 quadrant matrix',
    description:
      "Tandem's closed tickets and the imported ones created in the window, by complexity × repeatability: volume, share, median handle time, reopen rate (with its 95 % Wilson interval), CSAT, the top categories, the mode the active policy gives the quadrant and the mode the evidence suggests (see README, Taxonomy audit). CSV with `Accept: text/csv`.",
    roles: [],
    query: TaxonomyQuery,
    responses: { 200: { description: 'The matrix.', schema: TaxonomyReport }, ...commonResponses },
    async handle({ query, header }: { query: z.output<typeof TaxonomyQuery>; header: (name: string) => string | undefined }) {
      const window = query.days !== undefined ? daysBack(query.to, query.days) : windowOf(query, 90);
      const [aggregates, policy] = await Promise.all([database(() => taxonomyAggregates(db, window)), deps.policy()]);
      const rows = taxonomyMatrix(aggregates, policy);
      return reportReply(
        {
          from: window.from.toISOString(),
          to: window.to.toISOString(),
          policyVersion: policy.version,
          totals: { tickets: rows.reduce((s, r) => s + r.tickets, 0), imported: rows.reduce((s, r) => s + r.imported, 0) },
          rows,
        },
        header('accept'),
        'taxonomy',
      );
    },
  });
  return [report];
}

function daysBack(to: string | undefined, days: number) {
  const end = to ? new Date(to) : new Date();
  return { from: new Date(end.getTime() - days * DAY), to: end };
}
