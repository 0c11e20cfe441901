import { z } from 'zod';
import {
  ACTOR_MAX,
  BODY_MAX,
  DEFAULT_RESOLVE_REASON,
  NOTE_MAX,
  REASON_MAX,
  type ActionInput,
  type ActionName,
  type ActionPayload,
} from '../domain/actions';
import { ClassificationLabels } from './ticket';

/**
 * The agent actions' payloads as zod schemas, for the API (request validation and the OpenAPI
 * document). The workflow reads the same payloads with parseActionPayload (domain/actions.ts); the
 * types below tie the two together at compile time and test/actions.test.ts at run time.
 */
const actor = z.string().trim().min(1).max(ACTOR_MAX);
const body = z.string().trim().min(1).max(BODY_MAX);
const note = z.string().max(NOTE_MAX);

type SchemaFor<A extends ActionName> = z.ZodType<ActionPayload<A>, ActionInput<A>>;

export const ActionPayloads = {
  approve: z.object({ agentId: actor }),
  modify: z.object({ agentId: actor, body, note: note.optional() }),
  takeover: z.object({ agentId: actor }),
  assign: z.object({ agentId: actor, assignee: actor }),
  reply: z.object({ agentId: actor, body }),
  resolve: z.object({ agentId: actor, reason: z.string().trim().min(1).max(REASON_MAX).default(DEFAULT_RESOLVE_REASON) }),
  handback: z.object({ agentId: actor, note: note.optional() }),
  reclassify: z.object({
    agentId: actor,
    changes: ClassificationLabels.partial().refine((c) => Object.keys(c).length > 0, 'name at least one field to correct'),
  }),
  note: z.object({ agentId: actor, body }),
} satisfies { [A in ActionName]: SchemaFor<A> };
