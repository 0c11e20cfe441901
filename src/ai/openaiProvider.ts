import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { z } from 'zod';
import { and, desc, eq, isNotNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { createLogger, type Logger } from '../logger';
import { aiCalls, aiDrafts } from '../db/schema';
import { Classification, EscalationSummary, ReplyAssessment, type Citation, type Draft } from '../schemas/ticket';
import type { IssueType } from '../domain/vocabulary';
import { cutText } from '../domain/text';
import { whyInPlainWords } from '../domain/escalation';
import { accountContext, answering, data, pageData, tidySummary, transcriptText } from './openaiContent';
import { AIProviderError, retryAfterMs } from './errors';
import { searchKnowledgeBase } from './localProvider';
import { loadPrompt, type Prompt, type PromptName } from './prompts';
import type { DraftRequest, EscalationRequest, SupportAI, TicketForAI } from './supportAI';

export interface OpenAIProviderOptions {
  db: Db;
  apiKey?: string | undefined;
  baseURL?: string | undefined;
  model: string;
  temperature: number;
  timeoutMs: number;
  /** Tests pass their own fetch-level client; production builds one from the options. */
  client?: OpenAI;
  /** Where a failure to record usage is reported (LOG_LEVEL applies); never the console. */
  logger?: Logger;
}

/** What the model returns for a draft; citations are article ids checked against what it was given. */
const DraftOutput = z.object({
  body: z.string().min(1).max(5000),
  confidence: z.number().min(0).max(1),
  citations: z.array(z.string()),
});

// Strict structured outputs reject some length keywords; zod still enforces them on the answer.
const unsupported = new Set(['$schema', 'minLength', 'maxLength']);
const strip = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(strip)
    : value && typeof value === 'object'
      ? Object.fromEntries(
          Object.entries(value)
            .filter(([k]) => !unsupported.has(k))
            .map(([k, v]) => [k, strip(v)]),
        )
      : value;
const jsonSchema = (schema: z.ZodType) => strip(z.toJSONSchema(schema, { target: 'draft-7', io: 'output' })) as Record<string, unknown>;

/** Maps the openai client's errors to what Temporal should do about them. */
function classifyOpenAIError(err: unknown): AIProviderError {
  if (err instanceof AIProviderError) return err;
  if (err instanceof OpenAI.APIConnectionTimeoutError) return new AIProviderError('the model did not answer in time', 'timeout', true);
  if (err instanceof OpenAI.APIConnectionError) return new AIProviderError(`cannot reach the model: ${err.message}`, 'connection', true);
  if (err instanceof OpenAI.APIError) {
    const status = err.status ?? 0;
    if (status === 429) {
      return new AIProviderError(`rate limited by the model provider: ${err.message}`, 'rate_limited', true, retryAfterMs(err.headers));
    }
    if (status === 408 || status === 409 || status >= 500) {
      return new AIProviderError(`model provider error ${status}: ${err.message}`, 'server_error', true, retryAfterMs(err.headers));
    }
    const hint =
      status === 401
        ? ' (check OPENAI_API_KEY)'
        : status === 403
          ? ' (the key may not use this model)'
          : status === 404
            ? ' (check OPENAI_MODEL and OPENAI_BASE_URL)'
            : '';
    return new AIProviderError(`the model provider refused the request with ${status}${hint}: ${err.message}`, 'rejected', false);
  }
  return new AIProviderError(err instanceof Error ? err.message : String(err), 'server_error', true);
}

export function createOpenAISupportAI(options: OpenAIProviderOptions): SupportAI {
  const logger = options.logger ?? createLogger('warn');
  const { db, model, temperature } = options;
  // maxRetries 0: Temporal's activity retry policy owns retries, with the Retry-After we report.
  const client =
    options.client ??
    new OpenAI({
      apiKey: options.apiKey ?? 'not-needed',
      ...(options.baseURL ? { baseURL: options.baseURL } : {}),
      maxRetries: 0,
      timeout: options.timeoutMs,
    });
  const prompts = Object.fromEntries((['classify', 'draft', 'summarize', 'assess'] as const).map((n) => [n, loadPrompt(n)])) as Record<
    PromptName,
    Prompt
  >;

  async function record(row: Omit<typeof aiCalls.$inferInsert, 'id' | 'provider' | 'model'>) {
    // Usage records are for reporting: a failure to write one must not fail the ticket. The error
    // itself is logged (errorForLog), not its message: drizzle's message carries the row.
    await db
      .insert(aiCalls)
      .values({ id: randomUUID(), provider: 'openai', model, ...row })
      .catch((err: unknown) => logger.warn('could not record AI usage', { error: err }));
  }

  async function complete<T>(operation: PromptName, schema: z.ZodType<T>, userContent: string, ticketId: string | null): Promise<T> {
    const prompt = prompts[operation];
    const started = Date.now();
    let usage: { prompt_tokens?: number; completion_tokens?: number } | undefined;
    try {
      const response = await client.chat.completions.create({
        model,
        temperature,
        messages: [
          { role: 'system', content: prompt.text },
          { role: 'user', content: userContent },
        ],
        response_format: {
          type: 'json_schema',
          json_schema: { name: operation, strict: true, schema: jsonSchema(schema) },
        },
      });
      usage = response.usage ?? undefined;
      const content = response.choices[0]?.message?.content;
      if (!content) throw new AIProviderError('the model returned no content', 'invalid_output', true);
      let parsed: unknown;
      try {
        parsed = JSON.parse(content);
      } catch {
        throw new AIProviderError(`the model returned invalid JSON: ${cutText(content, 120, { ellipsis: true })}`, 'invalid_output', true);
      }
      const result = schema.safeParse(parsed);
      if (!result.success) {
        throw new AIProviderError(`the model's answer does not fit the schema: ${z.prettifyError(result.error)}`, 'invalid_output', true);
      }
      await record({
        ticketId,
        operation,
        promptVersion: prompt.version,
        inputTokens: usage?.prompt_tokens ?? null,
        outputTokens: usage?.completion_tokens ?? null,
        latencyMs: Date.now() - started,
        outcome: 'ok',
      });
      return result.data;
    } catch (err) {
      const failure = classifyOpenAIError(err);
      await record({
        ticketId,
        operation,
        promptVersion: prompt.version,
        inputTokens: usage?.prompt_tokens ?? null,
        outputTokens: usage?.completion_tokens ?? null,
        latencyMs: Date.now() - started,
        outcome: failure.kind,
        error: cutText(failure.message, 500, { ellipsis: true }),
      });
      throw failure;
    }
  }

  async function corrections(category: IssueType, limit = 3) {
    return db
      .select({ draft: aiDrafts.body, corrected: aiDrafts.finalBody })
      .from(aiDrafts)
      .where(and(eq(aiDrafts.outcome, 'modified'), eq(aiDrafts.category, category), isNotNull(aiDrafts.finalBody)))
      .orderBy(desc(aiDrafts.reviewedAt))
      .limit(limit);
  }

  const ticketData = (t: TicketForAI) => data('ticket', { channel: t.channel, subject: t.subject, body: t.body });

  return {
    name: `openai:${model}`,

    classify(ticket) {
      return complete('classify', Classification, ticketData(ticket), ticket.ticketId);
    },

    async draftReply({ ticket, transcript, classification, enrichment, turn, examples = [] }: DraftRequest): Promise<Draft> {
      // After a reopen the new message is the question: the settled one no longer steers the search.
      const latest = answering(transcript, ticket.reopenedBy)?.body ?? ticket.body;
      const [articles, corrected] = await Promise.all([
        searchKnowledgeBase(db, `${ticket.reopenedBy ? '' : ticket.subject} ${latest}`, 4),
        corrections(classification.issueType),
      ]);
      const content = [
        ticketData(ticket),
        data('transcript', transcriptText(transcript, ticket.reopenedBy)),
        data('page_context', pageData(ticket, transcript)),
        `Account context: ${JSON.stringify(accountContext(enrichment))}`,
        `Triage: ${classification.issueType}, ${classification.complexity} complexity, sentiment ${classification.sentiment}. This is AI reply number ${turn}.`,
        `Knowledge-base articles:\n${articles.map((a) => `[${a.id}] ${a.title}\n${a.body}`).join('\n\n') || 'none matched'}`,
        examples.length
          ? `Approved answers (a support lead approved each for a question of this category):\n${examples
              .map((e) => `[${e.id}]\n${data('question', e.question)}\nApproved answer: ${e.answer}`)
              .join('\n\n')}`
          : '',
        corrected.length
          ? `Approved agent corrections of earlier drafts in this category:\n${corrected
              .map((e, i) => `Example ${i + 1}\nAI draft: ${e.draft}\nAgent sent: ${e.corrected}`)
              .join('\n\n')}`
          : '',
      ]
        .filter(Boolean)
        .join('\n\n');
      const out = await complete('draft', DraftOutput, content, ticket.ticketId);
      const known = new Map<string, Citation>(articles.map((a) => [a.id, { articleId: a.id, title: a.title }]));
      for (const e of examples) {
        known.set(e.id, {
          articleId: e.id,
          title: `Approved answer: ${cutText(e.question.split('\n')[0]!, 80, { ellipsis: true, atWord: true })}`,
          kind: 'example' as const,
        });
      }
      return {
        body: out.body,
        // A model that cites nothing we gave it is guessing: trust it less.
        confidence: articles.length === 0 && examples.length === 0 ? Math.min(out.confidence, 0.4) : out.confidence,
        citations: out.citations.filter((id) => known.has(id)).map((id) => known.get(id)!),
        promptVersion: prompts.draft.version,
        provider: `openai:${model}`,
      };
    },

    async summarizeEscalation({ ticket, transcript, classification, enrichment, reasons }: EscalationRequest) {
      const plainWhy = whyInPlainWords(reasons);
      const content = [
        ticketData(ticket),
        data('transcript', transcriptText(transcript, ticket.reopenedBy)),
        data('page_context', pageData(ticket, transcript)),
        `Account context: ${JSON.stringify(accountContext(enrichment))}`,
        `Triage summary: ${classification?.summary ?? 'not classified'}`,
        `Escalation reasons: ${reasons.map((r) => `${r.code} (${r.detail})`).join('; ')}. In plain words: ${plainWhy}`,
      ].join('\n\n');
      const summary = await complete('summarize', EscalationSummary, content, ticket.ticketId);
      return tidySummary(summary, ticket, transcript, plainWhy);
    },

    assessReply(reply, transcript, ticketId) {
      const content = [data('transcript', transcriptText(transcript.slice(-6))), data('reply', reply)].join('\n\n');
      return complete('assess', ReplyAssessment, content, ticketId ?? null);
    },
  };
}
