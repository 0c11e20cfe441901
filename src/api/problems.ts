import type { Response } from 'express';
import type { z } from 'zod';

/** One bad field in a request: where it was (body, query, params, header) and what is wrong. */
export interface FieldError {
  field: string;
  message: string;
}

/** An RFC 9457 problem. Route code throws these; the error middleware renders them. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: { errors?: FieldError[]; retryAfterSeconds?: number; [key: string]: unknown } = {},
  ) {
    super(detail ?? title);
    this.name = 'Problem';
  }
}

export const problems = {
  invalid: (errors: FieldError[]) =>
    new Problem(400, 'Invalid request', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors }),
  unauthenticated: (detail: string) => new Problem(401, 'Unauthorized', detail),
  forbidden: (detail: string, extra: Record<string, unknown> = {}) => new Problem(403, 'Forbidden', detail, extra),
  notFound: (detail: string) => new Problem(404, 'Not Found', detail),
  conflict: (detail: string, extra: Record<string, unknown> = {}) => new Problem(409, 'Conflict', detail, extra),
  unprocessable: (detail: string, errors?: FieldError[]) => new Problem(422, 'Unprocessable request', detail, errors ? { errors } : {}),
  /** A dependency is away; retrying later can help. `worker`: Temporal answers but no worker polls. */
  unavailable: (dependency: Dependency, detail: string) =>
    new Problem(503, 'Service Unavailable', detail, { dependency, retryAfterSeconds: 5 }),
  /** A dependency refused the call in a way retrying cannot fix (misconfiguration between Tandem and it). */
  badGateway: (dependency: Dependency, detail: string, extra: Record<string, unknown> = {}) =>
    new Problem(502, 'Bad Gateway', detail, { dependency, ...extra }),
};

/** What a 502/503 problem names as the cause, in its `dependency` field. */
export type Dependency = 'temporal' | 'worker' | 'database';

/** Turns zod issues into field errors, prefixing where the value came from (body.subject, query.limit). */
export function fieldErrors(error: z.ZodError, where: string): FieldError[] {
  return error.issues.flatMap((issue) => {
    const field = [where, ...issue.path.map(String)].join('.');
    // An unknown key is named itself, so the caller sees which field to drop.
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ field: `${field}.${key}`, message: 'unknown field' }));
    return [{ field, message: issue.message }];
  });
}

export function sendProblem(res: Response, problem: Problem, requestId: string | undefined): void {
  const { errors, retryAfterSeconds, ...rest } = problem.extra;
  if (retryAfterSeconds !== undefined) res.set('Retry-After', String(retryAfterSeconds));
  if (problem.status === 401) res.set('WWW-Authenticate', 'Bearer');
  res
    .status(problem.status)
    .type('application/problem+json')
    .json({
      type: 'about:blank',
      title: problem.title,
      status: problem.status,
      ...(problem.detail ? { detail: problem.detail } : {}),
      ...(errors ? { errors } : {}),
      ...rest,
      ...(requestId ? { requestId } : {}),
    });
}
