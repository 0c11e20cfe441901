import { z } from 'zod';
import { CORRECTION_MAX_BYTES, utf8Length } from '../domain/actions';
import { feedbackRatings, feedbackReasons } from '../domain/vocabulary';

// Feedback on the AI's answers, as the API takes it and answers it.

export const FeedbackReason = z.enum(feedbackReasons, {
  error: (issue) => `unknown reason ${JSON.stringify(issue.input)}; one of ${feedbackReasons.join(', ')}`,
});

export const FeedbackBody = z
  .strictObject({
    messageId: z.string().trim().min(1).max(300).optional().meta({ description: 'A message the AI sent on this ticket.' }),
    draftId: z
      .string()
      .trim()
      .min(1)
      .max(300)
      .optional()
      .meta({ description: 'Or an AI draft of this ticket (sent, edited or discarded).' }),
    rating: z.enum(feedbackRatings).optional(),
    reasons: z.array(FeedbackReason).max(feedbackReasons.length).optional(),
    correction: z
      .string()
      .refine((c) => c.trim() !== '', 'must not be empty')
      .refine((c) => utf8Length(c) <= CORRECTION_MAX_BYTES, `at most ${CORRECTION_MAX_BYTES / 1024} kB`)
      .optional()
      .meta({ description: 'What the AI should have said (at most 20 kB).' }),
    flag: z.boolean().optional().meta({ description: "For the lead's weekly review." }),
  })
  .refine((b) => (b.messageId === undefined) !== (b.draftId === undefined), {
    message: 'give messageId or draftId, not both',
    path: ['messageId'],
  })
  .refine((b) => b.rating !== undefined || b.reasons !== undefined || b.correction !== undefined || b.flag !== undefined, {
    message: 'give a rating, reasons, a correction or a flag',
    path: ['rating'],
  })
  .meta({ id: 'Feedback' });

export const FeedbackRecorded = z
  .object({
    ticketId: z.string(),
    draftId: z.string(),
    messageId: z.string().nullable(),
    agent: z.string(),
    rating: z.enum(feedbackRatings).nullable(),
    reasons: z.array(z.string()),
    flag: z.boolean(),
    corrected: z.boolean(),
    recordedBy: z.enum(['workflow', 'read-model']).meta({
      description: '`workflow`: an Update of the running ticket (in its history); `read-model`: the ticket had closed, so the row alone.',
    }),
  })
  .meta({ id: 'FeedbackRecorded' });
