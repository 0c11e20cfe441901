import { customerTexts, findInjection } from '../domain/injection';
import { z } from 'zod';
import type { TicketForAI } from '../domain/aiView';
import type { Enrichment } from '../domain/enrichment';
import { draftConfidenceTrigger, routedToHumanTrigger, triggersAfterReply, type Trigger } from '../domain/escalation';
import type { RoutingPolicy } from '../domain/policy';
import { foldText, gratitudeIn, keepsResolved } from '../domain/replies';
import { triageDecision } from '../domain/routing';
import type { Classification, EscalationSummary, ReplyAssessment, TranscriptMessage } from '../domain/ticket';
import { PageContext } from '../schemas/ticket';
import { Channel, ReplyVerdict } from '../schemas/vocabulary';
import { withRetries } from './evaluation';
import type { SupportAI } from './supportAI';

/** One labelled conversation of eval/conversations.jsonl (see eval/LABELLING.md). */
export const ConversationCase = z.strictObject({
  id: z.string().min(1),
  customerId: z.string().nullable(),
  channel: Channel,
  subject: z.string(),
  pageContext: PageContext.optional(),
  turns: z
    .array(
      z.strictObject({
        author: z.enum(['customer', 'ai', 'agent']),
        body: z.string().min(1),
        /** What the turn says about the issue; every customer turn after the first has one. */
        expect: ReplyVerdict.optional(),
      }),
    )
    .min(1)
    .refine((turns) => turns[0]?.author === 'customer', 'a conversation opens with the customer'),
  /** The customer turn (1 = the opening) after which a person should have the ticket, or null. */
  escalateAt: z.number().int().min(1).nullable(),
  facts: z
    .strictObject({
      needs: z.array(z.string()),
      tried: z.array(z.string()),
      page: z.array(z.string()),
      /** Needs from before a reopen that the handoff must no longer present as the need. */
      notNeeds: z.array(z.string()).optional(),
    })
    .optional(),
  tags: z.array(z.string()),
});
export type ConversationCase = z.infer<typeof ConversationCase>;

export function parseConversations(jsonl: string): ConversationCase[] {
  return jsonl
    .split('\n')
    .map((line, i) => [line.trim(), i + 1] as const)
    .filter(([line]) => line !== '')
    .map(([line, n]) => {
      const result = ConversationCase.safeParse(JSON.parse(line));
      if (!result.success) throw new Error(`conversation set line ${n}: ${z.prettifyError(result.error)}`);
      const item = result.data;
      const customers = item.turns.filter((t) => t.author === 'customer');
      if (customers.slice(1).some((t) => t.expect === undefined)) throw new Error(`conversation ${item.id}: a customer turn has no expect`);
      if (item.escalateAt !== null && item.escalateAt > customers.length)
        throw new Error(`conversation ${item.id}: escalateAt past the end`);
      return item;
    });
}

/** One customer reply as the provider read it, against its label. */
export interface ReplyResult {
  turn: number;
  expected: ReplyAssessment['verdict'];
  predicted: ReplyAssessment['verdict'];
  /** The reply thanks someone (domain/replies): gratitude must never read as unresolved. */
  thanks: boolean;
}

export interface ConversationResult {
  id: string;
  tags: string[];
  replies: ReplyResult[];
  expectedEscalation: number | null;
  predictedEscalation: number | null;
  /** The triggers of the replay's escalation, for reading a wrong one. */
  predictedReasons: string[];
  /** The handoff written at the labelled turn, when the conversation has facts to check. */
  summary: EscalationSummary | null;
}

// Times in the replayed transcript: a minute between turns, the opening at the ticket's creation.
const OPENED_AT = Date.UTC(2026, 10, 2, 9, 0);
const turnAt = (index: number) => OPENED_AT + index * 60_000;

/** The transcript of the first `count` turns, as the workflow keeps it. */
function transcriptOf(item: ConversationCase, count: number): TranscriptMessage[] {
  return item.turns.slice(0, count).map((t, i) => ({
    id: `${item.id}:${i}`,
    author: t.author,
    body: t.body,
    at: turnAt(i),
    ...(t.author === 'agent' ? { agentId: 'agent-eval' } : {}),
  }));
}

/** Index in `turns` of each customer turn (customer turn n is at `positions[n - 1]`). */
const customerPositions = (item: ConversationCase) => item.turns.flatMap((t, i) => (t.author === 'customer' ? [i] : []));

/**
 * Where a labelled conversation reopened: the first customer turn after one labelled resolved
 * that does not merely close it (the workflow's own rule, domain/replies).
 */
function labelledReopen(item: ConversationCase, upTo: number): number | null {
  const positions = customerPositions(item);
  let resolved = false;
  let reopen: number | null = null;
  for (let n = 2; n <= upTo; n++) {
    const turn = item.turns[positions[n - 1]!]!;
    if (resolved && !keepsResolved(turn.body)) {
      reopen = positions[n - 1]!;
      resolved = false;
    }
    if (turn.expect === 'resolved') resolved = true;
  }
  return reopen;
}

export interface ConversationRunOptions {
  ai: SupportAI;
  policy: RoutingPolicy;
  enrichmentFor: (customerId: string | null) => Promise<Enrichment>;
}

