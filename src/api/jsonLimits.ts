import type { FieldError } from './problems';

/** Deeper than any real ticket's metadata or page state; deep enough to refuse stack-busting bodies. */
export const MAX_JSON_DEPTH = 16;

/**
 * What zod cannot see in a decoded request: NUL characters (PostgreSQL refuses them in text, so
 * they would fail only later, in an activity) and nesting deep enough to overflow a recursive
 * walk. Iterative, so the check itself cannot overflow.
 */
export function jsonLimitErrors(value: unknown, where: string): FieldError[] {
  const errors: FieldError[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: where, depth: 0 }];
  while (stack.length > 0 && errors.length < 20) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) errors.push({ field: path, message: 'must not contain NUL (\\u0000) characters' });
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) {
      errors.push({ field: path, message: `nested deeper than ${MAX_JSON_DEPTH} levels` });
      continue;
    }
    for (const [key, child] of Object.entries(v)) {
      if (key.includes('\u0000')) errors.push({ field: path, message: 'a key contains a NUL (\\u0000) character' });
      stack.push({ value: child, path: `${path}.${key}`, depth: depth + 1 });
    }
  }
  return errors;
}
