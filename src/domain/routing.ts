import type { Enrichment } from './enrichment';
import { quadrantOf, type RoutingPolicy } from './policy';
import type { Classification, HandlingMode } from './ticket';
import { aiFailedTrigger, hardTriggersAtTriage, routedToHumanTrigger, softTriggersAtTriage, type Trigger } from './escalation';
import type { InjectionFinding } from './injection';

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
export function route(
  classification: Classification,
  enrichment: Enrichment,
  policy: RoutingPolicy,
  /** Where the customer's text addresses the AI (findInjection): a person reviews the reply. */
  injection: InjectionFinding[] = [],
): RouteDecision {
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
  // Without the CRM the segment is unknown: an enterprise customer's overrides must not be lost
  // to an outage, so a person reviews.
  if (mode === 'ai_auto' && enrichment.gaps.some((g) => g.source === 'crm')) {
    mode = 'ai_review';
    reasons.push('the CRM did not answer, so the tier is unknown: a person reviews the reply');
  }
  if (mode === 'ai_auto' && injection.length > 0) {
    mode = 'ai_review';
    reasons.push(`the ticket text addresses the AI (${injection.map((f) => f.field).join(', ')}): a person reviews the reply`);
  }
  const triggers = hardTriggersAtTriage(classification, policy, enrichment.tier);
  if (triggers.length > 0) {
    mode = 'human';
    reasons.push(...triggers.map((t) => `${t.code}: ${t.detail}`));
  }
  return { mode, quadrant, triggers, reasons };
}

export interface TriageDecision extends RouteDecision {
  /** Every trigger that hands the ticket to a person now, hard and soft; empty when the AI answers. */
  escalateWith: Trigger[];
}

/**
 * The one decision triage makes: how the ticket is handled and whether a person takes it at
 * once, with every trigger that says so. The workflow acts on it and the evaluation scores it.
 * `classificationFailure` (why the AI could not classify) hands the ticket to a person.
 */
export function triageDecision(
  classification: Classification,
  enrichment: Enrichment,
  policy: RoutingPolicy,
  injection: InjectionFinding[],
  classificationFailure: string | null = null,
): TriageDecision {
  const decision = route(classification, enrichment, policy, injection);
  if (classificationFailure !== null) {
    decision.mode = 'human';
    decision.triggers.unshift(aiFailedTrigger('classification', classificationFailure));
  }
  const triggers = [...decision.triggers, ...softTriggersAtTriage(classification, policy)];
  const escalateWith = triggers.length > 0 ? triggers : decision.mode === 'human' ? [routedToHumanTrigger(decision.reasons)] : [];
  return { ...decision, escalateWith };
}
