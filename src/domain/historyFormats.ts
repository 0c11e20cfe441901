// How another helpdesk's export names the fields of a past ticket. Plain data: the file reader
// (src/history/historyFile.ts) maps each export's columns to these fields, converts units and
// validates the values; `--map field=Column` renames any column for an export of another shape.

/** The fields of a past ticket Tandem reads from an export. */
export const historyFields = [
  'id',
  'created',
  'solved',
  'subject',
  'description',
  'tags',
  'channel',
  'requesterEmail',
  'assignee',
  'replies',
  'firstReply',
  'handle',
  'csat',
  'reopens',
] as const;
export type HistoryField = (typeof historyFields)[number];

export const historyFormats = ['zendesk', 'intercom', 'tandem'] as const;
export type HistoryFormat = (typeof historyFormats)[number];

/** A format's column for each field, which fields a file must have, and how its values read. */
export interface FormatSpec {
  columns: Record<HistoryField, string>;
  /** Columns a file must have (else nothing is read): id, created and the ticket's words. */
  required: HistoryField[];
  /** What the first-reply and handle columns count: minutes, or seconds (converted to minutes). */
  durationUnit: 'minutes' | 'seconds';
  /** How tags are separated: Zendesk writes them space-separated (a JSON list is read comma-separated), the others comma-separated. */
  tagSeparator: RegExp;
}

export const formatSpecs: Record<HistoryFormat, FormatSpec> = {
  // Zendesk's ticket export (Admin Center → Account → Tools → Reports → Export, CSV or JSON).
  zendesk: {
    columns: {
      id: 'Id',
      created: 'Created at',
      solved: 'Solved at',
      subject: 'Subject',
      description: 'Description',
      tags: 'Tags',
      channel: 'Via',
      requesterEmail: 'Requester email',
      assignee: 'Assignee',
      replies: 'Replies',
      firstReply: 'First reply time in minutes',
      handle: 'Agent work time in minutes',
      csat: 'Satisfaction Score',
      reopens: 'Reopens',
    },
    required: ['id', 'created', 'subject', 'description'],
    durationUnit: 'minutes',
    tagSeparator: /[\s,]+/,
  },
  // Intercom's conversation export (Reports → Conversations dataset → Export CSV).
  intercom: {
    columns: {
      id: 'Conversation ID',
      created: 'Conversation started at',
      solved: 'Conversation last closed at',
      subject: 'Conversation title',
      description: 'Conversation first message',
      tags: 'Conversation tags',
      channel: 'Channel',
      requesterEmail: 'User email',
      assignee: 'Teammate currently assigned',
      replies: 'Teammate replies',
      firstReply: 'Time to first response (seconds)',
      handle: 'Handling time (seconds)',
      csat: 'Conversation rating',
      reopens: 'Number of reopens',
    },
    // Many conversations have no title: the first message stands in for it.
    required: ['id', 'created', 'description'],
    durationUnit: 'seconds',
    tagSeparator: /\s*,\s*/,
  },
  // Tandem's own shape: the field names as columns (or JSONL keys).
  tandem: {
    columns: {
      id: 'id',
      created: 'created_at',
      solved: 'solved_at',
      subject: 'subject',
      description: 'description',
      tags: 'tags',
      channel: 'channel',
      requesterEmail: 'requester_email',
      assignee: 'assignee',
      replies: 'replies',
      firstReply: 'first_reply_minutes',
      handle: 'handle_minutes',
      csat: 'csat',
      reopens: 'reopens',
    },
    required: ['id', 'created', 'subject', 'description'],
    durationUnit: 'minutes',
    tagSeparator: /\s*,\s*/,
  },
};

/**
 * `field=Column,field=Column` → the renames, or the problems with it (an unknown field, a pair
 * without "=", a field named twice). The format's other columns stay as they are.
 */
export function parseColumnMap(text: string): { map: Partial<Record<HistoryField, string>>; problems: string[] } {
  const map: Partial<Record<HistoryField, string>> = {};
  const problems: string[] = [];
  for (const pair of text.split(',').filter((p) => p.trim() !== '')) {
    const at = pair.indexOf('=');
    const field = pair.slice(0, at).trim();
    const column = pair.slice(at + 1).trim();
    if (at < 0 || column === '') problems.push(`"${pair.trim()}" is not field=Column`);
    else if (!(historyFields as readonly string[]).includes(field))
      problems.push(`unknown field ${field}; one of ${historyFields.join(', ')}`);
    else if (map[field as HistoryField] !== undefined) problems.push(`field ${field} is mapped twice`);
    else map[field as HistoryField] = column;
  }
  return { map, problems };
}

/** The columns a file is read with: the format's, with the mapped fields renamed. */
export const columnsFor = (format: HistoryFormat, map: Partial<Record<HistoryField, string>> = {}): Record<HistoryField, string> => ({
  ...formatSpecs[format].columns,
  ...map,
});
