import { bigint, boolean, integer, text, timestamp } from 'drizzle-orm/pg-core';
import { complexities, handlingModes, issueTypes, priorityLevels, repeatabilities, resolutionModes, urgencies } from '../domain/vocabulary';

/**
 * The read model's columns the balance reports aggregate: the AI's call at triage beside the
 * final one, whether a person touched the ticket, its first response and first resolution (kept
 * across reopens), follow-ups and reopens, and the time it spent in each stage. Written by the
 * workflow as things happen (`readModelRow`), so reports are sums, never reconstructions.
 */
export const balanceColumns = () => ({
  aiCategory: text('ai_category', { enum: issueTypes }),
  aiComplexity: text('ai_complexity', { enum: complexities }),
  aiRepeatability: text('ai_repeatability', { enum: repeatabilities }),
  aiUrgency: text('ai_urgency', { enum: urgencies }),
  aiPriorityLevel: text('ai_priority_level', { enum: priorityLevels }),
  aiMode: text('ai_mode', { enum: handlingModes }),
  complexity: text('complexity', { enum: complexities }),
  repeatability: text('repeatability', { enum: repeatabilities }),
  urgency: text('urgency', { enum: urgencies }),
  /** A person approved, edited, replied, took over, assigned, reclassified or resolved. */
  humanTouched: boolean('human_touched').notNull().default(false),
  firstResponseAt: timestamp('first_response_at', { withTimezone: true }),
  firstResolutionMode: text('first_resolution_mode', { enum: resolutionModes }),
  firstResolvedAt: timestamp('first_resolved_at', { withTimezone: true }),
  /** How the first resolution came about: `resolved` (a person), `confirmed` (the customer), `no_reply`. */
  endedBy: text('ended_by', { enum: ['resolved', 'confirmed', 'no_reply'] }),
  reopens: integer('reopens').notNull().default(0),
  followUps: integer('follow_ups').notNull().default(0),
  // Milliseconds in each stage (bigint: a ticket may wait on its customer for weeks).
  msAi: bigint('ms_ai', { mode: 'number' }).notNull().default(0),
  msReview: bigint('ms_review', { mode: 'number' }).notNull().default(0),
  msCustomer: bigint('ms_customer', { mode: 'number' }).notNull().default(0),
  msQueue: bigint('ms_queue', { mode: 'number' }).notNull().default(0),
  msPerson: bigint('ms_person', { mode: 'number' }).notNull().default(0),
});
