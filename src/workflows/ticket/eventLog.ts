import { patched, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { TicketStatus, TranscriptMessage } from '../../domain/ticket';
import { erasedMessage } from '../../domain/erasure';
import { noTimeYet, stageOf } from '../../domain/outcomes';
import { currentDetails, type TicketState, type TimelineEvent, type TimelineEventType } from '../../domain/ticketState';
import {
  AssignedAgent,
  CustomerTier,
  Escalated,
  HandlingMode,
  PriorityScore,
  TicketCategory,
  TicketPriority,
  TicketStatus as TicketStatusAttr,
} from '../searchAttributes';

const TIMELINE_KEPT_IN_STATE = 200;

/** What is recorded but not yet in the read model. */
export interface UnsavedBatch {
  events: TimelineEvent[];
  customerMessages: TranscriptMessage[];
}

/**
 * The ticket's event log: every change is recorded on the timeline, bumps the state version,
 * upserts the search attributes that changed and the current-details line (what ops see in
 * Temporal Web), and waits in a batch for the next write to the read model.
 */
export class EventLog {
  // Transient: rebuilt on every run, never carried through continue-as-new.
  private unsaved: UnsavedBatch = { events: [], customerMessages: [] };
  /** Search attribute values already in Temporal this run. */
  private readonly upserted = new Map<string, unknown>();
  /** Something changed since the last write to the read model. */
  dirty = true;

  constructor(private readonly s: TicketState) {}

  record(type: TimelineEventType, actor: string, data?: Record<string, unknown>) {
    const event = { seq: this.s.nextSeq++, at: Date.now(), type, actor, ...(data ? { data } : {}) };
    this.s.timeline.push(event);
    if (this.s.timeline.length > TIMELINE_KEPT_IN_STATE) this.s.timeline.splice(0, this.s.timeline.length - TIMELINE_KEPT_IN_STATE);
    this.unsaved.events.push(event);
    this.touch();
  }

  setStatus(status: TicketStatus, actor: string, data?: Record<string, unknown>) {
    const from = this.s.status;
    this.countTimeIn(from);
    this.s.status = status;
    this.record('status_changed', actor, { from, to: status, ...data });
  }

  /** Adds the time since the last status change to the stage it counts towards (stage durations). */
  private countTimeIn(status: TicketStatus) {
    const s = this.s;
    const now = Date.now();
    const stage = stageOf(status);
    // Tickets from before stages were kept start counting at their first change under this code.
    if (stage && s.statusSince !== undefined) {
      s.stageMs ??= noTimeYet();
      s.stageMs[stage] += Math.max(0, now - s.statusSince);
    }
    s.statusSince = now;
  }

  touch() {
    this.s.version++;
    this.dirty = true;
    this.upsertChangedSearchAttributes();
    setCurrentDetails(currentDetails(this.s));
  }

  /** A customer message for the read model's conversation. */
  queueCustomerMessages(...messages: TranscriptMessage[]) {
    this.unsaved.customerMessages.push(...messages);
  }

  /** Customer messages not yet in the read model, for a write that must see them first (they stay queued). */
  unsavedCustomerMessages(ticketId: string): (TranscriptMessage & { ticketId: string })[] {
    return this.unsaved.customerMessages.map((m) => ({ ...m, ticketId }));
  }

  /** Customer messages waiting for the read model, with their words erased (erasure). */
  eraseUnsaved() {
    this.unsaved.customerMessages = this.unsaved.customerMessages.map(erasedMessage);
  }

  /** Everything unsaved, for one write; `putBack` returns it if the write failed. */
  take(): UnsavedBatch {
    const batch = this.unsaved;
    this.unsaved = { events: [], customerMessages: [] };
    this.dirty = false;
    return batch;
  }

  /** A batch that could not be written goes back ahead of what was recorded meanwhile. */
  putBack(batch: UnsavedBatch) {
    this.unsaved = {
      events: [...batch.events, ...this.unsaved.events],
      customerMessages: [...batch.customerMessages, ...this.unsaved.customerMessages],
    };
    this.dirty = true;
  }

  private upsertChangedSearchAttributes() {
    const s = this.s;
    const all = [
      { key: TicketStatusAttr, value: s.status },
      { key: TicketPriority, value: s.priority?.level ?? null },
      { key: PriorityScore, value: s.priority?.score ?? null },
      { key: TicketCategory, value: s.classification?.issueType ?? null },
      { key: CustomerTier, value: s.enrichment?.tier ?? null },
      { key: HandlingMode, value: s.mode },
      { key: AssignedAgent, value: s.assignee },
      { key: Escalated, value: s.escalation !== null },
    ];
    // Each upsert is a history event: only what changed is written, so a busy ticket's
    // history stays small. Tickets started before this change keep upserting everything.
    const changed = patched('upsert-changed-search-attributes') ? all.filter((a) => this.upserted.get(a.key.name) !== a.value) : all;
    if (changed.length === 0) return;
    for (const a of changed) this.upserted.set(a.key.name, a.value);
    upsertSearchAttributes(changed);
  }
}
