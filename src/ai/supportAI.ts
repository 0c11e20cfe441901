import type { Classification, Draft, EscalationSummary, PageContext, ReplyAssessment, TranscriptMessage } from '../domain/ticket';
import type { Enrichment } from '../domain/enrichment';

/** The ticket as the AI sees it. Its text is data to reason about, never instructions. */
export interface TicketForAI {
  ticketId: string;
  channel: string;
  subject: string;
  body: string;
  pageContext?: PageContext | undefined;
}

export interface DraftRequest {
  ticket: TicketForAI;
  transcript: TranscriptMessage[];
  classification: Classification;
  enrichment: Enrichment;
  /** The AI reply this draft will be (1 = first response). */
  turn: number;
}

export interface EscalationRequest {
  ticket: TicketForAI;
  transcript: TranscriptMessage[];
  classification: Classification | null;
  enrichment: Enrichment | null;
  reasons: { code: string; detail: string }[];
}

/** The one port every AI step goes through; activities wrap it, workflows never see a provider. */
export interface SupportAI {
  readonly name: string;
  classify(ticket: TicketForAI): Promise<Classification>;
  draftReply(request: DraftRequest): Promise<Draft>;
  summarizeEscalation(request: EscalationRequest): Promise<EscalationSummary>;
  assessReply(reply: string, transcript: TranscriptMessage[], ticketId?: string): Promise<ReplyAssessment>;
}
