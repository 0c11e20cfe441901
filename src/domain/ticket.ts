import type { MessageDelivery } from './delivery';
import { cutText } from './text';
import type {
  Channel,
  Complexity,
  HandlingMode,
  IssueType,
  MessageAuthor,
  Repeatability,
  ReplyVerdict,
  ResolutionMode,
  Sentiment,
  TicketStatus,
  Urgency,
} from './vocabulary';

// A ticket's plain types. Their zod schemas live in src/schemas/ticket.ts and are checked
// against these at compile time; workflow code loads only this module, never zod.

export type {
  Channel,
  Complexity,
  HandlingMode,
  IssueType,
  MessageAuthor,
  Repeatability,
  ResolutionMode,
  Sentiment,
  TicketStatus,
  Urgency,
};

/** Where the customer was in the product when they asked, as the widget reports it. */
export interface PageContext {
  pageUrl?: string;
  pageTitle?: string;
  productArea?: string;
  state?: Record<string, unknown>;
  recentActions?: string[];
}

/** What a caller supplies to open a ticket, once the customer has been resolved to an id. */
export interface NewTicket {
  ticketId: string;
  customerId?: string;
  customerEmail?: string;
  channel: Channel;
  subject: string;
  body: string;
  pageContext?: PageContext;
  metadata?: Record<string, unknown>;
  externalId?: string;
  /** The name behind the service key that started the ticket (its webhooks and scope follow it). */
  createdBy?: string;
  /** The opening email's Message-ID and named attachments, for a ticket started by inbound email. */
  emailMessageId?: string;
  attachments?: Attachment[];
}

/** A file a customer's email carried: named for the agent, its content never stored. */
export interface Attachment {
  filename: string | null;
  contentType: string;
  size: number;
}

/** The AI's triage of a ticket; also the shape of the LLM's structured output. */
export interface Classification {
  issueType: IssueType;
  complexity: Complexity;
  repeatability: Repeatability;
  urgency: Urgency;
  sentiment: Sentiment;
  requestsHuman: boolean;
  confidence: number;
  summary: string;
}

export interface Citation {
  /** A knowledge-base article's id, or an approved example's (kind `example`). */
  articleId: string;
  title: string;
  /** Absent: a knowledge-base article (what every citation was before approved examples). */
  kind?: 'article' | 'example';
}

export interface Draft {
  body: string;
  confidence: number;
  citations: Citation[];
  promptVersion: string;
  provider: string;
  /** The draft's links that some knowledge-base article holds (the rest need the policy's leave or a review). */
  knownLinks?: string[];
}

/** What a customer's reply says about the state of their issue. */
export interface ReplyAssessment {
  verdict: ReplyVerdict;
  sentiment: Sentiment;
  confidence: number;
}

/** The handoff an agent reads before typing, so the customer never repeats themselves. */
export interface EscalationSummary {
  customerNeeds: string;
  alreadyTried: string[];
  whyEscalated: string;
  accountContext: string;
  pageContext: string | null;
  suggestedNextStep: string | null;
}

export interface TranscriptMessage {
  id: string;
  author: MessageAuthor;
  agentId?: string;
  body: string;
  at: number;
  /** An inbound email's Message-ID, so replies thread to it. */
  emailMessageId?: string;
  attachments?: Attachment[];
  /** An agent's note for colleagues (the read model's view only; never in the workflow's transcript). */
  internal?: boolean;
  /** The API key that posted a customer's message, and its role (a lead posting for a customer says so). */
  postedBy?: { name: string; role: string };
  /** How a message to the customer travelled (the read model's view only). */
  delivery?: MessageDelivery;
}

/** What triage says when the AI could not classify: nothing known, so a person decides. */
export const unclassified = (subject: string): Classification => ({
  issueType: 'other',
  complexity: 'high',
  repeatability: 'unique',
  urgency: 'medium',
  sentiment: 'neutral',
  requestsHuman: false,
  confidence: 0,
  summary: cutText(subject, 200, { ellipsis: true, atWord: true }),
});
