import { stringify } from 'csv-stringify/sync';
import type { Reply } from './route';

// Every report answers JSON, or CSV when asked (`Accept: text/csv`): its rows, one line each,
// nested fields as dotted columns ("csat.mean"), so a spreadsheet opens it as it is.

/** A row's fields flattened: { a: { b: 1 } } → { 'a.b': 1 }; lists are joined with "; ". */
function flatten(value: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [key, v] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)) flatten(v as Record<string, unknown>, name, out);
    else out[name] = Array.isArray(v) ? v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join('; ') : v;
  }
  return out;
}

export function toCsv(rows: Record<string, unknown>[]): string {
  const flat = rows.map((r) => flatten(r));
  const columns = [...new Set(flat.flatMap((r) => Object.keys(r)))];
  return stringify(flat, { header: true, columns, cast: { boolean: (b) => (b ? 'true' : 'false'), date: (d) => d.toISOString() } });
}

/** The report as JSON, or its `rows` as CSV when the caller's Accept prefers text/csv. */
export function reportReply(
  report: { rows: Record<string, unknown>[] } & Record<string, unknown>,
  accept: string | undefined,
  name: string,
): Reply {
  if (accept && /text\/csv/.test(accept) && !/application\/json/.test(accept.split(',')[0] ?? '')) {
    return {
      status: 200,
      body: toCsv(report.rows),
      contentType: 'text/csv',
      headers: { 'Content-Disposition': `attachment; filename="${name}.csv"` },
    };
  }
  return { status: 200, body: report };
}
