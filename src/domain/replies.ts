// What a customer's own words say about the conversation, in the languages Tandem reads
// (English, French, German, Spanish). Pure patterns over folded text: the workflow uses them to
// keep a resolved ticket resolved when the customer only says thanks, and the local provider to
// read replies, so both mean the same thing by "thanks" or "a person, please".

/** Lower case, accents and curly quotes folded, so "réglé", "regle" and "RÉGLÉ" read the same. */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[’‘`´]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * A pattern matching any of `phrases` as whole words of folded text. JavaScript's `\b` knows
 * only ASCII letters, so the edges are "no letter or digit" in any script.
 */
export function phrases(...alternatives: string[]): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'u');
}

/** How many times `pattern` occurs. A global copy per call: a shared global RegExp keeps state between calls. */
export const count = (pattern: RegExp, text: string) => (text.match(new RegExp(pattern.source, 'gu')) ?? []).length;

/** The text with every occurrence of `pattern` blanked. */
export const blank = (pattern: RegExp, text: string) => text.replace(new RegExp(pattern.source, 'gu'), ' ');

/** Thanks, including "thanks again" (whose "again" is not a new problem). */
export const gratitudeCues = phrases(
  'thank(s a lot|s so much|s again|s| you( so much| very much)?( again)?| u)?',
  'thx',
  'ty',
  'cheers',
  'much appreciated',
  'appreciate (it|that|your help)',
  'merci( beaucoup| bien| encore| mille fois)?',
  'encore merci',
  'mille mercis',
  'danke( schon| sehr| vielmals| nochmal(s)?| dir| ihnen)?',
  'vielen (dank|herzlichen dank)',
  'nochmals danke',
  'dankeschon',
  '(muchas |mil )?gracias( de nuevo| otra vez)?',
  'te lo agradezco',
  'se lo agradezco',
);

/** The customer closing the matter: it works, they found it, nothing more is needed. */
export const closureCues = phrases(
  "(that|this|it)('s| is| was)? (did it|did the trick|worked|works|fixed it|solved it|helped|sorted it|answers it)",
  "(it|that|everything)('s| is)? (working|sorted|fixed|solved|resolved|fine)( now)?",
  '(works|working) (now|again|fine|perfectly)',
  "(all|we're|i'm|we are|i am) (good|set|sorted)( now)?",
  'all good',
  'got it( working)?',
  'found it',
  'problem solved',
  'sorted',
  'resolved',
  'perfect',
  'great',
  'awesome',
  'brilliant',
  'done',
  "(that's|that is) (all|everything)( i needed| we needed)?",
  'makes sense',
  'no (further questions|problem|worries)',
  // French
  '(ca|cela) (marche|fonctionne)( maintenant| bien)?',
  "c'est (bon|regle|resolu|parfait|ok)",
  "j'ai trouve",
  'parfait',
  'super',
  'nickel',
  'regle',
  'resolu',
  // German
  '(es |das )?(hat )?(funktioniert|geklappt|klappt)( jetzt)?',
  'alles (klar|gut|erledigt)',
  'erledigt',
  'gefunden',
  'perfekt',
  'passt',
  'geht (jetzt|wieder)',
  // Spanish
  '(ya )?(funciona|funciono)( bien| ahora)?',
  '(ya )?(lo )?(encontre|resolvi)',
  '(ya )?(esta|quedo) (solucionado|resuelto|listo|arreglado)',
  'listo',
  'perfecto',
  'todo (claro|bien|listo)',
  'genial',
);

/** Something more to do: a question, a "but", a problem that persists, another ask. */
const moreToDoCues = phrases(
  // English
  'but',
  'however',
  'though',
  'still',
  'again',
  'not',
  "(doesn|didn|isn|wasn|won|can|couldn)'?t",
  'no longer',
  'also',
  'another',
  'one more',
  'error',
  'problem',
  'issue',
  'broken',
  'fail(s|ed|ing)?',
  'wrong',
  'how',
  'why',
  'where',
  'can you',
  'could you',
  'please',
  'pls',
  'need(ed)?',
  'want',
  'would like',
  'person',
  'human',
  'someone',
  'agent',
  'manager',
  'call',
  'speak',
  'talk',
  // French
  'mais',
  'toujours',
  'encore',
  'ne (marche|fonctionne) (pas|plus)',
  'pas',
  'plus',
  'aussi',
  'autre',
  'erreur',
  'probleme',
  'comment',
  'pourquoi',
  "s'il (vous|te) plait",
  'besoin',
  'voudrais',
  "quelqu'un",
  'conseiller',
  'parler',
  // German
  'aber',
  'noch',
  'wieder',
  'nicht',
  'kein(e|en)?',
  'auch',
  'andere',
  'fehler',
  'problem',
  'wie',
  'warum',
  'wo',
  'bitte',
  'brauche(n)?',
  'mochte',
  'mitarbeiter(in)?',
  'mensch(en)?',
  'sprechen',
  // Spanish
  'pero',
  'todavia',
  'sigue',
  'otra vez',
  'de nuevo',
  'no',
  'tambien',
  'otra',
  'error',
  'problema',
  'como',
  'por que',
  'donde',
  'por favor',
  'necesito',
  'quiero',
  'persona',
  'alguien',
  'hablar',
);

/** How many thanks and closing words the reply holds, on folded text. */
export const gratitudeIn = (folded: string) => count(gratitudeCues, folded) + (/[👍🙏🙌]/u.test(folded) ? 1 : 0);
export const closureIn = (folded: string) => count(closureCues, folded);

/**
 * Whether a message on a resolved ticket only closes it (thanks, "that worked", "all good")
 * rather than asking anything more: such a message is not a reason to reopen. Anything that
 * might be more (a question mark, a "but", a problem that persists, another ask, a long message)
 * reads as more, since a wrongly kept-closed ticket costs the customer more than a reopened one.
 */
export function keepsResolved(message: string): boolean {
  const folded = foldText(message);
  if (folded === '' || folded.includes('?') || folded.split(' ').length > 25) return false;
  if (gratitudeIn(folded) + closureIn(folded) === 0) return false;
  const rest = blank(closureCues, blank(gratitudeCues, folded));
  return count(moreToDoCues, rest) === 0;
}
