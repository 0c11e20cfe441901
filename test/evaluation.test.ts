import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConversations, type ConversationCase, type ConversationResult } from '../src/ai/conversationEval';
import { factPresent, summarizeConversations } from '../src/ai/conversationReport';
import { judgeCase, parseEvalSet, summarize, type EvalCase } from '../src/ai/evaluation';
import { emptyEnrichment } from '../src/domain/enrichment';
import { defaultPolicy } from '../src/schemas/policy';
import type { Classification } from '../src/domain/ticket';
import { startOpenAIStub, type OpenAIStub } from './support/openaiStub';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const evalSet = parseEvalSet(readFileSync(path.join(root, 'eval/tickets.jsonl'), 'utf8'));
const heldOut = parseEvalSet(readFileSync(path.join(root, 'eval/tickets-heldout.jsonl'), 'utf8'));
const heldOut2 = parseEvalSet(readFileSync(path.join(root, 'eval/tickets-heldout2.jsonl'), 'utf8'));
const heldOut3 = parseEvalSet(readFileSync(path.join(root, 'eval/tickets-heldout3.jsonl'), 'utf8'));
const conversations = parseConversations(readFileSync(path.join(root, 'eval/conversations.jsonl'), 'utf8'));

const item = (id: string, labels: Partial<EvalCase['labels']> = {}): EvalCase => ({
  id,
  customerId: null,
  channel: 'chat',
  subject: 's',
  body: 'b',
  tags: ['t'],
  labels: {
    issueType: 'how_to',
    complexity: 'low',
    repeatability: 'repeatable',
    urgency: 'low',
    sentiment: 'neutral',
    requestsHuman: false,
    ...labels,
  },
});
const predicted = (c: Partial<Classification> = {}): Classification => ({
  issueType: 'how_to',
  complexity: 'low',
  repeatability: 'repeatable',
  urgency: 'low',
  sentiment: 'neutral',
  requestsHuman: false,
  confidence: 0.9,
  summary: '',
  ...c,
});
const free = { ...emptyEnrichment(null), tier: 'free' as const };

describe('evaluation scoring', () => {
  it('computes field accuracy, the routing confusion and escalation recall', () => {
    const results = [
      judgeCase(item('a'), predicted(), free, defaultPolicy), // all right, ai_auto
      judgeCase(item('b', { requestsHuman: true }), predicted(), free, defaultPolicy), // missed escalation, unsafe auto send
      judgeCase(item('c', { sentiment: 'frustrated' }), predicted({ sentiment: 'frustrated' }), free, defaultPolicy), // caught
      // billing is reviewed by policy; taken for technical it would have been sent unreviewed
      judgeCase(item('d', { issueType: 'billing' }), predicted({ issueType: 'technical' }), free, defaultPolicy),
    ];
    const report = summarize(results);
    expect(report.cases).toBe(4);
    expect(report.accuracy.issueType).toBe(0.75);
    expect(report.accuracy.requestsHuman).toBe(0.75);
    expect(report.accuracy.sentiment).toBe(1);
    expect(report.routing.confusion.human.ai_auto).toBe(1);
    expect(report.routing.confusion.ai_auto.ai_auto).toBe(2);
    expect(report.escalation).toMatchObject({ expected: 2, caught: 1, recall: 0.5 });
    expect(report.unsafeAutoSends).toEqual(['b', 'd']);
    expect(report.routing.confusion.ai_review.ai_auto).toBe(1);
  });
});

