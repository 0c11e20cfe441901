import { loneSurrogateIndex } from '../domain/text';
import type { FieldError } from './problems';

/** Deeper than any real ticket's metadata or page state; deep enough to refuse stack-busting bodies. */
const MAX_JSON_DEPTH = 16;

/** Says which unit is wrong and where, in the escape a caller would have written. */
const escaped = (unit: string) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`;
const unpaired = (text: string, index: number) => `lone surrogate ${escaped(text.charAt(index))} at UTF-16 position ${index}`;
/** A key as it can be named in a field path: its lone surrogates written as escapes. */
const keyName = (key: string) => key.replace(/\p{Cs}/gu, escaped);

/**
 * What zod cannot see in a decoded request: NUL characters and lone surrogates (PostgreSQL
 * refuses both, so they would fail only later, in an activity, and freeze the ticket; JSON.parse
 * and YAML turn a "\ud800" escape into a lone surrogate), in values and keys alike, and nesting
 * deep enough to overflow a recursive walk. Iterative, so the check itself cannot overflow.
 */
export function jsonLimitErrors(value: unknown, where: string): FieldError[] {
  const errors: FieldError[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: where, depth: 0 }];
  while (stack.length > 0 && errors.length < 20) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) errors.push({ field: path, message: 'must not contain NUL (\\u0000) characters' });
      const lone = loneSurrogateIndex(v);
      if (lone >= 0) errors.push({ field: path, message: `is not valid Unicode: ${unpaired(v, lone)}` });
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) {
      errors.push({ field: path, message: `nested deeper than ${MAX_JSON_DEPTH} levels` });
      continue;
    }
    for (const [key, child] of Object.entries(v)) {
      if (key.includes('\u0000')) errors.push({ field: path, message: 'a key contains a NUL (\\u0000) character' });
      const lone = loneSurrogateIndex(key);
      if (lone >= 0) errors.push({ field: path, message: `a key is not valid Unicode: ${unpaired(key, lone)}` });
      stack.push({ value: child, path: `${path}.${lone >= 0 ? keyName(key) : key}`, depth: depth + 1 });
    }
  }
  return errors;
}
