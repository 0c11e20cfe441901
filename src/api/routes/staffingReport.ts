import type { z } from 'zod';
import { staffingCells } from '../../db/staffingReport';
import { aiResolvedShares, handleTimes, hoursOfWeekIn, staffingHours, staffingTotals } from '../../domain/staffing';
import { windowOf } from '../../schemas/reports';
import { StaffingQuery, StaffingReport } from '../../schemas/staffing';
import { reportReply } from '../reportReply';
import { commonResponses, defineRoute, type RouteSpec } from '../route';
import type { TicketCalls } from './ticketCalls';

const WEEK_HOURS = 168;

/** GET /v1/reports/staffing: agents per hour of the week, with and without the AI (leads). */
export function staffingReportRoutes(calls: TicketCalls): RouteSpec[] {
  const { db, database } = calls;
  const staffing = defineRoute({
    method: 'get',
    path: '/v1/reports/staffing',
    operationId: 'staffingReport',
    tag: 'Reports',
    summary: 'Agents needed per hour of the week, with and without the AI',
    description:
      'From the window (default: the last 8 weeks) of live and imported tickets: mean arrivals per hour of the week in `timezone`, the share the AI resolves alone (measured per category, or `aiDeflection` as a what-if), the time a person spends per ticket (the person stage of tickets people resolved), and the agents to schedule: Erlang C for chat-like channels (service level within `targetMinutes`, occupancy at most `occupancyCap`), a workload model for email (work spread over the reply window, divided by `occupancyCap`), both divided by (1 − `shrinkage`). `Accept: text/csv` gives the 168 hours as CSV. See the README, "Staffing model".',
    roles: [],
    query: StaffingQuery,
    responses: {
      200: { description: 'The model, one row per hour of the week (or CSV).', schema: StaffingReport },
      ...commonResponses,
    },
    async handle({ query, header }: { query: z.output<typeof StaffingQuery>; header(name: string): string | undefined }) {
      const { from, to } = windowOf(query, 56);
      const cells = await database(() => staffingCells(db, { from, to, timezone: query.timezone }));
      const exposure = hoursOfWeekIn(from, to, query.timezone);
      const params = {
        serviceLevel: query.serviceLevel,
        targetMinutes: query.targetMinutes,
        shrinkage: query.shrinkage,
        occupancyCap: query.occupancyCap,
        aiDeflection: query.aiDeflection,
      };
      const rows = staffingHours(cells, exposure, params);
      const shares = aiResolvedShares(cells);
      const handle = handleTimes(cells);
      const count = (source: 'live' | 'imported') => cells.filter((c) => c.source === source).reduce((a, c) => a + c.arrivals, 0);
      const report = {
        window: {
          from: from.toISOString(),
          to: to.toISOString(),
          timezone: query.timezone,
          weeks: Math.round((exposure.reduce((a, n) => a + n, 0) / WEEK_HOURS) * 100) / 100,
        },
        parameters: { ...params, aiDeflection: query.aiDeflection ?? null },
        arrivals: { live: count('live'), imported: count('imported') },
        aiResolvedShare: {
          source: query.aiDeflection === undefined ? ('measured' as const) : ('what-if' as const),
          whatIf: query.aiDeflection ?? null,
          ...shares,
        },
        handleMinutes: { live: handle('live', null), async: handle('async', null) },
        totals: staffingTotals(rows),
        rows,
      };
      return reportReply(report, header('accept'), 'staffing');
    },
  });
  return [staffing];
}
