import { z } from 'zod';
import { QUARTER_PATTERN } from '../domain/aiCapacity';
import { issueTypes } from '../domain/vocabulary';
import { reportQuery } from './reports';

// AI capacity targets and the report comparing them with what the AI resolved, as the API takes
// and documents them.

const Quarter = z.string().regex(QUARTER_PATTERN, 'a quarter such as 2026-Q4').meta({ description: 'A quarter, e.g. 2026-Q4.' });
const TargetShare = z.number().min(0, 'a share from 0 to 1').max(1, 'a share from 0 to 1');

export const SetTargetsBody = z
  .strictObject({
    quarter: Quarter,
    overall: TargetShare.optional().meta({ description: 'Target share of all tickets the AI resolves alone.' }),
    categories: z
      .partialRecord(z.enum(issueTypes, { error: `a category: one of ${issueTypes.join(', ')}` }), TargetShare)
      .optional()
      .meta({ description: 'Target share per category, e.g. { "billing": 0.6 }.' }),
  })
  .refine((b) => b.overall !== undefined || (b.categories !== undefined && Object.keys(b.categories).length > 0), {
    message: 'give overall or at least one category',
    path: ['overall'],
  })
  .meta({ id: 'SetAiCapacityTargets' });

export const TargetsQuery = z.strictObject({ quarter: Quarter.optional() });

const Setting = z.object({
  quarter: z.string(),
  category: z.enum(issueTypes).nullable().meta({ description: 'null: every category (the overall target).' }),
  targetShare: z.number(),
  setBy: z.string(),
  setAt: z.string(),
});

export const AiCapacityTargets = z
  .object({
    current: z.array(Setting).meta({ description: 'The target in force per quarter and category: the latest setting.' }),
    history: z.array(Setting).meta({ description: 'Every setting, oldest first.' }),
  })
  .meta({ id: 'AiCapacityTargets' });

export const AiCapacityQuery = reportQuery({
  id: 'AiCapacityQuery',
  groupings: ['quarter', 'month', 'category'] as const,
  defaultGroupBy: ['quarter', 'month', 'category'],
  defaultDays: 365,
  extra: {},
});

const Share = z.object({
  count: z.number(),
  of: z.number(),
  rate: z.number().nullable(),
  low: z.number().nullable(),
  high: z.number().nullable(),
});

export const AiCapacityRow = z
  .object({
    granularity: z.enum(['quarter', 'month']),
    period: z.string(),
    quarter: z.string(),
    category: z.enum(issueTypes).nullable(),
    complete: z.boolean(),
    total: z.number(),
    imported: z.number(),
    resolved: z.number(),
    aiResolved: z.number(),
    aiShare: Share,
    target: z.number().nullable(),
    met: z.boolean().nullable(),
    humanHandled: z.number(),
    previousTotal: z.number().nullable(),
    previousHumanHandled: z.number().nullable(),
    totalChange: z.number().nullable(),
    humanChange: z.number().nullable(),
    verdict: z.enum(['absorbed growth', 'not absorbed', 'no growth']).nullable(),
  })
  .meta({ id: 'AiCapacityRow' });

export const AiCapacityReport = z
  .object({
    window: z.object({ from: z.string(), to: z.string(), timezone: z.string() }),
    flatWithin: z.number().meta({ description: 'A change within ±this share counts as flat (0.05).' }),
    rows: z.array(AiCapacityRow),
  })
  .meta({ id: 'AiCapacityReport' });
