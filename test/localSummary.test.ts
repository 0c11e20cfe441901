import { describe, expect, it } from 'vitest';
import { summarizeLocally } from '../src/ai/local/summary';
import type { EscalationRequest } from '../src/ai/supportAI';
import { isWellFormedText } from '../src/domain/text';
import type { TranscriptMessage } from '../src/domain/ticket';

// The local handoff summary on conversations that are not in eval/conversations.jsonl.
const opened = Date.UTC(2026, 10, 3, 14, 30);
let seq = 0;
// The opening message is the ticket's creation; every later one a minute apart.
const said = (author: TranscriptMessage['author'], body: string): TranscriptMessage => ({
  id: `t:${author}:${++seq}`,
  author,
  body,
  at: seq === 1 ? opened : opened + seq * 60_000,
});
const conversation = (...messages: [TranscriptMessage['author'], string][]) => {
  seq = 0;
  return messages.map(([author, body]) => said(author, body));
};
const localReply = (title: string, step: string, page = '') =>
  `Hi,\n\n${page ? `${page}\n\n` : ''}Here is how to do this:\n\n${step} It usually takes a minute.\n\nMore detail: "${title}".\n\nIf anything is unclear, just reply here.`;

function request(transcript: TranscriptMessage[], over: Partial<EscalationRequest> = {}): EscalationRequest {
  return {
    ticket: { ticketId: 't', channel: 'chat', subject: 'Help', body: transcript[0]!.body, openedAt: opened, ...over.ticket },
    transcript,
    classification: null,
    enrichment: null,
    reasons: [{ code: 'unresolved_after_turns', detail: 'still unresolved after 2 AI replies' }],
    ...over,
  };
}

describe('local handoff summary', () => {
  it.each([
    [
      'en',
      'The report export hangs at 90%.',
      'Still hanging. I already restarted my laptop and cleared the browser cache.',
      'restarted my laptop',
    ],
    ['fr', "L'export du rapport bloque à 90 %.", "Toujours bloqué. J'ai déjà redémarré l'ordinateur.", "redémarré l'ordinateur"],
    ['de', 'Der Export hängt bei 90 %.', 'Leider immer noch. Ich habe den Browser schon neu gestartet.', 'Browser schon neu gestartet'],
    ['es', 'La exportación se queda en 90 %.', 'Sigue igual. Ya reinicié el ordenador.', 'reinicié el ordenador'],
  ])('%s: keeps what the customer says they tried, in their words', (_language, opening, later, attempt) => {
    const transcript = conversation(
      ['customer', opening],
      ['ai', localReply('Export your data to CSV', 'Open Reports and choose Export.')],
      ['customer', later],
    );
    const summary = summarizeLocally(request(transcript));
    expect(summary.alreadyTried.some((t) => t.startsWith('Customer said:') && t.includes(attempt))).toBe(true);
    expect(summary.customerNeeds).toBe(opening);
  });

  it('lists each step given once, by article, without greetings or page preambles', () => {
    const page = "I can see you're on the Sign in page (account).";
    const transcript = conversation(
      ['customer', 'The reset email never arrives.'],
      ['ai', localReply('Reset your password', 'Open the sign-in page and choose "Forgot password".', page)],
      ['customer', 'Nothing yet.'],
      ['ai', localReply('Reset your password', 'Open the sign-in page and choose "Forgot password".', page)],
      ['agent', 'Hello,\n\nI have sent you a new link from our side. Please check again in five minutes.'],
      ['customer', 'Still nothing.'],
    );
    const { alreadyTried } = summarizeLocally(request(transcript));
    expect(alreadyTried).toEqual([
      'AI suggested (article "Reset your password"): Open the sign-in page and choose "Forgot password". (sent 2 times)',
      'Agent suggested: I have sent you a new link from our side.',
    ]);
    expect(alreadyTried.join('\n')).not.toMatch(/^Hi|I can see you're on/m);
  });

  it('lists every issue of a multi-issue ticket and drops what is only status', () => {
    const transcript = conversation(
      ['customer', 'Two things: our calendar sync stopped, and how do we add 3 seats?'],
      ['ai', localReply('Invite teammates to your workspace', 'Open Settings → Members and choose "Invite".')],
      ['customer', 'Thanks for the seats answer, but the calendar sync is still broken.'],
    );
    const summary = summarizeLocally(request(transcript));
    expect(summary.customerNeeds).toBe('(1) our calendar sync stopped; (2) how do we add 3 seats?');
    expect(summary.alreadyTried.at(-1)).toMatch(/^Settled, in the customer's words: Thanks for the seats answer/);
  });

  it('gives the page context in one line with its state, and says when it was captured', () => {
    const pageContext = {
      pageTitle: 'Import contacts',
      productArea: 'data',
      state: { jobId: 'imp_9', progress: '61%', status: 'failed' },
    };
    const first = summarizeLocally(request(conversation(['customer', 'My import failed.']), { ticket: { ...base, pageContext } }));
    expect(first.pageContext).toBe('Import contacts · area data · state: job id imp_9, progress 61%, status failed');
    const later = summarizeLocally(
      request(conversation(['customer', 'My import failed.'], ['ai', 'Hi,\n\nTry again.'], ['customer', 'It failed again.']), {
        ticket: { ...base, pageContext },
      }),
    );
    expect(later.pageContext).toMatch(/^As captured with the first message \(2026-11-03 14:30 UTC\): Import contacts/);
  });

  it('after a reopen, is about the new message, not the settled question', () => {
    const transcript = conversation(
      ['customer', 'How do I reset my password?'],
      ['ai', localReply('Reset your password', 'Open the sign-in page and choose "Forgot password".')],
      ['customer', 'Found it, thanks!'],
      ['customer', 'Hi again, our invoice shows last year’s VAT number. Can a person correct it?'],
    );
    const reopenedBy = transcript[3]!.id;
    const summary = summarizeLocally(
      request(transcript, {
        ticket: { ...base, body: transcript[0]!.body, reopenedBy },
        reasons: [{ code: 'customer_requested_human', detail: 'the customer asked for a person' }],
      }),
    );
    expect(summary.customerNeeds).toBe('our invoice shows last year’s VAT number.');
    expect(summary.customerNeeds).not.toMatch(/password/i);
    expect(summary.alreadyTried).toEqual([]);
    expect(summary.whyEscalated).toBe('The customer asked for a person.');
    expect(summary.suggestedNextStep).toMatch(/resolved before/);
  });

  it('cuts long text between words and graphemes', () => {
    const long = `${'Our export fails every night with a timeout and nobody can say why '.repeat(12)}👩‍👩‍👧‍👦`;
    const summary = summarizeLocally(request(conversation(['customer', long])));
    expect(summary.customerNeeds.length).toBeLessThanOrEqual(500);
    expect(summary.customerNeeds.endsWith('…')).toBe(true);
    expect(summary.customerNeeds).toMatch(/\p{L}…$/u);
    expect(isWellFormedText(summary.customerNeeds)).toBe(true);
  });
});

const base = { ticketId: 't', channel: 'chat', subject: 'Help', body: 'My import failed.', openedAt: opened };
