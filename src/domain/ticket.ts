import { z } from 'zod';
import {
  channels,
  complexities,
  handlingModes,
  issueTypes,
  messageAuthors,
  repeatabilities,
  resolutionModes,
  sentiments,
  ticketStatuses,
  urgencies,
} from './vocabulary';

export const Channel = z.enum(channels);

export const PageContext = z
  .object({
    pageUrl: z.url().max(2048).optional(),
    pageTitle: z.string().max(300).optional(),
    productArea: z.string().max(100).optional(),
    state: z.record(z.string(), z.unknown()).optional(),
    recentActions: z.array(z.string().max(300)).max(50).optional(),
  })
  .strict();
export type PageContext = z.infer<typeof PageContext>;

/** What a caller supplies to open a ticket, once the customer has been resolved to an id. */
export const NewTicket = z.object({
  ticketId: z.string().min(1).max(100).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, _ . : - only'),
  customerId: z.string().min(1).max(100).optional(),
  customerEmail: z.email().optional(),
  channel: Channel,
  subject: z.string().trim().min(1).max(300),
  body: z.string().trim().min(1).max(20_000),
  pageContext: PageContext.optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  externalId: z.string().min(1).max(200).optional(),
});
export type NewTicket = z.infer<typeof NewTicket>;

export const IssueType = z.enum(issueTypes);
export type IssueType = z.infer<typeof IssueType>;
export const Complexity = z.enum(complexities);
export type Complexity = z.infer<typeof Complexity>;
export const Repeatability = z.enum(repeatabilities);
export type Repeatability = z.infer<typeof Repeatability>;
export const Urgency = z.enum(urgencies);
export type Urgency = z.infer<typeof Urgency>;
export const Sentiment = z.enum(sentiments);
export type Sentiment = z.infer<typeof Sentiment>;

/** The AI's triage of a ticket; also the schema of the LLM's structured output. */
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
export type Classification = z.infer<typeof Classification>;

export const Citation = z.object({ articleId: z.string(), title: z.string() });
export const Draft = z.object({
  body: z.string().min(1),
  confidence: z.number().min(0).max(1),
  citations: z.array(Citation),
  promptVersion: z.string(),
  provider: z.string(),
});
export type Draft = z.infer<typeof Draft>;

/** What a customer's reply says about the state of their issue. */
export const ReplyAssessment = z.object({
  verdict: z.enum(['resolved', 'unresolved', 'wants_human', 'unclear']),
  sentiment: Sentiment,
  confidence: z.number().min(0).max(1),
});
export type ReplyAssessment = z.infer<typeof ReplyAssessment>;

/** The handoff an agent reads before typing, so the customer never repeats themselves. */
export const EscalationSummary = z.object({
  customerNeeds: z.string(),
  alreadyTried: z.array(z.string()),
  whyEscalated: z.string(),
  accountContext: z.string(),
  pageContext: z.string().nullable(),
  suggestedNextStep: z.string().nullable(),
});
export type EscalationSummary = z.infer<typeof EscalationSummary>;

export const TicketStatus = z.enum(ticketStatuses);
export type TicketStatus = z.infer<typeof TicketStatus>;

export const HandlingMode = z.enum(handlingModes);
export type HandlingMode = z.infer<typeof HandlingMode>;

export const ResolutionMode = z.enum(resolutionModes);
export type ResolutionMode = z.infer<typeof ResolutionMode>;

export const MessageAuthor = z.enum(messageAuthors);
export const TranscriptMessage = z.object({
  id: z.string(),
  author: MessageAuthor,
  agentId: z.string().optional(),
  body: z.string(),
  at: z.number(),
});
export type TranscriptMessage = z.infer<typeof TranscriptMessage>;
