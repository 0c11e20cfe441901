import { describe, expect, it } from 'vitest';
import { pageContextLine, pageViewFor, reopeningMessage, splitAtReopen, stateFacts, ticketForAI } from '../src/domain/aiView';
import { triggersAfterReply, whyInPlainWords } from '../src/domain/escalation';
import { initialTicketState } from '../src/domain/initialState';
import { keepsResolved } from '../src/domain/replies';
import type { TranscriptMessage } from '../src/domain/ticket';
import type { TimelineEvent } from '../src/domain/ticketState';
import { defaultPolicy } from '../src/schemas/policy';

describe('keepsResolved: a message on a resolved ticket that only closes it', () => {
  it.each([
    'Found it, thank you!',
    'Thanks again, have a great day!',
    'Thank you!',
    'All good now 👍',
    'Perfect, sorted. Cheers!',
    'No worries, thanks',
    'Merci encore',
    "C'est bon, merci beaucoup",
    'Danke, hat funktioniert!',
    'Super, alles klar, vielen Dank!',
    '¡Gracias, ya funciona!',
    'Listo, muchas gracias',
  ])('"%s" keeps the ticket resolved', (message) => {
    expect(keepsResolved(message)).toBe(true);
  });

  it.each([
    'Sorry, how do I reset the password for my teammate too?',
    'Thanks, but it is broken again',
    'Thanks. I would like to speak to a person about the invoice.',
    'Still not working, thanks anyway',
    'Merci, mais ça ne marche toujours pas',
    'Danke, aber es geht immer noch nicht',
    'Gracias, pero sigue sin funcionar',
    'Hello again, I now want to cancel our subscription',
    'The export fails with an error',
    '',
  ])('"%s" reopens it', (message) => {
    expect(keepsResolved(message)).toBe(false);
  });
});

describe('triggersAfterReply with the later verdicts', () => {
  const after = (verdict: 'new_question' | 'partially_resolved', turns: number) =>
    triggersAfterReply({ verdict, sentiment: 'neutral', confidence: 0.8 }, turns, defaultPolicy).map((t) => t.code);
  it('does not count a new question against the AI, but counts a partial answer', () => {
    expect(after('new_question', 2)).toEqual([]);
    expect(after('partially_resolved', 1)).toEqual([]);
    expect(after('partially_resolved', 2)).toEqual(['unresolved_after_turns']);
  });
});

describe('whyInPlainWords', () => {
  it.each([
    [[{ code: 'customer_requested_human', detail: 'the customer asked for a person' }], 'The customer asked for a person.'],
    [[{ code: 'unresolved_after_turns', detail: 'still unresolved after 2 AI replies' }], 'Still unresolved after 2 AI replies.'],
    [[{ code: 'frustrated_customer', detail: 'the customer is frustrated' }], 'The customer is frustrated.'],
    [
      [{ code: 'low_draft_confidence', detail: 'draft confidence 0.42 < 0.5' }],
      "The AI's answer was too unsure to send (draft confidence 0.42 < 0.5).",
    ],
    [
      [{ code: 'routed_to_human', detail: 'quadrant medium/unique → human' }],
      'The routing policy gives this ticket to a person: medium complexity and unique (a person).',
    ],
    [[], 'Escalated by policy.'],
  ])('%j reads "%s"', (reasons, plain) => {
    expect(whyInPlainWords(reasons)).toBe(plain);
  });
});

const message = (id: string, at: number, author: TranscriptMessage['author'] = 'customer'): TranscriptMessage => ({
  id,
  author,
  body: id,
  at,
});
const event = (seq: number, type: TimelineEvent['type'], data?: Record<string, unknown>): TimelineEvent => ({
  seq,
  at: seq,
  type,
  actor: 'x',
  ...(data ? { data } : {}),
});

describe('where a reopened conversation starts', () => {
  const timeline = [
    event(1, 'customer_message', { messageId: 't:in:a' }),
    event(2, 'status_changed'),
    event(3, 'customer_message', { messageId: 't:in:b' }),
    event(4, 'reopened', { followUps: 1 }),
    event(5, 'customer_message', { messageId: 't:in:c' }),
  ];
  it('is the customer message recorded just before the last reopen', () => {
    expect(reopeningMessage(timeline)).toBe('t:in:b');
    expect(reopeningMessage(timeline.slice(0, 3))).toBeUndefined();
  });

  it('splits the transcript there; a reopen older than the kept transcript keeps all of it', () => {
    const transcript = [message('t:in:a', 1), message('t:out:1', 2, 'ai'), message('t:in:b', 3), message('t:out:2', 4, 'ai')];
    expect(splitAtReopen(transcript, 't:in:b').current.map((m) => m.id)).toEqual(['t:in:b', 't:out:2']);
    expect(splitAtReopen(transcript, 't:in:b').earlier).toHaveLength(2);
    expect(splitAtReopen(transcript, 't:in:gone').current).toHaveLength(4);
    expect(splitAtReopen(transcript, undefined).current).toHaveLength(4);
  });

  it('is part of what the AI is shown of a ticket, with when it was opened', () => {
    const s = initialTicketState({ ticketId: 't', channel: 'chat', subject: 'S', body: 'B', createdAt: 1000 }, 'p');
    expect(ticketForAI(s)).toEqual({ ticketId: 't', channel: 'chat', subject: 'S', body: 'B', pageContext: undefined, openedAt: 1000 });
    s.timeline.push(...timeline);
    expect(ticketForAI(s).reopenedBy).toBe('t:in:b');
  });
});

describe('page context', () => {
  const page = {
    pageUrl: 'https://app.example.com/settings/billing/invoices/INV-5512',
    pageTitle: 'Invoice INV-5512',
    productArea: 'billing',
    state: { invoiceId: 'INV-5512', amountDue: '€6,875.00', seats: 55, failures24h: 3 },
    recentActions: ['opened invoice', 'clicked Download'],
  };
  const opened = Date.UTC(2026, 10, 2, 9, 0);

  it('reads state keys as words and keeps every value', () => {
    expect(stateFacts(page).map((f) => `${f.words}=${f.value}`)).toEqual([
      'invoice id=INV-5512',
      'amount due=€6,875.00',
      'seats=55',
      'failures 24h=3',
    ]);
  });

  it('is current for the message it came with, and says when it was captured for any later one', () => {
    const ticket = { pageContext: page, openedAt: opened };
    const now = pageViewFor(ticket, message('opening', opened))!;
    const later = pageViewFor(ticket, message('later', opened + 3_600_000))!;
    expect(now.current).toBe(true);
    expect(later.current).toBe(false);
    expect(pageContextLine(now)).toBe(
      'Invoice INV-5512 · area billing · https://app.example.com/settings/billing/invoices/INV-5512 · state: invoice id INV-5512, amount due €6,875.00, seats 55, failures 24h 3 · recent: opened invoice → clicked Download',
    );
    expect(pageContextLine(later)).toMatch(/^As captured with the first message \(2026-11-02 09:00 UTC\): Invoice INV-5512 · /);
    expect(pageViewFor({ pageContext: {} }, undefined)).toBeNull();
  });

  it('is cut between words and graphemes', () => {
    const long = pageContextLine({ context: { pageTitle: `${'word '.repeat(30)}👩‍👩‍👧‍👦 end` }, capturedAt: undefined, current: true }, 60);
    expect(long.length).toBeLessThanOrEqual(60);
    expect(long.endsWith('word…')).toBe(true);
  });
});
