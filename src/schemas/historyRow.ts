import { z } from 'zod';
import { cutText, toStorableText } from '../domain/text';

// One past ticket's values as an export gives them (strings from CSV, strings or numbers from
// JSONL), validated and converted field by field. Each field's own schema, so a problem names
// the column it came from.

const MAX_FUTURE_MS = 5 * 60_000;
const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
const text = (v: unknown) => (typeof v === 'number' ? String(v) : v);

/**
 * ISO 8601 (with an offset or Z; a date alone is midnight UTC), "YYYY-MM-DD HH:MM[:SS]" as the
 * exports write it (read as UTC), or Unix seconds (Intercom's API). Never in the future.
 */
function parseInstant(value: unknown, now: number): { at: Date } | { error: string } {
  if (typeof value === 'number' || (typeof value === 'string' && /^\d{9,11}$/.test(value.trim()))) {
    return check(new Date(Number(value) * 1000), now);
  }
  if (typeof value !== 'string') return { error: 'not a date' };
  const s = value.trim();
  const naive = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/.exec(s);
  const iso = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))?$/.test(s);
  if (!naive && !iso) return { error: `"${cutText(s, 40)}" is not a date (ISO 8601, "YYYY-MM-DD HH:MM:SS" in UTC, or Unix seconds)` };
  const at = new Date(naive ? `${naive[1]}T${naive[2]}Z` : s);
  return check(at, now);
}

function check(at: Date, now: number): { at: Date } | { error: string } {
  if (Number.isNaN(at.getTime())) return { error: 'not a real date' };
  if (at.getTime() > now + MAX_FUTURE_MS) return { error: `${at.toISOString()} is in the future` };
  return { at };
}

export const instant = (now: number) =>
  z.unknown().transform((v, ctx) => {
    const parsed = parseInstant(v, now);
    if ('error' in parsed) {
      ctx.addIssue({ code: 'custom', message: parsed.error });
      return z.NEVER;
    }
    return parsed.at;
  });

export const optionalInstant = (now: number) => z.preprocess((v) => (blank(v) ? null : v), instant(now).nullable());

/** Words of the ticket: valid Unicode, no NUL, cut on a grapheme boundary. */
const words = (max: number) =>
  z.preprocess(
    text,
    z.string().transform((s) => cutText(toStorableText(s.trim()), max, { ellipsis: true })),
  );
export const requiredWords = (max: number) => words(max).refine((s) => s !== '', 'empty');
export const optionalWords = (max: number) => z.preprocess((v) => (blank(v) ? null : v), words(max).nullable());

const count = z.preprocess(text, z.string().trim().regex(/^\d+$/, 'a whole number').transform(Number));
export const optionalCount = z.preprocess((v) => (blank(v) ? null : v), count.nullable());

/** Minutes or seconds (`perMinute` 60) → minutes. */
export const optionalDuration = (perMinute: number) =>
  z.preprocess(
    (v) => (blank(v) ? null : v),
    z
      .preprocess(
        text,
        z
          .string()
          .trim()
          .regex(/^\d+(\.\d+)?$/, 'a number of minutes or seconds, not negative'),
      )
      .transform((s) => Number(s) / perMinute)
      .nullable(),
  );

/** 1–5, or Zendesk's good/bad (5/1); offered/unoffered and blank are no rating. */
export const optionalCsat = z.preprocess(
  (v) => (blank(v) || (typeof v === 'string' && /^(un)?offered$/i.test(v.trim())) ? null : v),
  z
    .preprocess(text, z.string().trim())
    .transform((s, ctx) => {
      const word = s.toLowerCase();
      if (word === 'good') return 5;
      if (word === 'bad') return 1;
      if (/^[1-5]$/.test(s)) return Number(s);
      ctx.addIssue({ code: 'custom', message: `"${cutText(s, 20)}" is not a rating (1–5, good, bad, offered, unoffered)` });
      return z.NEVER;
    })
    .nullable(),
);

export const optionalEmail = z.preprocess((v) => (blank(v) ? null : typeof v === 'string' ? v.trim() : v), z.email().max(320).nullable());

export const externalId = z.preprocess(
  text,
  z
    .string()
    .trim()
    .min(1, 'empty')
    .max(200, 'longer than 200 characters')
    .refine((s) => !s.includes('\u0000'), 'holds a NUL'),
);
