import { pageContextLine, pageViewFor, splitAtReopen, type TicketForAI } from '../domain/aiView';
import type { Enrichment } from '../domain/enrichment';
import { cutText } from '../domain/text';
import type { EscalationSummary, TranscriptMessage } from '../domain/ticket';

// What the OpenAI provider puts in front of the model, and how it tidies the answer: the
// customer's text inside escaped tags, the reopen marked, the page context with when it was
// captured, and every field of a handoff cut between words.

/** Customer text goes inside tags and is escaped, so it cannot close the block and pose as us. */
export const data = (tag: string, value: unknown) =>
  `<${tag}>\n${(typeof value === 'string' ? value : JSON.stringify(value, null, 1)).replaceAll('<', '‹').replaceAll('>', '›')}\n</${tag}>`;

const line = (m: TranscriptMessage) => `[${m.author}${m.agentId ? ` ${m.agentId}` : ''}] ${m.body}`;

/** The transcript, with "--- reopened ---" before the message that reopened a resolved ticket. */
export function transcriptText(transcript: TranscriptMessage[], reopenedBy?: string): string {
  const { earlier, current } = splitAtReopen(transcript, reopenedBy);
  const parts = earlier.length > 0 ? [...earlier.map(line), '--- reopened ---', ...current.map(line)] : current.map(line);
  return parts.join('\n---\n');
}

/** The customer message being answered: the latest since the last reopen. */
export const answering = (transcript: TranscriptMessage[], reopenedBy?: string) =>
  splitAtReopen(transcript, reopenedBy)
    .current.filter((m) => m.author === 'customer')
    .at(-1);

/** The page context as the model sees it: every field, whether it is current, and when it was captured. */
export function pageData(ticket: TicketForAI, transcript: TranscriptMessage[]): unknown {
  const view = pageViewFor(ticket, answering(transcript, ticket.reopenedBy));
  if (!view) return 'none';
  return {
    current: view.current,
    ...(view.capturedAt === undefined ? {} : { capturedAt: new Date(view.capturedAt).toISOString() }),
    ...view.context,
  };
}

export function accountContext(e: Enrichment | null) {
  if (!e) return 'unknown';
  return {
    tier: e.tier,
    plan: e.plan,
    billingStatus: e.billingStatus,
    churnSignal: e.churnSignal,
    openTickets: e.openTickets,
  };
}

const oneLine = (text: string, max: number) => cutText(text.replace(/\s+/g, ' ').trim(), max, { ellipsis: true, atWord: true });

/**
 * The model's handoff, tidied: each field one line, cut between words and graphemes; the steps
 * tried without repeats; the page context the domain's own line (every field, state included,
 * and its capture time when stale), so it never depends on the model keeping them.
 */
export function tidySummary(
  summary: EscalationSummary,
  ticket: TicketForAI,
  transcript: TranscriptMessage[],
  plainWhy: string,
): EscalationSummary {
  const view = pageViewFor(ticket, answering(transcript, ticket.reopenedBy));
  const tried = [...new Set(summary.alreadyTried.map((t) => oneLine(t, 220)).filter((t) => t !== ''))].slice(0, 8);
  return {
    customerNeeds: oneLine(summary.customerNeeds, 500),
    alreadyTried: tried,
    whyEscalated: oneLine(summary.whyEscalated, 400) || plainWhy,
    accountContext: oneLine(summary.accountContext, 300),
    pageContext: view ? pageContextLine(view) : null,
    suggestedNextStep: summary.suggestedNextStep === null ? null : oneLine(summary.suggestedNextStep, 400) || null,
  };
}
