import Sentiment from 'sentiment';
import { count, foldText, phrases } from '../../domain/replies';
import type { Sentiment as SentimentLevel } from '../../domain/ticket';

// Cues the local provider reads in a customer's words, by language (English, French, German,
// Spanish), over folded text (lower case, no accents): whether they ask for a person, are
// frustrated or sarcastic, report that something still fails, put the answer off, or change the
// subject. Triage and reply reading share them, so "a person, please" means the same in both.

// Common misspellings and contractions folded to the word the lexicons know.
const typos: [RegExp, string][] = [
  [/\bpas+w(o|e)?r?d\b/g, 'password'],
  [/\bpaswrod\b/g, 'password'],
  [/\binvo?i?ce?\b/g, 'invoice'],
  [/\binvocie\b/g, 'invoice'],
  [/\brefn?u?n?d\b/g, 'refund'],
  [/\brefnud\b/g, 'refund'],
  [/\bsubscri?p?tion\b/g, 'subscription'],
  [/\blog ?in\b/g, 'login'],
  [/\berors?\b/g, 'error'],
  [/\bexprot\b/g, 'export'],
  [/\bintegraton\b/g, 'integration'],
  [/\bdashbord\b/g, 'dashboard'],
  [/\binvte\b/g, 'invite'],
  [/\bteamate\b/g, 'teammate'],
  [/\bdelet\b/g, 'delete'],
  [/\bacount\b/g, 'account'],
  [/\bteh\b/g, 'the'],
  [/\bu\b/g, 'you'],
  [/\bur\b/g, 'your'],
  [/\bcan'?t\b/g, 'cannot'],
  [/\bdoesn'?t\b/g, 'does not'],
  [/\bdidn'?t\b/g, 'did not'],
  [/\bisn'?t\b/g, 'is not'],
  [/\bwon'?t\b/g, 'will not'],
  [/\bdon'?t\b/g, 'do not'],
];

/** Folded text with common misspellings and contractions spelled out. */
export function readable(text: string): string {
  let t = foldText(text);
  for (const [pattern, word] of typos) t = t.replace(pattern, word);
  return t;
}

/** An explicit request for a person, in any of the four languages. */
export const wantsPerson = phrases(
  '(talk|speak|chat) (to|with) (a |an |some |your |one of your )?(real |actual |live )?(human|person|agent|someone|somebody|representative|rep|manager|engineer|support (agent|person))',
  '(real|actual|live) (person|human|agent)',
  'human (please|agent)',
  'a (person|human),? please',
  '(get|give|connect|transfer|put) me (to |through to |with )?(a |an |your )?(real )?(human|person|agent|someone|manager|support agent)',
  'escalate (this|my|it)',
  "(let me|i want to|i would like to|i'd like to) (talk|speak)",
  'no more (bots?|ai)',
  'do not want a bot',
  '(someone|somebody|a person|an agent|an engineer) (to )?(call|phone|ring|look at)',
  '(call|phone) me',
  'is there (a|an actual|a real) (human|person)',
  '(can|could) (a|an|some) ?(person|human|agent|one) (please )?(fix|help|look|check|handle|correct|change|update|sort|resolve)',
  'your manager',
  // French
  "parler (a|avec) (un |une )?(conseiller|conseillere|humain|personne|agent|responsable|quelqu'un)",
  '(un|une) (vrai|vraie) (personne|humain)',
  'pas (a )?un robot',
  // German
  '(mit )?(einem|einer) (mitarbeiter|mitarbeiterin|menschen|person|berater|beraterin|agenten) sprechen',
  '(einen|eine) (mitarbeiter|mitarbeiterin|menschen|echten menschen)',
  'keinen bot',
  // Spanish
  'hablar con (una persona|alguien|un agente|un humano|un asesor|un responsable|una persona real)',
  'una persona real',
  'no (quiero )?un bot',
);

/** Anger, repeated failure, threats to leave. */
const frustration = phrases(
  'ridiculous',
  'unacceptable',
  '(third|3rd|fifth|second) time',
  'again and again',
  'so many times',
  'waste of (my |our )?time',
  'fed up',
  'worst',
  'furious|angry|livid',
  'useless',
  'wtf',
  // French
  'inadmissible',
  'inacceptable',
  'ridicule',
  "n'importe quoi",
  "j'en ai marre",
  'scandaleux',
  'honteux',
  // German
  'frechheit',
  'unverschamt',
  'lacherlich',
  'inakzeptabel',
  'katastrophe',
  'es reicht',
  '(schon )?(funfmal|zehnmal|dreimal)',
  // Spanish
  'inaceptable',
  'ridiculo',
  'estoy harto',
  'harta',
  'una verguenza',
  'pesimo',
  'vergonzoso',
);

/** Praise that means the opposite: sarcasm reads as frustration. */
const sarcasm = phrases(
  'oh (great|wonderful|perfect|brilliant|fantastic)',
  'just (brilliant|great|perfect|what i needed)',
  'really helpful',
  'thanks (a lot )?for nothing',
  'love paying',
  'amazing how this keeps happening',
  '(fantastic|great|wonderful|amazing|excellent) (service|support) as (always|usual)',
  // Thanks or praise for the very thing that went wrong.
  'thanks (so much |a lot )?for (charging|breaking|deleting|losing|locking|logging|moving|removing)',
  'as (helpful|useful|reliable|fast|quick|responsive) as (ever|always|usual)',
  'perfect timing',
  'very generous',
  '(really |just )?lov(e|ing) (the|how|that)( [a-z]+){0,3} (outage|downtime|bug|errors?|crash(es)?|update)',
  '(wow|impressive)[,.!]? ?(the|your|it|this|that)?( [a-z]+){0,6} (only )?takes',
);

/** Something does not work, or the answer did not help. */
export const failure = phrases(
  'not (work|working|help|helping|fixed|it|what i asked)',
  'did not (work|help|fix|change)',
  'does not (work|help|answer)',
  'no luck',
  'nothing (changed|happened|arrives|on)',
  'never (arrives|arrived|came|comes|shows|appears|finishes)',
  '(same|that) (problem|issue|error|errors|thing|result)',
  '(exactly )?the same',
  'same (here|again|as before|\\d+[a-z]*)',
  'invalid',
  'incorrect',
  'wrong',
  '(do not|cannot|can not) (see|find|get)',
  'fail(s|ed|ing)?',
  'error(s)?',
  'broken',
  'stuck',
  'rejected',
  'declined',
  'times out',
  'timeout',
  'silent',
  'no (email|e-mail|code|button|[a-z]+ button|option|change|reply|answer)',
  'still',
  // French
  "ne (marche|fonctionne|s'affiche) (pas|plus|toujours pas)",
  'toujours (pas|rien|bloque|le meme)',
  "rien (ne marche|n'a change)?",
  "pas d'e-?mail",
  'refusee?',
  'lent',
  // German
  '(immer )?noch (nicht|kein|keine|keinen)',
  '(funktioniert|geht|klappt)( [a-z]+){0,3} nicht',
  'leider nicht',
  'fehler',
  'bricht (jedes mal )?ab',
  'kein(e|en)? (code|e-?mail)',
  'fehlt',
  // Spanish
  '(todavia|aun) no',
  'sigue (sin|igual|fallando|rechazada|rechazado|sin funcionar)',
  '(no|ya no) funciona',
  'no (me )?ha (funcionado|llegado)',
  'rechazad(a|o)',
  'falla',
  'sin reembolso',
);

/** Politeness about the reply itself, not praise of what it solved. */
const forTheReply =
  '(?!reply|answer|help|quick|response|info|information|article|link|update|tip|reponse|aide|antwort|hilfe|respuesta|ayuda)';

/** Part of it worked ("found the invoices", "ok for the refund", "merci pour le forfait"). */
const partialPraise = phrases(
  '(the )?[a-z]+ part is (clear|fine|done|sorted)',
  `ok for the ${forTheReply}[a-z]+`,
  `thanks for the ${forTheReply}[a-z]+`,
  `merci pour (le|la|les) ${forTheReply}[a-z]+`,
  `danke fur (den|die|das) ${forTheReply}[a-z]+`,
  '(die|den|das) [a-z]+ habe ich',
  `gracias por (el|la|los|las) ${forTheReply}[a-z]+`,
  'found the',
  'worked|works|fixed|funciono|funktioniert|geklappt|encontre',
);

/** "But": what follows the thanks is not settled. */
const contrast = phrases('but', 'however', 'though', 'mais', 'aber', 'pero', 'sin embargo');

/** Putting the answer off: the customer will try later or check with someone. */
const deferral = phrases(
  "(i|we)('ll| will) (try|check|test|look|come back|get back)",
  'come back',
  'check with',
  'try it (tomorrow|later|on monday)',
  'so far',
  'for now',
  "pour l'instant",
  'bisher',
  'por ahora',
  'je vais (essayer|verifier|tester)',
  'ich (probiere|teste|melde mich)',
  '(lo )?(intentare|probare)',
);

/** The customer says they are changing the subject. */
export const newTopic = phrases(
  '(a )?(different|another|other|new|separate) question',
  'one more( thing| question)?',
  'unrelated',
  'by the way',
  '(hello|hi) again',
  '(i|we) now (want|need)',
  '(une )?autre question',
  're-?bonjour',
  'au fait',
  'noch eine frage',
  'andere frage',
  'ubrigens',
  'otra pregunta',
  'hola de nuevo',
  'por cierto',
  'una cosa mas',
);

const analyzer = new Sentiment();

/** How the customer feels, from their own words: frustration cues, sarcasm, shouting, the sentiment lexicon. */
export function sentimentOf(raw: string): SentimentLevel {
  const text = readable(raw);
  const score = analyzer.analyze(text).comparative;
  const exclamations = (raw.match(/!/g) ?? []).length;
  const shouted = (raw.match(/\b[A-Z]{4,}\b/g) ?? []).length;
  const cues = count(frustration, text);
  const ironic = count(sarcasm, text);
  if (cues >= 2 || (cues >= 1 && (exclamations >= 2 || shouted >= 1)) || (score < -0.3 && exclamations >= 3)) return 'frustrated';
  // Sarcasm is praise that means its opposite: with a complaint beside it, it is frustration.
  if (ironic >= 2 || (ironic >= 1 && (cues >= 1 || count(failure, text) >= 1 || score <= 0.1))) return 'frustrated';
  if (score < -0.05 || cues >= 1) return 'negative';
  if (score > 0.25) return 'positive';
  return 'neutral';
}

export const cuesIn = { failure, partialPraise, contrast, deferral, newTopic };
