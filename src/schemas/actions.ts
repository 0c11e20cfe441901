import { z } from 'zod';
import {
  ACTOR_MAX,
  BODY_MAX,
  CORRECTION_MAX_BYTES,
  FEEDBACK_REASON_MAX,
  utf8Length,
  DEFAULT_RESOLVE_REASON,
  NOTE_MAX,
  REASON_MAX,
  actorRoles,
  type ActionInput,
  type ActionName,
  type ActionPayload,
} from '../domain/actions';
import { feedbackRatings, feedbackReasons } from '../domain/vocabulary';
import { ClassificationLabels } from './ticket';
import { PriorityLevel } from './vocabulary';

/**
 * The agent actions' payloads as zod schemas, for the API (request validation and the OpenAPI
 * document). The workflow reads the same payloads with parseActionPayload (domain/actions.ts); the
 * types below tie the two together at compile time and test/actions.test.ts at run time.
 */
const actor = z.string().trim().min(1).max(ACTOR_MAX);
const body = z.string().trim().min(1).max(BODY_MAX);
const note = z.string().max(NOTE_MAX);

type SchemaFor<A extends ActionName> = z.ZodType<ActionPayload<A>, ActionInput<A>>;

/** Every action's payload carries who acts in what role (the API sets both from the key). */
const withActor = <T extends z.ZodRawShape>(shape: T) => z.object({ ...shape, actorRole: z.enum(actorRoles).optional() });

export const ActionPayloads = {
  approve: withActor({ agentId: actor }),
  modify: withActor({ agentId: actor, body, note: note.optional() }),
  takeover: withActor({ agentId: actor }),
  assign: withActor({ agentId: actor, assignee: actor }),
  reply: withActor({ agentId: actor, body }),
  resolve: withActor({ agentId: actor, reason: z.string().trim().min(1).max(REASON_MAX).default(DEFAULT_RESOLVE_REASON) }),
  handback: withActor({ agentId: actor, note: note.optional() }),
  reclassify: withActor({
    agentId: actor,
    changes: ClassificationLabels.partial().refine((c) => Object.keys(c).length > 0, 'name at least one field to correct'),
  }),
  note: withActor({ agentId: actor, body }),
  reprioritize: withActor({ agentId: actor, level: PriorityLevel, reason: z.string().trim().min(1).max(FEEDBACK_REASON_MAX) }),
  feedback: withActor({
    agentId: actor,
    draftId: z
      .string()
      .trim()
      .min(1)
      .max(ACTOR_MAX * 3),
    messageId: z
      .string()
      .trim()
      .min(1)
      .max(ACTOR_MAX * 3)
      .optional(),
    rating: z.enum(feedbackRatings).optional(),
    reasons: z
      .array(
        z.enum(feedbackReasons, {
          error: (issue) => `unknown reason ${JSON.stringify(issue.input)}; one of ${feedbackReasons.join(', ')}`,
        }),
      )
      .transform((r) => [...new Set(r)])
      .optional(),
    correction: z
      .string()
      .refine((c) => c.trim() !== '', 'must not be empty')
      .refine((c) => utf8Length(c) <= CORRECTION_MAX_BYTES, `at most ${CORRECTION_MAX_BYTES} bytes`)
      .optional(),
    flag: z.boolean().optional(),
  }),
} satisfies { [A in ActionName]: SchemaFor<A> };
