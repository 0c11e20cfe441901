import { createServer, type Server } from 'node:http';
import type { Classification } from '../../src/domain/ticket';

/** A request the stub received: the parsed body and when it arrived. */
export interface StubRequest {
  at: number;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: {
    model: string;
    temperature?: number;
    messages: { role: string; content: string }[];
    response_format?: { type: string; json_schema?: { name: string; strict?: boolean; schema: Record<string, unknown> } };
  };
}

export interface StubReply {
  status?: number;
  headers?: Record<string, string>;
  /** A JSON body sent as is (errors), or use `content` for a chat completion. */
  body?: unknown;
  /** The assistant message content of a successful chat completion. */
  content?: string;
  delayMs?: number;
}

export type StubHandler = (request: StubRequest) => StubReply;

/** A chat completion with this content and some token usage, as the OpenAI API answers. */
function completion(model: string, content: string) {
  return {
    id: `chatcmpl-${Math.random().toString(36).slice(2)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content, refusal: null } }],
    usage: { prompt_tokens: 120 + content.length, completion_tokens: 40, total_tokens: 160 + content.length },
  };
}

/**
 * A local OpenAI-compatible server: POST /v1/chat/completions answers from a queue of scripted
 * replies (then from the fallback), and every request is kept for assertions.
 */
export async function startOpenAIStub(fallback: StubHandler) {
  const requests: StubRequest[] = [];
  const queue: StubHandler[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: StubRequest = {
        at: Date.now(),
        path: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as StubRequest['body'],
      };
      requests.push(request);
      if (req.method !== 'POST' || !request.path.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
        return;
      }
      const reply = (queue.shift() ?? fallback)(request);
      const send = () => {
        if (res.destroyed) return;
        const status = reply.status ?? 200;
        const body = reply.content !== undefined ? completion(request.body.model, reply.content) : reply.body;
        res.writeHead(status, { 'content-type': 'application/json', ...reply.headers }).end(JSON.stringify(body ?? {}));
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    /** Answers the next requests with these, in order, before falling back. */
    enqueue: (...handlers: StubHandler[]) => queue.push(...handlers),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export type OpenAIStub = Awaited<ReturnType<typeof startOpenAIStub>>;

/** Which operation a request is for, from the structured-output schema name. */
export const operationOf = (r: StubRequest) => r.body.response_format?.json_schema?.name ?? 'unknown';

/** A confident, easy classification: what a well-behaved model says of a password reset. */
export const classification: Classification = {
  issueType: 'how_to',
  complexity: 'low',
  repeatability: 'repeatable',
  urgency: 'low',
  sentiment: 'neutral',
  requestsHuman: false,
  confidence: 0.92,
  summary: 'Customer wants to reset their password',
};

/** Answers like a well-behaved model: valid JSON for whichever operation was asked. */
export function wellBehaved(request: StubRequest): StubReply {
  const user = request.body.messages.find((m) => m.role === 'user')?.content ?? '';
  switch (operationOf(request)) {
    case 'classify':
      return { content: JSON.stringify(classification) };
    case 'draft': {
      const ids = [...user.matchAll(/\[(kb_[a-z0-9_]+)\]/g)].map((m) => m[1]);
      return {
        content: JSON.stringify({
          body: 'Hi,\n\nUse "Forgot password" on the sign-in page.',
          confidence: 0.88,
          citations: [ids[0], 'kb_made_up'],
        }),
      };
    }
    case 'summarize':
      return {
        content: JSON.stringify({
          customerNeeds: 'Reset a password',
          alreadyTried: ['AI sent the reset steps'],
          whyEscalated: 'The customer asked for a person',
          accountContext: 'free tier',
          pageContext: null,
          suggestedNextStep: 'Send a reset link manually',
        }),
      };
    case 'assess':
      return { content: JSON.stringify({ verdict: 'resolved', sentiment: 'positive', confidence: 0.9 }) };
    default:
      return { status: 400, body: { error: { message: 'unknown schema' } } };
  }
}
