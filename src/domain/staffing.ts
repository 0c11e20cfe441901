import { agentsForServiceLevel, agentsForWorkload, scheduledAgents } from './erlangC';
import { DEFAULT_MIN_SAMPLE, wilson, type Share } from './stats';
import { issueTypes, type IssueType } from './vocabulary';

// The staffing model: from the arrivals of a window (live and imported tickets, bucketed by hour
// of the week in a time zone), the share the AI resolves alone per category and the time people
// spend per ticket, the agents each hour of the week needs with and without the AI. Chat-like
// lanes queue (Erlang C); email-like lanes let work wait up to the reply target (a workload
// model). Pure: the SQL hands over sums, this decides what they mean.

/** Live lanes answer while the customer waits; async lanes (email, api, anything else) can wait. */
export const lanes = ['live', 'async'] as const;
export type Lane = (typeof lanes)[number];

/** Channel names (lower case) counted as live: Tandem's chat and widget, and what other helpdesks call theirs. */
export const liveChannels = [
  'chat',
  'widget',
  'live_chat',
  'livechat',
  'messaging',
  'messenger',
  'web_widget',
  'whatsapp',
  'sms',
  'phone',
  'voice',
];

/** One group of the window's arrivals, as the SQL sums it (one hour of the week, lane, category, source). */
export interface StaffingCell {
  source: 'live' | 'imported';
  hourOfWeek: number;
  lane: Lane;
  category: IssueType | null;
  arrivals: number;
  /** Live tickets with a first resolution, and those of them the AI resolved alone. */
  resolved: number;
  aiAlone: number;
  /** Live tickets a person resolved (ai_plus_human, human_only) with time in the person stage, and that time. */
  personN: number;
  personMs: number;
  /** Imported tickets with a handle time, and its sum in minutes. */
  handleN: number;
  handleMinutes: number;
}

export interface StaffingParams {
  serviceLevel: number;
  targetMinutes: number;
  shrinkage: number;
  occupancyCap: number;
  /** What-if: the share of every category's arrivals the AI resolves alone, instead of the measured one. */
  aiDeflection?: number | undefined;
}

const HOUR_MS = 3_600_000;
export const HOURS_PER_WEEK = 168;
const days = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Hour of the week of an instant in a time zone: 0 is Monday 00:00–01:00, 167 Sunday 23:00. */
export function hourOfWeek(at: Date, timeZone: string): number {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: 'numeric', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  const parts = f.formatToParts(at);
  const day = days.indexOf(parts.find((p) => p.type === 'weekday')!.value as (typeof days)[number]);
  return day * 24 + Number(parts.find((p) => p.type === 'hour')!.value);
}

/**
 * How many times each hour of the week occurs in [from, to): each clock hour the window touches,
 * counted at its local hour of the week, so a two-week window counts Monday 09:00 twice, and a DST
 * change counts the local hours as they happened.
 */
export function hoursOfWeekIn(from: Date, to: Date, timeZone: string): number[] {
  const counts = new Array<number>(HOURS_PER_WEEK).fill(0);
  const end = to.getTime();
  let t = Math.floor(from.getTime() / HOUR_MS) * HOUR_MS;
  // Intl is slow (a 400-day window has 9,600 hours), so a day whose end is 24 local hours after
  // its start is counted without asking for each hour; a day with an offset change asks hour by hour.
  while (t < end) {
    const start = hourOfWeek(new Date(t), timeZone);
    const dayEnd = t + 24 * HOUR_MS;
    if (dayEnd <= end && hourOfWeek(new Date(dayEnd), timeZone) === (start + 24) % HOURS_PER_WEEK) {
      for (let k = 0; k < 24; k++) counts[(start + k) % HOURS_PER_WEEK]!++;
      t = dayEnd;
    } else {
      counts[start]!++;
      t += HOUR_MS;
    }
  }
  return counts;
}

export const hourLabel = (how: number) => `${days[Math.floor(how / 24)]} ${String(how % 24).padStart(2, '0')}:00`;

/** The measured share the AI resolves alone: overall and per category, from live tickets with a first resolution. */
export function aiResolvedShares(cells: StaffingCell[]): { overall: Share; byCategory: Partial<Record<IssueType, Share>> } {
  const live = cells.filter((c) => c.source === 'live');
  const sum = (rows: StaffingCell[]) =>
    wilson(
      rows.reduce((a, c) => a + c.aiAlone, 0),
      rows.reduce((a, c) => a + c.resolved, 0),
    );
  const byCategory: Partial<Record<IssueType, Share>> = {};
  for (const category of issueTypes) {
    const rows = live.filter((c) => c.category === category);
    if (rows.some((c) => c.resolved > 0)) byCategory[category] = sum(rows);
  }
  return { overall: sum(live), byCategory };
}

