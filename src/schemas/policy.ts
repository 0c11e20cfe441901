import { z } from 'zod';
import {
  quadrantOf,
  type RoutingPolicy as RoutingPolicyType,
  type Thresholds as ThresholdsType,
  type Timers as TimersType,
} from '../domain/policy';
import { complexities, repeatabilities } from '../domain/vocabulary';
import type { AllSame, Same } from './exact';
import { EscalatingSentiment, HandlingMode, IssueType, Tier } from './vocabulary';

/**
 * A duration in a policy: milliseconds, or a readable string such as "90s", "30m", "4h", "7d".
 * Parsed to milliseconds so the workflow only ever sees numbers.
 */
const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
export const Duration = z.union([
  z.number().int().min(1),
  z
    .string()
    .regex(/^\d+(\.\d+)?(ms|s|m|h|d)$/, 'a number of ms or a string like "90s", "30m", "4h", "7d"')
    .transform((s) => {
      const [, value, unit] = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(s)!;
      return Math.round(Number(value) * units[unit!]!);
    }),
]);

const Timers = z.strictObject({
  customerReplyWindow: Duration,
  unresolvedTimeout: Duration,
  csatDelay: Duration,
  csatWindow: Duration,
  reopenWindow: Duration,
});

const Thresholds = z.strictObject({
  classificationConfidence: z.number().min(0).max(1),
  draftConfidence: z.number().min(0).max(1),
});

/** Per priority: its SLAs, and any timer that should differ from the policy-wide one. */
const PrioritySla = z.strictObject({ review: Duration, firstHumanResponse: Duration, timers: Timers.partial().optional() });

/** Per customer segment (tier): a stricter minimum mode, stricter confidence thresholds. */
const Segment = z.strictObject({ minimumMode: HandlingMode.optional(), thresholds: Thresholds.partial().optional() });

// Strict objects throughout: a misspelt key ("segmnets") is an error, never silently ignored.
export type RoutingPolicy = RoutingPolicyType;
export const RoutingPolicy = z
  .strictObject({
    version: z.string().min(1),
    /** complexity/repeatability → mode; every one of the nine quadrants must be named. */
    quadrants: z.strictObject(
      Object.fromEntries(complexities.flatMap((c) => repeatabilities.map((r) => [quadrantOf(c, r), HandlingMode]))) as Record<
        string,
        typeof HandlingMode
      >,
    ),
    humanOnlyCategories: z.array(IssueType),
    reviewCategories: z.array(IssueType),
    thresholds: Thresholds,
    triggers: z.strictObject({
      customerRequestsHuman: z.boolean(),
      lowConfidence: z.boolean(),
      humanOnlyCategory: z.boolean(),
      frustratedSentiment: z.boolean(),
      /** How unhappy is too unhappy for the AI: `frustrated` (default) or already at `negative`. */
      sentimentLevel: EscalatingSentiment.optional(),
      unresolvedAfterTurns: z.strictObject({ enabled: z.boolean(), turns: z.number().int().min(1) }),
    }),
    sla: z.strictObject({ P1: PrioritySla, P2: PrioritySla, P3: PrioritySla, P4: PrioritySla }),
    /** Policy-wide timers; a priority's `sla.Px.timers` overrides any of them. */
    timers: Timers,
    /** Per-tier overrides: e.g. enterprise tickets are never sent without review. */
    segments: z.partialRecord(Tier, Segment).default({}),
    priorityWeights: z.strictObject({
      urgency: z.number().min(0),
      tier: z.number().min(0),
      churn: z.number().min(0),
      sentiment: z.number().min(0),
      slaRisk: z.number().min(0),
      businessImpact: z.number().min(0),
    }),
    /** How much a breached SLA raises a ticket's score. */
    breachBoost: z.number().int().min(0).max(100),
    /**
     * How long one AI step (classify, draft, read a reply) may take, retries included, before a
     * person takes the ticket; a model's later answer is dropped. Default 2 minutes.
     */
    aiStepDeadline: Duration.optional(),
    /** Domains an AI reply may link to unreviewed (subdomains too); other links not in the knowledge base mean review. */
    allowedLinkDomains: z
      .array(
        z
          .string()
          .trim()
          .toLowerCase()
          .regex(/^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'a domain such as help.example.com'),
      )
      .max(100)
      .optional(),
  })
  .superRefine((p, ctx) => {
    if (Object.values(p.priorityWeights).every((w) => w === 0)) {
      ctx.addIssue({ code: 'custom', path: ['priorityWeights'], message: 'at least one weight must be above 0, or every ticket scores 0' });
    }
    for (const category of p.reviewCategories.filter((c) => p.humanOnlyCategories.includes(c))) {
      ctx.addIssue({ code: 'custom', path: ['reviewCategories'], message: `${category} is also human-only; name it in one list` });
    }
  });
/** A policy document as written: durations may be readable strings, segments may be left out. */
export type RoutingPolicyInput = z.input<typeof RoutingPolicy>;

type _SchemasMatchTypes = AllSame<
  [
    Same<z.output<typeof RoutingPolicy>, RoutingPolicyType>,
    Same<z.output<typeof Timers>, TimersType>,
    Same<z.output<typeof Thresholds>, ThresholdsType>,
  ]
>;

export const defaultPolicyDocument: RoutingPolicyInput = {
  version: 'default-1',
  quadrants: {
    'low/repeatable': 'ai_auto',
    'low/semi': 'ai_auto',
    'low/unique': 'ai_review',
    'medium/repeatable': 'ai_review',
    'medium/semi': 'ai_review',
    'medium/unique': 'human',
    'high/repeatable': 'ai_review',
    'high/semi': 'human',
    'high/unique': 'human',
  },
  humanOnlyCategories: ['security'],
  reviewCategories: ['billing'],
  thresholds: { classificationConfidence: 0.5, draftConfidence: 0.5 },
  triggers: {
    customerRequestsHuman: true,
    lowConfidence: true,
    humanOnlyCategory: true,
    frustratedSentiment: true,
    unresolvedAfterTurns: { enabled: true, turns: 2 },
  },
  sla: {
    P1: { review: '15m', firstHumanResponse: '30m' },
    P2: { review: '1h', firstHumanResponse: '2h' },
    P3: { review: '4h', firstHumanResponse: '8h' },
    P4: { review: '12h', firstHumanResponse: '24h' },
  },
  timers: {
    customerReplyWindow: '3d',
    unresolvedTimeout: '1d',
    csatDelay: '1h',
    csatWindow: '3d',
    reopenWindow: '7d',
  },
  segments: { enterprise: { minimumMode: 'ai_review' } },
  priorityWeights: { urgency: 30, tier: 20, churn: 20, sentiment: 10, slaRisk: 10, businessImpact: 10 },
  breachBoost: 15,
};

export const defaultPolicy: RoutingPolicyType = RoutingPolicy.parse(defaultPolicyDocument);

/** Turns every problem in a policy document into one readable line. */
export function policyProblems(document: unknown): string[] {
  const result = RoutingPolicy.safeParse(document);
  if (result.success) return [];
  return result.error.issues.map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`);
}
