import { isoWeek, startOfLocalDay, weekRange } from './weeks';

// Which part of a report's window the hourly rollups answer (drizzle/0017_feedback_report_rollups.sql):
// the whole UTC hours inside it, and the rows themselves for the partial hours at its edges, so a
// window ending at any instant is counted exactly.

const HOUR = 3_600_000;
const WEEK = 7 * 86_400_000;

export interface Range {
  from: Date;
  to: Date;
}

export interface HourSplit {
  /** Whole UTC hours inside the window, read from a rollup; null when there is none. */
  hours: Range | null;
  /** The partial hours at the window's ends, read from the rows. */
  edges: Range[];
}

export function splitHours(from: Date, to: Date): HourSplit {
  const lo = Math.ceil(from.getTime() / HOUR) * HOUR;
  const hi = Math.floor(to.getTime() / HOUR) * HOUR;
  if (lo >= hi) return { hours: null, edges: from < to ? [{ from, to }] : [] };
  const edges: Range[] = [];
  if (from.getTime() < lo) edges.push({ from, to: new Date(lo) });
  if (hi < to.getTime()) edges.push({ from: new Date(hi), to });
  return { hours: { from: new Date(lo), to: new Date(hi) }, edges };
}

/**
 * Whether every local Monday midnight from the week holding `from` to `to` is a whole UTC hour in
 * the time zone: then an hour's rows all fall in one week and hourly cells bucket exactly. False
 * for zones a half or quarter hour off UTC (Asia/Kolkata, Asia/Kathmandu, Australia/Adelaide…),
 * whose reports by week read the rows.
 */
export function weeksOnWholeHours(from: Date, to: Date, timeZone: string): boolean {
  const first = weekRange(isoWeek(from, timeZone))!.from.getTime();
  for (let monday = first; monday <= to.getTime() + WEEK; monday += WEEK) {
    const local = startOfLocalDay(new Date(monday).toISOString().slice(0, 10), timeZone);
    if (local.getTime() % HOUR !== 0) return false;
  }
  return true;
}

const DAY = 86_400_000;

export interface DaySplit {
  /** Whole UTC days inside the window (of its whole hours), read from a daily rollup. */
  days: Range | null;
  /** Whole hours outside those days, read from an hourly rollup. */
  hours: Range[];
  /** The partial hours at the window's ends, read from the rows. */
  edges: Range[];
}

/** `splitHours`, with the whole UTC days inside the whole hours taken out. */
export function splitDays(from: Date, to: Date): DaySplit {
  const { hours, edges } = splitHours(from, to);
  if (!hours) return { days: null, hours: [], edges };
  const lo = Math.ceil(hours.from.getTime() / DAY) * DAY;
  const hi = Math.floor(hours.to.getTime() / DAY) * DAY;
  if (lo >= hi) return { days: null, hours: [hours], edges };
  const rest: Range[] = [];
  if (hours.from.getTime() < lo) rest.push({ from: hours.from, to: new Date(lo) });
  if (hi < hours.to.getTime()) rest.push({ from: new Date(hi), to: hours.to });
  return { days: { from: new Date(lo), to: new Date(hi) }, hours: rest, edges };
}
