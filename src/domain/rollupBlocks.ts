import { offsetAt } from './weeks';

// How a report's window is read from the rollups (drizzle/0019_balance_rollups.sql): the whole
// UTC days (or hours) inside it from the rollup, the partial day (hour) at each edge from the
// tickets themselves, so a window's figures are exact whatever its bounds. Pure.

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** The rollups keep days in blocks of 1, 2, 4 … 2^MAX_LEVEL days, aligned on 1970-01-01. */
export const MAX_LEVEL = 6;

export interface Range {
  from: Date;
  to: Date;
}

/** The whole units inside a window (null when there are none) and the partial ranges at its edges. */
export function splitWindow(window: Range, unitMs: number): { whole: Range | null; edges: Range[] } {
  const from = window.from.getTime();
  const to = window.to.getTime();
  const first = Math.ceil(from / unitMs) * unitMs;
  const last = Math.floor(to / unitMs) * unitMs;
  if (first >= last) return { whole: null, edges: to > from ? [window] : [] };
  const edges: Range[] = [];
  if (from < first) edges.push({ from: window.from, to: new Date(first) });
  if (last < to) edges.push({ from: new Date(last), to: window.to });
  return { whole: { from: new Date(first), to: new Date(last) }, edges };
}

/**
 * The rollup blocks that tile the days [fromDay, toDay) (day numbers since 1970-01-01): greedily
 * the largest aligned block that fits, so a year is about 2·MAX_LEVEL + 365 / 64 blocks.
 */
export function dayBlocks(fromDay: number, toDay: number): { level: number; block: number }[] {
  const out: { level: number; block: number }[] = [];
  let day = fromDay;
  while (day < toDay) {
    let level = MAX_LEVEL;
    while (level > 0 && (((day % 2 ** level) + 2 ** level) % 2 ** level !== 0 || day + 2 ** level > toDay)) level--;
    out.push({ level, block: day });
    day += 2 ** level;
  }
  return out;
}

/** The blocks of a range of whole UTC days. */
export const blocksOf = (whole: Range) => dayBlocks(Math.round(whole.from.getTime() / DAY_MS), Math.round(whole.to.getTime() / DAY_MS));

/**
 * Whether every UTC hour is one local hour in a time zone over a range: its offset is a whole
 * number of hours throughout (checked once a day: offsets change at most a few times a year, and a
 * change to a half-hour offset lasts longer than a day). Zones that fail (India, Nepal, parts of
 * Australia) are read from the tickets.
 */
export function wholeHourZone(timeZone: string, range: Range): boolean {
  if (timeZone === 'UTC') return true;
  for (let at = range.from.getTime(); ; at += DAY_MS) {
    const t = Math.min(at, range.to.getTime());
    if (offsetAt(t, timeZone) % HOUR_MS !== 0) return false;
    if (t >= range.to.getTime()) return true;
  }
}