/**
 * Replays one conversation through the provider and the domain's own decisions, as the ticket
 * workflow would take them: triage and the first draft's confidence at the opening, then for
 * each customer reply the assessment, the escalation triggers, resolution, a thanks that keeps
 * a resolved ticket resolved, a reopen, and the next draft's confidence. The AI's replies are the
 * recorded ones, so every provider is judged on the same conversation.
 */
export async function replayConversation(item: ConversationCase, options: ConversationRunOptions): Promise<ConversationResult> {
  const { ai, policy } = options;
  const enrichment = await options.enrichmentFor(item.customerId);
  const positions = customerPositions(item);
  const opening = item.turns[0]!.body;
  const ticket = (reopenedBy?: string): TicketForAI => ({
    ticketId: `eval-${item.id}`,
    channel: item.channel,
    subject: item.subject,
    body: opening,
    ...(item.pageContext ? { pageContext: item.pageContext } : {}),
    openedAt: OPENED_AT,
    ...(reopenedBy ? { reopenedBy } : {}),
  });
  const classification: Classification = await withRetries(() => ai.classify(ticket()));
  const draftTrigger = async (transcript: TranscriptMessage[], turn: number, reopenedBy?: string): Promise<Trigger[]> => {
    const draft = await withRetries(() => ai.draftReply({ ticket: ticket(reopenedBy), transcript, classification, enrichment, turn }));
    return draftConfidenceTrigger(draft.confidence, policy, enrichment.tier);
  };

  let escalatedAt: number | null = null;
  let escalationTriggers: Trigger[] = [];
  const decision = triageDecision(
    classification,
    enrichment,
    policy,
    findInjection(customerTexts({ subject: item.subject, body: opening })),
  );
  escalationTriggers = decision.escalateWith.length > 0 ? decision.escalateWith : await draftTrigger(transcriptOf(item, 1), 1);
  if (escalationTriggers.length > 0) escalatedAt = 1;

  let aiTurns = 1;
  let resolved = false;
  let reopenedBy: string | undefined;
  const replies: ReplyResult[] = [];
  for (let n = 2; n <= positions.length; n++) {
    const position = positions[n - 1]!;
    const turn = item.turns[position]!;
    const transcript = transcriptOf(item, position + 1);
    const assessment = await withRetries(() => ai.assessReply(turn.body, transcript, `eval-${item.id}`));
    replies.push({ turn: n, expected: turn.expect!, predicted: assessment.verdict, thanks: gratitudeIn(foldText(turn.body)) > 0 });
    if (escalatedAt !== null) continue;
    if (resolved) {
      if (keepsResolved(turn.body)) continue;
      resolved = false;
      aiTurns = 0;
      reopenedBy = transcript[position]!.id;
    }
    const triggers = triggersAfterReply(assessment, aiTurns, policy);
    if (triggers.length > 0) {
      [escalatedAt, escalationTriggers] = [n, triggers];
      continue;
    }
    if (assessment.verdict === 'resolved') {
      resolved = true;
      continue;
    }
    const lowConfidence = await draftTrigger(transcript, aiTurns + 1, reopenedBy);
    if (lowConfidence.length > 0) [escalatedAt, escalationTriggers] = [n, lowConfidence];
    else aiTurns++;
  }

  return {
    id: item.id,
    tags: item.tags,
    replies,
    expectedEscalation: item.escalateAt,
    predictedEscalation: escalatedAt,
    predictedReasons: escalatedAt === null ? [] : escalationTriggers.map((t) => `${t.code}: ${t.detail}`),
    summary: item.facts ? await handoffAtLabel(item, options, classification, enrichment, escalatedAt, escalationTriggers) : null,
  };
}

/**
 * The handoff as it would be written at the labelled turn, so its completeness is judged apart
 * from whether the escalation came at the right time: the transcript up to that turn, the
 * labelled reopen, and the triggers of the replay when it escalated there.
 */
async function handoffAtLabel(
  item: ConversationCase,
  options: ConversationRunOptions,
  classification: Classification,
  enrichment: Enrichment,
  escalatedAt: number | null,
  triggers: Trigger[],
): Promise<EscalationSummary> {
  const positions = customerPositions(item);
  const turn = item.escalateAt ?? positions.length;
  const transcript = transcriptOf(item, positions[turn - 1]! + 1);
  const reopen = labelledReopen(item, turn);
  const reasons = (escalatedAt === turn ? triggers : [routedToHumanTrigger(['a person takes the ticket at this turn'])]).map(
    ({ code, detail }) => ({ code, detail }),
  );
  return withRetries(() =>
    options.ai.summarizeEscalation({
      ticket: {
        ticketId: `eval-${item.id}`,
        channel: item.channel,
        subject: item.subject,
        body: item.turns[0]!.body,
        ...(item.pageContext ? { pageContext: item.pageContext } : {}),
        openedAt: OPENED_AT,
        ...(reopen !== null ? { reopenedBy: transcript[reopen]!.id } : {}),
      },
      transcript,
      classification,
      enrichment,
      reasons,
    }),
  );
}

/** Replays every conversation, one at a time (the local provider shares one database). */
export async function runConversationEvaluation(
  cases: ConversationCase[],
  options: ConversationRunOptions & { onProgress?: (done: number, total: number) => void },
): Promise<ConversationResult[]> {
  const results: ConversationResult[] = [];
  for (const item of cases) {
    results.push(await replayConversation(item, options));
    options.onProgress?.(results.length, cases.length);
  }
  return results;
}
