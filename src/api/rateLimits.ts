import { lt } from 'drizzle-orm';
import type { Request, RequestHandler, Response } from 'express';
import { RateLimiterDrizzle, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Db } from '../db/client';
import { rateLimits } from '../db/schema';
import type { Logger } from '../logger';
import { Problem } from './problems';

/**
 * Per-address and per-key request budgets, counted in PostgreSQL (rate-limiter-flexible's
 * RateLimiterDrizzle: one atomic upsert per request) so every API process in front of the same
 * database draws on one budget. Each response says where it stands in the IETF draft's fields
 * (draft-ietf-httpapi-ratelimit-headers): `RateLimit-Policy: "key";q=1200;w=60` and
 * `RateLimit: "key";r=1187;t=42`; a request over budget is a 429 with `Retry-After`.
 *
 * The database being away must not take the API with it (reads and actions that need only
 * Temporal keep working through an outage): the count then moves to this process's memory
 * until the database answers again, so the budget is per process for that while.
 */

export interface RateLimitOptions {
  /** Requests a minute from one client address; 0 turns the limit off. */
  perIpPerMinute: number;
  /** Requests a minute with one API key; 0 turns the limit off. */
  perKeyPerMinute: number;
  /** How long one count may take before the process's memory answers instead. */
  timeoutMs?: number;
}

type PolicyName = 'ip' | 'key';
const WINDOW_SECONDS = 60;
// After a failed count, the memory answers for this long before the database is tried again,
// so an outage costs one timeout every few seconds, not one per request.
const STORE_RETRY_MS = 5_000;
const CLEANUP_EVERY_MS = 5 * 60_000;

interface Outcome {
  allowed: boolean;
  remaining: number;
  resetSeconds: number;
}

class SharedBudget {
  private readonly store: RateLimiterDrizzle;
  private readonly memory: RateLimiterMemory;
  private storeDownUntil = 0;

  constructor(
    readonly name: PolicyName,
    readonly points: number,
    db: Db,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {
    const options = { points, duration: WINDOW_SECONDS, keyPrefix: name };
    // Expired rows are swept below, through the logger: the library's own sweep prints raw errors.
    this.store = new RateLimiterDrizzle({ ...options, storeClient: db, schema: rateLimits, clearExpiredByTimeout: false });
    this.memory = new RateLimiterMemory(options);
  }

  async consume(key: string): Promise<Outcome> {
    const outcome = (res: RateLimiterRes, allowed: boolean): Outcome => ({
      allowed,
      remaining: res.remainingPoints,
      resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    });
    const from = async (limiter: () => Promise<RateLimiterRes>) => {
      try {
        return outcome(await limiter(), true);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return outcome(rejection, false);
        throw rejection;
      }
    };
    if (Date.now() >= this.storeDownUntil) {
      try {
        return await from(() => withTimeout(this.store.consume(key), this.timeoutMs));
      } catch (err) {
        this.storeDownUntil = Date.now() + STORE_RETRY_MS;
        this.logger.warn('rate limits counted in memory: the database did not answer', { policy: this.name, error: err });
      }
    }
    return from(() => this.memory.consume(key));
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`rate limit count exceeded ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const headersFor = (res: Response, budget: SharedBudget, outcome: Outcome) => {
  res.append('RateLimit-Policy', `"${budget.name}";q=${budget.points};w=${WINDOW_SECONDS}`);
  res.append('RateLimit', `"${budget.name}";r=${outcome.remaining};t=${outcome.resetSeconds}`);
};

function limit(budget: SharedBudget, keyOf: (req: Request) => string | undefined, who: string): RequestHandler {
  return async (req, res, next) => {
    const key = keyOf(req);
    if (key === undefined) return next();
    const outcome = await budget.consume(key);
    headersFor(res, budget, outcome);
    if (!outcome.allowed) {
      throw new Problem(
        429,
        'Too Many Requests',
        `more than ${budget.points} requests a minute ${who}; retry in ${outcome.resetSeconds} s`,
        { retryAfterSeconds: outcome.resetSeconds, policy: budget.name },
      );
    }
    next();
  };
}

export interface RateLimiters {
  /** Before authentication: counts every request by the client's address. */
  perIp: RequestHandler | null;
  /** After authentication: counts by the key's id (a session counts as its key). */
  perKey: RequestHandler | null;
}

export function rateLimiters(db: Db, options: RateLimitOptions, logger: Logger): RateLimiters {
  const timeoutMs = options.timeoutMs ?? 1_000;
  const budgets: SharedBudget[] = [];
  const make = (name: PolicyName, points: number) => {
    if (points <= 0) return null;
    const budget = new SharedBudget(name, points, db, timeoutMs, logger);
    budgets.push(budget);
    return budget;
  };
  const ip = make('ip', options.perIpPerMinute);
  const key = make('key', options.perKeyPerMinute);
  if (budgets.length > 0) {
    // Rows of windows that ended over an hour ago are nobody's budget any more.
    const sweep = setInterval(() => {
      db.delete(rateLimits)
        .where(lt(rateLimits.expire, new Date(Date.now() - 3_600_000)))
        .catch((err: unknown) => logger.warn('could not sweep expired rate limit rows', { error: err }));
    }, CLEANUP_EVERY_MS);
    sweep.unref();
  }
  return {
    perIp: ip && limit(ip, (req) => req.ip ?? req.socket.remoteAddress ?? 'unknown', 'from this address'),
    perKey: key && limit(key, (req) => req.principal?.keyId, 'with this API key'),
  };
}
