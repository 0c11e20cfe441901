// One delivery attempt of one webhook: a signed POST, its answer, and what it means. Retrying is the
// caller's job (a Temporal activity: one call = one attempt), so nothing here waits and tries again,
// except resending once on a fresh connection when a kept-alive one turns out to be already closed.
import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import { cutText, toStorableText } from '../domain/text';
import { parseEndpointUrl, resolveHost, type EndpointTarget, type ResolveHost } from './endpointUrl';
import { retryAfterMs, statusFailure, transportFailure, type FailureReason } from './failureReasons';
import { createGuardedAgent, type GuardedAgent } from './guardedAgent';
import { WebhookInputError } from './signing';
import { signedHeadersOffThread } from './signingPool';

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
  /** The request had been written to a connection (a fresh one connected, or a kept-alive one). */
  connected: boolean;
  /** It went out on a kept-alive connection opened by an earlier send. */
  reusedConnection: boolean;
}

/**
 * The total deadline of one attempt, shared by its exchanges: a plain timer and a callback rather
 * than an AbortController, whose EventTarget listeners cost about 4 µs a send (the timer 0.25 µs).
 */
interface Deadline {
  passed: boolean;
  /** The exchange running now, told when the deadline passes. */
  exchange: Exchange | null;
}

const deadlineError = () => new Error('deadline');

/**
 * One request/answer exchange through undici's dispatcher (its lowest level: no streams, about half
 * the CPU a request of node:http's client), cut short when its deadline passes. The exchange is its
 * own dispatch handler, so a send allocates one object rather than a closure per callback.
 */
class Exchange implements Dispatcher.DispatchHandler {
  private settled = false;
  // Set once the request is on a connection: until then there is nothing to abort.
  private controller: Dispatcher.DispatchController | null = null;
  // Set once the status line and headers have come: from then on there is an answer.
  private response: { status: number; headers: IncomingHttpHeaders } | null = null;
  private size = 0;
  private readonly chunks: Buffer[] = [];
  // No connection opened between asking and being on one: the request went on a kept-alive one
  // (under load another send's new connection may hide that; a reuse is then taken for a new one).
  private readonly openedBefore: number;
  private reusedConnection = false;

  constructor(
    private readonly sender: GuardedAgent,
    private readonly deadline: Deadline,
    private readonly resolve: (result: Answer | NoAnswer) => void,
  ) {
    this.openedBefore = sender.connectionsOpened();
  }

  private settle(result: Answer | NoAnswer) {
    if (this.settled) return;
    this.settled = true;
    this.deadline.exchange = null;
    this.resolve(result);
  }

  // What the receiver said so far is its answer, even when it stops mid-body or the deadline falls.
  private answered(response: { status: number; headers: IncomingHttpHeaders }) {
    this.settle({ kind: 'answer', ...response, body: Buffer.concat(this.chunks) });
  }

  private noAnswer(error: Error) {
    this.settle({ kind: 'no answer', error, connected: this.controller !== null, reusedConnection: this.reusedConnection });
  }

  onDeadline() {
    if (this.response) this.answered(this.response);
    else this.noAnswer(deadlineError());
    this.controller?.abort(deadlineError());
  }

  onRequestStart(controller: Dispatcher.DispatchController) {
    this.controller = controller;
    this.reusedConnection = this.sender.connectionsOpened() === this.openedBefore;
    // The deadline passed while the request waited for its connection.
    if (this.settled) controller.abort(deadlineError());
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders) {
    this.response = { status, headers };
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer) {
    const room = MAX_ANSWER_BYTES - this.size;
    this.chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
    this.size += Math.min(chunk.length, room);
    if (this.size < MAX_ANSWER_BYTES || !this.response) return;
    this.answered(this.response);
    // The rest is dropped with the connection: draining a huge answer costs more than a new one.
    controller.abort(new Error('answer too large'));
  }

  onResponseEnd() {
    if (this.response) this.answered(this.response);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error) {
    if (this.response) this.answered(this.response);
    else this.noAnswer(error);
  }
}

/** One exchange of `body` with `target`; never rejects. */
function exchange(target: EndpointTarget, headers: Record<string, string>, body: string, sender: GuardedAgent, deadline: Deadline) {
  return new Promise<Answer | NoAnswer>((resolve) => {
    const handler = new Exchange(sender, deadline, resolve);
    if (deadline.passed) return handler.onDeadline();
    deadline.exchange = handler;
    sender.agent.dispatch({ origin: target.url.origin, path: target.path, method: 'POST', headers, body }, handler);
  });
}

/** A kept-alive connection the receiver had closed just before it was reused: the request never arrived. */
const staleConnection = (result: Answer | NoAnswer): boolean =>
  result.kind === 'no answer' &&
  result.reusedConnection &&
  'code' in result.error &&
  (result.error.code === 'ECONNRESET' || result.error.code === 'EPIPE' || result.error.code === 'UND_ERR_SOCKET');

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

async function attempt(message: WebhookMessage, agent: GuardedAgent): Promise<WebhookAttempt> {
  const started = performance.now();
  const durationMs = () => Math.round(performance.now() - started);
  if (!Number.isFinite(message.timeoutMs) || message.timeoutMs <= 0)
    throw new WebhookInputError(`timeoutMs must be a positive number of milliseconds, not ${message.timeoutMs}.`);
  // Signing first: a bad id or secret is the caller's mistake and throws, whatever the URL.
  const signed = await signedHeadersOffThread(message);
  const target = targetOf(message.url);
  if ('problem' in target) {
    return { ok: false, status: null, responseBody: '', durationMs: durationMs(), error: `refused: ${target.problem}`, permanent: true };
  }
  const body = message.payload;
  // undici adds content-length (of the UTF-8 bytes) for a string body.
  const headers: Record<string, string> = { ...signed, 'content-type': 'application/json', 'user-agent': WEBHOOK_USER_AGENT };
  // A timer cleared at the end rather than AbortSignal.timeout, which keeps its timer until it fires:
  // at thousands of sends with 30 s deadlines, that is thousands of idle timers.
  const deadline: Deadline = { passed: false, exchange: null };
  const timer = setTimeout(() => {
    deadline.passed = true;
    deadline.exchange?.onDeadline();
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
  const agent = createGuardedAgent(options.lookup ?? resolveHost);
  return {
    send: (message) => attempt(message, agent),
    close: () => void agent.agent.destroy(),
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
