import type { EscalationSummary } from '../domain/ticket';
import type { ReplyVerdict } from '../domain/vocabulary';
import { replyVerdicts } from '../domain/vocabulary';
import type { ConversationCase, ConversationResult } from './conversationEval';

// How a provider did over the labelled conversations: how it read replies, when it brought a
// person in against the label, and how much of what the customer said a handoff kept.

const stopwords = new Set(
  'a an the to of and or for in on at my our your is are was it this that with from by be i we you me us de la le les du des et en un une der die das und zu mit el los las y por para con'.split(
    ' ',
  ),
);

/** Words of a text as the fact check compares them: folded, split on anything but letters, digits, _ % -. */
export function factWords(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}_%-]+/u)
    .map((w) => w.replace(/^-+|-+$/g, ''))
    .filter((w) => w !== '' && !stopwords.has(w));
}

/** Two words match when equal, or when they share their first five letters (clear / cleared, invoice / invoices). */
const sameWord = (a: string, b: string) =>
  a === b || (Math.min(a.length, b.length) >= 5 && a.slice(0, 5) === b.slice(0, 5) && /^\p{L}+$/u.test(a + b));

/** A labelled fact is in a text when every one of its words is. */
export function factPresent(fact: string, text: string): boolean {
  const words = factWords(text);
  return factWords(fact).every((w) => words.some((x) => sameWord(w, x)));
}

export const summaryText = (s: EscalationSummary) =>
  [s.customerNeeds, ...s.alreadyTried, s.whyEscalated, s.accountContext, s.pageContext ?? '', s.suggestedNextStep ?? ''].join('\n');

type FactKind = 'needs' | 'tried' | 'page';
const factKinds: FactKind[] = ['needs', 'tried', 'page'];

export interface ConversationReport {
  conversations: number;
  replies: { total: number; correct: number; byVerdict: Record<ReplyVerdict, { total: number; correct: number }> };
  byLanguage: Record<string, { total: number; correct: number }>;
  /** A reply that thanks, labelled anything but unresolved, read as unresolved: never acceptable. */
  thanksReadUnresolved: string[];
  escalation: {
    labelled: number;
    onTime: number;
    early: number;
    late: number;
    missed: number;
    /** A person brought in although the AI should have carried the conversation. */
    unneeded: number;
    /** Conversations whose timing was wrong, for reading them. */
    wrong: string[];
  };
  facts: Record<FactKind, { total: number; present: number }>;
  /** Needs from before a reopen that a handoff still gave as the need. */
  staleNeeds: { total: number; kept: number };
  /** Labelled facts a handoff missed, as "cv-001 tried: cleared my cache". */
  missedFacts: string[];
}

const languages = ['en', 'fr', 'de', 'es'];

