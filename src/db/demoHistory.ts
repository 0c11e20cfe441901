import { count, like } from 'drizzle-orm';
import { quadrantOf } from '../domain/policy';
import type { EndedBy } from '../domain/outcomes';
import {
  complexities,
  issueTypes,
  repeatabilities,
  urgencies,
  type Channel,
  type Complexity,
  type FeedbackReason,
  type HandlingMode,
  type IssueType,
  type PriorityLevel,
  type Repeatability,
  type ResolutionMode,
  type Tier,
  type Urgency,
} from '../domain/vocabulary';
import type { Db } from './client';
import { demoReviews } from './demoReviews';
import { aiDrafts, aiFeedback, overrides, reviewItems, reviewVerdicts, tickets } from './schema';

// A documented, seeded generator of synthetic ticket history, so every report has numbers on a
// fresh `npm run dev` and the benchmarks have a million rows to aggregate. Each ticket is a closed
// read-model row (id `hist_<n>`, created by `demo-history`) with the AI's call beside the final
// one, its outcome and stage durations, its AI drafts, the feedback agents gave and the overrides
// they made. The same seed always gives the same history (mulberry32).

export interface DemoHistoryOptions {
  /** How many days back the history reaches (default 90). */
  days?: number;
  /** How many tickets (default 3000). */
  tickets?: number;
  /** The generator's seed (default 42). */
  seed?: number;
  /** Explicit feedback rows per AI answer, on average (default 0.4; the bench asks for 3). */
  feedbackPerAnswer?: number;
  /** "Now" for the history (default: the real now). */
  now?: Date;
  onProgress?: (done: number, total: number) => void;
}

const HISTORY_PREFIX = 'hist_';
export const HISTORY_CREATOR = 'demo-history';
const AGENTS = ['demo-agent-ana', 'demo-agent-bo', 'demo-agent-chen', 'demo-agent-dee'];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const pick = <T>(r: Random, weighted: [T, number][]): T => {
  const total = weighted.reduce((a, [, w]) => a + w, 0);
  let x = r() * total;
  for (const [v, w] of weighted) if ((x -= w) < 0) return v;
  return weighted.at(-1)![0];
};
const other = <T>(r: Random, values: readonly T[], not: T): T => {
  const rest = values.filter((v) => v !== not);
  return rest[Math.floor(r() * rest.length)]!;
};
/** Log-normal-ish durations: most short, a long tail. */
const duration = (r: Random, medianMs: number) => Math.round(medianMs * Math.exp((r() + r() + r() - 1.5) * 1.2));

