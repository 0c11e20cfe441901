// One delivery attempt of one webhook: a signed POST, its answer, and what it means. Retrying is the
// caller's job (a Temporal activity: one call = one attempt), so nothing here waits and tries again,
// except resending once on a fresh connection when a kept-alive one turns out to be already closed.
import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { cutText, toStorableText } from '../domain/text';
import { parseEndpointUrl, resolveHost, type EndpointTarget, type ResolveHost } from './endpointUrl';
import { retryAfterMs, statusFailure, transportFailure, type FailureReason } from './failureReasons';
import { createGuardedAgents, type GuardedAgents } from './guardedAgents';
import { signedHeaders, WebhookInputError } from './signing';

export const WEBHOOK_USER_AGENT = 'Tandem-Webhooks/1';
/** Read this much of an answer and drop the rest: it is only logged, and a receiver may send gigabytes. */
const MAX_ANSWER_BYTES = 64 * 1024;
/** What of the answer the delivery log keeps. */
const LOGGED_ANSWER_CHARS = 2048;
/** Resends after a kept-alive connection was found closed; more would mean the receiver resets everything. */
const STALE_CONNECTION_RESENDS = 2;

export interface WebhookAttempt {
  /** A 2xx answer. */
  ok: boolean;
  /** HTTP status, null when no answer. */
  status: number | null;
  /** The receiver's answer, first 2 kB (cutText), for the delivery log. */
  responseBody: string;
  durationMs: number;
  /** Why it failed, in words a person can act on; null when ok. */
  error: string | null;
  /** Retrying cannot help: 410 Gone (the receiver disabled the endpoint), or the address is now forbidden. */
  permanent: boolean;
  /** When a failed answer carried Retry-After (429, 503): how long the receiver asked to wait. */
  retryAfterMs?: number;
}

export interface WebhookMessage {
  url: string;
  webhookId: string;
  timestamp: Date;
  payload: string;
  secrets: string[];
  /** Total deadline: resolving, connecting, sending and the answer. */
  timeoutMs: number;
}

