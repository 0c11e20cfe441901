import { blank, closureIn, count, gratitudeCues, closureCues, foldText, phrases } from '../../domain/replies';
import { cutText } from '../../domain/text';
import type { TranscriptMessage } from '../../domain/ticket';
import { cuesIn, wantsPerson } from './cues';

// The local provider's reading of a conversation for a handoff: what the customer needs, what
// they say they already tried, and which steps the AI or an agent already gave, so an agent
// never asks the customer to repeat any of it.

const stopwords = new Set(
  (
    'a an the to of and or for in on at my our your is are was it its this that with from by be been i we you me us they them ' +
    'do does did have has had can could would will not no so as if but still also just now then there here what how why where ' +
    "another other more thing things like want need please would i'd i'm it's that's get got let " +
    'veux voudrais besoin mochte brauche bitte quiero necesito ' +
    'le la les un une des du de et ou en est sont pour avec sur dans pas mon ma mes nous vous il elle ce cette qui que ' +
    'der die das ein eine und oder ist sind fur mit auf im in nicht mein unser wir ich sie es zu von den dem ' +
    'el los las una unos y o es son para con por en no mi nuestro nosotros yo que del al'
  ).split(' '),
);

/** The words that carry meaning: folded, without stop words or one- and two-letter words. */
export const meaningful = (text: string) =>
  foldText(text)
    .split(/[^\p{L}\p{N}_%-]+/u)
    .filter((w) => w.length > 2 && !stopwords.has(w));

/** Sentences, then the clauses a "but", an "and how", a trailing "still …" or a "; " separate. */
export function clausesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .flatMap((sentence) =>
      sentence
        .replace(
          /^\s*(two|three|2|3|deux|trois|zwei|drei|dos|tres) (things|questions|issues|choses|fragen|dinge|cosas|preguntas)\s*:\s*/i,
          '',
        )
        .replace(
          /^\s*(actually,?\s*)?(one more( thing| question)?|another question|(a )?different question|(une )?autre question|noch eine frage|otra pregunta)\s*:\s*/i,
          '',
        )
        .split(
          /\s*;\s+|,?\s+(?:but|however|mais|aber|pero)\s+|,\s*(?=(?:still|toujours|immer noch|sigue)\b)|,\s*(?:and|et|und|y)\s+(?=(?:also|aussi|auch|tambi[eé]n|how|what|where|why|can|could|comment|pourquoi|o[uù]|wie|warum|wo|c[oó]mo|d[oó]nde)\b)/i,
        ),
    )
    .map((c) =>
      c
        .replace(/^\s*(?:first|second|secondly|also|and|premi[eè]rement|ensuite|aussi|erstens|zweitens|au[sß]erdem|adem[aá]s),?\s+/i, '')
        .trim(),
    )
    .filter((c) => c !== '');
}

const greeting = /^(hi|hello|hey|dear [a-z]+|bonjour|re-?bonjour|salut|hallo|guten tag|hola)( again| de nuevo| team| there)?[,!.\s]*/i;

/** Something the customer says they did: "I cleared my cache", "j'ai vidé le cache", "ya probé". */
const attempt = phrases(
  "(i|we)( have|'ve)?( already| also| just| even)? (tried|checked|cleared|restarted|reinstalled|updated|reset|uploaded|copied|sent|disabled|enabled|clicked|followed|added|removed|reconnected|deleted|changed|switched|rebooted|waited|contacted|verified|compared|paid|did)",
  '(already|also) (tried|checked|cleared|restarted|updated|sent|paid|added)',
  'tried (a|an|another|the|to|with|again|splitting|clearing|it)',
  '(is|was|are) (already )?set to',
  'already',
  '(my|our) (bank|admin|it team|it admin|it department|developer|developers) (says|said|confirmed|checked)',
  // French
  "(j'ai|nous avons|on a)( deja| aussi| bien)? (essaye|verifie|vide|clique|mis a jour|envoye|redemarre|reinstalle|supprime|change|teste|suivi|fait|paye)",
  // German
  '(ich|wir) (habe|haben)( [a-z-]+){0,4} (versucht|geklickt|gepruft|geloscht|aktualisiert|neu gestartet|getestet|geandert|gemacht|geschickt|probiert|bezahlt)',
  // Spanish
  '(ya )?(les )?(revise|probe|intente|envie|actualice|borre|reinicie|cambie|hice|verifique|pague)',
  '(he|hemos) (probado|intentado|revisado|enviado|borrado|reiniciado|cambiado|actualizado|pagado)',
);

/** "How do I reset it?", "can we update …": a question about doing something, not a report of having done it. */
const askingToDo = /\b(how|what|where|why|when|which)?\s*(do|does|can|could|should|would|will|shall|may|must) (i|we)\b/g;

export const isAttempt = (clause: string) => count(attempt, foldText(clause).replace(askingToDo, ' ')) > 0;

/** How things stand, said again: "still …", "same …", "leider …". */
const statusOpening = /^(still|same|again|nope|toujours|encore|immer noch|noch immer|leider|sigue|todavia|aun)\b/;

/** A request for a person says what it is about only with an "about …" that names something ("about it" does not). */
const about = phrases(
  'about',
  'regarding',
  'concerning',
  'au sujet de',
  'concernant',
  'a propos de',
  'wegen',
  'bezuglich',
  'sobre',
  'acerca de',
);
const saysWhatAbout = (folded: string) => {
  const at = folded.search(about);
  return at >= 0 && meaningful(folded.slice(at).replace(about, ' ')).length > 0;
};

