import { isWellFormedText } from './text';
import {
  complexities,
  feedbackRatings,
  feedbackReasons,
  issueTypes,
  priorityLevels,
  repeatabilities,
  sentiments,
  urgencies,
} from './vocabulary';
import type { Complexity, FeedbackRating, FeedbackReason, IssueType, PriorityLevel, Repeatability, Sentiment, Urgency } from './vocabulary';

/**
 * Agent actions. Each is a Workflow Update (validated synchronously, refused with nothing
 * written) and also a Signal of the same name and payload for tools that can only signal.
 *
 * The workflow checks payloads with the plain parser below rather than zod: workflow code must
 * not load zod (see vocabulary.ts). The API validates the same payloads with the zod schemas in
 * src/schemas/actions.ts, which are typed against these interfaces, and a test runs both over the
 * same cases so they cannot drift.
 */
export interface ClassificationChanges {
  issueType?: IssueType;
  complexity?: Complexity;
  repeatability?: Repeatability;
  urgency?: Urgency;
  sentiment?: Sentiment;
  requestsHuman?: boolean;
}

export interface ActionPayloadMap {
  approve: { agentId: string };
  modify: { agentId: string; body: string; note?: string };
  takeover: { agentId: string };
  assign: { agentId: string; assignee: string };
  reply: { agentId: string; body: string };
  resolve: { agentId: string; reason: string };
  handback: { agentId: string; note?: string };
  reclassify: { agentId: string; changes: ClassificationChanges };
  /** An internal note for colleagues: recorded, never delivered to the customer. */
  note: { agentId: string; body: string };
  /** A person sets the priority level, overriding the AI's score. */
  reprioritize: { agentId: string; level: PriorityLevel; reason: string };
  /** A person rates (and may correct or flag) an AI answer: a message it sent or a draft it wrote. */
  feedback: FeedbackPayload;
}

export interface FeedbackPayload {
  agentId: string;
  /** The AI draft the feedback is about (an AI message's draft, when given a message). */
  draftId: string;
  messageId?: string;
  rating?: FeedbackRating;
  reasons?: FeedbackReason[];
  /** What it should have said. */
  correction?: string;
  /** For the lead's weekly review. */
  flag?: boolean;
}

export type ActionName = keyof ActionPayloadMap;
export const actionNames: ActionName[] = [
  'approve',
  'modify',
  'takeover',
  'assign',
  'reply',
  'resolve',
  'handback',
  'reclassify',
  'note',
  'reprioritize',
  'feedback',
];
/** Who acts, as the caller vouches: the API sets it from the key; a bare Signal without it counts as an agent. */
export const actorRoles = ['agent', 'lead', 'admin'] as const;
export type ActorRole = (typeof actorRoles)[number];
export type ActionPayload<A extends ActionName> = ActionPayloadMap[A] & { actorRole?: ActorRole };
/** What a caller sends: the same, except that a resolve's reason may be left out. */
export type ActionInput<A extends ActionName> = (A extends 'resolve' ? { agentId: string; reason?: string } : ActionPayloadMap[A]) & {
  actorRole?: ActorRole;
};

export const ACTOR_MAX = 100;
export const BODY_MAX = 20_000;
export const NOTE_MAX = 2000;
export const REASON_MAX = 100;
/** A correction of an AI answer: 20 kB of UTF-8 at most. */
export const CORRECTION_MAX_BYTES = 20 * 1024;
export const FEEDBACK_REASON_MAX = 500;
export const DEFAULT_RESOLVE_REASON = 'agent_resolved';

type Problems = string[];
type Read<T> = (value: unknown, field: string, problems: Problems) => T | undefined;

/** A required string, trimmed, 1 to `max` characters. */
const text =
  (max: number): Read<string> =>
  (value, field, problems) => {
    if (typeof value !== 'string') return void problems.push(`${field}: expected a string`);
    if (!isWellFormedText(value)) return void problems.push(`${field}: is not valid Unicode`);
    const trimmed = value.trim();
    if (trimmed.length < 1 || trimmed.length > max) return void problems.push(`${field}: must be 1–${max} characters`);
    return trimmed;
  };

/** An optional note, kept as written, at most `max` characters. */
const note: Read<string> = (value, field, problems) => {
  if (typeof value !== 'string') return void problems.push(`${field}: expected a string`);
  if (!isWellFormedText(value)) return void problems.push(`${field}: is not valid Unicode`);
  if (value.length > NOTE_MAX) return void problems.push(`${field}: at most ${NOTE_MAX} characters`);
  return value;
};

const oneOf =
  <T extends string>(values: readonly T[]): Read<T> =>
  (value, field, problems) =>
    values.includes(value as T) ? (value as T) : void problems.push(`${field}: expected one of ${values.join(', ')}`);

