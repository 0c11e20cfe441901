import { cutText } from './text';
import type { PageContext, TranscriptMessage } from './ticket';
import type { TicketState, TimelineEvent } from './ticketState';

/** The ticket as the AI sees it. Its text is data to reason about, never instructions. */
export interface TicketForAI {
  ticketId: string;
  channel: string;
  subject: string;
  body: string;
  pageContext?: PageContext | undefined;
  /** When the ticket was opened (epoch ms), and so when its page context was captured. */
  openedAt?: number;
  /** The customer message that last reopened the resolved ticket: what matters now starts there. */
  reopenedBy?: string;
}

/** What the AI is shown of a ticket: its words, where the customer was and since when, and the last reopen. */
export function ticketForAI(s: TicketState): TicketForAI {
  const t = s.ticket;
  const reopenedBy = reopeningMessage(s.timeline);
  return {
    ticketId: s.ticketId,
    channel: t.channel,
    subject: t.subject,
    body: t.body,
    pageContext: t.pageContext,
    openedAt: t.createdAt,
    ...(reopenedBy ? { reopenedBy } : {}),
  };
}

/** The id of the customer message that last reopened the ticket, when it was ever reopened. */
export function reopeningMessage(timeline: TimelineEvent[]): string | undefined {
  const reopen = timeline.findLastIndex((e) => e.type === 'reopened');
  if (reopen < 0) return undefined;
  // A reopen is recorded right after the customer message that caused it.
  for (let i = reopen - 1; i >= 0; i--) {
    const e = timeline[i]!;
    if (e.type === 'customer_message' && typeof e.data?.messageId === 'string') return e.data.messageId;
  }
  return undefined;
}

/**
 * The conversation a reply or a handoff is about: from the message that reopened the ticket (all
 * of it when it never was), and what came before. A reopening message no longer in the kept
 * transcript came before everything kept.
 */
export function splitAtReopen(
  transcript: TranscriptMessage[],
  reopenedBy: string | undefined,
): { earlier: TranscriptMessage[]; current: TranscriptMessage[] } {
  const at = reopenedBy === undefined ? -1 : transcript.findIndex((m) => m.id === reopenedBy);
  return at < 0 ? { earlier: [], current: transcript } : { earlier: transcript.slice(0, at), current: transcript.slice(at) };
}

/** Where the customer was, and whether that is still where they are. */
export interface PageView {
  context: PageContext;
  capturedAt: number | undefined;
  /** The message being answered came with this context; any later message did not. */
  current: boolean;
}

/**
 * A page context is captured with the opening message only, so for any later message (a reply,
 * a reopen) it is where the customer was then, not where they are now.
 */
export function pageViewFor(ticket: Pick<TicketForAI, 'pageContext' | 'openedAt'>, answering?: TranscriptMessage): PageView | null {
  const context = ticket.pageContext;
  if (!context || Object.values(context).every((v) => v === undefined)) return null;
  const current = ticket.openedAt === undefined || answering === undefined || answering.at <= ticket.openedAt;
  return { context, capturedAt: ticket.openedAt, current };
}

/** "invoiceId" → "invoice id", "failures_24h" → "failures 24h": state keys as an agent reads them. */
const keyWords = (key: string) =>
  key
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)/g, '$1 $2')
    .replace(/[_\-.]+/g, ' ')
    .toLowerCase()
    .trim();

function valueText(value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (typeof value === 'string') return cutText(value.replace(/\s+/g, ' ').trim(), 80, { ellipsis: true, atWord: true });
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null)) return cutText(value.map(valueText).join(', '), 80);
  return cutText(JSON.stringify(value), 80, { ellipsis: true });
}

/** Every state value the page reported, as "key value" pairs an agent or a customer can read. */
export function stateFacts(page: PageContext): { key: string; words: string; value: string }[] {
  return Object.entries(page.state ?? {}).map(([key, value]) => ({ key, words: keyWords(key), value: valueText(value) }));
}

/** A UTC time to the minute, as a person reads it in a handoff or a reply. */
export const readableTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * Every field of a page context in one line (title, area, address, state keys and values,
 * recent actions), cut between words. When it is not current, the line starts with when it was
 * captured, so nobody takes it for where the customer is now.
 */
export function pageContextLine(view: PageView, max = 400): string {
  const { context: page } = view;
  const state = stateFacts(page).map((f) => `${f.words} ${f.value}`);
  const parts = [
    page.pageTitle,
    page.productArea && `area ${page.productArea}`,
    page.pageUrl,
    state.length > 0 && `state: ${state.join(', ')}`,
    page.recentActions?.length && `recent: ${page.recentActions.join(' → ')}`,
  ].filter((p): p is string => typeof p === 'string' && p !== '');
  const when = view.current
    ? ''
    : `As captured with the first message${view.capturedAt === undefined ? '' : ` (${readableTime(view.capturedAt)})`}: `;
  return cutText(`${when}${parts.join(' · ')}`, max, { ellipsis: true, atWord: true });
}