export function summarizeConversations(cases: ConversationCase[], results: ConversationResult[]): ConversationReport {
  const byVerdict = Object.fromEntries(
    replyVerdicts.map((v) => [v, { total: 0, correct: 0 }]),
  ) as ConversationReport['replies']['byVerdict'];
  const byLanguage: ConversationReport['byLanguage'] = {};
  const report: ConversationReport = {
    conversations: results.length,
    replies: { total: 0, correct: 0, byVerdict },
    byLanguage,
    thanksReadUnresolved: [],
    escalation: { labelled: 0, onTime: 0, early: 0, late: 0, missed: 0, unneeded: 0, wrong: [] },
    facts: { needs: { total: 0, present: 0 }, tried: { total: 0, present: 0 }, page: { total: 0, present: 0 } },
    staleNeeds: { total: 0, kept: 0 },
    missedFacts: [],
  };
  results.forEach((r, index) => {
    const item = cases[index]!;
    const language = languages.find((l) => r.tags.includes(l)) ?? 'other';
    const lang = (byLanguage[language] ??= { total: 0, correct: 0 });
    for (const reply of r.replies) {
      const right = reply.expected === reply.predicted;
      report.replies.total++;
      byVerdict[reply.expected].total++;
      lang.total++;
      if (right) {
        report.replies.correct++;
        byVerdict[reply.expected].correct++;
        lang.correct++;
      }
      if (reply.thanks && reply.predicted === 'unresolved' && reply.expected !== 'unresolved') {
        report.thanksReadUnresolved.push(`${r.id}#${reply.turn}`);
      }
    }
    const x = report.escalation;
    const [expected, predicted] = [r.expectedEscalation, r.predictedEscalation];
    if (expected !== null) x.labelled++;
    if (expected === predicted) {
      if (expected !== null) x.onTime++;
    } else {
      x.wrong.push(
        `${r.id} (${expected ?? 'none'} → ${predicted ?? 'none'})${r.predictedReasons.length ? ` ${r.predictedReasons.join('; ')}` : ''}`,
      );
      if (expected === null) x.unneeded++;
      else if (predicted === null) x.missed++;
      else if (predicted < expected) x.early++;
      else x.late++;
    }
    if (r.summary && item.facts) {
      const text = summaryText(r.summary);
      for (const kind of factKinds) {
        for (const fact of item.facts[kind]) {
          report.facts[kind].total++;
          if (factPresent(fact, text)) report.facts[kind].present++;
          else report.missedFacts.push(`${r.id} ${kind}: ${fact}`);
        }
      }
      for (const stale of item.facts.notNeeds ?? []) {
        report.staleNeeds.total++;
        if (factPresent(stale, r.summary.customerNeeds)) report.staleNeeds.kept++;
      }
    }
  });
  return report;
}

const pct = (n: number, d: number) => (d === 0 ? '  n/a' : `${((n / d) * 100).toFixed(1)}%`).padStart(7);

/** The report as `npm run eval -- --conversations` prints it. */
export function formatConversationReport(report: ConversationReport, provider: string, verbose = false): string {
  const { replies, escalation: x, facts } = report;
  const lines = [
    `Provider ${provider}, ${report.conversations} labelled conversations (${replies.total} customer replies)`,
    '',
    `Reply assessment accuracy ${pct(replies.correct, replies.total).trim()} (${replies.correct} of ${replies.total})`,
  ];
  for (const [verdict, v] of Object.entries(replies.byVerdict))
    if (v.total > 0) lines.push(`  ${verdict.padEnd(20)} ${pct(v.correct, v.total)}  (${v.correct} of ${v.total})`);
  for (const [language, v] of Object.entries(report.byLanguage))
    lines.push(`  language ${language.padEnd(11)} ${pct(v.correct, v.total)}  (${v.correct} of ${v.total})`);
  lines.push(
    `  thanks read as unresolved: ${report.thanksReadUnresolved.length}${report.thanksReadUnresolved.length ? ` (${report.thanksReadUnresolved.join(', ')})` : ''}`,
  );
  lines.push(
    '',
    `Escalation timing (${x.labelled} labelled handoffs, ${report.conversations - x.labelled} the AI should carry)`,
    `  on the labelled turn   ${pct(x.onTime, x.labelled)}  (${x.onTime} of ${x.labelled})`,
    `  early ${x.early}, late ${x.late}, missed ${x.missed}; a person brought in unneeded: ${x.unneeded}`,
  );
  const all = factKinds.reduce((a, k) => ({ total: a.total + facts[k].total, present: a.present + facts[k].present }), {
    total: 0,
    present: 0,
  });
  lines.push('', `Summary completeness ${pct(all.present, all.total).trim()} of ${all.total} labelled facts`);
  for (const kind of factKinds)
    lines.push(`  ${kind.padEnd(20)} ${pct(facts[kind].present, facts[kind].total)}  (${facts[kind].present} of ${facts[kind].total})`);
  lines.push(`  stale needs kept after a reopen: ${report.staleNeeds.kept} of ${report.staleNeeds.total}`);
  if (verbose) {
    if (x.wrong.length) lines.push('', 'Escalation timing off (labelled → predicted):', ...x.wrong.map((w) => `  ${w}`));
    if (report.missedFacts.length) lines.push('', 'Facts missing from the handoff:', ...report.missedFacts.map((f) => `  ${f}`));
  }
  return lines.join('\n');
}