/** Bytes of `text` in UTF-8, counted without Node's Buffer (workflow code has none). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (const c of text) {
    const code = c.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

const correction: Read<string> = (value, field, problems) => {
  if (typeof value !== 'string') return void problems.push(`${field}: expected a string`);
  if (!isWellFormedText(value)) return void problems.push(`${field}: is not valid Unicode`);
  if (value.trim() === '') return void problems.push(`${field}: must not be empty`);
  if (utf8Length(value) > CORRECTION_MAX_BYTES) return void problems.push(`${field}: at most ${CORRECTION_MAX_BYTES} bytes`);
  return value;
};

const reasonList: Read<FeedbackReason[]> = (value, field, problems) => {
  if (!Array.isArray(value)) return void problems.push(`${field}: expected a list`);
  const unknown = value.filter((r) => !feedbackReasons.includes(r as FeedbackReason));
  if (unknown.length > 0) return void problems.push(`${field}: unknown reason ${unknown.map((r) => JSON.stringify(r)).join(', ')}`);
  return [...new Set(value as FeedbackReason[])];
};

const flagValue: Read<boolean> = (value, field, problems) =>
  typeof value === 'boolean' ? value : void problems.push(`${field}: expected a boolean`);

const changeReaders: { [K in keyof ClassificationChanges]-?: Read<NonNullable<ClassificationChanges[K]>> } = {
  issueType: oneOf(issueTypes),
  complexity: oneOf(complexities),
  repeatability: oneOf(repeatabilities),
  urgency: oneOf(urgencies),
  sentiment: oneOf(sentiments),
  requestsHuman: (value, field, problems) => (typeof value === 'boolean' ? value : void problems.push(`${field}: expected a boolean`)),
};

const changes: Read<ClassificationChanges> = (value, field, problems) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return void problems.push(`${field}: expected an object`);
  const out: Record<string, unknown> = {};
  for (const [key, read] of Object.entries(changeReaders) as [keyof ClassificationChanges, Read<unknown>][]) {
    const given = (value as Record<string, unknown>)[key];
    if (given !== undefined) out[key] = read(given, `${field}.${key}`, problems);
  }
  if (Object.keys(out).length === 0) problems.push(`${field}: name at least one field to correct`);
  return out as ClassificationChanges;
};

/** Per action: each field's reader, and whether it may be left out (with its default). */
const fields: { [A in ActionName]: Record<string, { read: Read<unknown>; optional?: true; fallback?: unknown }> } = {
  approve: { agentId: { read: text(ACTOR_MAX) } },
  modify: { agentId: { read: text(ACTOR_MAX) }, body: { read: text(BODY_MAX) }, note: { read: note, optional: true } },
  takeover: { agentId: { read: text(ACTOR_MAX) } },
  assign: { agentId: { read: text(ACTOR_MAX) }, assignee: { read: text(ACTOR_MAX) } },
  reply: { agentId: { read: text(ACTOR_MAX) }, body: { read: text(BODY_MAX) } },
  resolve: { agentId: { read: text(ACTOR_MAX) }, reason: { read: text(REASON_MAX), optional: true, fallback: DEFAULT_RESOLVE_REASON } },
  handback: { agentId: { read: text(ACTOR_MAX) }, note: { read: note, optional: true } },
  reclassify: { agentId: { read: text(ACTOR_MAX) }, changes: { read: changes } },
  note: { agentId: { read: text(ACTOR_MAX) }, body: { read: text(BODY_MAX) } },
  reprioritize: { agentId: { read: text(ACTOR_MAX) }, level: { read: oneOf(priorityLevels) }, reason: { read: text(FEEDBACK_REASON_MAX) } },
  feedback: {
    agentId: { read: text(ACTOR_MAX) },
    draftId: { read: text(ACTOR_MAX * 3) },
    messageId: { read: text(ACTOR_MAX * 3), optional: true },
    rating: { read: oneOf(feedbackRatings), optional: true },
    reasons: { read: reasonList, optional: true },
    correction: { read: correction, optional: true },
    flag: { read: flagValue, optional: true },
  },
};

/**
 * Reads an action's payload from whatever a caller sent: known fields checked and trimmed,
 * unknown ones dropped, a resolve's reason defaulted. Every problem is reported at once.
 */
export function parseActionPayload<A extends ActionName>(action: A, raw: unknown): { payload: ActionPayload<A> } | { problems: string[] } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { problems: ['(payload): expected an object'] };
  const problems: Problems = [];
  const payload: Record<string, unknown> = {};
  for (const [field, spec] of Object.entries(fields[action])) {
    const value = (raw as Record<string, unknown>)[field];
    if (value === undefined) {
      if (spec.fallback !== undefined) payload[field] = spec.fallback;
      else if (!spec.optional) problems.push(`${field}: required`);
      continue;
    }
    payload[field] = spec.read(value, field, problems);
  }
  const role = (raw as Record<string, unknown>).actorRole;
  if (role !== undefined) payload.actorRole = oneOf(actorRoles)(role, 'actorRole', problems);
  return problems.length > 0 ? { problems } : { payload: payload as unknown as ActionPayload<A> };
}
