import { parse } from 'csv-parse/sync';
import type { z } from 'zod';
import { columnsFor, formatSpecs, type HistoryField, type HistoryFormat } from '../domain/historyFormats';
import { cutText } from '../domain/text';
import {
  externalId,
  instant,
  optionalCount,
  optionalCsat,
  optionalDuration,
  optionalEmail,
  optionalInstant,
  optionalWords,
  requiredWords,
} from '../schemas/historyRow';

// Reading a helpdesk export, all of it before anything is written: every problem (bad bytes,
// a missing column, a bad value, a duplicate id) with its line and column, so one corrected file
// goes in whole.

/** A problem with the file: its line (1 = the header), the column it is in when there is one. */
export interface ImportProblem {
  line: number;
  field?: string;
  message: string;
}

/** A past ticket as read from an export. */
export interface HistoryRow {
  line: number;
  externalId: string;
  createdAt: Date;
  solvedAt: Date | null;
  subject: string;
  description: string;
  tags: string[];
  channel: string | null;
  requesterEmail: string | null;
  assignee: string | null;
  replies: number | null;
  firstReplyMinutes: number | null;
  handleMinutes: number | null;
  csat: number | null;
  reopens: number;
}

export interface ReadOptions {
  format: HistoryFormat;
  map?: Partial<Record<HistoryField, string>>;
  /** CSV (a header line, then one ticket per record) or JSONL (one JSON object per line). */
  kind: 'csv' | 'jsonl';
  now?: number;
}

/** Lines whose bytes are not UTF-8 (a Latin-1 or Windows-1252 export), or none. */
function encodingProblems(bytes: Uint8Array): ImportProblem[] {
  const fatal = new TextDecoder('utf-8', { fatal: true });
  try {
    fatal.decode(bytes);
    return [];
  } catch {
    const problems: ImportProblem[] = [];
    let start = 0;
    let line = 1;
    for (let i = 0; i <= bytes.length; i++) {
      if (i < bytes.length && bytes[i] !== 0x0a) continue;
      try {
        fatal.decode(bytes.subarray(start, i));
      } catch {
        problems.push({ line, message: 'not UTF-8: re-export the file as UTF-8' });
      }
      start = i + 1;
      line++;
    }
    return problems;
  }
}

/** Each record as column → value, with the line it starts on; or the one problem that stopped the reading. */
function records(
  text: string,
  kind: ReadOptions['kind'],
): { header: string[] | null; items: { line: number; value: Record<string, unknown> }[] } | ImportProblem {
  if (kind === 'jsonl') {
    const items: { line: number; value: Record<string, unknown> }[] = [];
    const problems: ImportProblem[] = [];
    text.split('\n').forEach((raw, i) => {
      if (raw.trim() === '') return;
      try {
        const value: unknown = JSON.parse(raw);
        if (value && typeof value === 'object' && !Array.isArray(value)) items.push({ line: i + 1, value: listsAsText(value) });
        else problems.push({ line: i + 1, message: 'not a JSON object' });
      } catch {
        problems.push({ line: i + 1, message: 'not valid JSON' });
      }
    });
    // Unreadable lines are problems of their own; the readable ones are still checked.
    return { header: null, items: [...items, ...problems.map((p) => ({ line: p.line, value: { __problem: p.message } }))] };
  }
  try {
    const parsed = parse(text, { bom: true, columns: true, info: true, raw: true, skip_empty_lines: true, relax_column_count: true }) as {
      record: Record<string, string>;
      raw: string;
      info: { lines: number; columns: { name: string }[] | false };
    }[];
    const header = parsed[0] && parsed[0].info.columns ? parsed[0].info.columns.map((c) => c.name) : firstLine(text);
    return {
      header,
      items: parsed.map(({ record, raw, info }) => {
        // `lines` is where the record ends; a quoted field may span lines.
        const inside =
          raw
            .replace(/^[\r\n]+/, '')
            .replace(/\r?\n$/, '')
            .split('\n').length - 1;
        return { line: info.lines - inside, value: record };
      }),
    };
  } catch (err) {
    const e = err as { lines?: number; message?: string };
    return { line: e.lines ?? 1, message: `not readable as CSV: ${cutText(e.message ?? 'parse error', 200)}` };
  }
}

/** A JSON list (tags) as the text a CSV would hold. */
const listsAsText = (value: object): Record<string, unknown> =>
  Object.fromEntries(Object.entries(value).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));

const firstLine = (text: string) => (parse(text.split('\n')[0] ?? '', { bom: true })[0] as string[] | undefined) ?? [];

