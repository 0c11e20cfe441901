import { withoutInstructions } from '../../domain/injection';
import { blank, count, phrases } from '../../domain/replies';
import { cutText } from '../../domain/text';
import type { Classification, Complexity, IssueType, PageContext, Repeatability, Urgency } from '../../domain/ticket';
import { readable, sentimentOf, wantsPerson } from './cues';
import { toEnglish } from './glossary';
import { accessLost, askWhy, deadline, moneyTakenWrongly, outage, widespread } from './impact';
import {
  accountCase,
  attack,
  billingCase,
  blocking,
  broadImpact,
  business,
  incident,
  investigation,
  lexicon,
  malfunction,
  negotiation,
  oneOffFailure,
  ongoing,
  problem,
} from './lexicon';
import {
  beforeDay,
  blockedOut,
  chargedWrongly,
  compliance,
  dataLoss,
  erasure,
  exposure,
  intrusion,
  moreCues,
  outreach,
  symptom,
  traced,
  wholeTeam,
  wish,
} from './signals';

/**
 * The local provider's triage: weighted cues and rules from the labelling guide
 * (eval/LABELLING.md), deterministic, and honest about how sure it is. Ticket text is only ever
 * matched against, never obeyed. A ticket is read issue by issue: the first issue decides, unless
 * a later one is a security matter or something broken, which outranks a question or a wish.
 */

/** One issue of a ticket, as triage reads it. */
interface Issue {
  type: IssueType;
  scores: Record<IssueType, number>;
  /** Something is wrong, not merely asked about. */
  broken: boolean;
  /** The product misbehaves (every time, since an update, for everyone). */
  malfunctioning: boolean;
  text: string;
}

const types = Object.keys(lexicon) as IssueType[];
/** The first lexicon and the second pass's cues (signals.ts), by type. */
const cues = Object.fromEntries(types.map((type) => [type, [...lexicon[type], ...(moreCues[type] ?? [])]])) as typeof lexicon;
const has = (pattern: RegExp, text: string) => count(pattern, text) > 0;

/** A behaviour question ("how many times do you retry a failed delivery?") reports no failure. */
const behaviourQuestion = /\b(how (many|often|long)|what happens (if|when))\b[^.?!]*\?/g;

function readIssue(text: string): Issue {
  const scores = Object.fromEntries(
    types.map((type) => [type, cues[type].reduce((sum, c) => sum + (has(c.pattern, text) ? c.weight : 0), 0)]),
  ) as Record<IssueType, number>;
  const reported = text.replace(behaviourQuestion, ' ');
  // A symptom ("blank page", "just spins") or lost data is a failure said without "error".
  const broken = has(problem, reported) || has(symptom, reported) || has(dataLoss, reported);
  const malfunctioning = broken && has(malfunction, reported);
  const best = [...types].sort((a, b) => scores[b] - scores[a])[0]!;
  let type: IssueType = scores[best] > 0 ? best : 'other';
  if (scores.security >= 3 || has(intrusion, text) || has(exposure, text) || has(compliance, text)) {
    // A hint of a compromised account or a compliance question: the stakes decide.
    type = 'security';
  } else if (has(wish, text) && !broken) {
    // A wish outranks the product words it names ("an offline mode that syncs later").
    type = 'feature_request';
  } else if (has(dataLoss, text)) {
    // Lost or overwritten data is the product's matter, however the customer asks about it.
    type = 'technical';
  } else if (malfunctioning && scores.technical + scores.account > 0) {
    // A reset link that expires every time or a login loop since an update is a defect, whatever its topic.
    type = 'technical';
  } else if (scores.account >= 3 && scores.account >= scores.billing) {
    // Account administration (email address, ownership, deletion, the workspace's name).
    type = 'account';
  } else if (scores.billing > 0 && (type === 'how_to' || type === 'feature_request' || (type === 'other' && scores.other < 3))) {
    // A question about money is a billing question however it is asked: billing is reviewed.
    type = 'billing';
  } else if (scores.how_to > 0 && !broken && !['feature_request', 'billing', 'other'].includes(type)) {
    // "How do I reset my password?" asks how to do something; nothing is broken: a how-to.
    type = 'how_to';
  } else if (broken && type === 'how_to' && scores.technical > 0) {
    type = 'technical';
  } else if (broken && type === 'feature_request' && scores.technical >= 2) {
    // A broken thing outranks a wish (the guide's order).
    type = 'technical';
  }
  return { type, scores, broken, malfunctioning, text };
}

