import { z } from 'zod';
import { historyFormats, parseColumnMap } from '../domain/historyFormats';

// The history import's API shapes: the query a file is posted with, and the import as read back.

export const ImportQuery = z
  .strictObject({
    format: z
      .enum(historyFormats)
      .default('tandem')
      .meta({ description: 'Whose export this is: zendesk, intercom or tandem (the field names as columns).' }),
    map: z
      .string()
      .max(2000)
      .optional()
      .transform((v, ctx) => {
        if (v === undefined) return undefined;
        const { map, problems } = parseColumnMap(v);
        for (const message of problems) ctx.addIssue({ code: 'custom', message });
        return problems.length > 0 ? z.NEVER : map;
      })
      .meta({
        description:
          'Other column names, `field=Column,field=Column` (fields: id, created, solved, subject, description, tags, channel, requesterEmail, assignee, replies, firstReply, handle, csat, reopens).',
      }),
    source: z
      .string()
      .regex(/^[a-z0-9_-]{1,40}$/, 'lower-case letters, digits, _ and - (at most 40)')
      .optional()
      .meta({ description: 'Which helpdesk the ids belong to (default: the format); a ticket imported before from it is skipped.' }),
    fileName: z.string().max(200).optional().meta({ description: 'The file name, kept with the import.' }),
  })
  .meta({ id: 'HistoryImportQuery' });

export const ImportProblemSchema = z
  .object({ line: z.number().int(), field: z.string().optional(), message: z.string() })
  .meta({ id: 'ImportProblem' });

export const ImportStarted = z
  .object({
    importId: z.string(),
    workflowId: z
      .string()
      .nullable()
      .meta({ description: 'The classification workflow, `history-import-<id>`; null when every row was imported before.' }),
    status: z.enum(['classifying', 'done']),
    rows: z.number().int().meta({ description: 'Tickets inserted.' }),
    skipped: z.number().int().meta({ description: 'Tickets of the file already imported (same source and id).' }),
    location: z.string(),
  })
  .meta({ id: 'HistoryImportStarted' });

export const ImportRecord = z
  .object({
    importId: z.string(),
    source: z.string(),
    fileName: z.string().nullable(),
    status: z.enum(['validating', 'invalid', 'classifying', 'done', 'failed']),
    rows: z.number().int(),
    skipped: z.number().int(),
    classified: z.number().int(),
    percent: z.number().meta({ description: 'Classified share of the rows, 0–100.' }),
    problems: z.array(ImportProblemSchema).meta({ description: 'Why the file was refused (empty otherwise).' }),
    workflowId: z.string().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'HistoryImport' });

export const ImportIdParams = z.strictObject({ id: z.string().regex(/^imp_[a-f0-9]{16}$/, 'an import id (imp_…)') });