/** Reads and checks a whole export: the rows when it is clean, else every problem and no rows. */
export function readHistoryFile(bytes: Uint8Array, options: ReadOptions): { rows: HistoryRow[]; problems: ImportProblem[] } {
  const now = options.now ?? Date.now();
  const spec = formatSpecs[options.format];
  const columns = columnsFor(options.format, options.map);
  const problems = encodingProblems(bytes);
  const read = records(new TextDecoder('utf-8').decode(bytes), options.kind);
  if ('message' in read) return { rows: [], problems: [...problems, read] };
  if (read.items.length === 0) return { rows: [], problems: [...problems, { line: 1, message: 'the file holds no tickets' }] };
  if (read.header) {
    const missing = spec.required.filter((f) => !read.header!.includes(columns[f]));
    if (missing.length > 0) {
      const named = missing.map((f) => ({ line: 1, field: columns[f], message: `required column "${columns[f]}" (${f}) is missing` }));
      return { rows: [], problems: [...problems, ...named].sort((a, b) => a.line - b.line) };
    }
  }
  const fields = rowFields(spec.durationUnit === 'seconds' ? 60 : 1, now);
  const rows: HistoryRow[] = [];
  const seen = new Map<string, number>();
  for (const { line, value } of read.items) {
    if (typeof value.__problem === 'string') {
      problems.push({ line, message: value.__problem });
      continue;
    }
    const row: Record<string, unknown> = { line };
    let ok = true;
    for (const field of Object.keys(fields) as (keyof typeof fields)[]) {
      const column = columns[field];
      const given = value[column];
      if (given === undefined && spec.required.includes(field)) {
        problems.push({ line, field: column, message: `required column "${column}" is missing` });
        ok = false;
        continue;
      }
      const result = fields[field].safeParse(given);
      if (result.success) row[field] = result.data;
      else {
        ok = false;
        for (const issue of result.error.issues) problems.push({ line, field: column, message: issue.message });
      }
    }
    // A duplicate id is reported whatever else is wrong with the row.
    if (typeof row.id === 'string') {
      const first = seen.get(row.id);
      if (first !== undefined) {
        problems.push({ line, field: columns.id, message: `duplicate id ${cutText(row.id, 60)} (first on line ${first})` });
        ok = false;
      } else seen.set(row.id, line);
    }
    if (!ok) continue;
    const solved = row.solved as Date | null;
    if (solved && solved.getTime() < (row.created as Date).getTime()) {
      problems.push({ line, field: columns.solved, message: 'solved before it was created' });
      continue;
    }
    rows.push(toHistoryRow(row, spec.tagSeparator));
  }
  problems.sort((a, b) => a.line - b.line);
  return problems.length > 0 ? { rows: [], problems } : { rows, problems };
}

function rowFields(perMinute: number, now: number) {
  return {
    id: externalId,
    created: instant(now),
    solved: optionalInstant(now),
    subject: optionalWords(500),
    description: requiredWords(20_000),
    tags: optionalWords(2000),
    channel: optionalWords(60),
    requesterEmail: optionalEmail,
    assignee: optionalWords(200),
    replies: optionalCount,
    firstReply: optionalDuration(perMinute),
    handle: optionalDuration(perMinute),
    csat: optionalCsat,
    reopens: optionalCount,
  } satisfies Record<HistoryField, z.ZodType>;
}

function toHistoryRow(row: Record<string, unknown>, tagSeparator: RegExp): HistoryRow {
  const created = row.created as Date;
  const solved = row.solved as Date | null;
  const description = row.description as string;
  const tags = row.tags as string | null;
  return {
    line: row.line as number,
    externalId: row.id as string,
    createdAt: created,
    solvedAt: solved,
    // A conversation without a title is known by its first words.
    subject: (row.subject as string | null) ?? cutText(description, 120, { ellipsis: true, atWord: true }),
    description,
    tags: tags ? [...new Set(tags.split(tagSeparator).filter(Boolean))] : [],
    channel: row.channel as string | null,
    requesterEmail: row.requesterEmail as string | null,
    assignee: row.assignee as string | null,
    replies: row.replies as number | null,
    firstReplyMinutes: row.firstReply as number | null,
    // Agent work time when the export has it; else the time from created to solved.
    handleMinutes: (row.handle as number | null) ?? (solved ? (solved.getTime() - created.getTime()) / 60_000 : null),
    csat: row.csat as number | null,
    reopens: (row.reopens as number | null) ?? 0,
  };
}
