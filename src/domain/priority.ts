import type { Enrichment } from './enrichment';
import type { PriorityLevel, RoutingPolicy } from './policy';
import type { Classification } from './ticket';

export interface PriorityFactor {
  factor: 'urgency' | 'tier' | 'churn' | 'sentiment' | 'slaRisk' | 'businessImpact' | 'slaBreach';
  points: number;
  why: string;
}

export interface Priority {
  score: number;
  level: PriorityLevel;
  breakdown: PriorityFactor[];
}

const urgencyShare = { low: 0.1, medium: 0.4, high: 0.75, critical: 1 } as const;
const tierShare = { free: 0.1, pro: 0.5, enterprise: 1 } as const;
const sentimentShare = { positive: 0, neutral: 0.2, negative: 0.6, frustrated: 1 } as const;
const impactShare = { billing: 0.8, security: 1, technical: 0.6, account: 0.5, how_to: 0.1, feature_request: 0.1, other: 0.3 } as const;

/** Revenue at stake, in monthly dollars: $5k+ is a top account, $500 a solid one. */
const revenueShare = (mrrCents: number | null) =>
  mrrCents === null || mrrCents <= 0 ? 0 : mrrCents >= 500_000 ? 1 : mrrCents >= 50_000 ? 0.6 : mrrCents >= 5_000 ? 0.3 : 0.1;

/** Other customers' open tickets like this one: three or more looks like an incident. */
const spikeShare = (similarOpen: number) => Math.min(1, similarOpen / 3);

export const levelForScore = (score: number): PriorityLevel => (score >= 75 ? 'P1' : score >= 50 ? 'P2' : score >= 25 ? 'P3' : 'P4');

/**
 * A 0–100 score: each factor contributes its share of the policy's weight, and the breakdown
 * keeps who added what so agents and ops see why a ticket ranks where it does.
 */
export function scorePriority(classification: Classification, enrichment: Enrichment, weights: RoutingPolicy['priorityWeights']): Priority {
  const total = Object.values(weights).reduce((a, b) => a + b, 0) || 1;
  const scale = 100 / total;
  const tier = enrichment.tier ?? 'free';
  const churnShare = enrichment.churnSignal ? 1 : enrichment.billingStatus === 'past_due' ? 0.5 : 0;
  // SLA risk: a customer already waiting on other tickets is closer to a breach of patience.
  const slaShare = Math.min(1, enrichment.openTickets / 3);
  const factors: PriorityFactor[] = [
    { factor: 'urgency', points: weights.urgency * urgencyShare[classification.urgency], why: `urgency ${classification.urgency}` },
    { factor: 'tier', points: weights.tier * tierShare[tier], why: `${tier} tier` },
    {
      factor: 'churn',
      points: weights.churn * churnShare,
      why: enrichment.churnSignal ? 'recent downgrade or cancellation' : churnShare ? 'billing past due' : 'no churn signal',
    },
    {
      factor: 'sentiment',
      points: weights.sentiment * sentimentShare[classification.sentiment],
      why: `sentiment ${classification.sentiment}`,
    },
    { factor: 'slaRisk', points: weights.slaRisk * slaShare, why: `${enrichment.openTickets} other open tickets` },
    {
      factor: 'businessImpact',
      // What kind of problem, how much revenue is behind it, and whether others have it too.
      points:
        weights.businessImpact *
        (0.5 * impactShare[classification.issueType] +
          0.3 * revenueShare(enrichment.mrrCents) +
          0.2 * spikeShare(enrichment.similarOpenTickets.length)),
      why: [
        `${classification.issueType} issue`,
        enrichment.mrrCents ? `$${Math.round(enrichment.mrrCents / 100)}/month at stake` : null,
        enrichment.similarOpenTickets.length > 0 ? `${enrichment.similarOpenTickets.length} similar open tickets` : null,
      ]
        .filter(Boolean)
        .join(', '),
    },
  ];
  const breakdown = factors.map((f) => ({ ...f, points: Math.round(f.points * scale) }));
  const score = clamp(breakdown.reduce((a, f) => a + f.points, 0));
  return { score, level: levelForScore(score), breakdown };
}

/** A breached SLA raises the ticket: the boost is kept in the breakdown like any other factor. */
export function raiseForBreach(priority: Priority, boost: number, why: string): Priority {
  const score = clamp(priority.score + boost);
  return {
    score,
    level: levelForScore(score),
    breakdown: [...priority.breakdown, { factor: 'slaBreach', points: score - priority.score, why }],
  };
}

const clamp = (n: number) => Math.max(0, Math.min(100, Math.round(n)));

/**
 * The priority with a person's level on top: the score and its breakdown still move (an SLA
 * breach still counts), but the level stays what a person set until a person changes it again.
 */
export function withOverride(priority: Priority, override: { level: PriorityLevel } | null | undefined): Priority {
  return override ? { ...priority, level: override.level } : priority;
}
