import { pageContextLine, pageViewFor, splitAtReopen } from '../../domain/aiView';
import type { Enrichment } from '../../domain/enrichment';
import { whyInPlainWords } from '../../domain/escalation';
import { cutText } from '../../domain/text';
import type { EscalationSummary, TranscriptMessage } from '../../domain/ticket';
import type { EscalationRequest } from '../supportAI';
import { readCustomer, stepsGiven } from './transcript';

const NEEDS_MAX = 500;
const LINE_MAX = 220;
const TRIED_MAX = 8;

/** The account in one line: name, tier, plan, billing, churn risk, other open tickets. */
export function accountLine(e: Enrichment | null): string {
  if (!e || !e.tier) return 'unknown account';
  const parts = [
    `${e.accountName ?? 'account'}: ${e.tier} tier`,
    e.plan && `plan ${e.plan}`,
    e.billingStatus && `billing ${e.billingStatus}`,
    e.churnSignal && 'churn risk (recent downgrade or cancellation)',
    e.openTickets > 0 && `${e.openTickets} other open tickets`,
  ];
  return cutText(parts.filter(Boolean).join(', '), LINE_MAX, { ellipsis: true, atWord: true });
}

const line = (text: string, max = LINE_MAX) => cutText(text.replace(/\s+/g, ' ').trim(), max, { ellipsis: true, atWord: true });

/**
 * The local provider's handoff: the whole need across the customer's turns since the last reopen
 * (each issue of a multi-issue ticket numbered), the distinct steps the AI or an agent already
 * gave and what the customer says they did, why a person has it in plain words, and the account
 * and page context in one line each.
 */
export function summarizeLocally({ ticket, transcript, classification, enrichment, reasons }: EscalationRequest): EscalationSummary {
  const { earlier, current } = splitAtReopen(transcript, ticket.reopenedBy);
  const reopened = earlier.length > 0 || ticket.reopenedBy !== undefined;
  // The kept transcript may have lost the opening; the ticket still has it.
  const conversation: TranscriptMessage[] =
    !reopened && !current.some((m) => m.author === 'customer' && m.body === ticket.body)
      ? [{ id: 'opening', author: 'customer', body: ticket.body, at: ticket.openedAt ?? 0 }, ...current]
      : current;
  const fromCustomer = conversation.filter((m) => m.author === 'customer');
  const { needs, attempts, settled } = readCustomer(fromCustomer.map((m) => m.body));
  const fallback = classification?.summary || ticket.subject || ticket.body;
  const customerNeeds =
    needs.length === 0
      ? fallback
      : needs.length === 1
        ? needs[0]!
        : needs.map((n, i) => `(${i + 1}) ${n.replace(/[.;,]$/, '')}`).join('; ');

  const steps = stepsGiven(conversation.filter((m) => m.author === 'ai' || m.author === 'agent'));
  const own = [...new Set(attempts)].map((a) => `Customer said: ${a}`);
  const done = settled.map((a) => `Settled, in the customer's words: ${a}`);
  const alreadyTried = [...steps, ...own, ...done].slice(0, TRIED_MAX).map((t) => line(t));

  const latest = fromCustomer.at(-1);
  const page = pageViewFor(ticket, latest);
  const nextStep = [
    reopened && 'The ticket was resolved before; this is what the customer wrote since it reopened.',
    alreadyTried.length > 0
      ? 'Read what was already tried before answering, and do not ask the customer to repeat it.'
      : 'Reply to the customer directly: nothing has been sent yet.',
    page && !page.current && 'The page context is from the first message: ask where they are now if it matters.',
  ].filter((s): s is string => typeof s === 'string');
  return {
    customerNeeds: line(customerNeeds, NEEDS_MAX),
    alreadyTried,
    whyEscalated: line(whyInPlainWords(reasons), 400),
    accountContext: accountLine(enrichment),
    pageContext: page ? pageContextLine(page) : null,
    suggestedNextStep: line(nextStep.join(' '), 400),
  };
}
