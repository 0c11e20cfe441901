import type { TicketForAI } from '../domain/aiView';
import type { Classification, Draft, EscalationSummary, ReplyAssessment, TranscriptMessage } from '../domain/ticket';
import type { Enrichment } from '../domain/enrichment';
import type { ExampleHit } from '../domain/review';

// The ticket as the AI sees it is a domain type: the workflow builds it (domain/aiView.ts).
export type { TicketForAI };

export interface DraftRequest {
  ticket: TicketForAI;
  transcript: TranscriptMessage[];
  classification: Classification;
  enrichment: Enrichment;
  /** The AI reply this draft will be (1 = first response). */
  turn: number;
  /**
   * Answers a lead approved in the weekly review for the nearest questions of this category,
   * best first. The draft activity adds them (the workflow never passes them), so they are read
   * when the draft is written, not when the ticket started.
   */
  examples?: ExampleHit[];
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
