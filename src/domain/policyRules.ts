import type { RoutingPolicy, Thresholds, Timers } from './policy';
import type { PriorityLevel, Tier } from './vocabulary';

// What the routing policy says for one ticket. Plain functions over the parsed policy, so the
// workflow uses them without loading the policy's zod schema.

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
