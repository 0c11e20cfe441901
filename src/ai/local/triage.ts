import { withoutInstructions } from '../../domain/injection';
import { cutText } from '../../domain/text';
import Sentiment from 'sentiment';
import type { Classification, Complexity, IssueType, Repeatability, Sentiment as SentimentLevel, Urgency } from '../../domain/ticket';

/**
 * The local provider's triage: a lexicon and rules, deterministic, and honest about how sure
 * it is. Ticket text is only ever matched against, never obeyed.
 */

// Common misspellings folded to the word the lexicon knows.
const typos: [RegExp, string][] = [
  [/\bpas+w(o|e)?r?d\b/g, 'password'],
  [/\bpaswrod\b/g, 'password'],
  [/\binvo?i?ce?\b/g, 'invoice'],
  [/\brefn?u?n?d\b/g, 'refund'],
  [/\bsubscri?p?tion\b/g, 'subscription'],
  [/\blog ?in\b/g, 'login'],
  [/\bcan'?t\b/g, 'cannot'],
  [/\bdoesn'?t\b/g, 'does not'],
  [/\bdidn'?t\b/g, 'did not'],
  [/\bisn'?t\b/g, 'is not'],
  [/\bwon'?t\b/g, 'will not'],
];

function normalise(text: string): string {
  let t = text.toLowerCase().replace(/[’‘]/g, "'");
  for (const [pattern, word] of typos) t = t.replace(pattern, word);
  return t;
}

const lexicon: Record<Exclude<IssueType, 'other'>, RegExp[]> = {
  billing: [
    /\binvoice/,
    /\bbill(ing|ed)?\b/,
    /\bcharge(d|s)?\b/,
    /\brefund/,
    /\bpayment/,
    /\bcredit card\b|\bcard\b/,
    /\bsubscription/,
    /\bplan\b/,
    /\bpric(e|ing)\b/,
    /\breceipt/,
    /\bvat\b/,
    /\bdowngrad/,
    /\bupgrad/,
    /\bcancel/,
  ],
  technical: [
    /\berror\b/,
    /\bcrash/,
    /\bbug\b/,
    /\bbroken\b/,
    /\bnot working\b/,
    /\bdoes not work\b/,
    /\b5\d\d\b/,
    /\bapi\b/,
    /\bintegration/,
    /\bsync/,
    /\bwebhook/,
    /\btimeout\b/,
    /\bslow\b/,
    /\bdown\b/,
    /\boutage/,
    /\bfail(s|ed|ing)?\b/,
    /\bexport/,
    /\bimport/,
  ],
  account: [
    /\bpassword\b/,
    /\blogin\b/,
    /\bsign(ing)? ?in\b/,
    /\b2fa\b|two-factor/,
    /\baccount\b/,
    /\blocked out\b/,
    /\bsso\b|\bsaml\b/,
    /\binvite/,
    /\bteammate|\bmembers?\b/,
    /\bemail address\b/,
  ],
  how_to: [
    /\bhow (do|can|to|would)\b/,
    /\bwhere (is|can|do)\b/,
    /\bis it possible\b/,
    /\bcan i\b/,
    /\bsteps?\b/,
    /\bguide\b/,
    /\bset ?up\b/,
    /\bwhat is the (best )?way\b/,
  ],
  feature_request: [
    /\bfeature\b/,
    /\bwould be (nice|great)\b/,
    /\bplease add\b/,
    /\badd support\b/,
    /\bwish\b/,
    /\broadmap\b/,
    /\bsuggest/,
  ],
  security: [
    /\bhack(ed)?\b/,
    /\bbreach/,
    /\bphishing\b/,
    /\bunauthori[sz]ed\b/,
    /\bcompromised\b/,
    /\bvulnerab/,
    /\bsuspicious (login|activity)\b/,
    /\bleak/,
  ],
};

const requestsHumanPattern =
  /\b(talk|speak|chat)\s+(to|with)\s+(a|an|some|your)?\s*(real\s+|actual\s+|live\s+)?(human|person|agent|someone|somebody|representative|rep|manager|support (agent|person))\b|\breal (person|human)\b|\bhuman (please|agent)\b|\bescalate (this|my)\b|\blet me talk to\b|\bno more (bots?|ai)\b|\b(real|actual|live) (person|human|agent)\b|\b(someone|somebody|a person|an agent) (to )?(call|phone|ring) me\b|\b(call|phone) me\b/;

const frustrationCues = [
  /ridiculous/,
  /unacceptable/,
  /third time|3rd time|again and again|so many times/,
  /still not/,
  /waste of (my )?time/,
  /fed up/,
  /worst/,
  /furious|angry|livid/,
  /useless/,
  /\bwtf\b/,
];
/** Something is wrong, not merely unknown: an error, a failure, money taken, access lost. */
const problemPattern =
  /\b(error|bug|crash\w*|broken|not working|does not work|did not work|fail\w*|declined|charged|double|refund|outage|down|missing|wrong|lost|stuck|locked out|blocked|expired?)\b/;

const analyzer = new Sentiment();

function sentimentOf(raw: string): SentimentLevel {
  const text = normalise(raw);
  const score = analyzer.analyze(text).comparative;
  const exclamations = (raw.match(/!/g) ?? []).length;
  const shouted = (raw.match(/\b[A-Z]{4,}\b/g) ?? []).length;
  const cues = frustrationCues.filter((p) => p.test(text)).length;
  if (cues >= 2 || (cues >= 1 && (exclamations >= 2 || shouted >= 1)) || (score < -0.3 && exclamations >= 3)) return 'frustrated';
  if (score < -0.05 || cues >= 1) return 'negative';
  if (score > 0.25) return 'positive';
  return 'neutral';
}

export const requestsHuman = (text: string) => requestsHumanPattern.test(normalise(text));

function urgencyOf(text: string, type: IssueType): Urgency {
  if (
    /\b(outage|production( is)? down|everything is down|all (our )?users|data loss|lost (all )?(our|my) data|security breach|hacked|cannot (access|login|sign in) at all)\b/.test(
      text,
    )
  )
    return 'critical';
  if (/\b(urgent|asap|immediately|right now|blocked|charged twice|double charged|cannot login|locked out|deadline)\b/.test(text))
    return 'high';
  if (type === 'how_to' || type === 'feature_request') return 'low';
  return 'medium';
}

function complexityOf(text: string, topics: number, type: IssueType): Complexity {
  const words = text.split(/\s+/).length;
  // A wish needs no diagnosis: it is logged and answered, however technical its subject.
  if (type === 'feature_request') return words > 120 ? 'medium' : 'low';
  if (topics >= 3 || words > 180 || /\b(api|webhook|integration|sso|saml|data loss|migration)\b/.test(text)) return 'high';
  if ((type === 'how_to' || type === 'account') && words < 60 && topics <= 2) return 'low';
  if (type === 'billing' && words < 40 && topics <= 2) return 'low';
  return 'medium';
}

function repeatabilityOf(text: string, type: IssueType): Repeatability {
  if (/\b(password|invoice|receipt|2fa|invite|export|payment method|change (my )?plan)\b/.test(text) || type === 'how_to')
    return 'repeatable';
  if (type === 'technical' && /\b(error|bug|crash)\b/.test(text) && /\d{3,}|`|stack|trace|id[: ]/.test(text)) return 'unique';
  if (type === 'security' || type === 'feature_request') return 'unique';
  return 'semi';
}

export function classifyText(subject: string, body: string): Classification {
  // Instruction-like text is ignored for classification so it cannot steer routing.
  const text = normalise(withoutInstructions(`${subject}\n${body}`));
  const scores = (Object.keys(lexicon) as (keyof typeof lexicon)[])
    .map((type) => ({ type, score: lexicon[type].filter((p) => p.test(text)).length }))
    .sort((a, b) => b.score - a.score);
  const [best, second] = scores;
  const topics = scores.filter((s) => s.score > 0).length;
  let issueType: IssueType = best && best.score > 0 ? best.type : 'other';
  const scoreOf = (type: keyof typeof lexicon) => scores.find((x) => x.type === type)?.score ?? 0;
  if (scoreOf('security') > 0) {
    // A hint of a compromised account outweighs any number of ordinary words: the stakes decide.
    issueType = 'security';
  } else if (scoreOf('billing') > 0 && issueType === 'how_to') {
    // A question about money is a billing question however it is asked: billing is reviewed.
    issueType = 'billing';
  } else if (/\b(delete|close|cancel) (my|our) (account|workspace)\b|\bgdpr\b/.test(text)) {
    // Deleting an account or someone's data is never a casual how-to.
    issueType = 'account';
  } else if (scoreOf('how_to') > 0 && !problemPattern.test(text) && issueType !== 'feature_request' && issueType !== 'billing') {
    // "How do I reset my password?" asks how to do something; nothing is broken: a how-to,
    // whatever its topic. A question about something failing stays with its topic.
    issueType = 'how_to';
  }
  const margin = (best?.score ?? 0) - (second?.score ?? 0);
  const confidence = issueType === 'other' ? 0.35 : Math.min(0.95, 0.55 + 0.12 * Math.min(best!.score, 3) + 0.08 * Math.min(margin, 2));
  // What the customer needs in one line: the subject, and the body's first sentence when it adds to it.
  const opening = oneLine(body);
  const summary = oneLine(
    subject.trim() && !opening.toLowerCase().includes(subject.trim().toLowerCase()) ? `${subject.trim()}: ${opening}` : opening || subject,
    200,
  );
  return {
    issueType,
    complexity: complexityOf(text, topics, issueType),
    repeatability: repeatabilityOf(text, issueType),
    urgency: urgencyOf(text, issueType),
    sentiment: sentimentOf(`${subject}\n${body}`),
    requestsHuman: requestsHumanPattern.test(text),
    confidence: Math.round(confidence * 100) / 100,
    summary,
  };
}

export function oneLine(text: string, max = 140): string {
  const first =
    text
      .replace(/\s+/g, ' ')
      .trim()
      .split(/(?<=[.!?])\s/)[0] ?? '';
  return cutText(first, max, { ellipsis: true, atWord: true });
}
