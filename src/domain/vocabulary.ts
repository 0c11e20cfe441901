/**
 * The words of Tandem's domain as plain values. The zod schemas in src/schemas/ (API, AI
 * output, policy) and the database's text enums are built from these, and workflow code uses
 * them directly: a workflow bundle must not load zod,
 * because the SDK instantiates every module a workflow imports once per cached workflow, and
 * zod alone costs about 2.5 MB of heap each time (measured; see BENCHMARKS.md).
 */
export const channels = ['chat', 'email', 'api', 'widget'] as const;
export const issueTypes = ['billing', 'technical', 'account', 'how_to', 'feature_request', 'security', 'other'] as const;
export const complexities = ['low', 'medium', 'high'] as const;
export const repeatabilities = ['repeatable', 'semi', 'unique'] as const;
export const urgencies = ['low', 'medium', 'high', 'critical'] as const;
export const sentiments = ['positive', 'neutral', 'negative', 'frustrated'] as const;
export const ticketStatuses = [
  'triaging',
  'drafting',
  'awaiting_review',
  'awaiting_customer',
  'escalated',
  'human_handling',
  'resolved',
  'closed',
] as const;
export const handlingModes = ['ai_auto', 'ai_review', 'human'] as const;
export const resolutionModes = ['ai_only', 'ai_plus_human', 'human_only'] as const;
export const messageAuthors = ['customer', 'ai', 'agent', 'system'] as const;
/**
 * What a customer's reply says about their issue: `partially_resolved` (one part works, another
 * does not) and `new_question` (the first issue is settled, something else is asked) came later,
 * so they follow the first four.
 */
export const replyVerdicts = ['resolved', 'unresolved', 'wants_human', 'unclear', 'partially_resolved', 'new_question'] as const;
/** The sentiments a policy may name as "too unhappy for the AI". */
export const escalatingSentiments = ['negative', 'frustrated'] as const;
export const planChangeKinds = ['upgrade', 'downgrade', 'cancellation', 'renewal'] as const;
export const tiers = ['free', 'pro', 'enterprise'] as const;
export const priorityLevels = ['P1', 'P2', 'P3', 'P4'] as const;
/** Why an agent rated an AI answer down (a fixed vocabulary, so reports can count them). */
export const feedbackReasons = [
  'wrong_answer',
  'incomplete',
  'tone',
  'policy_violation',
  'hallucinated_link',
  'should_have_escalated',
  'should_not_have_escalated',
  'other',
] as const;
export const feedbackRatings = ['up', 'down'] as const;

export type Channel = (typeof channels)[number];
export type IssueType = (typeof issueTypes)[number];
export type Complexity = (typeof complexities)[number];
export type Repeatability = (typeof repeatabilities)[number];
export type Urgency = (typeof urgencies)[number];
export type Sentiment = (typeof sentiments)[number];
export type TicketStatus = (typeof ticketStatuses)[number];
export type HandlingMode = (typeof handlingModes)[number];
export type ResolutionMode = (typeof resolutionModes)[number];
export type MessageAuthor = (typeof messageAuthors)[number];
export type ReplyVerdict = (typeof replyVerdicts)[number];
export type EscalatingSentiment = (typeof escalatingSentiments)[number];
export type PlanChangeKind = (typeof planChangeKinds)[number];
export type Tier = (typeof tiers)[number];
export type PriorityLevel = (typeof priorityLevels)[number];
export type FeedbackReason = (typeof feedbackReasons)[number];
export type FeedbackRating = (typeof feedbackRatings)[number];