describe('the labelled set', () => {
  it('has at least 150 valid, uniquely named tickets covering the hard cases', () => {
    expect(evalSet.length).toBeGreaterThanOrEqual(150);
    expect(new Set(evalSet.map((c) => c.id)).size).toBe(evalSet.length);
    const tagged = (tag: string) => evalSet.filter((c) => c.tags.includes(tag)).length;
    for (const tag of ['typos', 'sarcasm', 'multi-issue', 'injection', 'wants-human']) expect(tagged(tag), tag).toBeGreaterThanOrEqual(5);
    expect(new Set(evalSet.map((c) => c.labels.issueType)).size).toBe(7);
  });

  it('has a held-out split of 80 other tickets, in four languages and with page state', () => {
    expect(heldOut).toHaveLength(80);
    const ids = new Set(evalSet.map((c) => c.id));
    expect(heldOut.some((c) => ids.has(c.id))).toBe(false);
    const tagged = (tag: string) => heldOut.filter((c) => c.tags.includes(tag)).length;
    for (const tag of ['typos', 'sarcasm', 'multi-issue', 'non-english', 'wants-human', 'page-context']) {
      expect(tagged(tag), tag).toBeGreaterThanOrEqual(5);
    }
    expect(heldOut.filter((c) => c.pageContext?.state).length).toBeGreaterThanOrEqual(5);
  });

  it('has a second held-out split of 80 further tickets, in five languages and with page state', () => {
    expect(heldOut2).toHaveLength(80);
    const ids = new Set([...evalSet, ...heldOut].map((c) => c.id));
    expect(heldOut2.some((c) => ids.has(c.id))).toBe(false);
    const tagged = (tag: string) => heldOut2.filter((c) => c.tags.includes(tag)).length;
    for (const tag of ['sarcasm', 'multi-issue', 'non-english', 'wants-human', 'page-context']) {
      expect(tagged(tag), tag).toBeGreaterThanOrEqual(4);
    }
    expect(new Set(heldOut2.map((c) => c.labels.issueType)).size).toBe(7);
    expect(heldOut2.filter((c) => c.pageContext?.state).length).toBeGreaterThanOrEqual(5);
  });

  it('has a third held-out split of 80 further tickets, in five languages and with page state', () => {
    expect(heldOut3).toHaveLength(80);
    const ids = new Set([...evalSet, ...heldOut, ...heldOut2].map((c) => c.id));
    expect(heldOut3.some((c) => ids.has(c.id))).toBe(false);
    const tagged = (tag: string) => heldOut3.filter((c) => c.tags.includes(tag)).length;
    for (const tag of ['typos', 'sarcasm', 'multi-issue', 'non-english', 'wants-human', 'page-context']) {
      expect(tagged(tag), tag).toBeGreaterThanOrEqual(4);
    }
    expect(new Set(heldOut3.map((c) => c.labels.issueType)).size).toBe(7);
    expect(heldOut3.filter((c) => c.pageContext?.state).length).toBeGreaterThanOrEqual(5);
  });

  it('has at least 60 labelled conversations: every verdict, four languages, handoffs with facts, reopens', () => {
    expect(conversations.length).toBeGreaterThanOrEqual(60);
    expect(new Set(conversations.map((c) => c.id)).size).toBe(conversations.length);
    const verdicts = new Set(conversations.flatMap((c) => c.turns.flatMap((t) => (t.expect ? [t.expect] : []))));
    expect([...verdicts].sort()).toEqual(['new_question', 'partially_resolved', 'resolved', 'unclear', 'unresolved', 'wants_human']);
    for (const language of ['en', 'fr', 'de', 'es']) {
      expect(conversations.filter((c) => c.tags.includes(language)).length, language).toBeGreaterThanOrEqual(8);
    }
    expect(conversations.filter((c) => c.escalateAt !== null && c.facts).length).toBeGreaterThanOrEqual(30);
    expect(conversations.filter((c) => c.tags.includes('reopen')).length).toBeGreaterThanOrEqual(5);
  });
});

describe('conversation scoring', () => {
  it.each([
    ['cleared my cache twice', 'Customer said: I also cleared my cache twice.', true],
    ['cleared cache', 'The customer clears the caches', true],
    ['INV-5512', 'state: invoice id INV-5512, seats 55', true],
    ['45%', 'progress 45%', true],
    ['réinitialisation mot de passe', 'Je ne reçois pas la reinitialisation du mot de passe', true],
    ['cleared my cache twice', 'cleared my cache', false],
    ['reset password', 'research the passport', false],
  ])('finds "%s" in "%s": %s', (fact, text, present) => {
    expect(factPresent(fact, text)).toBe(present);
  });

  it('scores replies, escalation timing, facts and stale needs', () => {
    const item = (id: string, over: Partial<ConversationCase> = {}): ConversationCase => ({
      id,
      customerId: null,
      channel: 'chat',
      subject: 's',
      turns: [{ author: 'customer', body: 'b' }],
      escalateAt: 2,
      tags: ['en'],
      ...over,
    });
    const summary = {
      customerNeeds: 'Cancel the subscription',
      alreadyTried: ['Customer: I cleared my cache'],
      whyEscalated: 'The customer asked for a person.',
      accountContext: 'free tier',
      pageContext: null,
      suggestedNextStep: null,
    };
    const cases = [
      item('a', {
        facts: { needs: ['cancel subscription'], tried: ['cleared my cache', 'another browser'], page: [], notNeeds: ['password'] },
      }),
      item('b', { escalateAt: null, tags: ['fr'] }),
    ];
    const results: ConversationResult[] = [
      {
        id: 'a',
        tags: ['en'],
        replies: [{ turn: 2, expected: 'wants_human', predicted: 'wants_human', thanks: false }],
        expectedEscalation: 2,
        predictedEscalation: 2,
        predictedReasons: ['customer_requested_human: the customer asked for a person'],
        summary,
      },
      {
        id: 'b',
        tags: ['fr'],
        replies: [{ turn: 2, expected: 'resolved', predicted: 'unresolved', thanks: true }],
        expectedEscalation: null,
        predictedEscalation: 2,
        predictedReasons: ['unresolved_after_turns: still unresolved after 2 AI replies'],
        summary: null,
      },
    ];
    const report = summarizeConversations(cases, results);
    expect(report.replies).toMatchObject({ total: 2, correct: 1 });
    expect(report.byLanguage).toEqual({ en: { total: 1, correct: 1 }, fr: { total: 1, correct: 0 } });
    expect(report.thanksReadUnresolved).toEqual(['b#2']);
    expect(report.escalation).toMatchObject({
      labelled: 1,
      onTime: 1,
      unneeded: 1,
      wrong: ['b (none → 2) unresolved_after_turns: still unresolved after 2 AI replies'],
    });
    expect(report.facts).toEqual({ needs: { total: 1, present: 1 }, tried: { total: 2, present: 1 }, page: { total: 0, present: 0 } });
    expect(report.staleNeeds).toEqual({ total: 1, kept: 0 });
    expect(report.missedFacts).toEqual(['a tried: another browser']);
  });
});

