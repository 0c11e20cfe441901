import { z } from 'zod';
import { reportQuery } from './reports';

// The staffing report's query and answer, as the API takes and documents them.

const number = (description: string) => z.coerce.number<string>({ error: 'a number' }).meta({ description });

export const StaffingQuery = reportQuery({
  id: 'StaffingQuery',
  groupings: ['hourOfWeek'] as const,
  defaultGroupBy: ['hourOfWeek'],
  defaultDays: 56,
  extra: {
    serviceLevel: number('Share of chat-like arrivals answered within targetMinutes, strictly between 0 and 1 (default 0.8).')
      .gt(0, 'strictly between 0 and 1')
      .lt(1, 'strictly between 0 and 1')
      .default(0.8),
    targetMinutes: number(
      'Answer target in minutes: the service level time for chat-like channels, the reply window for email (default 60).',
    )
      .gt(0, 'a positive number of minutes')
      .max(7 * 24 * 60, 'at most a week')
      .default(60),
    shrinkage: number('Share of paid time not spent answering (breaks, training), 0 ≤ shrinkage < 1 (default 0.3).')
      .min(0, 'at least 0')
      .lt(1, 'less than 1')
      .default(0.3),
    occupancyCap: number('Highest share of time an agent is busy, 0 < cap ≤ 1 (default 0.85).')
      .gt(0, 'more than 0')
      .max(1, 'at most 1')
      .default(0.85),
    aiDeflection: number('What-if: the share of every category the AI resolves alone, 0–1, instead of the measured share.')
      .min(0, 'at least 0')
      .max(1, 'at most 1')
      .optional(),
  },
});

const Share = z.object({
  count: z.number(),
  of: z.number(),
  rate: z.number().nullable(),
  low: z.number().nullable(),
  high: z.number().nullable(),
});

const LaneHour = z.object({
  arrivals: z.number().meta({ description: 'Mean arrivals in this hour of the week.' }),
  humanArrivals: z.number().meta({ description: 'Of them, left to people once the AI resolves its share.' }),
  workloadWithoutAi: z.number().meta({ description: 'Hours of work per hour (erlangs) if people handled every arrival.' }),
  workloadWithAi: z.number(),
  agentsWithoutAi: z.number().nullable().meta({ description: 'Agents to schedule (after shrinkage); null without a handle time.' }),
  agentsWithAi: z.number().nullable(),
  serviceLevelWithAi: z
    .number()
    .nullable()
    .optional()
    .meta({ description: 'Live lane: the service level agentsWithAi reach before shrinkage.' }),
});

export const StaffingHourRow = z
  .object({
    hourOfWeek: z.number().int().meta({ description: '0 = Monday 00:00–01:00 in the time zone, 167 = Sunday 23:00.' }),
    label: z.string(),
    arrivals: z.number(),
    aiResolvedShare: z.number(),
    live: LaneHour,
    async: LaneHour,
    agentsWithoutAi: z.number().nullable(),
    agentsWithAi: z.number().nullable(),
  })
  .meta({ id: 'StaffingHour' });

const HandleTime = z.object({ minutes: z.number().nullable(), sample: z.number(), from: z.string() });

export const StaffingReport = z
  .object({
    window: z.object({ from: z.string(), to: z.string(), timezone: z.string(), weeks: z.number() }),
    parameters: z.object({
      serviceLevel: z.number(),
      targetMinutes: z.number(),
      shrinkage: z.number(),
      occupancyCap: z.number(),
      aiDeflection: z.number().nullable(),
    }),
    arrivals: z.object({ live: z.number(), imported: z.number() }),
    aiResolvedShare: z.object({
      source: z.enum(['measured', 'what-if']),
      whatIf: z.number().nullable(),
      overall: Share,
      byCategory: z.record(z.string(), Share),
    }),
    handleMinutes: z.object({ live: HandleTime, async: HandleTime }),
    totals: z.object({
      agentHoursPerWeekWithoutAi: z.number().nullable(),
      agentHoursPerWeekWithAi: z.number().nullable(),
      agentHoursSaved: z.number().nullable(),
      peakAgentsWithoutAi: z.number().nullable(),
      peakAgentsWithAi: z.number().nullable(),
    }),
    rows: z.array(StaffingHourRow),
  })
  .meta({ id: 'StaffingReport' });
