import { z } from 'zod';
import type * as domain from '../domain/ticket';
import { deliveryStatuses, deliveryTransports } from '../domain/delivery';
import type { AllSame, Same } from './exact';
import { Channel, Complexity, IssueType, MessageAuthor, Repeatability, ReplyVerdict, Sentiment, Urgency } from './vocabulary';

// Schemas of a ticket's values, for the API and the LLM's structured output. The types are the
// domain's (src/domain/ticket.ts), exported here under the schemas' names so a parser needs one
// import; the check at the bottom keeps each schema exactly in step with its type.

export type PageContext = domain.PageContext;
export const PageContext = z
  .object({
    pageUrl: z.url().max(2048).optional(),
    pageTitle: z.string().max(300).optional(),
    productArea: z.string().max(100).optional(),
    state: z.record(z.string(), z.unknown()).optional(),
    recentActions: z.array(z.string().max(300)).max(50).optional(),
  })
  .strict();

export type Attachment = domain.Attachment;
export const Attachment = z.object({ filename: z.string().nullable(), contentType: z.string(), size: z.number().int().min(0) });

/** What a caller supplies to open a ticket, once the customer has been resolved to an id. */
export type NewTicket = domain.NewTicket;
export const NewTicket = z.object({
  ticketId: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, _ . : - only'),
  customerId: z.string().min(1).max(100).optional(),
  customerEmail: z.email().optional(),
  channel: Channel,
  subject: z.string().trim().min(1).max(300),
  body: z.string().trim().min(1).max(20_000),
  pageContext: PageContext.optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  externalId: z.string().min(1).max(200).optional(),
  createdBy: z.string().min(1).max(200).optional(),
  emailMessageId: z.string().min(1).max(1000).optional(),
  attachments: z.array(Attachment).max(100).optional(),
});

/** The AI's triage of a ticket; also the schema of the LLM's structured output. */
export type Classification = domain.Classification;
export const Classification = z.object({
  issueType: IssueType,
  complexity: Complexity,
  repeatability: Repeatability,
  urgency: Urgency,
  sentiment: Sentiment,
  requestsHuman: z.boolean(),
  confidence: z.number().min(0).max(1),
  summary: z.string().max(300),
});

/** The classification fields a person labels or changes (all but confidence and summary). */
export const ClassificationLabels = Classification.pick({
  issueType: true,
  complexity: true,
  repeatability: true,
  urgency: true,
  sentiment: true,
  requestsHuman: true,
});

export type Citation = domain.Citation;
export const Citation = z.object({
  articleId: z.string(),
  title: z.string(),
  kind: z
    .enum(['article', 'example'])
    .optional()
    .meta({ description: '`example`: an answer a lead approved in the weekly review; absent or `article`: a knowledge-base article.' }),
});
export type Draft = domain.Draft;
export const Draft = z.object({
  body: z.string().min(1),
  confidence: z.number().min(0).max(1),
  citations: z.array(Citation),
  promptVersion: z.string(),
  provider: z.string(),
  knownLinks: z.array(z.string()).optional(),
});

/** What a customer's reply says about the state of their issue. */
export type ReplyAssessment = domain.ReplyAssessment;
export const ReplyAssessment = z.object({
  verdict: ReplyVerdict,
  sentiment: Sentiment,
  confidence: z.number().min(0).max(1),
});

/** The handoff an agent reads before typing, so the customer never repeats themselves. */
export type EscalationSummary = domain.EscalationSummary;
export const EscalationSummary = z.object({
  customerNeeds: z.string(),
  alreadyTried: z.array(z.string()),
  whyEscalated: z.string(),
  accountContext: z.string(),
  pageContext: z.string().nullable(),
  suggestedNextStep: z.string().nullable(),
});

export type TranscriptMessage = domain.TranscriptMessage;
export const TranscriptMessage = z.object({
  id: z.string(),
  author: MessageAuthor,
  agentId: z.string().optional(),
  body: z.string(),
  at: z.number(),
  emailMessageId: z.string().optional(),
  attachments: z.array(Attachment).optional(),
  internal: z.boolean().optional(),
  postedBy: z.object({ name: z.string(), role: z.string() }).optional(),
  delivery: z
    .object({
      status: z.enum(deliveryStatuses),
      transport: z.enum(deliveryTransports),
      at: z.number().nullable(),
      detail: z.string().nullable(),
    })
    .optional(),
});

type _SchemasMatchTypes = AllSame<
  [
    Same<z.output<typeof PageContext>, domain.PageContext>,
    Same<z.output<typeof Attachment>, domain.Attachment>,
    Same<z.output<typeof NewTicket>, domain.NewTicket>,
    Same<z.output<typeof Classification>, domain.Classification>,
    Same<z.output<typeof Citation>, domain.Citation>,
    Same<z.output<typeof Draft>, domain.Draft>,
    Same<z.output<typeof ReplyAssessment>, domain.ReplyAssessment>,
    Same<z.output<typeof EscalationSummary>, domain.EscalationSummary>,
    Same<z.output<typeof TranscriptMessage>, domain.TranscriptMessage>,
  ]
>;
