import { sql } from 'drizzle-orm';
import { doublePrecision, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { complexities, issueTypes, repeatabilities, urgencies } from '../domain/vocabulary';

// Tickets from another helpdesk's export (Zendesk, Intercom, or any CSV/JSONL with a column
// mapping), kept apart from live tickets: they never ran as workflows, a person handled every one,
// and only the history import workflow classifies them. The taxonomy audit and the staffing model
// read them beside the live read model.

export const importStatuses = ['validating', 'invalid', 'classifying', 'done', 'failed'] as const;
export type ImportStatus = (typeof importStatuses)[number];

/** One import of one file: what was asked, how far its classification has come, what was wrong. */
export const historyImports = pgTable('history_imports', {
  id: text('id').primaryKey(),
  source: text('source').notNull(),
  fileName: text('file_name'),
  status: text('status', { enum: importStatuses }).notNull(),
  rows: integer('rows').notNull().default(0),
  classified: integer('classified').notNull().default(0),
  /** Rows of the file already imported before (same source and id): not inserted again. */
  skipped: integer('skipped').notNull().default(0),
  /** Every bad row with its line, when the file was refused. */
  problems: jsonb('problems').$type<{ line: number; field?: string; message: string }[]>(),
  workflowId: text('workflow_id'),
  createdBy: text('created_by').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
});

/** A past ticket as the export gave it, and the AI's classification once the workflow reached it. */
export const importedTickets = pgTable(
  'imported_tickets',
  {
    id: text('id').primaryKey(),
    importId: text('import_id').notNull(),
    source: text('source').notNull(),
    externalId: text('external_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    solvedAt: timestamp('solved_at', { withTimezone: true }),
    subject: text('subject').notNull(),
    description: text('description').notNull(),
    tags: text('tags')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    channel: text('channel'),
    requesterEmail: text('requester_email'),
    assignee: text('assignee'),
    replies: integer('replies'),
    firstReplyMinutes: doublePrecision('first_reply_minutes'),
    /** Agent work time when the export has it, else created → solved. */
    handleMinutes: doublePrecision('handle_minutes'),
    csat: integer('csat'),
    reopens: integer('reopens').notNull().default(0),
    issueType: text('issue_type', { enum: issueTypes }),
    complexity: text('complexity', { enum: complexities }),
    repeatability: text('repeatability', { enum: repeatabilities }),
    urgency: text('urgency', { enum: urgencies }),
    classifiedAt: timestamp('classified_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('imported_tickets_source_external').on(t.source, t.externalId),
    index('imported_tickets_created').on(t.createdAt),
    // Erasing a customer finds their imported tickets by email.
    index('imported_tickets_requester').on(sql`lower(${t.requesterEmail})`),
    index('imported_tickets_unclassified')
      .on(t.importId, t.id)
      .where(sql`${t.classifiedAt} is null`),
  ],
);
