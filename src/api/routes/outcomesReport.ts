import type { z } from 'zod';
import { outcomeCells } from '../../db/outcomesReport';
import type { Db } from '../../db/client';
import { outcomeRow, sortRows } from '../../domain/outcomeRows';
import { routingAdvice } from '../../domain/routingAdvice';
import { startOfLocalDay } from '../../domain/weeks';
import { OutcomesQuery, OutcomesReport } from '../../schemas/outcomesReport';
import type { RoutingPolicyInput } from '../../schemas/policy';
import { windowOf } from '../../schemas/reports';
import { callDatabase } from '../dependencies';
import { reportReply } from '../reportReply';
import { commonResponses, defineRoute, type RouteSpec } from '../route';

export interface ReportRouteDeps {
  db: Db;
  databaseMs: number;
  /** The active policy's version and document as submitted, which the advice proposes changes to. */
  activePolicy(): Promise<{ version: string; document: unknown }>;
}

/** A date-only bound ("2026-11-01") is midnight in the report's time zone; an instant stays as given. */
const bound = (value: string | undefined, timezone: string) =>
  value !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(value) ? startOfLocalDay(value, timezone).toISOString() : value;

/** GET /v1/reports/outcomes: outcomes per group × resolution mode, and the routing advice they give. */
export function outcomesReportRoutes(deps: ReportRouteDeps): RouteSpec[] {
  const outcomes = defineRoute({
    method: 'get',
    path: '/v1/reports/outcomes',
    operationId: 'getOutcomesReport',
    tag: 'Reports',
    summary: 'Outcomes by group and resolution mode, with routing advice',
    description:
      'Tickets created in the window, per group (`groupBy`: category, tier, channel, pageContext) × resolution mode (ai_only, ai_plus_human, human_only, open): resolution rate (resolved by a person or confirmed by the customer, not reopened; `no_reply` never counts), CSAT mean and response rate, follow-up rate, reopen rate, escalation rate (each with a 95% interval), median and p90 time to resolution, handle time and first response. `advice` compares AI-only with AI + human per category × tier and proposes a policy version (never activated here). `Accept: text/csv` gives the rows as CSV.',
    roles: ['lead'],
    query: OutcomesQuery,
    responses: {
      200: { description: 'The report (or its rows as text/csv).', schema: OutcomesReport },
      ...commonResponses,
    },
    async handle({ query, header }: { query: z.output<typeof OutcomesQuery>; header(name: string): string | undefined }) {
      const window = windowOf({ from: bound(query.from, query.timezone), to: bound(query.to, query.timezone) });
      const [cells, active] = await Promise.all([
        callDatabase(deps.databaseMs, () => outcomeCells(deps.db, window, query.groupBy)),
        callDatabase(deps.databaseMs, () => deps.activePolicy()),
      ]);
      const rows = sortRows(
        cells.requested.map((c) => outcomeRow(c, query.minSample)),
        query.groupBy,
      );
      const advice = routingAdvice(cells.finer, active.document as RoutingPolicyInput, {
        minSample: query.minSample,
        versionTag: window.to.toISOString().slice(0, 10),
      });
      const report = {
        window: { from: window.from.toISOString(), to: window.to.toISOString(), timezone: query.timezone },
        groupBy: query.groupBy,
        minSample: query.minSample,
        rows,
        advice,
      };
      return reportReply(report, header('accept'), 'outcomes');
    },
  });
  return [outcomes];
}
