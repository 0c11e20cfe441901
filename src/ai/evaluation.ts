import { customerTexts, findInjection, type InjectionFinding } from '../domain/injection';
import { z } from 'zod';
import type { Enrichment } from '../domain/enrichment';
import type { RoutingPolicy } from '../domain/policy';
import { triageDecision } from '../domain/routing';
import type { HandlingMode } from '../domain/ticket';
import { ClassificationLabels, PageContext, type Classification } from '../schemas/ticket';
import { Channel } from '../schemas/vocabulary';
import { AIProviderError } from './errors';
import type { SupportAI } from './supportAI';

/** One labelled ticket of an evaluation split (eval/tickets.jsonl, eval/tickets-heldout.jsonl, eval/tickets-heldout2.jsonl). */
export const EvalCase = z.strictObject({
  id: z.string().min(1),
  customerId: z.string().nullable(),
  channel: Channel,
  subject: z.string(),
  body: z.string().min(1),
  /** Where the customer was, as the widget reports it: the provider sees it as a ticket would carry it. */
  pageContext: PageContext.optional(),
  /** What the integrating backend attached: read by the injection detector like any customer text. */
  metadata: z.record(z.string(), z.unknown()).optional(),
  labels: ClassificationLabels,
  tags: z.array(z.string()),
});
export type EvalCase = z.infer<typeof EvalCase>;

const scoredFields = ['issueType', 'complexity', 'repeatability', 'urgency', 'sentiment', 'requestsHuman'] as const;
type Field = (typeof scoredFields)[number];
const modes: HandlingMode[] = ['ai_auto', 'ai_review', 'human'];

export function parseEvalSet(jsonl: string): EvalCase[] {
  return jsonl
    .split('\n')
    .map((line, i) => [line.trim(), i + 1] as const)
    .filter(([line]) => line !== '')
    .map(([line, n]) => {
      const result = EvalCase.safeParse(JSON.parse(line));
      if (!result.success) throw new Error(`eval set line ${n}: ${z.prettifyError(result.error)}`);
      return result.data;
    });
}

export interface CaseResult {
  id: string;
  tags: string[];
  expected: EvalCase['labels'];
  predicted: Classification;
  expectedMode: HandlingMode;
  predictedMode: HandlingMode;
  /** Should a person take it at triage (human mode or a soft trigger such as frustration)? */
  expectedEscalation: boolean;
  predictedEscalation: boolean;
}

/** What the policy does with a classification: the mode, and whether a person takes it at once. */
function decide(c: Classification, enrichment: Enrichment, policy: RoutingPolicy, injection: InjectionFinding[]) {
  const decision = triageDecision(c, enrichment, policy, injection);
  return { mode: decision.mode, escalates: decision.escalateWith.length > 0 };
}

export function judgeCase(item: EvalCase, predicted: Classification, enrichment: Enrichment, policy: RoutingPolicy): CaseResult {
  // Every field the customer controls, as the workflow reads them.
  const text = findInjection(customerTexts(item));
  // The labels are a human's reading: full confidence, the summary is not scored.
  const truth = decide({ ...item.labels, confidence: 1, summary: '' }, enrichment, policy, text);
  const guess = decide(predicted, enrichment, policy, text);
  return {
    id: item.id,
    tags: item.tags,
    expected: item.labels,
    predicted,
    expectedMode: truth.mode,
    predictedMode: guess.mode,
    expectedEscalation: truth.escalates,
    predictedEscalation: guess.escalates,
  };
}

export interface EvalReport {
  cases: number;
  accuracy: Record<Field, number>;
  accuracyByTag: Record<string, { cases: number; issueType: number; routing: number }>;
  routing: { accuracy: number; confusion: Record<HandlingMode, Record<HandlingMode, number>> };
  escalation: { recall: number; precision: number; expected: number; predicted: number; caught: number };
  /** Tickets the policy would send unreviewed although a person should have seen them. */
  unsafeAutoSends: string[];
}

const ratio = (n: number, d: number) => (d === 0 ? 1 : Math.round((n / d) * 1000) / 1000);

