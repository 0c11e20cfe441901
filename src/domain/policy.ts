import type { EscalatingSentiment, HandlingMode, IssueType, PriorityLevel, Tier } from './vocabulary';

// The routing policy as the workflow sees it (durations already in milliseconds), and what it
// says for one ticket. Plain types and functions: the zod schema that parses policy documents
// lives in src/schemas/policy.ts and is checked against these types at compile time.

export type { PriorityLevel };

export interface Timers {
  customerReplyWindow: number;
  unresolvedTimeout: number;
  csatDelay: number;
  csatWindow: number;
  reopenWindow: number;
}

export interface Thresholds {
  classificationConfidence: number;
  draftConfidence: number;
}

/** Per priority: its SLAs, and any timer that should differ from the policy-wide one. */
export interface PrioritySla {
  review: number;
  firstHumanResponse: number;
  timers?: Partial<Timers>;
}

/** Per customer segment (tier): a stricter minimum mode, stricter confidence thresholds. */
export interface Segment {
  minimumMode?: HandlingMode;
  thresholds?: Partial<Thresholds>;
}

export interface RoutingPolicy {
  version: string;
  /** complexity/repeatability (see quadrantOf) → mode; every one of the nine quadrants is named. */
  quadrants: Record<string, HandlingMode>;
  humanOnlyCategories: IssueType[];
  reviewCategories: IssueType[];
  thresholds: Thresholds;
  triggers: {
    customerRequestsHuman: boolean;
    lowConfidence: boolean;
    humanOnlyCategory: boolean;
    frustratedSentiment: boolean;
    /** How unhappy is too unhappy for the AI: `frustrated` (default) or already at `negative`. */
    sentimentLevel?: EscalatingSentiment;
    unresolvedAfterTurns: { enabled: boolean; turns: number };
  };
  sla: Record<PriorityLevel, PrioritySla>;
  /** Policy-wide timers; a priority's `sla.Px.timers` overrides any of them. */
  timers: Timers;
  /** Per-tier overrides: e.g. enterprise tickets are never sent without review. */
  segments: Partial<Record<Tier, Segment>>;
  priorityWeights: {
    urgency: number;
    tier: number;
    churn: number;
    sentiment: number;
    slaRisk: number;
    businessImpact: number;
  };
  /** How much a breached SLA raises a ticket's score. */
  breachBoost: number;
  /**
   * How long one AI step (classify, draft, read a reply) may take, retries included, before a
   * person takes the ticket; a model's later answer is dropped. Default 2 minutes.
   */
  aiStepDeadline?: number;
  /**
   * Domains an AI reply may link to without review (a subdomain counts); a link to anywhere else
   * that no knowledge-base article holds sends the reply to a person first.
   */
  allowedLinkDomains?: string[];
}

export const quadrantOf = (complexity: string, repeatability: string) => `${complexity}/${repeatability}`;

/** The timers that apply at a priority: the policy-wide ones with that priority's overrides. */
export const timersFor = (policy: RoutingPolicy, level: PriorityLevel | undefined): Timers => ({
  ...policy.timers,
  ...(level ? policy.sla[level].timers : undefined),
});

/** The confidence thresholds for a customer's segment: stricter ones replace the policy's. */
export const thresholdsFor = (policy: RoutingPolicy, tier: Tier | null): Thresholds => ({
  ...policy.thresholds,
  ...(tier ? policy.segments[tier]?.thresholds : undefined),
});

export const DEFAULT_AI_STEP_DEADLINE_MS = 120_000;

/** How long an AI step may take before a person takes over; policies from before it had none. */
export const aiStepDeadlineOf = (policy: RoutingPolicy): number => policy.aiStepDeadline ?? DEFAULT_AI_STEP_DEADLINE_MS;
