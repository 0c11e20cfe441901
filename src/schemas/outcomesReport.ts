import { z } from 'zod';
import { outcomeGroupings } from '../domain/outcomeRows';
import { reportQuery } from './reports';

// GET /v1/reports/outcomes: its query and, for the OpenAPI document, the shape of its answer.

export const OutcomesQuery = reportQuery({
  id: 'OutcomesReportQuery',
  groupings: outcomeGroupings,
  defaultGroupBy: ['category', 'tier'],
  extra: {
    minSample: z.coerce
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(30)
      .meta({ description: 'Groups with fewer tickets are marked `smallSample` and give no routing advice (default 30).' }),
  },
});

const Share = z.object({
  count: z.number(),
  of: z.number(),
  rate: z.number().nullable(),
  low: z.number().nullable(),
  high: z.number().nullable(),
});
const Times = z.object({ p50Ms: z.number().nullable(), p90Ms: z.number().nullable() });

const OutcomeRow = z
  .object({
    category: z.string().optional(),
    tier: z.string().optional(),
    channel: z.string().optional(),
    pageContext: z.enum(['with', 'without']).optional(),
    mode: z.enum(['ai_only', 'ai_plus_human', 'human_only', 'open']),
    tickets: z.number(),
    smallSample: z.boolean(),
    resolution: Share,
    csat: z.object({
      count: z.number(),
      mean: z.number().nullable(),
      low: z.number().nullable(),
      high: z.number().nullable(),
      response: Share,
    }),
    followUp: Share,
    reopen: Share,
    escalation: Share,
    stageMeansMs: z.object({ ai: z.number(), review: z.number(), customer: z.number(), queue: z.number(), person: z.number() }),
    timeToResolution: Times,
    handleTime: Times,
    firstResponse: Times,
  })
  .meta({ id: 'OutcomeRow', description: 'One group × resolution mode; see the README, "Outcomes", for how each figure is computed.' });

const Comparison = z.object({
  category: z.string().optional(),
  tier: z.string().optional(),
  verdict: z.enum(['ai_worse', 'ai_not_worse', 'inconclusive', 'too_small']),
  reason: z.string(),
  aiOnly: z.object({ tickets: z.number(), resolution: Share, followUp: Share }),
  aiPlusHuman: z.object({ tickets: z.number(), resolution: Share, followUp: Share }),
});

export const OutcomesReport = z
  .object({
    window: z.object({ from: z.string(), to: z.string(), timezone: z.string() }),
    groupBy: z.array(z.enum(outcomeGroupings)),
    minSample: z.number(),
    rows: z.array(OutcomeRow),
    advice: z.object({
      basedOnVersion: z.string(),
      comparisons: z.object({ categoryTier: z.array(Comparison), category: z.array(Comparison), tier: z.array(Comparison) }),
      changes: z.array(z.object({ path: z.string(), from: z.unknown(), to: z.unknown(), why: z.string(), evidence: z.array(Comparison) })),
      proposedPolicy: z
        .record(z.string(), z.unknown())
        .nullable()
        .meta({ description: 'The active policy with the changes under a new version; PUT /v1/policy?activate=false stores it inactive.' }),
    }),
  })
  .meta({ id: 'OutcomesReport' });
