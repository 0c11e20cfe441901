import { patched } from '@temporalio/workflow';
import type { TandemActivities } from '../../activities';
import { csatRequestText } from '../../domain/csat';
import type { TranscriptMessage } from '../../domain/ticket';
import { resolutionModeOf, type TicketState } from '../../domain/ticketState';
import type { ActivityGroups } from './activityGroups';
import type { EventLog } from './eventLog';
import type { TicketWrites } from './writes';

const TRANSCRIPT_KEPT_IN_STATE = 50;

export type DraftOutcome = Omit<Parameters<TandemActivities['recordDraftOutcome']>[0], 'draftId' | 'at' | 'sanitize'>;

/** What the ticket says to the customer and how it ends: replies, the pending draft, resolution. */
export class Conversation {
  constructor(
    private readonly s: TicketState,
    private readonly log: EventLog,
    private readonly writes: TicketWrites,
    private readonly store: ActivityGroups['store'],
  ) {}

  /** Sends a reply; when it is an AI draft, what became of the draft is recorded with it. */
  async send(body: string, author: 'ai' | 'agent', agentId?: string, draft?: { id: string; outcome: DraftOutcome }) {
    const { s } = this;
    const at = Date.now();
    const id = `${s.ticketId}:out:${s.nextSeq}`;
    this.addToTranscript({ id, author, body, at, ...(agentId ? { agentId } : {}) });
    if (author === 'ai') s.aiMessagesSent++;
    s.sla.awaitingCustomerSince = at;
    this.log.record('message_sent', agentId ?? author, { messageId: id, author, ...(draft ? { draftId: draft.id } : {}) });
    const message = {
      id,
      ticketId: s.ticketId,
      kind: 'reply' as const,
      author,
      agentId,
      channel: s.ticket.channel,
      recipient: s.ticket.customerEmail,
      body,
      draftId: draft?.id,
      at,
    };
    // One activity (one transaction) for both writes halves an approval's round trip; tickets
    // started before this change keep their two activities. The awaits here are as the saved
    // histories recorded them: their order decides the order of commands.
    const together = draft !== undefined && patched('draft-outcome-with-delivery');
    await this.writes.write(`message ${id}`, (sanitize) =>
      this.store.deliverMessage({
        ...(sanitize ? { sanitize } : {}),
        ...message,
        ...(together ? { draftOutcome: { ...draft.outcome, draftId: draft.id, at } } : {}),
      }),
    );
    if (draft && !together) await this.writes.recordDraftOutcome({ ...draft.outcome, draftId: draft.id, at: Date.now() });
  }

  resolve(reason: string, by: string) {
    const { s } = this;
    s.draft = null;
    s.sla.awaitingCustomerSince = null;
    s.resolution = { mode: resolutionModeOf(s), reason, at: Date.now(), by, reopenWindowClosed: false };
    // A score the customer already gave survives a reopen; otherwise the survey starts afresh.
    if (s.csat.score === null) {
      s.csat = { surveySentAt: null, reminderSentAt: null, score: null, comment: null, at: null, windowClosed: false };
    }
    this.log.setStatus('resolved', by, { resolutionMode: s.resolution.mode, reason });
  }

  async discardDraft(by: string) {
    const draft = this.s.draft;
    if (!draft) return;
    this.s.draft = null;
    this.s.sla.reviewDueAt = null;
    this.log.record('draft_discarded', by, { draftId: draft.id });
    await this.writes.recordDraftOutcome({ draftId: draft.id, outcome: 'discarded', reviewedBy: by, at: Date.now() });
  }

  addToTranscript(m: TranscriptMessage) {
    const { transcript } = this.s;
    transcript.push(m);
    if (transcript.length > TRANSCRIPT_KEPT_IN_STATE) transcript.splice(0, transcript.length - TRANSCRIPT_KEPT_IN_STATE);
  }

  /** Sends the CSAT survey or its reminder; returns when it went out. */
  async requestCsat(kind: 'csat_survey' | 'csat_reminder'): Promise<number> {
    const { s } = this;
    const at = Date.now();
    const message = { ticketId: s.ticketId, author: 'system' as const, channel: s.ticket.channel, recipient: s.ticket.customerEmail };
    const id = `${s.ticketId}:${kind}:${s.followUps}`;
    await this.writes.write(`${kind} message`, (sanitize) =>
      this.store.deliverMessage({
        ...(sanitize ? { sanitize } : {}),
        ...message,
        id,
        kind,
        body: csatRequestText(kind, s.ticket.subject),
        at,
      }),
    );
    return at;
  }
}
