import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { getTableColumns, getTableName, type Table } from 'drizzle-orm';
import type { Sql } from 'postgres';
import type { Db } from './client';

// Bulk writes by COPY, for the synthetic history (a million tickets): rows go to PostgreSQL as
// COPY text through a temporary table and on into the real one with `on conflict do nothing`, so
// a second run over the same ids skips them as the multi-row INSERT did. Ten to twenty times
// faster than building INSERTs with 50 bound parameters a row. PGlite has no COPY FROM STDIN
// over a stream: there the caller keeps its INSERTs (`copyClient` answers null).

/** The postgres.js client under a drizzle database, or null (PGlite). */
export function copyClient(db: Db): Sql | null {
  const client = (db as unknown as { $client?: unknown }).$client;
  return typeof client === 'function' && typeof (client as { begin?: unknown }).begin === 'function' ? (client as Sql) : null;
}

const escapeText = (s: string) => s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));

/** One value in COPY's text format, by the column's SQL type. */
function encode(value: unknown, sqlType: string): string {
  if (value === null || value === undefined) return '\\N';
  if (value instanceof Date) return value.toISOString();
  if (sqlType.endsWith('[]') && Array.isArray(value))
    return escapeText(`{${value.map((v) => `"${String(v).replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`);
  if (sqlType === 'jsonb' || sqlType === 'json') return escapeText(JSON.stringify(value));
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return escapeText(String(value));
}

/**
 * Writes rows (drizzle insert shapes) into `table` in one transaction. Rows are grouped by which
 * fields they set, so a field left out still takes its column default, as with INSERT.
 */
export async function copyRows<T extends Table>(client: Sql, table: T, rows: T['$inferInsert'][]): Promise<void> {
  if (rows.length === 0) return;
  const columns = getTableColumns(table) as Record<string, { name: string; getSQLType(): string }>;
  const name = getTableName(table);
  const shapes = new Map<string, Record<string, unknown>[]>();
  for (const row of rows as Record<string, unknown>[]) {
    const keys = Object.keys(row)
      .filter((k) => k in columns && row[k] !== undefined)
      .sort()
      .join(',');
    (shapes.get(keys) ?? shapes.set(keys, []).get(keys)!).push(row);
  }
  await client.begin(async (tx) => {
    let shape = 0;
    for (const [keys, group] of shapes) {
      const fields = keys.split(',');
      const list = fields.map((f) => `"${columns[f]!.name}"`).join(', ');
      const types = fields.map((f) => columns[f]!.getSQLType());
      // Just the columns given, no constraints: the real table checks them on the way in.
      const staging = `copy_${name}_${shape++}`;
      await tx.unsafe(`create temporary table ${staging} on commit drop as select ${list} from ${name} with no data`);
      const lines = function* () {
        for (let i = 0; i < group.length; i += 500) {
          yield group
            .slice(i, i + 500)
            .map((row) => `${fields.map((f, j) => encode(row[f], types[j]!)).join('\t')}\n`)
            .join('');
        }
      };
      await pipeline(Readable.from(lines()), await tx.unsafe(`copy ${staging} (${list}) from stdin`).writable());
      await tx.unsafe(`insert into ${name} (${list}) select ${list} from ${staging} on conflict do nothing`);
    }
  });
}
