import type { Enrichment } from './enrichment';
import { quadrantOf, type RoutingPolicy } from './policy';
import type { Classification, HandlingMode } from './ticket';
import { hardTriggersAtTriage, type Trigger } from './escalation';

export interface RouteDecision {
  mode: HandlingMode;
  quadrant: string;
  /** Hard triggers that forced a human, if any. */
  triggers: Trigger[];
  reasons: string[];
}

const strictness: Record<HandlingMode, number> = { ai_auto: 0, ai_review: 1, human: 2 };
const stricter = (a: HandlingMode, b: HandlingMode): HandlingMode => (strictness[a] >= strictness[b] ? a : b);

/**
 * The policy alone decides how a ticket is handled: the complexity × repeatability quadrant
 * sets the mode, review categories and tier overrides can only make it stricter, and any
 * hard trigger hands the ticket to a human. Nothing in the ticket's text can relax this.
 */
export function route(classification: Classification, enrichment: Enrichment, policy: RoutingPolicy): RouteDecision {
  const quadrant = quadrantOf(classification.complexity, classification.repeatability);
  let mode: HandlingMode = policy.quadrants[quadrant] ?? 'human';
  const reasons = [`quadrant ${quadrant} → ${mode}`];
  if (policy.reviewCategories.includes(classification.issueType) && mode === 'ai_auto') {
    mode = 'ai_review';
    reasons.push(`${classification.issueType} is reviewed by policy`);
  }
  const segment = enrichment.tier ? policy.segments[enrichment.tier] : undefined;
  if (segment?.minimumMode && stricter(mode, segment.minimumMode) !== mode) {
    mode = segment.minimumMode;
    reasons.push(`${enrichment.tier} tier needs at least ${segment.minimumMode}`);
  }
  const triggers = hardTriggersAtTriage(classification, policy);
  if (triggers.length > 0) {
    mode = 'human';
    reasons.push(...triggers.map((t) => `${t.code}: ${t.detail}`));
  }
  return { mode, quadrant, triggers, reasons };
}