// How the categories behave: volume share, how often the AI alone resolves them well, how hard they are.
const profiles: Record<
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
const quadrantMode: Record<string, HandlingMode> = {
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
function arrival(r: Random, now: number, days: number): number {
  for (;;) {
    const at = now - r() * days * 24 * HOUR;
    const d = new Date(at);
    const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
    const hour = d.getUTCHours();
    const weight = (weekend ? 0.35 : 1) * (hour >= 8 && hour < 18 ? 1 : hour >= 6 && hour < 22 ? 0.45 : 0.12);
    if (r() < weight) return at;
  }
}

type TicketRow = typeof tickets.$inferInsert;
type DraftRow = typeof aiDrafts.$inferInsert;
type FeedbackRow = typeof aiFeedback.$inferInsert;
type OverrideRow = typeof overrides.$inferInsert;

/** One ticket of history, with its drafts, feedback and overrides. */
function generateTicket(r: Random, n: number, now: number, days: number, feedbackPerAnswer: number) {
  const id = `${HISTORY_PREFIX}${String(n).padStart(7, '0')}`;
  const createdAt = arrival(r, now, days);
  const category = pick(
    r,
    issueTypes.map((c) => [c, profiles[c].share] as [IssueType, number]),
  );
  const profile = profiles[category];
  const complexity = pick(r, profile.complexity);
  const repeatability = pick(r, profile.repeatability);
  const urgency: Urgency = pick(r, [
    ['low', 4],
    ['medium', 4],
    ['high', 1.5],
    ['critical', 0.5],
  ]);
  const tier: Tier = pick(r, [
    ['free', 5],
    ['pro', 3.5],
    ['enterprise', 1.5],
  ]);
  const channel: Channel = pick(r, [
    ['chat', 4],
    ['email', 3.5],
    ['widget', 1.5],
    ['api', 1],
  ]);
  const withPage = (channel === 'chat' || channel === 'widget') && r() < 0.7;
  const level: PriorityLevel = pick(r, [
    ['P1', urgency === 'critical' ? 3 : 0.2],
    ['P2', 1.5],
    ['P3', 4],
    ['P4', 3],
  ]);
  let mode = quadrantMode[quadrantOf(complexity, repeatability)] ?? 'ai_review';
  if (category === 'security') mode = 'human';
  if (tier === 'enterprise' && mode === 'ai_auto') mode = 'ai_review';

  // The AI's call: right most of the time; a person corrects some of what it got wrong.
  const ai = {
    category: r() < 0.86 ? category : other(r, issueTypes, category),
    complexity: r() < 0.78 ? complexity : other(r, complexities, complexity),
    repeatability: r() < 0.8 ? repeatability : other(r, repeatabilities, repeatability),
    urgency: r() < 0.8 ? urgency : other(r, urgencies, urgency),
    priority: r() < 0.9 ? level : other(r, ['P1', 'P2', 'P3', 'P4'] as const, level),
  };
  const escalatedLater = mode === 'ai_auto' && r() < 0.14;
  const resolutionMode: ResolutionMode =
    mode === 'human' ? 'human_only' : mode === 'ai_auto' && !escalatedLater ? 'ai_only' : 'ai_plus_human';
  const humanTouched = resolutionMode !== 'ai_only' || r() < 0.1;
  const endedBy: EndedBy =
    resolutionMode === 'ai_only'
      ? pick(r, [
          ['confirmed', 6],
          ['no_reply', 4],
        ])
      : pick(r, [
          ['resolved', 7],
          ['confirmed', 2.5],
          ['no_reply', 0.5],
        ]);
  const reopenRisk = resolutionMode === 'ai_only' ? profile.aiReopen : profile.aiReopen * 0.45;
  const reopens = r() < reopenRisk ? 1 + (r() < 0.15 ? 1 : 0) : 0;
  const followUps = reopens + (r() < (withPage ? 0.18 : 0.3) ? 1 : 0);
  const csatGiven = r() < 0.35;
  const csatMean = resolutionMode === 'ai_only' ? 4.1 - reopens * 1.2 : resolutionMode === 'ai_plus_human' ? 4.3 - reopens : 4.2;
  const csat = csatGiven ? Math.max(1, Math.min(5, Math.round(csatMean + (r() - 0.5) * 2.2))) : null;

  const stage = {
    msAi: duration(r, 8_000),
    msReview: mode === 'ai_review' ? duration(r, 25 * MINUTE) : 0,
    msCustomer: duration(r, 3 * HOUR),
    msQueue: resolutionMode === 'ai_only' ? 0 : duration(r, 40 * MINUTE),
    msPerson: resolutionMode === 'ai_only' ? 0 : duration(r, (withPage ? 9 : 13) * MINUTE * (complexity === 'high' ? 2 : 1)),
  };
  const firstResponseAt = createdAt + stage.msAi + stage.msReview + (mode === 'human' ? stage.msQueue + stage.msPerson : 0);
  const resolvedAt = firstResponseAt + stage.msCustomer + stage.msQueue + stage.msPerson;
  const agent = AGENTS[Math.floor(r() * AGENTS.length)]!;
  const ticket: TicketRow = {
    id,
    workflowId: `ticket-${id}`,
    customerId: null,
    customerEmail: null,
    createdBy: HISTORY_CREATOR,
    channel,
    subject: `${category.replace('_', ' ')} question #${n}`,
    body: 'Synthetic history.',
    pageContext: withPage ? { pageUrl: 'https://app.example.com/settings', pageTitle: 'Settings', productArea: category } : null,
    status: 'closed',
    mode: resolutionMode === 'human_only' ? 'human' : resolutionMode === 'ai_only' ? 'ai_auto' : mode === 'ai_auto' ? 'human' : mode,
    category,
    tier,
    priorityLevel: level,
    priorityScore: { P1: 85, P2: 60, P3: 35, P4: 15 }[level],
    assignee: resolutionMode === 'ai_only' ? null : agent,
    escalated: escalatedLater || mode === 'human',
    policyVersion: 'history',
    resolutionMode,
    resolutionReason: endedBy === 'confirmed' ? 'customer_confirmed' : endedBy === 'no_reply' ? 'no_reply' : 'agent_resolved',
    csatScore: csat,
    aiCategory: ai.category,
    aiComplexity: ai.complexity,
    aiRepeatability: ai.repeatability,
    aiUrgency: ai.urgency,
    aiPriorityLevel: ai.priority,
    aiMode: mode,
    complexity,
    repeatability,
    urgency,
    humanTouched,
    firstResponseAt: new Date(firstResponseAt),
    firstResolutionMode: resolutionMode,
    firstResolvedAt: new Date(resolvedAt),
    endedBy,
    reopens,
    followUps,
    ...stage,
    createdAt: new Date(createdAt),
    updatedAt: new Date(resolvedAt),
    resolvedAt: new Date(resolvedAt),
    version: 1,
  };

  const overrideRows: OverrideRow[] = [];
  if (humanTouched) {
    let seq = 1;
    const changed: [OverrideRow['field'], string, string][] = [
      ['issueType', ai.category, category],
      ['complexity', ai.complexity, complexity],
      ['repeatability', ai.repeatability, repeatability],
      ['urgency', ai.urgency, urgency],
      ['priority', ai.priority, level],
    ];
    for (const [field, was, now_] of changed) {
      if (was !== now_)
        overrideRows.push({
          ticketId: id,
          seq: seq++,
          field,
          aiValue: was,
          before: was,
          after: now_,
          actor: agent,
          at: new Date(firstResponseAt),
        });
    }
    if (mode === 'ai_auto' && escalatedLater)
      overrideRows.push({
        ticketId: id,
        seq: seq++,
        field: 'mode',
        aiValue: mode,
        before: mode,
        after: 'human',
        actor: agent,
        at: new Date(firstResponseAt + stage.msCustomer),
      });
  }

  const drafts: DraftRow[] = [];
  const feedback: FeedbackRow[] = [];
  if (mode !== 'human') {
    const draftId = `${id}:draft:1`;
    const outcome: DraftRow['outcome'] =
      mode === 'ai_auto'
        ? 'sent'
        : pick(r, [
            ['approved', 6],
            ['modified', 3],
            ['discarded', 1],
          ] as [NonNullable<DraftRow['outcome']>, number][]);
    const similarity = outcome === 'modified' ? 0.2 + r() * 0.75 : 1;
    drafts.push({
      id: draftId,
      ticketId: id,
      turn: 1,
      body: 'A synthetic AI answer.',
      confidence: 0.6 + r() * 0.4,
      promptVersion: 'history',
      provider: 'history',
      outcome,
      finalBody: outcome === 'discarded' ? null : 'A synthetic AI answer.',
      reviewedBy: mode === 'ai_auto' ? null : agent,
      feedback: outcome === 'modified' ? { similarity } : null,
      category,
      createdAt: new Date(createdAt + stage.msAi),
      reviewedAt: new Date(firstResponseAt),
    });
    const at = firstResponseAt + 60_000;
    if (outcome === 'modified') {
      feedback.push({
        id: `fb_${id}_m`,
        ticketId: id,
        draftId,
        agent,
        source: 'modify',
        correction: 'A corrected answer.',
        category,
        editSize: Math.round((1 - similarity) * 1000) / 1000,
        createdAt: new Date(at),
      });
    }
    if (outcome === 'discarded') {
      feedback.push({
        id: `fb_${id}_t`,
        ticketId: id,
        draftId,
        agent,
        source: 'takeover',
        rating: 'down',
        reasons: ['unknown'],
        category,
        createdAt: new Date(at),
      });
    }
    // Explicit ratings: more often down where the AI alone did worse.
    let ratings = 0;
    for (let k = feedbackPerAnswer; k > 0; k--) if (r() < Math.min(1, k)) ratings++;
    for (let i = 0; i < ratings; i++) {
      const down = r() < (reopens > 0 ? 0.7 : outcome === 'modified' ? 0.45 : 0.15);
      const reasons: FeedbackReason[] = down
        ? [
            pick(r, [
              ['wrong_answer', 3],
              ['incomplete', 4],
              ['tone', 1],
              ['should_have_escalated', 2],
              ['hallucinated_link', 0.5],
              ['other', 1],
            ]),
          ]
        : [];
      feedback.push({
        id: `fb_${id}_${i}`,
        ticketId: id,
        draftId,
        agent: AGENTS[(AGENTS.indexOf(agent) + i) % AGENTS.length]!,
        source: 'explicit',
        rating: down ? 'down' : 'up',
        reasons,
        correction: down && r() < 0.4 ? 'What it should have said.' : null,
        flag: down && r() < 0.3,
        category,
        createdAt: new Date(at + (i + 1) * 5 * MINUTE),
      });
    }
  }
  return { ticket, drafts, feedback, overrides: overrideRows };
}

/** Whether history was already generated (dev seeds it once). */
export async function hasDemoHistory(db: Db): Promise<boolean> {
  const [row] = await db
    .select({ n: count() })
    .from(tickets)
    .where(like(tickets.id, `${HISTORY_PREFIX}%`));
  return (row?.n ?? 0) > 0;
}

/** Writes the history in batches; returns how many rows of each kind. */
export async function generateDemoHistory(db: Db, options: DemoHistoryOptions = {}) {
  const { days = 90, tickets: total = 3000, seed = 42, feedbackPerAnswer = 0.4 } = options;
  const now = (options.now ?? new Date()).getTime();
  const r = mulberry32(seed);
  // The review's own generator: adding it left every ticket of a seed's history as it was.
  const reviewRandom = mulberry32(seed + 1);
  const written = { tickets: 0, drafts: 0, feedback: 0, overrides: 0, reviewItems: 0 };
  // Batches stay under PostgreSQL's 65,535 bind parameters per statement.
  const BATCH = 800;
  for (let start = 0; start < total; start += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, total - start) }, (_, i) =>
      generateTicket(r, start + i + 1, now, days, feedbackPerAnswer),
    );
    const drafts = batch.flatMap((b) => b.drafts);
    const feedback = batch.flatMap((b) => b.feedback);
    const overrideRows = batch.flatMap((b) => b.overrides);
    const reviews = demoReviews(feedback, now, reviewRandom);
    await db.transaction(async (tx) => {
      await tx
        .insert(tickets)
        .values(batch.map((b) => b.ticket))
        .onConflictDoNothing();
      for (let i = 0; i < drafts.length; i += 2000)
        await tx
          .insert(aiDrafts)
          .values(drafts.slice(i, i + 2000))
          .onConflictDoNothing();
      for (let i = 0; i < feedback.length; i += 2000)
        await tx
          .insert(aiFeedback)
          .values(feedback.slice(i, i + 2000))
          .onConflictDoNothing();
      for (let i = 0; i < overrideRows.length; i += 4000)
        await tx
          .insert(overrides)
          .values(overrideRows.slice(i, i + 4000))
          .onConflictDoNothing();
      // Verdicts only for items this run wrote: a second run over the same history adds none.
      const fresh = new Set<string>();
      for (let i = 0; i < reviews.items.length; i += 2000) {
        const inserted = await tx
          .insert(reviewItems)
          .values(reviews.items.slice(i, i + 2000))
          .onConflictDoNothing()
          .returning({ id: reviewItems.id });
        for (const { id } of inserted) fresh.add(id);
      }
      const verdicts = reviews.verdicts.filter((v) => fresh.has(v.itemId));
      for (let i = 0; i < verdicts.length; i += 4000) await tx.insert(reviewVerdicts).values(verdicts.slice(i, i + 4000));
      written.reviewItems += fresh.size;
    });
    written.tickets += batch.length;
    written.drafts += drafts.length;
    written.feedback += feedback.length;
    written.overrides += overrideRows.length;
    options.onProgress?.(written.tickets, total);
  }
  return written;
}
