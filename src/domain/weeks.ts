// ISO weeks and quarters as reports label them ("2026-W48", "2026-Q4"), in a time zone, without
// Node built-ins beyond Intl (domain code also runs in the workflow sandbox).

/** The calendar date of an instant in a time zone. */
function localDate(at: Date, timeZone: string): { y: number; m: number; d: number } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return { y: get('year'), m: get('month'), d: get('day') };
}

/** The ISO 8601 week of an instant, e.g. "2026-W48" (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(at: Date, timeZone = 'UTC'): string {
  const { y, m, d } = localDate(at, timeZone);
  const date = new Date(Date.UTC(y, m - 1, d));
  const day = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((date.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${date.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** Monday 00:00 UTC of an ISO week label, and the Monday after; null for a label that is not one. */
export function weekRange(label: string): { from: Date; to: Date } | null {
  const m = /^(\d{4})-W(\d{2})$/.exec(label);
  if (!m) return null;
  const year = Number(m[1]);
  const week = Number(m[2]);
  if (week < 1 || week > 53) return null;
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const monday = new Date(jan4.getTime() - ((jan4.getUTCDay() || 7) - 1) * 86_400_000 + (week - 1) * 7 * 86_400_000);
  if (isoWeek(monday) !== label) return null;
  return { from: monday, to: new Date(monday.getTime() + 7 * 86_400_000) };
}

/** The quarter of an instant, e.g. "2026-Q4". */
export function quarterOf(at: Date, timeZone = 'UTC'): string {
  const { y, m } = localDate(at, timeZone);
  return `${y}-Q${Math.floor((m - 1) / 3) + 1}`;
}

/** Whether a name is a time zone this runtime knows (IANA). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The calendar month of an instant, e.g. "2026-11". */
export function monthOf(at: Date, timeZone = 'UTC'): string {
  const { y, m } = localDate(at, timeZone);
  return `${y}-${String(m).padStart(2, '0')}`;
}

/** How far a time zone's wall clock is ahead of UTC at an instant, in milliseconds. */
export function offsetAt(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(at));
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - Math.floor(at / 1000) * 1000;
}

/** Midnight at the start of a calendar date ("2026-11-01") in a time zone, as an instant. */
export function startOfLocalDay(date: string, timeZone = 'UTC'): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  // Read the offset twice: once near the answer, once at it, so a DST change that day lands right.
  const first = wall - offsetAt(wall, timeZone);
  return new Date(wall - offsetAt(first, timeZone));
}

/**
 * Labels Mondays given as local dates ('2026-11-23' → '2026-W48'), as SQL's date_trunc('week')
 * buckets give them. A report labels thousands of buckets from a few dozen Mondays and Intl
 * formatting is the cost, so each labeller remembers what it labelled (one per report, no shared state).
 */
export function weekLabeller(): (monday: string) => string {
  const labels = new Map<string, string>();
  return (monday) => {
    let label = labels.get(monday);
    if (label === undefined) labels.set(monday, (label = isoWeek(new Date(`${monday}T00:00:00Z`))));
    return label;
  };
}
