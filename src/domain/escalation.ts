import type { Tier } from './enrichment';
import { thresholdsFor, type RoutingPolicy } from './policy';
import type { Classification, ReplyAssessment, Sentiment } from './ticket';

export const escalationReasons = [
  'customer_requested_human',
  'low_classification_confidence',
  'low_draft_confidence',
  'human_only_category',
  // The policy's quadrant or the customer's segment gives the ticket to a person from the start.
  'routed_to_human',
  'frustrated_customer',
  'unresolved_after_turns',
  'draft_failed',
  // The AI failed after its retries: a person takes the ticket rather than leave it stuck.
  'classification_failed',
  'assessment_failed',
  // The database refused what the ticket tried to record: a person checks what the customer saw.
  'persistence_failed',
  // A reply never reached the customer after its last delivery attempt: a person reaches them.
  'delivery_failed',
] as const;
export type EscalationReason = (typeof escalationReasons)[number];

export interface Trigger {
  code: EscalationReason;
  kind: 'hard' | 'soft';
  detail: string;
}

/** Whether a sentiment is at or past the policy's level (`frustrated` unless it says `negative`). */
function tooUnhappy(sentiment: Sentiment, policy: RoutingPolicy): boolean {
  if (!policy.triggers.frustratedSentiment) return false;
  return sentiment === 'frustrated' || (policy.triggers.sentimentLevel === 'negative' && sentiment === 'negative');
}

const unhappy = (sentiment: Sentiment): Trigger => ({
  code: 'frustrated_customer',
  kind: 'soft',
  detail: sentiment === 'frustrated' ? 'the customer is frustrated' : `the customer is ${sentiment}`,
});

/** Triggers that decide at triage, before the AI writes anything. */
export function hardTriggersAtTriage(c: Classification, policy: RoutingPolicy, tier: Tier | null = null): Trigger[] {
  const out: Trigger[] = [];
  if (policy.triggers.customerRequestsHuman && c.requestsHuman) {
    out.push({ code: 'customer_requested_human', kind: 'hard', detail: 'the customer asked for a person' });
  }
  const { classificationConfidence } = thresholdsFor(policy, tier);
  if (policy.triggers.lowConfidence && c.confidence < classificationConfidence) {
    out.push({
      code: 'low_classification_confidence',
      kind: 'hard',
      detail: `classification confidence ${c.confidence.toFixed(2)} < ${classificationConfidence}`,
    });
  }
  if (policy.triggers.humanOnlyCategory && policy.humanOnlyCategories.includes(c.issueType)) {
    out.push({ code: 'human_only_category', kind: 'hard', detail: `${c.issueType} tickets are human-only` });
  }
  return out;
}

/** Soft triggers at triage: the ticket may be answerable, but a person should take it. */
export function softTriggersAtTriage(c: Classification, policy: RoutingPolicy): Trigger[] {
  return tooUnhappy(c.sentiment, policy) ? [unhappy(c.sentiment)] : [];
}

export function draftConfidenceTrigger(confidence: number, policy: RoutingPolicy, tier: Tier | null = null): Trigger[] {
  const { draftConfidence } = thresholdsFor(policy, tier);
  return policy.triggers.lowConfidence && confidence < draftConfidence
    ? [{ code: 'low_draft_confidence', kind: 'hard', detail: `draft confidence ${confidence.toFixed(2)} < ${draftConfidence}` }]
    : [];
}

/** Re-evaluated after every customer message while the AI is handling the ticket. */
export function triggersAfterReply(assessment: ReplyAssessment, aiTurns: number, policy: RoutingPolicy): Trigger[] {
  const out: Trigger[] = [];
  if (policy.triggers.customerRequestsHuman && assessment.verdict === 'wants_human') {
    out.push({ code: 'customer_requested_human', kind: 'hard', detail: 'the customer asked for a person' });
  }
  if (tooUnhappy(assessment.sentiment, policy)) out.push(unhappy(assessment.sentiment));
  const limit = policy.triggers.unresolvedAfterTurns;
  // A new question means the AI settled the first one: it is answered, not counted against the AI.
  const settled = assessment.verdict === 'resolved' || assessment.verdict === 'new_question';
  if (limit.enabled && !settled && aiTurns >= limit.turns) {
    out.push({
      code: 'unresolved_after_turns',
      kind: 'soft',
      detail: `still unresolved after ${aiTurns} AI replies`,
    });
  }
  return out;
}

/** The policy timeout after the last allowed AI reply passed with no resolution. */
export function unresolvedTimeoutTrigger(aiTurns: number): Trigger {
  return {
    code: 'unresolved_after_turns',
    kind: 'soft',
    detail: `no resolution within the timeout after ${aiTurns} AI replies`,
  };
}

/** The AI failed or ran past its deadline at some step: a person takes the ticket, saying why. */
export function aiFailedTrigger(step: 'classification' | 'draft' | 'assessment', why: string): Trigger {
  const code = step === 'classification' ? 'classification_failed' : step === 'draft' ? 'draft_failed' : 'assessment_failed';
  const what = step === 'classification' ? 'classify the ticket' : step === 'draft' ? 'draft a reply' : "read the customer's reply";
  return { code, kind: 'hard', detail: `the AI could not ${what}: ${why}` };
}

/** A write the database refused: the read model may lack part of this ticket. */
export function persistenceFailedTrigger(why: string): Trigger {
  return { code: 'persistence_failed', kind: 'hard', detail: `the database refused part of this ticket's record: ${why}` };
}

/** A message to the customer failed after its last attempt. */
export function deliveryFailedTrigger(why: string): Trigger {
  return { code: 'delivery_failed', kind: 'hard', detail: `a reply could not be delivered to the customer: ${why}` };
}

/** The policy gave the ticket to a person with no trigger of its own: the reasons say why. */
export function routedToHumanTrigger(reasons: string[]): Trigger {
  return { code: 'routed_to_human', kind: 'hard', detail: reasons.join('; ') };
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const sentence = (text: string) => capitalised(text.trim()).replace(/([^.!?])$/, '$1.');

/** "quadrant medium/unique → human" as a person says it. */
const plainRoute = (detail: string) =>
  detail.replace(
    /quadrant (\w+)\/(\w+) → (\w+)/g,
    (_, complexity: string, repeatability: string, mode: string) =>
      `${complexity} complexity and ${repeatability === 'semi' ? 'partly repeatable' : repeatability} (${mode === 'human' ? 'a person' : mode})`,
  );

const plainReason: Partial<Record<EscalationReason, (detail: string) => string>> = {
  customer_requested_human: () => 'The customer asked for a person.',
  low_classification_confidence: (d) => `The AI could not tell what kind of issue this is (${d}).`,
  low_draft_confidence: (d) => `The AI's answer was too unsure to send (${d}).`,
  human_only_category: (d) => `Policy: ${d}.`,
  routed_to_human: (d) => `The routing policy gives this ticket to a person: ${plainRoute(d)}.`,
};

/** Why a person has the ticket, in words an agent reads at a glance; every handoff says it this way. */
export function whyInPlainWords(reasons: { code: string; detail: string }[]): string {
  const lines = reasons.map(({ code, detail }) => {
    const plain = (escalationReasons as readonly string[]).includes(code) ? plainReason[code as EscalationReason] : undefined;
    return plain ? plain(detail) : sentence(detail);
  });
  return [...new Set(lines)].join(' ') || 'Escalated by policy.';
}