interface Answer {
  kind: 'answer';
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface NoAnswer {
  kind: 'no answer';
  error: Error;
  /** The request went out on a kept-alive connection opened by an earlier send. */
  reusedSocket: boolean;
  connected: boolean;
}

/**
 * The total deadline of one attempt, shared by its exchanges: a plain timer and a callback rather
 * than an AbortController, whose EventTarget listeners cost about 4 µs a send (the timer 0.25 µs).
 */
interface Deadline {
  passed: boolean;
  /** What the exchange running now does when the deadline passes. */
  onPass: (() => void) | null;
}

/** One request/answer exchange, cut short when `deadline` passes. Never rejects. */
function exchange(target: EndpointTarget, headers: OutgoingHttpHeaders, body: Buffer, agent: http.Agent, deadline: Deadline) {
  return new Promise<Answer | NoAnswer>((resolve) => {
    let settled = false;
    let connected = false;
    let response: IncomingMessage | null = null;
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (result: Answer | NoAnswer) => {
      if (settled) return;
      settled = true;
      deadline.onPass = null;
      resolve(result);
    };
    // What the receiver said so far is its answer, even when it stops mid-body or the deadline falls.
    const answered = (res: IncomingMessage) =>
      settle({ kind: 'answer', status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });

    const request = (target.url.protocol === 'https:' ? https : http).request({
      hostname: target.host,
      port: target.port,
      path: target.path,
      method: 'POST',
      headers,
      agent,
    });
    const onDeadline = () => (response ? response.destroy() : request.destroy(new Error('deadline')));
    if (deadline.passed) onDeadline();
    else deadline.onPass = onDeadline;

    request.on('socket', (socket) => {
      if (!socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    request.on('error', (error) => {
      if (response) answered(response);
      else settle({ kind: 'no answer', error, reusedSocket: request.reusedSocket, connected });
    });
    request.on('response', (res) => {
      response = res;
      res.on('data', (chunk: Buffer) => {
        const room = MAX_ANSWER_BYTES - size;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        size += Math.min(chunk.length, room);
        if (size < MAX_ANSWER_BYTES) return;
        answered(res);
        // The rest is dropped with the connection: draining a huge answer costs more than a new one.
        res.destroy();
      });
      res.on('end', () => answered(res));
      res.on('error', () => answered(res));
      res.on('close', () => answered(res));
    });
    request.end(body);
  });
}

/** A kept-alive connection the receiver had closed just before it was reused: the request never arrived. */
const staleConnection = (result: Answer | NoAnswer): boolean =>
  result.kind === 'no answer' &&
  result.reusedSocket &&
  'code' in result.error &&
  (result.error.code === 'ECONNRESET' || result.error.code === 'EPIPE');

function timeoutFailure(timeoutMs: number, target: EndpointTarget, connected: boolean): FailureReason {
  const endpoint = `${target.host}:${target.port}`;
  const what = connected ? `${endpoint} accepted the connection but did not answer` : `no connection to ${endpoint}`;
  return { error: `timeout after ${timeoutMs} ms: ${what}`, permanent: false };
}

function redirectTarget(location: string | undefined, base: URL): string | null {
  if (!location) return null;
  try {
    return new URL(location, base).href;
  } catch {
    return location;
  }
}

/** The answer as the delivery log stores it: valid UTF-8 text without NULs, at most 2 kB. */
const loggedAnswer = (body: Buffer): string => cutText(toStorableText(body.toString('utf8')), LOGGED_ANSWER_CHARS);

// What a URL's text says about its target never changes, and a busy endpoint is sent to thousands
// of times a second: each text is parsed once (the addresses it resolves to are checked at connect).
const targets = new Map<string, ReturnType<typeof parseEndpointUrl>>();
function targetOf(url: string) {
  let target = targets.get(url);
  if (!target) {
    if (targets.size >= 1000) targets.clear();
    targets.set(url, (target = parseEndpointUrl(url)));
  }
  return target;
}

async function attempt(message: WebhookMessage, agents: GuardedAgents): Promise<WebhookAttempt> {
  const started = performance.now();
  const durationMs = () => Math.round(performance.now() - started);
  if (!Number.isFinite(message.timeoutMs) || message.timeoutMs <= 0)
    throw new WebhookInputError(`timeoutMs must be a positive number of milliseconds, not ${message.timeoutMs}.`);
  // Signing first: a bad id or secret is the caller's mistake and throws, whatever the URL.
  const signed = signedHeaders(message);
  const target = targetOf(message.url);
  if ('problem' in target) {
    return { ok: false, status: null, responseBody: '', durationMs: durationMs(), error: `refused: ${target.problem}`, permanent: true };
  }
  const body = Buffer.from(message.payload, 'utf8');
  const headers: OutgoingHttpHeaders = {
    ...signed,
    'content-type': 'application/json',
    'content-length': body.length,
    'user-agent': WEBHOOK_USER_AGENT,
  };
  const agent = target.url.protocol === 'https:' ? agents.https : agents.http;
  // A timer cleared at the end rather than AbortSignal.timeout, which keeps its timer until it fires:
  // at thousands of sends with 30 s deadlines, that is thousands of idle timers.
  const deadline: Deadline = { passed: false, onPass: null };
  const timer = setTimeout(() => {
    deadline.passed = true;
    deadline.onPass?.();
  }, message.timeoutMs);
  let result: Answer | NoAnswer;
  try {
    result = await exchange(target, headers, body, agent, deadline);
    for (let resend = 0; resend < STALE_CONNECTION_RESENDS && staleConnection(result) && !deadline.passed; resend++) {
      result = await exchange(target, headers, body, agent, deadline);
    }
  } finally {
    clearTimeout(timer);
  }
  if (result.kind === 'no answer') {
    const reason = deadline.passed ? timeoutFailure(message.timeoutMs, target, result.connected) : transportFailure(result.error, target);
    return { ok: false, status: null, responseBody: '', durationMs: durationMs(), ...reason };
  }
  const failure = statusFailure(result.status, redirectTarget(result.headers.location, target.url));
  const retryAfter = failure ? retryAfterMs(result.headers['retry-after'], Date.now()) : null;
  return {
    ok: failure === null,
    status: result.status,
    responseBody: loggedAnswer(result.body),
    durationMs: durationMs(),
    error: failure?.error ?? null,
    permanent: failure?.permanent ?? false,
    ...(retryAfter === null ? {} : { retryAfterMs: retryAfter }),
  };
}

export interface WebhookSender {
  /** One attempt; see sendWebhook. */
  send(message: WebhookMessage): Promise<WebhookAttempt>;
  /** Closes the kept-alive connections. */
  close(): void;
}

/**
 * A sender with its own pool of kept-alive connections. `lookup` replaces the system resolver
 * (tests point names at chosen addresses); the connect-time address check applies to what it returns.
 */
export function createWebhookSender(options: { lookup?: ResolveHost } = {}): WebhookSender {
  const agents = createGuardedAgents(options.lookup ?? resolveHost);
  return {
    send: (message) => attempt(message, agents),
    close: () => {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

// One pool per process: a busy endpoint then costs one TCP (and TLS) handshake, not one per message.
let processSender: WebhookSender | null = null;

/**
 * One signed POST (application/json, user-agent Tandem-Webhooks/1); no redirects followed (3xx is a
 * failure); a total deadline of timeoutMs; the answer read up to 64 kB and then dropped; connected
 * only to an address that passes isForbiddenAddress at connect time. Never throws for a receiver's
 * misbehaviour (garbage, resets, hangs, huge bodies give ok:false with the reason); throws only
 * WebhookInputError, for the caller's mistakes (see signedHeaders; a timeoutMs that is not positive).
 */
export function sendWebhook(message: WebhookMessage): Promise<WebhookAttempt> {
  processSender ??= createWebhookSender();
  return processSender.send(message);
}