export interface HandleTime {
  minutes: number | null;
  sample: number;
  /** Where the figure came from when the group's own sample was too small. */
  from: 'lane and category' | 'lane' | 'all live tickets' | 'imported' | 'none';
}

/**
 * Minutes a person spends on a ticket they resolve, per lane and category: the mean of the person
 * stage (ms_person) of live tickets a person resolved. A group with fewer than DEFAULT_MIN_SAMPLE
 * tickets takes its lane's mean, then every live ticket's, then imported tickets' handle minutes.
 */
export function handleTimes(cells: StaffingCell[]): (lane: Lane, category: IssueType | null) => HandleTime {
  const mean = (rows: StaffingCell[]) => {
    const n = rows.reduce((a, c) => a + c.personN, 0);
    return { n, minutes: n > 0 ? rows.reduce((a, c) => a + c.personMs, 0) / n / 60_000 : null };
  };
  const live = cells.filter((c) => c.source === 'live');
  const all = mean(live);
  const byLane = new Map(lanes.map((l) => [l, mean(live.filter((c) => c.lane === l))]));
  const imported = (lane: Lane) => {
    const rows = cells.filter((c) => c.source === 'imported' && c.lane === lane);
    const n = rows.reduce((a, c) => a + c.handleN, 0);
    return { n, minutes: n > 0 ? rows.reduce((a, c) => a + c.handleMinutes, 0) / n : null };
  };
  const memo = new Map<string, HandleTime>();
  return (lane, category) => {
    const key = `${lane}/${category}`;
    const known = memo.get(key);
    if (known) return known;
    const own = mean(live.filter((c) => c.lane === lane && c.category === category));
    const laneMean = byLane.get(lane)!;
    const fromImport = imported(lane);
    const found: HandleTime =
      category !== null && own.n >= DEFAULT_MIN_SAMPLE
        ? { minutes: own.minutes, sample: own.n, from: 'lane and category' }
        : laneMean.n > 0
          ? { minutes: laneMean.minutes, sample: laneMean.n, from: 'lane' }
          : all.n > 0
            ? { minutes: all.minutes, sample: all.n, from: 'all live tickets' }
            : fromImport.n > 0
              ? { minutes: fromImport.minutes, sample: fromImport.n, from: 'imported' }
              : { minutes: null, sample: 0, from: 'none' };
    memo.set(key, found);
    return found;
  };
}

// Types, not interfaces: a report's rows go to CSV as plain records.
export type LaneHour = {
  arrivals: number;
  humanArrivals: number;
  /** Hours of a person's work arriving per hour (erlangs), without the AI and with it. */
  workloadWithoutAi: number;
  workloadWithAi: number;
  agentsWithoutAi: number | null;
  agentsWithAi: number | null;
  /** Live lane: the service level the agents with the AI reach. */
  serviceLevelWithAi?: number | null;
};

export type StaffingHour = {
  hourOfWeek: number;
  label: string;
  /** Mean arrivals in this hour of the week (live and imported). */
  arrivals: number;
  /** The share of this hour's arrivals the AI is counted on to resolve alone. */
  aiResolvedShare: number;
  live: LaneHour;
  async: LaneHour;
  agentsWithoutAi: number | null;
  agentsWithAi: number | null;
};

