import { z } from 'zod';
import { CORRECTION_MAX_BYTES, utf8Length } from '../domain/actions';
import { reviewReasons, reviewVerdicts } from '../domain/review';
import { isoWeek, weekRange } from '../domain/weeks';

// The lead's weekly review, as the API takes it and answers it.

export const ReviewQuery = z.strictObject({
  week: z
    .string()
    .refine((w) => weekRange(w) !== null, 'an ISO week such as 2026-W48 (weeks start on Monday, UTC)')
    .optional()
    .meta({ description: 'The ISO week (UTC), e.g. `2026-W48`; the current week when absent.' }),
});

/** The week a review query means: the given one, else the one `now` falls in. */
export const reviewWeekOf = (query: z.output<typeof ReviewQuery>, now = new Date()) => query.week ?? isoWeek(now);

export const ReviewItemParams = z.strictObject({
  itemId: z
    .string()
    .min(1)
    .max(400)
    .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, _ . : - only'),
});

const correction = z
  .string()
  .refine((c) => c.trim() !== '', 'must not be empty')
  .refine((c) => utf8Length(c) <= CORRECTION_MAX_BYTES, `at most ${CORRECTION_MAX_BYTES / 1024} kB`);

export const VerdictBody = z
  .strictObject({
    verdict: z.enum(reviewVerdicts, {
      error: (issue) => `unknown verdict ${JSON.stringify(issue.input)}; one of ${reviewVerdicts.join(', ')}`,
    }),
    comment: z.string().max(2000).optional(),
    correction: correction.optional().meta({
      description: "The answer to approve or publish, instead of the agents' latest correction (accept_correction, add_to_knowledge_base).",
    }),
    articleId: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: 'add_to_knowledge_base: the article to update with the correction; absent, a new article is created.' }),
    title: z
      .string()
      .trim()
      .min(1)
      .max(300)
      .optional()
      .meta({ description: "add_to_knowledge_base: the article's title (the ticket's subject otherwise)." }),
  })
  .refine((b) => b.verdict === 'add_to_knowledge_base' || (b.articleId === undefined && b.title === undefined), {
    message: 'only add_to_knowledge_base takes an article',
    path: ['articleId'],
  })
  .meta({ id: 'ReviewVerdict' });

const Feedback = z.object({
  agent: z.string(),
  source: z.enum(['explicit', 'modify', 'takeover']),
  rating: z.enum(['up', 'down']).nullable(),
  reasons: z.array(z.string()),
  flag: z.boolean(),
  correction: z.string().nullable(),
  editSize: z.number().nullable().meta({ description: 'For an edit: 1 − line similarity of the draft and what was sent.' }),
  at: z.string(),
  current: z.boolean().meta({ description: "false: the agent's later feedback on the same answer replaced it." }),
});

export const ReviewItem = z
  .object({
    itemId: z.string(),
    week: z.string(),
    status: z.enum(['open', 'decided']),
    why: z.array(z.enum(reviewReasons)),
    ticket: z.object({
      id: z.string(),
      subject: z.string(),
      body: z.string(),
      channel: z.string(),
      category: z.string().nullable(),
      status: z.string(),
    }),
    draft: z.object({
      id: z.string(),
      body: z.string().meta({ description: "The AI's text as it wrote it." }),
      turn: z.number(),
      provider: z.string(),
      promptVersion: z.string(),
      outcome: z.string(),
      createdAt: z.string(),
    }),
    correction: z.string().nullable(),
    agent: z.string(),
    correctedBy: z.string().nullable(),
    feedback: z.array(Feedback),
    decision: z.object({ verdict: z.enum(reviewVerdicts), comment: z.string().nullable(), by: z.string(), at: z.string() }).nullable(),
  })
  .meta({ id: 'ReviewItem' });

export const ReviewWeek = z
  .object({
    week: z.string(),
    from: z.string(),
    to: z.string(),
    open: z.number(),
    decided: z.number(),
    items: z.array(ReviewItem),
  })
  .meta({ id: 'ReviewWeek' });

export const VerdictRecorded = z
  .object({
    itemId: z.string(),
    verdict: z.enum(reviewVerdicts),
    verdictId: z.number(),
    by: z.string(),
    at: z.string(),
    exampleId: z.string().nullable().meta({ description: 'accept_correction: the approved example later drafts of the category use.' }),
    articleId: z.string().nullable().meta({ description: 'add_to_knowledge_base: the article created or updated.' }),
    articleCreated: z.boolean(),
  })
  .meta({ id: 'VerdictRecorded' });
