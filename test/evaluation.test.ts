import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeCase, parseEvalSet, summarize, type EvalCase } from '../src/ai/evaluation';
import { emptyEnrichment } from '../src/domain/enrichment';
import { defaultPolicy } from '../src/schemas/policy';
import type { Classification } from '../src/domain/ticket';
import { startOpenAIStub, type OpenAIStub } from './support/openaiStub';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const evalSet = parseEvalSet(readFileSync(path.join(root, 'eval/tickets.jsonl'), 'utf8'));

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

  it('runs the local provider and prints the report', async () => {
    const out = path.join(dir, 'local.json');
    const { stdout } = await run('npx', ['tsx', 'scripts/eval.ts', '--provider', 'local', '--limit', '30', '--json', out], {
      cwd: root,
      env,
    });
    expect(stdout).toContain('Provider local, 30 labelled tickets');
    expect(stdout).toMatch(/Escalation recall \d+\.\d%/);
    const written = JSON.parse(readFileSync(out, 'utf8')) as { report: { cases: number }; results: unknown[] };
    expect(written.report.cases).toBe(30);
    expect(written.results).toHaveLength(30);
  }, 120_000);

  it('runs the openai provider against an OpenAI-compatible server, riding out a rate limit', async () => {
    const out = path.join(dir, 'openai.json');
    // No Temporal here to retry: the evaluation itself waits out the Retry-After.
    stub.enqueue(() => ({
      status: 429,
      headers: { 'retry-after': '1' },
      body: { error: { message: 'Rate limit reached', type: 'requests' } },
    }));
    const { stdout } = await run('npx', ['tsx', 'scripts/eval.ts', '--limit', '12', '--json', out], {
      cwd: root,
      env: { ...env, OPENAI_BASE_URL: stub.baseURL, OPENAI_MODEL: 'stub-model' },
    });
    expect(stdout).toContain('Provider openai:stub-model, 12 labelled tickets');
    const { report } = JSON.parse(readFileSync(out, 'utf8')) as { report: { accuracy: { issueType: number } } };
    const billing = evalSet.slice(0, 12).filter((c) => c.labels.issueType === 'billing').length;
    expect(report.accuracy.issueType).toBeCloseTo(billing / 12, 2);
    expect(stub.requests).toHaveLength(13);
    const limited = stub.requests[0]!;
    const retried = stub.requests.slice(1).find((r) => JSON.stringify(r.body.messages) === JSON.stringify(limited.body.messages));
    expect(retried!.at - limited.at).toBeGreaterThanOrEqual(900);
  }, 120_000);
});
