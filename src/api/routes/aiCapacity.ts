import type { z } from 'zod';
import { capacityMonthCounts, setTargets, targetSettings } from '../../db/aiCapacity';
import { capacityRows, currentTargets, FLAT_CHANGE, monthsBetween, type TargetSetting } from '../../domain/aiCapacity';
import type { IssueType } from '../../domain/vocabulary';
import { monthOf } from '../../domain/weeks';
import { AiCapacityQuery, AiCapacityReport, AiCapacityTargets, SetTargetsBody, TargetsQuery } from '../../schemas/aiCapacity';
import { windowOf } from '../../schemas/reports';
import type { Principal } from '../auth';
import { reportReply } from '../reportReply';
import { commonResponses, defineRoute, type RouteSpec } from '../route';
import type { TicketCalls } from './ticketCalls';

const shown = (s: TargetSetting) => ({
  quarter: s.quarter,
  category: s.category,
  targetShare: s.targetShare,
  setBy: s.setBy,
  setAt: s.setAt.toISOString(),
});

/** AI capacity targets (admins set them, leads read them) and the report comparing them with what the AI resolved. */
export function aiCapacityRoutes(calls: TicketCalls): RouteSpec[] {
  const { db, database } = calls;
  const listed = async (quarter?: string) => {
    const history = await database(() => targetSettings(db, quarter));
    return { current: currentTargets(history).map(shown), history: history.map(shown) };
  };

  const setTargetsRoute = defineRoute({
    method: 'put',
    path: '/v1/ai-capacity/targets',
    operationId: 'setAiCapacityTargets',
    tag: 'Reports',
    summary: 'Set the share of tickets the AI should resolve alone in a quarter',
    description:
      "Overall and/or per category. Every setting is kept; the latest per quarter and category is the target the AI capacity report compares with. Answers the quarter's targets.",
    roles: ['admin'],
    exclusive: true,
    body: SetTargetsBody,
    responses: { 200: { description: "The quarter's targets and their history.", schema: AiCapacityTargets }, ...commonResponses },
    async handle({ body, principal }: { body: z.output<typeof SetTargetsBody>; principal: Principal | null }) {
      const targets = [
        ...(body.overall !== undefined ? [{ category: null, share: body.overall }] : []),
        ...Object.entries(body.categories ?? {}).map(([category, share]) => ({ category: category as IssueType, share: share as number })),
      ];
      await database(() => setTargets(db, { quarter: body.quarter, targets, setBy: principal?.name ?? 'unknown', at: new Date() }));
      return { status: 200, body: await listed(body.quarter) };
    },
  });

  const listTargets = defineRoute({
    method: 'get',
    path: '/v1/ai-capacity/targets',
    operationId: 'listAiCapacityTargets',
    tag: 'Reports',
    summary: 'The AI capacity targets in force, and every setting',
    roles: [],
    query: TargetsQuery,
    responses: { 200: { description: 'Targets.', schema: AiCapacityTargets }, ...commonResponses },
    async handle({ query }: { query: z.output<typeof TargetsQuery> }) {
      return { status: 200, body: await listed(query.quarter) };
    },
  });

  const report = defineRoute({
    method: 'get',
    path: '/v1/reports/ai-capacity',
    operationId: 'aiCapacityReport',
    tag: 'Reports',
    summary: 'AI-resolved share against its target, per quarter and month, and whether the AI absorbed growth',
    description:
      'For every quarter and month the window touches (default: the last 365 days), each counted whole in `timezone`: tickets (live and imported), the share of resolved tickets the AI resolved alone (first resolution ai_only, not no_reply, not reopened) with its 95% interval, the target in force and whether it was met, tickets a person handled, and against the previous period a verdict: "absorbed growth" when the total grew more than 5% while the human-handled volume stayed within ±5% or fell. `groupBy` picks quarter, month and per-category rows. See the README, "AI capacity".',
    roles: [],
    query: AiCapacityQuery,
    responses: { 200: { description: 'One row per period and category (or CSV).', schema: AiCapacityReport }, ...commonResponses },
    async handle({ query, header }: { query: z.output<typeof AiCapacityQuery>; header(name: string): string | undefined }) {
      const { from, to } = windowOf(query, 365);
      const [counts, settings] = await Promise.all([
        database(() => capacityMonthCounts(db, { from, to, timezone: query.timezone })),
        database(() => targetSettings(db)),
      ]);
      const last = new Date(Math.max(from.getTime(), to.getTime() - 1));
      const rows = capacityRows({
        counts,
        months: monthsBetween(monthOf(from, query.timezone), monthOf(last, query.timezone)),
        granularities: (['quarter', 'month'] as const).filter((g) => query.groupBy.includes(g)),
        byCategory: query.groupBy.includes('category'),
        targets: currentTargets(settings),
        currentMonth: monthOf(new Date(), query.timezone),
      });
      const body = { window: { from: from.toISOString(), to: to.toISOString(), timezone: query.timezone }, flatWithin: FLAT_CHANGE, rows };
      return reportReply(body, header('accept'), 'ai-capacity');
    },
  });

  return [listTargets, setTargetsRoute, report];
}
