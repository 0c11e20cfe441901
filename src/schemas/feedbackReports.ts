import { z } from 'zod';
import { aiQualityGroupings } from '../domain/aiQuality';
import { contributorGroupings } from '../domain/contributors';
import { overrideFields } from '../domain/outcomes';
import { triageGroupings } from '../domain/triageAccuracy';
import { feedbackReasons } from '../domain/vocabulary';
import { reportQuery, ShareSchema } from './reports';

// The three reports on what people make of the AI: triage accuracy, answer quality, and who
// corrects it. Queries validate (a 400 names the parameter); responses are documented.

export const TriageReportQuery = reportQuery({ id: 'TriageReportQuery', groupings: triageGroupings, defaultGroupBy: ['field'], extra: {} });
export const AiQualityReportQuery = reportQuery({
  id: 'AiQualityReportQuery',
  groupings: aiQualityGroupings,
  defaultGroupBy: ['week', 'category'],
  extra: {},
});
export const ContributorsReportQuery = reportQuery({
  id: 'ContributorsReportQuery',
  groupings: contributorGroupings,
  defaultGroupBy: ['agent'],
  extra: {
    weeks: z.coerce
      .number()
      .int()
      .min(1)
      .max(12)
      .default(4)
      .meta({ description: 'Weeks before and after an agent’s first correction in a category that the before/after rates read (1–12).' }),
  },
});

const window = z.object({ from: z.string(), to: z.string(), timezone: z.string(), groupBy: z.array(z.string()) });
const category = z.string().nullable();

export const TriageReport = z
  .object({
    window,
    rows: z.array(
      z.object({
        week: z.string().optional(),
        category: category.optional(),
        field: z.enum(overrideFields),
        tickets: z.number().int(),
        reviewed: z.number().int(),
        notReviewed: ShareSchema,
        overridden: ShareSchema,
        overriddenOfReviewed: ShareSchema,
        aiKept: ShareSchema,
        smallSample: z.boolean(),
        matrix: z.array(
          z.object({
            ai: z.string(),
            reviewed: z.number().int(),
            notReviewed: z.number().int(),
            final: z.array(z.object({ value: z.string().nullable(), count: z.number().int(), share: ShareSchema })),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'TriageReport' });

export const AiQualityReport = z
  .object({
    window,
    rows: z.array(
      z.object({
        week: z.string().optional(),
        category: category.optional(),
        sent: z.number().int(),
        autoSent: z.number().int(),
        approvedUnchanged: z.number().int(),
        modified: z.number().int(),
        takenOver: z.number().int(),
        approvalUnchanged: ShareSchema,
        meanEditSize: z.number().nullable(),
        thumbsUp: z.number().int(),
        thumbsDown: z.number().int(),
        flags: z.number().int(),
        corrections: z.number().int(),
        reasons: z
          .record(z.string(), z.number().int())
          .meta({ description: `Explicit feedback by reason: ${feedbackReasons.join(', ')}.` }),
        smallSample: z.boolean(),
      }),
    ),
    trend: z.array(
      z.object({
        category,
        weeks: z.array(z.object({ week: z.string(), approvalUnchanged: ShareSchema })),
        line: z.object({ slopePerWeek: z.number(), intercept: z.number() }).nullable(),
      }),
    ),
  })
  .meta({ id: 'AiQualityReport' });

export const ContributorsReport = z
  .object({
    window: window.extend({ weeks: z.number().int() }),
    rows: z.array(
      z.object({
        agent: z.string(),
        category: category.optional(),
        correctionsGiven: z.number().int(),
        explicitCorrections: z.number().int(),
        edits: z.number().int(),
        correctionsAccepted: z.number().int(),
        categories: z.array(category),
        firstCorrectionAt: z.string().optional(),
        approvalUnchangedBefore: ShareSchema,
        approvalUnchangedAfter: ShareSchema,
        change: z.number().nullable(),
        direction: z.enum(['higher', 'lower', 'no clear change']).nullable(),
      }),
    ),
  })
  .meta({ id: 'ContributorsReport' });