/**
 * Where one issue ends and another starts: a blank line, or a sentence that opens a second
 * matter ("also", "unrelated", "separately", "second", "and how do I…" after a question).
 */
function issuesOf(text: string): string[] {
  return text
    .split(
      /\n\s*\n|(?<=[.?!])\s+(?=(?:also|unrelated|and also|separately|second(?:ly)?|another thing)\b)|(?<=\?)\s+(?=and (?:how|where|is|can|what|do)\b)/,
    )
    .map((part) => part.trim())
    .filter((part) => part.split(/\s+/).length >= 3);
}

/**
 * The most important issue: the first, unless a later one is a security matter, an outage or
 * incident, or a malfunction beside a first issue that is only a question.
 */
function mainIssue(issues: Issue[]): Issue {
  const rank = (i: Issue, index: number) =>
    i.type === 'security'
      ? 3
      : i.type === 'technical' && i.malfunctioning && (has(broadImpact, i.text) || has(incident, i.text))
        ? 2
        : i.type === 'technical' && i.broken && index > 0 && !issues[0]!.broken
          ? 1
          : 0;
  return issues.reduce((best, issue, index) => (rank(issue, index) > rank(best, issues.indexOf(best)) ? issue : best), issues[0]!);
}

function urgencyOf(main: Issue, all: Issue[], text: string): Urgency {
  const broken = all.some((i) => i.broken);
  if (has(incident, text) || has(intrusion, text) || has(dataLoss, text)) return 'critical';
  if ((has(broadImpact, text) || has(wholeTeam, text)) && broken) return 'critical';
  if (main.type === 'security') {
    if (has(attack, text) || has(exposure, text) || has(phrases('leak(ed|s)?'), text)) return 'high';
    // A compliance document is a question unless a deadline or a contract waits on it.
    return has(deadline, text) || has(beforeDay, text) || has(phrases('contract', 'requires?'), text) ? 'medium' : 'low';
  }
  // Blocked, money taken wrongly, access lost, or a service down: the guide's "high".
  if (
    has(blocking, text) ||
    has(moneyTakenWrongly, text) ||
    has(chargedWrongly, text) ||
    (broken && (has(accessLost, text) || has(outage, text) || has(blockedOut, text)))
  )
    return 'high';
  // A wish is "low" whatever it says is missing, unless a date waits on it.
  if (main.type === 'feature_request') return has(deadline, text) ? 'medium' : 'low';
  if (main.type === 'technical' && (has(ongoing, text) || has(investigation, text))) return 'high';
  if (broken) return 'medium';
  if (main.type === 'billing' && has(billingCase, text)) return 'medium';
  if (main.type === 'account' && has(accountCase, text)) return 'medium';
  // A question with a near deadline attached.
  if (has(deadline, text) || has(beforeDay, text)) return 'medium';
  return 'low';
}