/**
 * What is left of a clause once status words ("still", "not working"), thanks, closing words and
 * a request for a person are taken out: a clause with at most one meaningful word left said how
 * things stand, not what is needed.
 */
function substance(clause: string): string[] {
  let t = foldText(clause);
  for (const p of [cuesIn.failure, gratitudeCues, closureCues, wantsPerson]) t = blank(p, t);
  return meaningful(t);
}

const overlap = (a: string[], b: Set<string>) => (a.length === 0 ? 1 : a.filter((w) => b.has(w)).length / a.length);

export interface CustomerReading {
  /** Each distinct thing the customer needs, in the order they said it. */
  needs: string[];
  /** What the customer says they already did, in their words. */
  attempts: string[];
  /** The parts the customer says are settled ("the seats part is clear"). */
  settled: string[];
}

/** Reads the customer's turns: a clause is an attempt, a need, or only how things stand. */
export function readCustomer(messages: string[]): CustomerReading {
  const needs: string[] = [];
  const attempts: string[] = [];
  const settled: string[] = [];
  const seen = new Set<string>();
  for (const body of messages) {
    for (const raw of clausesOf(body)) {
      let clause = raw.replace(greeting, '').trim();
      const words = substance(clause);
      if (clause === '') continue;
      const folded = foldText(clause);
      if (isAttempt(clause)) {
        attempts.push(clause);
        continue;
      }
      if (count(cuesIn.partialPraise, blank(cuesIn.failure, folded)) > 0) {
        settled.push(clause);
        continue;
      }
      if (words.length <= 1 || (closureIn(folded) > 0 && words.length <= 2) || statusOpening.test(folded)) continue;
      if (count(wantsPerson, folded) > 0 && !saysWhatAbout(folded)) {
        // "Our card was declined, I want to talk to someone": the need is the rest of the clause.
        const rest = clause.split(/,\s+|\s+-\s+/).filter((part) => count(wantsPerson, foldText(part)) === 0);
        if (rest.length === 0 || substance(rest.join(', ')).length <= 1) continue;
        clause = rest.join(', ');
      }
      // A repeat of something already said (the same problem in other words) adds nothing.
      if (overlap(words, seen) >= 0.6) continue;
      words.forEach((w) => seen.add(w));
      needs.push(clause);
    }
  }
  return { needs, attempts, settled };
}

const boilerplate = [
  /^(hi|hello|hey|bonjour|hallo|hola)\b[^.?!]{0,30}[,!.]?$/i,
  /^i can see you're on/i,
  /^(when you opened|from the page you were on|as captured)/i,
  /^(here is|here's) (how|what)/i,
  /^sorry that did not/i,
  /^if anything is unclear/i,
  /^(thanks|thank you) for (your|the) (message|patience|reply)/i,
  /^more detail:/i,
];
const step =
  /→|^(to [^,]+, )?(go|open|choose|click|select|use|check|enter|add|copy|update|try|reply|send|scan|wait|reconnect|verify|upload|turn|set|clear|contact)\b/i;
const filler = /^(sounds good|of course|sure|yes|no problem|great|thanks[^.]*)[.:!,]\s*/i;

/** A reply's main step: its first sentence that is not a greeting, a preamble or a sign-off. */
function mainStep(body: string): string | null {
  const paragraph = body
    .split(/\n\s*\n/)
    .map((p) => p.trim().replace(filler, ''))
    .find((p) => p !== '' && !boilerplate.some((b) => b.test(p)));
  if (!paragraph) return null;
  const sentences = paragraph.split(/(?<=[.!?])\s+/);
  // The step itself ("Go to Settings → …", "To reset it, open …"), not the article's description.
  const sentence = sentences.find((x) => step.test(x)) ?? sentences[0] ?? paragraph;
  return cutText(sentence.replace(/\s+/g, ' '), 160, { ellipsis: true, atWord: true });
}

/** The articles a reply cites ('More detail: "Reset your password", "…".'). */
const citedTitles = (body: string) => [...(body.match(/more detail:([^\n]*)/i)?.[1] ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1]!);

/**
 * Each distinct step already given, by article or by its main step, with how often it was sent:
 * "AI suggested (article "Reset your password"): To reset … (sent 2 times)".
 */
export function stepsGiven(replies: TranscriptMessage[]): string[] {
  const steps: { key: string; line: string; times: number }[] = [];
  for (const m of replies) {
    const step = mainStep(m.body);
    if (!step) continue;
    const titles = citedTitles(m.body);
    // The same main article (or, without one, the same step) is the same step sent again.
    const key = titles[0] ?? foldText(step);
    const known = steps.find((s) => s.key === key);
    if (known) {
      known.times++;
      continue;
    }
    const who = m.author === 'ai' ? 'AI' : `Agent${m.agentId ? ` ${m.agentId}` : ''}`;
    const article = titles.length > 0 ? ` (${titles.length > 1 ? 'articles' : 'article'} ${titles.map((t) => `"${t}"`).join(', ')})` : '';
    steps.push({ key, line: `${who} suggested${article}: ${step}`, times: 1 });
  }
  return steps.map((s) => (s.times > 1 ? `${s.line} (sent ${s.times} times)` : s.line));
}