describe('npm run eval', () => {
  let dir: string;
  let stub: OpenAIStub;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tandem-eval-'));
    // A model that always answers the same classification: its accuracy is then exactly computable.
    stub = await startOpenAIStub(() => ({ content: JSON.stringify(predicted({ issueType: 'billing' })) }));
  });
  afterAll(async () => {
    await stub?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const env = { ...process.env, DATABASE_URL: '', OPENAI_API_KEY: '', OPENAI_BASE_URL: '' };

  it('runs the local provider over the four splits and prints a report for each', async () => {
    const out = path.join(dir, 'local.json');
    const { stdout } = await run('npx', ['tsx', 'scripts/eval.ts', '--provider', 'local', '--limit', '30', '--json', out], {
      cwd: root,
      env,
    });
    expect(stdout).toContain('Provider local, dev split, 30 labelled tickets');
    expect(stdout).toContain('Provider local, held-out (first) split, 30 labelled tickets');
    expect(stdout).toContain('Provider local, held-out (second) split, 30 labelled tickets');
    expect(stdout).toContain('Provider local, held-out (third) split, 30 labelled tickets');
    expect(stdout).toMatch(/Escalation recall \d+\.\d%/);
    type Written = Record<'dev' | 'heldout' | 'heldout2' | 'heldout3', { report: { cases: number }; results: unknown[] }>;
    const written = JSON.parse(readFileSync(out, 'utf8')) as Written;
    expect(written.dev.report.cases).toBe(30);
    expect(written.heldout.results).toHaveLength(30);
    expect(written.heldout2.results).toHaveLength(30);
    expect(written.heldout3.results).toHaveLength(30);
  }, 120_000);

  it('replays labelled conversations with the local provider and prints the three figures', async () => {
    const { stdout } = await run('npx', ['tsx', 'scripts/eval.ts', '--provider', 'local', '--conversations', '--limit', '24'], {
      cwd: root,
      env,
    });
    expect(stdout).toContain('Provider local, 24 labelled conversations');
    expect(stdout).toMatch(/Reply assessment accuracy \d+\.\d%/);
    expect(stdout).toMatch(/on the labelled turn +\d+\.\d%/);
    expect(stdout).toMatch(/Summary completeness \d+\.\d% of \d+ labelled facts/);
  }, 120_000);

  it('runs the openai provider against an OpenAI-compatible server, riding out a rate limit', async () => {
    const out = path.join(dir, 'openai.json');
    // No Temporal here to retry: the evaluation itself waits out the Retry-After.
    stub.enqueue(() => ({
      status: 429,
      headers: { 'retry-after': '1' },
      body: { error: { message: 'Rate limit reached', type: 'requests' } },
    }));
    const { stdout } = await run('npx', ['tsx', 'scripts/eval.ts', '--split', 'dev', '--limit', '12', '--json', out], {
      cwd: root,
      env: { ...env, OPENAI_BASE_URL: stub.baseURL, OPENAI_MODEL: 'stub-model' },
    });
    expect(stdout).toContain('Provider openai:stub-model, dev split, 12 labelled tickets');
    const { report } = (JSON.parse(readFileSync(out, 'utf8')) as { dev: { report: { accuracy: { issueType: number } } } }).dev;
    const billing = evalSet.slice(0, 12).filter((c) => c.labels.issueType === 'billing').length;
    expect(report.accuracy.issueType).toBeCloseTo(billing / 12, 2);
    expect(stub.requests).toHaveLength(13);
    const limited = stub.requests[0]!;
    const retried = stub.requests.slice(1).find((r) => JSON.stringify(r.body.messages) === JSON.stringify(limited.body.messages));
    expect(retried!.at - limited.at).toBeGreaterThanOrEqual(900);
  }, 120_000);
});