function complexityOf(main: Issue, all: Issue[], text: string, urgency: Urgency): Complexity {
  if (main.type === 'security') return has(incident, text) || has(intrusion, text) ? 'high' : 'medium';
  if (main.type === 'technical' && (urgency === 'critical' || has(investigation, text) || text.split(/\s+/).length > 120)) return 'high';
  // Much data or many calls hit, or failures to tell apart: investigation across systems.
  if (main.type === 'technical' && main.broken && (has(widespread, text) || (has(askWhy, text) && all.length >= 2))) return 'high';
  // Two things broken at once (an outage beside a wrong charge, two failing integrations).
  if (all.length >= 2 && all.filter((i) => i.broken).length >= 2 && (has(outage, text) || all.every((i) => i.type === 'technical')))
    return 'high';
  // Two issues need the customer's specifics for at least one of them.
  if (all.length >= 2) return 'medium';
  switch (main.type) {
    case 'feature_request':
    case 'how_to':
      return 'low';
    case 'technical':
      return 'medium';
    case 'account':
      return has(accountCase, text) || main.broken ? 'medium' : 'low';
    case 'billing':
      // "How do we update the card?" after a decline is one documented step, unless money went wrong.
      if (main.scores.how_to >= 2 && !has(moneyTakenWrongly, text) && !has(phrases('refund', 'charged'), text)) return 'low';
      return has(billingCase, text) || main.broken ? 'medium' : 'low';
    default:
      // A partnership is a conversation to have; press, a talk or a job question is answered once.
      return has(business, text) && !has(outreach, text) ? 'medium' : 'low';
  }
}

function repeatabilityOf(main: Issue, all: Issue[], complexity: Complexity, text: string): Repeatability {
  // A wish, an attack, a negotiation and a business proposal are one-offs by nature.
  if (main.type === 'feature_request' || has(business, text) || has(outreach, text)) return 'unique';
  if (main.type === 'security' && (has(attack, text) || has(intrusion, text))) return 'unique';
  if (complexity === 'high') return main.type === 'how_to' ? 'repeatable' : 'unique';
  if (all.length >= 2) return 'semi';
  if (main.type === 'how_to') return 'repeatable';
  if (main.type === 'billing' && has(negotiation, text)) return 'unique';
  // A specific failure the customer asks to have explained, or one with its figures: a one-off.
  // A failure traced to a release, a weekday, a colleague it spares or a recurrence: a one-off.
  if (main.type === 'technical')
    return has(oneOffFailure, text) || has(askWhy, text) || has(widespread, text) || has(traced, text) || has(symptom, text)
      ? 'unique'
      : 'semi';
  // Erasing personal data or an account follows one standard procedure.
  if (main.type === 'account' && has(erasure, text)) return 'repeatable';
  return complexity === 'low' ? 'repeatable' : 'semi';
}

export function classifyText(subject: string, body: string, pageContext?: PageContext): Classification {
  // Instruction-like text and a request for a person are left out of the topic: neither says what the issue is.
  const raw = withoutInstructions(`${subject}\n\n${body}`);
  const topical = (t: string) => blank(wantsPerson, toEnglish(readable(t)));
  const text = topical(raw);
  // Where the customer was is a weak hint of the topic ("billing", "api").
  const area = pageContext?.productArea ? ` ${topical(pageContext.productArea)}` : '';
  const parts = issuesOf(topical(withoutInstructions(body)));
  const issues =
    parts.length >= 2 ? parts.map((part, i) => readIssue(i === 0 ? `${topical(subject)} ${part}` : part)) : [readIssue(`${text}${area}`)];
  const main = mainIssue(issues);
  const urgency = urgencyOf(main, issues, text);
  const complexity = complexityOf(main, issues, text, urgency);
  const sorted = Object.values(main.scores).sort((a, b) => b - a);
  const margin = (sorted[0] ?? 0) - (sorted[1] ?? 0);
  const confidence =
    main.type === 'other' && main.scores.other === 0
      ? 0.35
      : Math.min(0.95, 0.55 + 0.05 * Math.min(sorted[0] ?? 0, 6) + 0.04 * Math.min(margin, 3));
  // What the customer needs in one line: the subject, and the body's first sentence when it adds to it.
  const opening = oneLine(body);
  const summary = oneLine(
    subject.trim() && !opening.toLowerCase().includes(subject.trim().toLowerCase()) ? `${subject.trim()}: ${opening}` : opening || subject,
    200,
  );
  return {
    issueType: main.type,
    complexity,
    repeatability: repeatabilityOf(main, issues, complexity, text),
    urgency,
    sentiment: sentimentOf(`${subject}\n${body}`),
    requestsHuman: has(wantsPerson, readable(raw)),
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