/** The agents to schedule in each hour of the week, with and without the AI. */
export function staffingHours(cells: StaffingCell[], exposure: number[], params: StaffingParams): StaffingHour[] {
  const shares = aiResolvedShares(cells);
  const shareOf = (category: IssueType | null) =>
    params.aiDeflection ?? (category ? shares.byCategory[category]?.rate : undefined) ?? shares.overall.rate ?? 0;
  const handle = handleTimes(cells);
  // Sums per lane and hour: arrivals, arrivals left to people, and their work in hours.
  const sums = lanes.map(() =>
    Array.from({ length: HOURS_PER_WEEK }, () => ({ arrivals: 0, human: 0, work: 0, humanWork: 0, unknown: 0 })),
  );
  for (const c of cells) {
    const hours = exposure[c.hourOfWeek] ?? 0;
    if (hours === 0) continue;
    const cell = sums[lanes.indexOf(c.lane)]![c.hourOfWeek]!;
    const perHour = c.arrivals / hours;
    const left = perHour * (1 - shareOf(c.category));
    const minutes = handle(c.lane, c.category).minutes;
    cell.arrivals += perHour;
    cell.human += left;
    if (minutes === null) cell.unknown += perHour;
    else {
      cell.work += (perHour * minutes) / 60;
      cell.humanWork += (left * minutes) / 60;
    }
  }
  const liveTarget = params.targetMinutes * 60;
  const liveAgents = (arrivals: number, work: number) => {
    if (arrivals === 0) return { agents: 0, serviceLevel: 1 };
    const staffed = agentsForServiceLevel({
      arrivals,
      intervalSeconds: 3600,
      ahtSeconds: (work / arrivals) * 3600,
      targetSeconds: liveTarget,
      serviceLevel: params.serviceLevel,
      occupancyCap: params.occupancyCap,
    });
    return { agents: scheduledAgents(staffed.agents, params.shrinkage), serviceLevel: staffed.serviceLevel };
  };
  // Async work may wait up to the reply target: the work of the last ⌈target⌉ hours is spread over them.
  const spread = Math.max(1, Math.round(params.targetMinutes / 60));
  const asyncWork = (hour: number, key: 'work' | 'humanWork') => {
    let total = 0;
    for (let k = 0; k < spread; k++) total += sums[1]![(hour - k + HOURS_PER_WEEK * spread) % HOURS_PER_WEEK]![key];
    return total / spread;
  };
  return exposure.map((_, how) => {
    const live = sums[0]![how]!;
    const async = sums[1]![how]!;
    const liveKnown = live.unknown === 0;
    const asyncKnown = async.unknown === 0;
    const without = liveKnown ? liveAgents(live.arrivals, live.work) : null;
    const withAi = liveKnown ? liveAgents(live.human, live.humanWork) : null;
    const asyncWithout = asyncKnown ? agentsForWorkload(asyncWork(how, 'work'), params.occupancyCap, params.shrinkage) : null;
    const asyncWith = asyncKnown ? agentsForWorkload(asyncWork(how, 'humanWork'), params.occupancyCap, params.shrinkage) : null;
    const arrivals = live.arrivals + async.arrivals;
    const add = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);
    return {
      hourOfWeek: how,
      label: hourLabel(how),
      arrivals: round(arrivals),
      aiResolvedShare: arrivals > 0 ? round(1 - (live.human + async.human) / arrivals, 4) : 0,
      live: {
        arrivals: round(live.arrivals),
        humanArrivals: round(live.human),
        workloadWithoutAi: round(live.work),
        workloadWithAi: round(live.humanWork),
        agentsWithoutAi: without?.agents ?? null,
        agentsWithAi: withAi?.agents ?? null,
        serviceLevelWithAi: withAi ? round(withAi.serviceLevel, 4) : null,
      },
      async: {
        arrivals: round(async.arrivals),
        humanArrivals: round(async.human),
        workloadWithoutAi: round(asyncWork(how, 'work')),
        workloadWithAi: round(asyncWork(how, 'humanWork')),
        agentsWithoutAi: asyncWithout,
        agentsWithAi: asyncWith,
      },
      agentsWithoutAi: add(without?.agents ?? null, asyncWithout),
      agentsWithAi: add(withAi?.agents ?? null, asyncWith),
    };
  });
}

/** Agent-hours a week (each hour's agents for one hour) and the busiest hour's agents, with and without the AI. */
export function staffingTotals(hours: StaffingHour[]) {
  const total = (key: 'agentsWithoutAi' | 'agentsWithAi') =>
    hours.some((h) => h[key] === null) ? null : hours.reduce((a, h) => a + (h[key] ?? 0), 0);
  const peak = (key: 'agentsWithoutAi' | 'agentsWithAi') =>
    hours.some((h) => h[key] === null) ? null : Math.max(0, ...hours.map((h) => h[key] ?? 0));
  const without = total('agentsWithoutAi');
  const withAi = total('agentsWithAi');
  return {
    agentHoursPerWeekWithoutAi: without,
    agentHoursPerWeekWithAi: withAi,
    agentHoursSaved: without === null || withAi === null ? null : without - withAi,
    peakAgentsWithoutAi: peak('agentsWithoutAi'),
    peakAgentsWithAi: peak('agentsWithAi'),
  };
}