export function summarize(results: CaseResult[]): EvalReport {
  const accuracy = Object.fromEntries(
    scoredFields.map((f) => [f, ratio(results.filter((r) => r.expected[f] === r.predicted[f]).length, results.length)]),
  ) as Record<Field, number>;
  const confusion = Object.fromEntries(
    modes.map((e) => [e, Object.fromEntries(modes.map((p) => [p, 0]))]),
  ) as EvalReport['routing']['confusion'];
  for (const r of results) confusion[r.expectedMode][r.predictedMode]++;
  const expected = results.filter((r) => r.expectedEscalation);
  const predicted = results.filter((r) => r.predictedEscalation);
  const caught = expected.filter((r) => r.predictedEscalation).length;
  const tags = [...new Set(results.flatMap((r) => r.tags))].sort();
  return {
    cases: results.length,
    accuracy,
    accuracyByTag: Object.fromEntries(
      tags.map((tag) => {
        const tagged = results.filter((r) => r.tags.includes(tag));
        return [
          tag,
          {
            cases: tagged.length,
            issueType: ratio(tagged.filter((r) => r.expected.issueType === r.predicted.issueType).length, tagged.length),
            routing: ratio(tagged.filter((r) => r.expectedMode === r.predictedMode).length, tagged.length),
          },
        ];
      }),
    ),
    routing: { accuracy: ratio(results.filter((r) => r.expectedMode === r.predictedMode).length, results.length), confusion },
    escalation: {
      recall: ratio(caught, expected.length),
      precision: ratio(caught, predicted.length),
      expected: expected.length,
      predicted: predicted.length,
      caught,
    },
    unsafeAutoSends: results.filter((r) => r.predictedMode === 'ai_auto' && r.expectedMode !== 'ai_auto').map((r) => r.id),
  };
}

export interface RunOptions {
  ai: SupportAI;
  cases: EvalCase[];
  policy: RoutingPolicy;
  enrichmentFor: (customerId: string | null) => Promise<Enrichment>;
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Providers leave retries to Temporal (maxRetries 0); the evaluation has no Temporal, so it
 * retries here the same way: a rate limit after its Retry-After, an outage with backoff, a
 * refused request not at all.
 */
export async function withRetries<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof AIProviderError) || !err.retryable || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, err.retryAfterMs ?? Math.min(30_000, 500 * 2 ** attempt)));
    }
  }
}

/** Classifies every case with the provider (a few at a time) and judges it against its labels. */
export async function runEvaluation(options: RunOptions): Promise<{ results: CaseResult[]; report: EvalReport }> {
  const { ai, cases, policy } = options;
  const results: CaseResult[] = new Array(cases.length);
  let next = 0;
  let done = 0;
  const workerLoop = async () => {
    while (next < cases.length) {
      const index = next++;
      const item = cases[index]!;
      const predicted = await withRetries(() =>
        ai.classify({
          ticketId: `eval-${item.id}`,
          channel: item.channel,
          subject: item.subject,
          body: item.body,
          ...(item.pageContext ? { pageContext: item.pageContext } : {}),
        }),
      );
      results[index] = judgeCase(item, predicted, await options.enrichmentFor(item.customerId), policy);
      options.onProgress?.(++done, cases.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, workerLoop));
  return { results, report: summarize(results) };
}

/** The report as the table `npm run eval` prints. */
export function formatReport(report: EvalReport, provider: string, split?: string): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(7);
  const lines = [`Provider ${provider}, ${split ? `${split} split, ` : ''}${report.cases} labelled tickets`, '', 'Field accuracy'];
  for (const [field, value] of Object.entries(report.accuracy)) lines.push(`  ${field.padEnd(14)} ${pct(value)}`);
  lines.push('', `Routing decision (rows: expected, columns: predicted), accuracy ${pct(report.routing.accuracy).trim()}`);
  lines.push(`  ${''.padEnd(10)} ${modes.map((m) => m.padStart(10)).join('')}`);
  for (const e of modes) lines.push(`  ${e.padEnd(10)} ${modes.map((p) => String(report.routing.confusion[e][p]).padStart(10)).join('')}`);
  const { escalation: x } = report;
  lines.push(
    '',
    `Escalation recall ${pct(x.recall).trim()} (${x.caught} of ${x.expected}), precision ${pct(x.precision).trim()} (${x.predicted} escalated)`,
  );
  lines.push(
    `Sent unreviewed although a person should have looked: ${report.unsafeAutoSends.length}${report.unsafeAutoSends.length ? ` (${report.unsafeAutoSends.join(', ')})` : ''}`,
  );
  lines.push('', 'By tag (issue type / routing)');
  for (const [tag, t] of Object.entries(report.accuracyByTag))
    lines.push(`  ${tag.padEnd(14)} ${String(t.cases).padStart(4)} tickets ${pct(t.issueType)} ${pct(t.routing)}`);
  return lines.join('\n');
}
