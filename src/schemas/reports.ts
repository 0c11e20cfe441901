import { z } from 'zod';
import { isTimeZone } from '../domain/weeks';

// The query every report takes: a window (`from`, `to`, at most 400 days), a time zone for weekly
// and hourly buckets, and a `groupBy` from the report's own list. A bad value is a 400 naming the
// parameter, like every other request.

export const MAX_REPORT_DAYS = 400;
const DAY = 86_400_000;

const instant = z.iso.datetime({ offset: true }).or(z.iso.date()).meta({ description: 'ISO 8601 date or instant.' });

interface WindowInput {
  from?: string | undefined;
  to?: string | undefined;
}

/** The window a report query asks for: `to` defaults to now, `from` to `defaultDays` before it. */
export function windowOf(q: WindowInput, defaultDays = 28): { from: Date; to: Date } {
  const to = q.to ? new Date(q.to) : new Date();
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - defaultDays * DAY);
  return { from, to };
}

/**
 * A report's query schema: the window, the time zone, `groupBy` (comma-separated, each one of
 * `groupings`), and the report's own parameters. `windowOf` gives its window (default: the last `defaultDays`).
 */
export function reportQuery<G extends string, S extends z.ZodRawShape>(options: {
  id: string;
  groupings: readonly G[];
  defaultGroupBy: G[];
  defaultDays?: number;
  extra?: S;
}) {
  const { groupings, defaultGroupBy, defaultDays = 28 } = options;
  return z
    .strictObject({
      from: instant.optional(),
      to: instant.optional(),
      timezone: z
        .string()
        .refine(isTimeZone, 'not a time zone this server knows (an IANA name such as Europe/Paris)')
        .default('UTC')
        .meta({ description: 'IANA time zone for weekly and hourly buckets.' }),
      groupBy: z
        .string()
        .optional()
        .transform((v, ctx) => {
          const wanted =
            v === undefined
              ? defaultGroupBy
              : v
                  .split(',')
                  .map((s) => s.trim())
                  .filter(Boolean);
          const unknown = wanted.filter((g) => !groupings.includes(g as G));
          if (unknown.length > 0) {
            ctx.addIssue({ code: 'custom', message: `unknown groupBy ${unknown.join(', ')}; one of ${groupings.join(', ')}` });
            return z.NEVER;
          }
          return wanted as G[];
        })
        .meta({ description: `Comma-separated, from: ${groupings.join(', ')}.` }),
      ...(options.extra ?? ({} as S)),
    })
    .superRefine((q, ctx) => {
      const { from, to } = windowOf(q as WindowInput, defaultDays);
      if (from.getTime() > to.getTime()) ctx.addIssue({ code: 'custom', path: ['from'], message: 'from is after to' });
      else if (to.getTime() - from.getTime() > MAX_REPORT_DAYS * DAY) {
        ctx.addIssue({ code: 'custom', path: ['to'], message: `a window of at most ${MAX_REPORT_DAYS} days` });
      }
    })
    .meta({ id: options.id });
}

/** A share with its Wilson 95% interval, as `wilson` in src/domain/stats.ts gives it. */
export const ShareSchema = z
  .object({
    count: z.number().int(),
    of: z.number().int(),
    rate: z.number().nullable(),
    low: z.number().nullable(),
    high: z.number().nullable(),
  })
  .meta({ id: 'Share', description: 'count of `of`, its rate and Wilson 95% interval (null when `of` is 0).' });
