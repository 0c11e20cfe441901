import { patched } from '@temporalio/workflow';
import type { TandemActivities } from '../../activities';
import { csatRequestText } from '../../domain/csat';
import type { Citation, TranscriptMessage } from '../../domain/ticket';
import { endedByOf } from '../../domain/outcomes';
import { resolutionModeOf, type TicketState } from '../../domain/ticketState';
import type { ActivityGroups } from './activityGroups';
import type { Deliveries } from './deliveries';
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
    private readonly deliveries: Deliveries,
  ) {}

  /**
   * Sends a reply: recorded (with what became of the AI draft it sends, if one) and then delivered
   * beside the ticket, so the caller never waits on the receiver.
   */
  async send(
    body: string,
    author: 'ai' | 'agent',
    agentId?: string,
    draft?: { id: string; outcome: DraftOutcome },
    citations?: Citation[],
  ) {
    const { s } = this;
    const at = Date.now();
    const id = `${s.ticketId}:out:${s.nextSeq}`;
    this.addToTranscript({ id, author, body, at, ...(agentId ? { agentId } : {}) });
    if (author === 'ai') s.aiMessagesSent++;
    if (!s.firstResponseAt) s.firstResponseAt = at;
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
      ...(citations?.length ? { citations } : {}),
      // An email reply threads to the customer's mail, which may not be in the read model yet.
      ...(s.ticket.channel === 'email' ? { inbound: this.log.unsavedCustomerMessages(s.ticketId) } : {}),
    };
    // One activity (one transaction) for both writes halves an approval's round trip; tickets
    // started before this change keep their two activities. The awaits here are as the saved
    // histories recorded them: their order decides the order of commands.
    const together = draft !== undefined && patched('draft-outcome-with-delivery');
    const plan = await this.writes.write(`message ${id}`, (sanitize) =>
      this.store.deliverMessage({
        ...(sanitize ? { sanitize } : {}),
        ...message,
        ...(together ? { draftOutcome: { ...draft.outcome, draftId: draft.id, at } } : {}),
      }),
    );
    // Histories recorded before delivery got no plan back, and start nothing here.
    if (plan && patched('deliver-by-activity')) this.deliveries.message(plan, 'reply');
    if (draft && !together) await this.writes.recordDraftOutcome({ ...draft.outcome, draftId: draft.id, at: Date.now() });
  }

  /** An agent's note for colleagues: in the conversation's record, never delivered. */
  async addNote(body: string, agentId: string) {
    const { s } = this;
    const at = Date.now();
    const id = `${s.ticketId}:note:${s.nextSeq}`;
    this.log.record('note_added', agentId, { messageId: id });
    await this.writes.write(`note ${id}`, (sanitize) =>
      this.store.deliverMessage({
        ...(sanitize ? { sanitize } : {}),
        id,
        ticketId: s.ticketId,
        kind: 'note',
        author: 'agent',
        agentId,
        channel: s.ticket.channel,
        body,
        at,
      }),
    );
  }

  resolve(reason: string, by: string) {
    const { s } = this;
    s.draft = null;
    s.sla.awaitingCustomerSince = null;
    s.resolution = { mode: resolutionModeOf(s), reason, at: Date.now(), by, reopenWindowClosed: false };
    // The first resolution stands for the ticket in the reports, whatever a reopen brings.
    s.firstResolution ??= { mode: s.resolution.mode, endedBy: endedByOf(reason), at: s.resolution.at };
    // A score the customer already gave survives a reopen; otherwise the survey starts afresh.
    if (s.csat.score === null) {
      s.csat = { surveySentAt: null, reminderSentAt: null, score: null, comment: null, at: null, windowClosed: false, by: null };
    }
    this.log.setStatus('resolved', by, { resolutionMode: s.resolution.mode, reason });
  }

  async discardDraft(by: string, how: { takenOver?: boolean } = {}) {
    const draft = this.s.draft;
    if (!draft) return;
    this.s.draft = null;
    this.s.sla.reviewDueAt = null;
    this.log.record('draft_discarded', by, { draftId: draft.id });
    await this.writes.recordDraftOutcome({
      draftId: draft.id,
      outcome: 'discarded',
      reviewedBy: by,
      at: Date.now(),
      ...(how.takenOver ? { takenOver: true } : {}),
    });
  }

  addToTranscript(m: TranscriptMessage) {
    const { transcript } = this.s;
    transcript.push(m);
    if (transcript.length > TRANSCRIPT_KEPT_IN_STATE) transcript.splice(0, transcript.length - TRANSCRIPT_KEPT_IN_STATE);
  }

  /** Sends the CSAT survey or its reminder, its signed link lasting as long as the survey (`windowMs` from the survey); returns when it went out. */
  async requestCsat(kind: 'csat_survey' | 'csat_reminder', windowMs: number): Promise<number> {
    const { s } = this;
    const at = Date.now();
    const message = { ticketId: s.ticketId, author: 'system' as const, channel: s.ticket.channel, recipient: s.ticket.customerEmail };
    const id = `${s.ticketId}:${kind}:${s.followUps}`;
    const expiresAt = (s.csat.surveySentAt ?? at) + windowMs;
    const plan = await this.writes.write(`${kind} message`, (sanitize) =>
      this.store.deliverMessage({
        ...(sanitize ? { sanitize } : {}),
        ...message,
        id,
        kind,
        body: csatRequestText(kind, s.ticket.subject),
        survey: { subject: s.ticket.subject, expiresAt },
        at,
      }),
    );
    if (plan && patched('deliver-by-activity')) this.deliveries.message(plan, kind);
    return at;
  }
}
