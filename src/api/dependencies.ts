import {
  isGrpcServiceError,
  NamespaceNotFoundError,
  ServiceError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
} from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { Problem, problems } from './problems';

/** Raised by the timer that bounds a dependency call; always becomes a 503. */
class DeadlineExceeded extends Error {}

/**
 * Settles with `fn()` or rejects with DeadlineExceeded after `timeoutMs`, whichever comes first,
 * and calls `onTimeout` so the abandoned call can be cancelled. Promise.race keeps a handler on
 * both, so a late rejection of the abandoned call is never an unhandled rejection.
 */
async function withinDeadline<T>(timeoutMs: number, what: string, fn: () => Promise<T>, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new DeadlineExceeded(`${what} exceeded ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([fn(), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The part of a gRPC service error this module reads. */
interface GrpcServiceError {
  code: number;
  details: string;
}

/** The gRPC status behind an SDK error: the SDK wraps service errors in ServiceError (cause). */
function grpcErrorOf(err: unknown, depth = 0): GrpcServiceError | undefined {
  if (isGrpcServiceError(err)) return err;
  if (depth >= 3 || !(err instanceof Error)) return undefined;
  return grpcErrorOf(err.cause, depth + 1);
}

// gRPC status codes (grpc/status.proto), named here because @grpc/grpc-js is only the SDK's dependency.
const grpcCodes = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;
type GrpcCode = (typeof grpcCodes)[number];
const grpcCodeName = (code: number): GrpcCode | undefined => grpcCodes[code];

// "Temporal is not there right now", not "your request is wrong": worth a retry later.
const TRANSIENT_CODES = new Set<GrpcCode | undefined>(['CANCELLED', 'DEADLINE_EXCEEDED', 'RESOURCE_EXHAUSTED', 'ABORTED', 'UNAVAILABLE']);

/**
 * What a Temporal error means for the client, or undefined for the errors routes map themselves
 * (workflow not found, already started, update refused…). Every gRPC status ends here, so none
 * reaches a client as a 500: "Temporal away" is a 503, "no worker" a 503 naming the worker, and
 * a refusal Tandem cannot fix by retrying (bad credentials, unknown namespace, a request
 * Temporal rejects) a 502, since the fault lies between Tandem and Temporal, not with the client.
 */
export function temporalProblem(err: unknown): Problem | undefined {
  if (err instanceof Problem) return err;
  if (err instanceof DeadlineExceeded || err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return problems.unavailable('temporal', 'Temporal did not answer in time; retry shortly');
  }
  if (err instanceof NamespaceNotFoundError) {
    return problems.badGateway('temporal', `Temporal has no namespace ${err.namespace}; the API is misconfigured`);
  }
  const grpc = grpcErrorOf(err);
  if (!grpc) {
    // The SDK's own connection errors carry no gRPC status.
    if (err instanceof ServiceError) {
      return /deadline|unavailable|connect/i.test(err.message)
        ? problems.unavailable('temporal', 'Temporal did not answer in time; retry shortly')
        : problems.badGateway('temporal', `Temporal failed the call: ${err.message}`);
    }
    return undefined;
  }
  // A Query or Update that needs the workflow, with no worker polling its task queue.
  const name = grpcCodeName(grpc.code);
  if (name === 'FAILED_PRECONDITION' && /no pollers?\b/i.test(grpc.details)) {
    return problems.unavailable('worker', 'no Tandem worker is running to answer for the ticket; retry shortly');
  }
  if (TRANSIENT_CODES.has(name)) return problems.unavailable('temporal', 'Temporal did not answer in time; retry shortly');
  const code = name ?? String(grpc.code);
  if (name === 'UNAUTHENTICATED' || name === 'PERMISSION_DENIED') {
    return problems.badGateway('temporal', `Temporal refused the API's credentials (${code})`, { grpcStatus: code });
  }
  return problems.badGateway('temporal', `Temporal refused the call (${code}): ${grpc.details}`, { grpcStatus: code });
}

/** Options of callTemporal. */
export interface TemporalCallOptions {
  /**
   * The task queue of the workflow the call needs. When the call runs out of time, the last
   * part of the deadline asks Temporal whether a worker polls it, so the 503 names `worker`
   * (Temporal answers, no worker) or `temporal` (Temporal itself silent) truthfully: a Query or
   * Update with no worker is otherwise held by Temporal until the deadline, like a dead server.
   */
  taskQueue?: string;
}

