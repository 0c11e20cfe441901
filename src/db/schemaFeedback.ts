import { sql, type SQL } from 'drizzle-orm';
import {
  boolean,
  customType,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { overrideFields } from '../domain/outcomes';
import { feedbackRatings, issueTypes, type FeedbackReason } from '../domain/vocabulary';

// What people say about the AI and what they change of its calls: feedback on its answers,
// overrides of its triage, the lead's weekly review and what it approves, and the AI capacity
// targets leads plan with. The balance reports aggregate these; nothing here is reconstructed.

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

/**
 * Feedback on an AI answer (the draft it wrote, sent or not): explicit (thumbs, reasons, a
 * correction, a flag) or implicit (an agent's edit when approving, a takeover while it waited for
 * review). One current row per agent and draft; a later one supersedes it and both are kept.
 */
export const aiFeedback = pgTable(
  'ai_feedback',
  {
    id: text('id').primaryKey(),
    ticketId: text('ticket_id').notNull(),
    draftId: text('draft_id').notNull(),
    messageId: text('message_id'),
    agent: text('agent').notNull(),
    source: text('source', { enum: ['explicit', 'modify', 'takeover'] }).notNull(),
    rating: text('rating', { enum: feedbackRatings }),
    reasons: text('reasons')
      .array()
      .$type<(FeedbackReason | 'unknown')[]>()
      .notNull()
      .default(sql`'{}'::text[]`),
    correction: text('correction'),
    flag: boolean('flag').notNull().default(false),
    /** The ticket's category when the feedback was given (the final one). */
    category: text('category', { enum: issueTypes }),
    /** For an edit: how much of the draft changed (1 − line similarity). */
    editSize: doublePrecision('edit_size'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    supersededAt: timestamp('superseded_at', { withTimezone: true }),
  },
  (t) => [
    index('ai_feedback_created_idx').on(t.createdAt),
    index('ai_feedback_draft_idx').on(t.draftId, t.agent),
    index('ai_feedback_agent_idx').on(t.agent, t.createdAt),
    index('ai_feedback_category_idx').on(t.category, t.createdAt),
    // Also, from drizzle/0014_feedback_report_indexes.sql (INCLUDE, which drizzle's builder lacks):
    // ai_feedback_{current_explicit,corrections,takeover,modify}_idx, partial covering indexes by
    // created_at that the feedback reports read each kind of feedback from alone.
  ],
);

/** Every change a person made to the AI's triage call (issue type, complexity, …, priority, mode), from its timeline. */
export const overrides = pgTable(
  'overrides',
  {
    ticketId: text('ticket_id').notNull(),
    seq: integer('seq').notNull(),
    field: text('field', { enum: overrideFields }).notNull(),
    aiValue: text('ai_value'),
    before: text('before'),
    after: text('after'),
    actor: text('actor').notNull(),
    reason: text('reason'),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.ticketId, t.seq, t.field] }), index('overrides_at_idx').on(t.at, t.field)],
);

/** One AI answer a lead should look at this week: flagged, rated down, or heavily edited. Once per answer. */
export const reviewItems = pgTable(
  'review_items',
  {
    id: text('id').primaryKey(),
    /** ISO week of the first feedback that put it here, e.g. 2026-W48. */
    week: text('week').notNull(),
    draftId: text('draft_id').notNull(),
    ticketId: text('ticket_id').notNull(),
    category: text('category', { enum: issueTypes }),
    status: text('status', { enum: ['open', 'decided'] })
      .notNull()
      .default('open'),
    verdict: text('verdict', { enum: ['accept_correction', 'add_to_knowledge_base', 'dismiss'] }),
    comment: text('comment'),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('review_items_draft_idx').on(t.draftId), index('review_items_week_idx').on(t.week, t.status)],
);

/** Every verdict given on a review item, in order: the audit of the lead's review. */
export const reviewVerdicts = pgTable(
  'review_verdicts',
  {
    id: serial('id').primaryKey(),
    itemId: text('item_id').notNull(),
    verdict: text('verdict', { enum: ['accept_correction', 'add_to_knowledge_base', 'dismiss'] }).notNull(),
    comment: text('comment'),
    correction: text('correction'),
    /** The agent whose correction the verdict took, if one. */
    correctedBy: text('corrected_by'),
    articleId: text('article_id'),
    by: text('by').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [index('review_verdicts_item_idx').on(t.itemId, t.at)],
);

/** An answer a lead approved from a correction: later drafts in its category use and cite it. */
export const approvedExamples = pgTable(
  'approved_examples',
  {
    id: text('id').primaryKey(),
    category: text('category', { enum: issueTypes }).notNull(),
    /** What the customer asked. */
    question: text('question').notNull(),
    /** What the answer should be. */
    answer: text('answer').notNull(),
    sourceItemId: text('source_item_id').notNull(),
    correctedBy: text('corrected_by'),
    approvedBy: text('approved_by').notNull(),
    search: tsvector('search').generatedAlwaysAs((): SQL => sql`to_tsvector('english', ${approvedExamples.question})`),
    createdAt: createdAt(),
  },
  (t) => [index('approved_examples_category_idx').on(t.category), index('approved_examples_search_idx').using('gin', t.search)],
);

/**
 * A target share of tickets the AI should resolve alone, per quarter, overall (category null) or
 * per category. Every setting is kept; the latest per quarter and category is the target.
 */
export const aiCapacityTargets = pgTable(
  'ai_capacity_targets',
  {
    id: serial('id').primaryKey(),
    /** e.g. 2026-Q4. */
    quarter: text('quarter').notNull(),
    category: text('category', { enum: issueTypes }),
    targetShare: doublePrecision('target_share').notNull(),
    setBy: text('set_by').notNull(),
    setAt: timestamp('set_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('ai_capacity_targets_quarter_idx').on(t.quarter, t.category, t.setAt)],
);
