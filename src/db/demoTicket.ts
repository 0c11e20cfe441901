import { quadrantOf } from '../domain/policy';
import type { EndedBy } from '../domain/outcomes';
import {
  complexities,
  issueTypes,
  repeatabilities,
  urgencies,
  type Channel,
  type FeedbackReason,
  type IssueType,
  type PriorityLevel,
  type ResolutionMode,
  type Tier,
  type Urgency,
} from '../domain/vocabulary';
import {
  HISTORY_CREATOR,
  AGENTS,
  MINUTE,
  HOUR,
  HISTORY_PREFIX,
  type Random,
  pick,
  other,
  duration,
  profiles,
  quadrantMode,
  arrival,
  type TicketRow,
  type DraftRow,
  type FeedbackRow,
  type OverrideRow,
} from './demoProfiles';

// One ticket of the synthetic history (src/db/demoHistory.ts): its read-model row with the AI's
// call beside the final one, outcome and stage durations, its AI drafts, feedback and overrides.

/** One ticket of history, with its drafts, feedback and overrides. */
export function generateTicket(r: Random, n: number, now: number, days: number, feedbackPerAnswer: number) {
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
