import { sql, type SQL } from 'drizzle-orm';
import { HISTOGRAM_BUCKETS } from '../domain/histogram';
import type { Range } from '../domain/rollupBlocks';

// What the reports' rollup reads share (drizzle/0019_balance_rollups.sql keeps the rollups): the
// blocks of whole days to read, the edge ranges read from the tickets, and histograms handed over
// as text so either driver reads them alike.

/** Rows of the rollup `r` in the given blocks (numbers we computed, so inlined). */
export function inBlocks(blocks: { level: number; block: number }[]): SQL {
  if (blocks.length === 0) return sql`false`;
  return sql.raw(`(r.level, r.block) in (${blocks.map((b) => `(${Math.trunc(b.level)}, ${Math.trunc(b.block)})`).join(', ')})`);
}

/** A timestamp column within any of the ranges. */
export function inRanges(column: string, ranges: Range[]): SQL {
  if (ranges.length === 0) return sql`false`;
  const one = (r: Range) =>
    sql`(${sql.raw(column)} >= ${r.from.toISOString()}::timestamptz and ${sql.raw(column)} < ${r.to.toISOString()}::timestamptz)`;
  return sql`(${sql.join(ranges.map(one), sql` or `)})`;
}

/** The element-wise sum of a rollup's histogram column over a group, as 'n0,n1,…'. */
export const histogramSum = (column: string, name: string) =>
  sql.raw(
    `array_to_string(array[${Array.from({ length: HISTOGRAM_BUCKETS }, (_, i) => `sum(r.${column}[${i + 1}])`).join(', ')}], ',') as ${name}`,
  );

/** The buckets of a group's raw durations, as 'b,b,…' (null when there are none). */
export const bucketList = (msExpr: string, name: string) => sql.raw(`string_agg(rollup_bucket(${msExpr})::text, ',') as ${name}`);

/** Bucket numbers from `bucketList`. */
export const bucketsOf = (text: string | null | undefined): number[] => (text ? text.split(',').map(Number) : []);

export { rowsOf } from './reportSql';
