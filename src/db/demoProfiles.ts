import { type Complexity, type HandlingMode, type IssueType, type Repeatability } from '../domain/vocabulary';
import { type aiDrafts, type aiFeedback, type overrides, type tickets } from './schema';

// The shape of the synthetic history (src/db/demoHistory.ts): a seeded random source, how each
// issue type behaves (volume, how the AI does on it, how long people take), and when tickets arrive.

export const HISTORY_PREFIX = 'hist_';
export const HISTORY_CREATOR = 'demo-history';
export const AGENTS = ['demo-agent-ana', 'demo-agent-bo', 'demo-agent-chen', 'demo-agent-dee'];
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = () => number;
export const pick = <T>(r: Random, weighted: [T, number][]): T => {
  const total = weighted.reduce((a, [, w]) => a + w, 0);
  let x = r() * total;
  for (const [v, w] of weighted) if ((x -= w) < 0) return v;
  return weighted.at(-1)![0];
};
export const other = <T>(r: Random, values: readonly T[], not: T): T => {
  const rest = values.filter((v) => v !== not);
  return rest[Math.floor(r() * rest.length)]!;
};
/** Log-normal-ish durations: most short, a long tail. */
export const duration = (r: Random, medianMs: number) => Math.round(medianMs * Math.exp((r() + r() + r() - 1.5) * 1.2));

// How the categories behave: volume share, how often the AI alone resolves them well, how hard they are.
export const profiles: Record<
  IssueType,
  { share: number; complexity: [Complexity, number][]; repeatability: [Repeatability, number][]; aiReopen: number }
> = {
  how_to: {
    share: 30,
    complexity: [
      ['low', 7],
      ['medium', 2.5],
      ['high', 0.5],
    ],
    repeatability: [
      ['repeatable', 7],
      ['semi', 2.5],
      ['unique', 0.5],
    ],
    aiReopen: 0.06,
  },
  billing: {
    share: 20,
    complexity: [
      ['low', 3],
      ['medium', 5],
      ['high', 2],
    ],
    repeatability: [
      ['repeatable', 4],
      ['semi', 4],
      ['unique', 2],
    ],
    aiReopen: 0.22,
  },
  technical: {
    share: 25,
    complexity: [
      ['low', 2],
      ['medium', 5],
      ['high', 3],
    ],
    repeatability: [
      ['repeatable', 3],
      ['semi', 4],
      ['unique', 3],
    ],
    aiReopen: 0.15,
  },
  account: {
    share: 12,
    complexity: [
      ['low', 5],
      ['medium', 4],
      ['high', 1],
    ],
    repeatability: [
      ['repeatable', 6],
      ['semi', 3],
      ['unique', 1],
    ],
    aiReopen: 0.08,
  },
  feature_request: {
    share: 5,
    complexity: [
      ['low', 4],
      ['medium', 4],
      ['high', 2],
    ],
    repeatability: [
      ['repeatable', 2],
      ['semi', 4],
      ['unique', 4],
    ],
    aiReopen: 0.1,
  },
  security: {
    share: 3,
    complexity: [
      ['low', 1],
      ['medium', 3],
      ['high', 6],
    ],
    repeatability: [
      ['repeatable', 1],
      ['semi', 3],
      ['unique', 6],
    ],
    aiReopen: 0.3,
  },
  other: {
    share: 5,
    complexity: [
      ['low', 4],
      ['medium', 4],
      ['high', 2],
    ],
    repeatability: [
      ['repeatable', 3],
      ['semi', 4],
      ['unique', 3],
    ],
    aiReopen: 0.12,
  },
};

// The default policy's quadrants, which the history's triage followed.
export const quadrantMode: Record<string, HandlingMode> = {
  'low/repeatable': 'ai_auto',
  'low/semi': 'ai_auto',
  'low/unique': 'ai_review',
  'medium/repeatable': 'ai_auto',
  'medium/semi': 'ai_review',
  'medium/unique': 'human',
  'high/repeatable': 'ai_review',
  'high/semi': 'human',
  'high/unique': 'human',
};

/** An arrival time: weekdays busier than weekends, business hours busier than nights. */
export function arrival(r: Random, now: number, days: number): number {
  for (;;) {
    const at = now - r() * days * 24 * HOUR;
    const d = new Date(at);
    const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
    const hour = d.getUTCHours();
    const weight = (weekend ? 0.35 : 1) * (hour >= 8 && hour < 18 ? 1 : hour >= 6 && hour < 22 ? 0.45 : 0.12);
    if (r() < weight) return at;
  }
}

export type TicketRow = typeof tickets.$inferInsert;
export type DraftRow = typeof aiDrafts.$inferInsert;
export type FeedbackRow = typeof aiFeedback.$inferInsert;
export type OverrideRow = typeof overrides.$inferInsert;