/**
 * Runs Temporal calls under one deadline, so a missing server becomes a 503 with Retry-After
 * within `timeoutMs`. The gRPC deadline alone does not bound the call: the SDK's retry
 * interceptor sleeps up to 5 s between attempts on UNAVAILABLE and only then notices the
 * deadline, so a timer races it and cancels what is left. Errors with no gRPC status (workflow
 * not found, update refused) pass through for the route to map.
 */
export async function callTemporal<T>(
  client: Client,
  timeoutMs: number,
  fn: () => Promise<T>,
  options: TemporalCallOptions = {},
): Promise<T> {
  // The share of the deadline kept for asking about pollers: enough for a round trip to a
  // live server, small enough that the call itself keeps most of the time.
  const probeMs = options.taskQueue ? Math.min(1000, Math.floor(timeoutMs / 4)) : 0;
  const callMs = timeoutMs - probeMs;
  const abort = new AbortController();
  try {
    return await withinDeadline(
      callMs,
      'Temporal call',
      () => client.withAbortSignal(abort.signal, () => client.withDeadline(Date.now() + callMs, fn)),
      () => abort.abort(),
    );
  } catch (err) {
    const problem = temporalProblem(err);
    if (options.taskQueue && problem?.extra.dependency === 'temporal' && problem.status === 503 && probeMs > 0) {
      const polled = await pollersOn(client, options.taskQueue, probeMs).catch(() => undefined);
      if (polled === false) throw problems.unavailable('worker', 'no Tandem worker is running to answer for the ticket; retry shortly');
    }
    throw problem ?? err;
  }
}

/**
 * A worker long-polls for up to a minute, so a healthy idle worker's last poll may be that old;
 * a few seconds more keep one from flickering "down" between polls.
 */
const POLLER_FRESH_MS = 70_000;

/**
 * Whether a worker polled `taskQueue`'s workflow tasks in the last minute or so: tells "the
 * worker is absent" (false) from "Temporal is absent" (throws the 503 problem naming
 * `temporal`), e.g. after an Update ran out of time.
 */
export async function pollersOn(client: Client, taskQueue: string, timeoutMs: number): Promise<boolean> {
  // No task queue type means workflow tasks: the pollers that run workflows and answer Updates.
  const response = await callTemporal(client, timeoutMs, () =>
    client.workflowService.describeTaskQueue({ namespace: client.options.namespace, taskQueue: { name: taskQueue } }),
  );
  const seenSince = Date.now() - POLLER_FRESH_MS;
  return (response.pollers ?? []).some((poller) => (optionalTsToMs(poller.lastAccessTime) ?? 0) >= seenSince);
}

// Connection-level failures from postgres.js / PGlite / the OS: SQLSTATE classes 08 (connection),
// 53 (resources), 57P (operator intervention), plus socket errors.
function databaseUnavailable(err: unknown, depth = 0): boolean {
  if (err instanceof DeadlineExceeded) return true;
  // drizzle wraps driver errors (DrizzleQueryError), so look through the cause chain.
  const { code, cause } = (err ?? {}) as { code?: unknown; cause?: unknown };
  if (cause && depth < 3 && databaseUnavailable(cause, depth + 1)) return true;
  if (typeof code !== 'string') return false;
  return (
    /^(08|53|57P)/.test(code) ||
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'ENOTFOUND',
      'EAI_AGAIN',
      'EPIPE',
      'CONNECT_TIMEOUT',
      'CONNECTION_CLOSED',
      'CONNECTION_ENDED',
      'CONNECTION_DESTROYED',
    ].includes(code)
  );
}

/** SQLSTATE class 22 (data exception): the database refused a value the request carried. */
function refusedValue(err: unknown, depth = 0): string | undefined {
  const { code, cause, message } = (err ?? {}) as { code?: unknown; cause?: unknown; message?: unknown };
  if (typeof code === 'string' && code.startsWith('22')) return typeof message === 'string' ? message : code;
  return cause && depth < 3 ? refusedValue(cause, depth + 1) : undefined;
}

/**
 * A database call with a deadline; an unreachable database becomes a 503 with Retry-After, and
 * a value the database refuses (validation should have caught it) a 400 rather than a 500.
 */
export async function callDatabase<T>(timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  try {
    return await withinDeadline(timeoutMs, 'database call', fn);
  } catch (err) {
    if (databaseUnavailable(err)) throw problems.unavailable('database', 'the database did not answer in time; retry shortly');
    const refused = refusedValue(err);
    if (refused) throw problems.invalid([{ field: 'request', message: `a value was refused by the database: ${refused}` }]);
    throw err;
  }
}
