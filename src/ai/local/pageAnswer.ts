import { readableTime, stateFacts, type PageView } from '../../domain/aiView';

// How a local draft uses the page the customer was on: where they are (or were, for a later
// message), every state value the page reported, and never a request for something the page
// already told us.

const facts = (view: PageView) => stateFacts(view.context).map((f) => `${f.words} ${f.value}`);

/**
 * The draft's opening about the page. For the message the context came with: "I can see you're
 * on …" with what they just did and what the page shows. For any later message: where they were
 * when they opened the ticket, and when, so a stale page is never presented as the current one.
 */
export function pagePreamble(view: PageView | null, firstTurn: boolean): string | null {
  if (!view) return null;
  const page = view.context;
  const place = page.pageTitle ?? page.productArea ?? page.pageUrl;
  const shown = facts(view);
  if (view.current) {
    if (!place && shown.length === 0) return null;
    const area = page.productArea && page.pageTitle ? ` (${page.productArea})` : '';
    const recent = page.recentActions?.length ? `, and that you just ${page.recentActions.slice(-2).join(' then ')}` : '';
    const where = place ? `I can see you're on the ${place} page${area}${recent}.` : '';
    const state = shown.length > 0 ? ` The page shows ${shown.join(', ')}.` : '';
    return `${where}${state}`.trim();
  }
  // A later reply repeats the page only when it still says something useful (its state).
  if (!firstTurn && shown.length === 0) return null;
  const when =
    view.capturedAt === undefined ? 'When you opened this ticket' : `When you opened this ticket (${readableTime(view.capturedAt)})`;
  const where = place ? ` you were on the ${place} page` : ' your page showed';
  return `${when}${where}${shown.length > 0 ? `: ${shown.join(', ')}` : ''}. If you are somewhere else now, tell me where.`;
}

/** Details an article may ask the customer for, and the state keys that hold them. */
const askable: { detail: RegExp; key: RegExp }[] = [
  { detail: /\binvoice (number|id)\b/i, key: /invoice/i },
  { detail: /\b(job|import|export) (id|number)\b/i, key: /job|import|export/i },
  { detail: /\brequest id\b/i, key: /request/i },
  { detail: /\b(endpoint|webhook)( id| url)?\b/i, key: /endpoint|webhook/i },
  { detail: /\border (number|id)\b/i, key: /order/i },
  { detail: /\b(the )?error( message)?\b/i, key: /error|status/i },
];
const asking = /\b(reply|send|tell|give|share|include|provide)\b/i;

/**
 * The article's sentences with every request for a detail the page state holds replaced by
 * that detail, so the customer is never asked for what we can already see.
 */
export function withoutAsksThePageAnswers(sentences: string[], view: PageView | null): string[] {
  const state = view ? stateFacts(view.context) : [];
  if (state.length === 0) return sentences;
  return sentences.map((sentence) => {
    if (!asking.test(sentence)) return sentence;
    const known = askable.flatMap((a) => {
      if (!a.detail.test(sentence)) return [];
      const fact = state.find((f) => a.key.test(f.key));
      return fact ? [`${fact.words} ${fact.value}`] : [];
    });
    if (known.length === 0) return sentence;
    const source = view!.current ? 'the page you are on' : 'the page you were on when you opened this ticket';
    return `I already have ${[...new Set(known)].join(' and ')} from ${source}, so there is no need to send ${known.length > 1 ? 'them' : 'it'}.`;
  });
}
