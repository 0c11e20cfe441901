import { isGrpcServiceError, ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import { Problem, problems } from './problems';

// gRPC status codes that mean "Temporal is not there right now", not "your request is wrong".
const UNAVAILABLE_CODES = new Set([4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 14 /* UNAVAILABLE */, 1 /* CANCELLED */]);

function temporalUnavailable(err: unknown): boolean {
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  const grpc = isGrpcServiceError(err) ? err : err instanceof ServiceError && isGrpcServiceError(err.cause) ? err.cause : null;
  if (grpc) return UNAVAILABLE_CODES.has(grpc.code);
  return err instanceof ServiceError && /deadline|unavailable|connect/i.test(err.message);
}

/**
 * Runs Temporal calls under one deadline, so a missing server becomes a prompt 503 with
 * Retry-After instead of a request that hangs. Other errors pass through for the route to map.
 */
export async function callTemporal<T>(client: Client, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  try {
    return await client.withDeadline(Date.now() + timeoutMs, fn);
  } catch (err) {
    if (err instanceof Problem) throw err;
    if (temporalUnavailable(err)) throw problems.unavailable('temporal', 'Temporal did not answer in time; retry shortly');
    throw err;
  }
}

class DeadlineExceeded extends Error {}

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
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'CONNECT_TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED'].includes(code)
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
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(`database call exceeded ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([fn(), deadline]);
  } catch (err) {
    if (databaseUnavailable(err)) throw problems.unavailable('database', 'the database did not answer in time; retry shortly');
    const refused = refusedValue(err);
    if (refused) throw problems.invalid([{ field: 'request', message: `a value was refused by the database: ${refused}` }]);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
