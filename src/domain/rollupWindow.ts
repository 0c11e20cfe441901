import { DAY_MS, HOUR_MS, splitWindow, type Range } from './rollupBlocks';
import { isoWeek, startOfLocalDay, weekRange } from './weeks';

// Which part of a report's window the hourly rollups answer (drizzle/0017_feedback_report_rollups.sql):
// the whole UTC hours inside it, and the rows themselves for the partial hours at its edges, so a
// window ending at any instant is counted exactly. The split itself is the balance reports' own
// (splitWindow), by hour and then by day.

const WEEK = 7 * DAY_MS;

export interface HourSplit {
  /** Whole UTC hours inside the window, read from a rollup; null when there is none. */
  hours: Range | null;
  /** The partial hours at the window's ends, read from the rows. */
  edges: Range[];
}

export function splitHours(from: Date, to: Date): HourSplit {
  const { whole, edges } = splitWindow({ from, to }, HOUR_MS);
  return { hours: whole, edges };
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
    if (local.getTime() % HOUR_MS !== 0) return false;
  }
  return true;
}

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
  // Whole hours that hold no whole day come back as one edge: the same hours, read hourly.
  const { whole, edges: rest } = splitWindow(hours, DAY_MS);
  return { days: whole, hours: rest, edges };
}
