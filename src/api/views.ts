import type { TicketRecord } from '../db/ticketQueries';
import { summaryLine } from '../db/ticketQueries';
import { problems } from './problems';
import { publicStatusOf } from '../domain/delivery';
import type { TicketView } from '../domain/ticketState';
import { inStorableRange } from '../schemas/api';

// How the API shows what it read. One time format in every response: ISO 8601.

/** A read-model row as lists and the queue show it. */
export function rowView(r: TicketRecord) {
  return {
    ticketId: r.id,
    workflowId: r.workflowId,
    externalId: r.externalId,
    customerId: r.customerId,
    channel: r.channel,
    subject: r.subject,
    status: r.status,
    mode: r.mode,
    category: r.category,
    tier: r.tier,
    priority: r.priorityLevel,
    priorityScore: r.priorityScore,
    assignee: r.assignee,
    escalated: r.escalated,
    slaDeadline: r.slaDeadline?.toISOString() ?? null,
    slaBreached: r.slaBreached,
    deliveryFailed: r.deliveryFailed,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** A queue row: the row and the first line of its escalation summary. */
export const queueRowView = (r: TicketRecord) => ({
  ...rowView(r),
  summaryLine: summaryLine(r.escalationSummary),
});

/**
 * What a service key sees of a ticket: where it stands and the public conversation; never the
 * enrichment (MRR, billing), drafts, escalation summaries, similar tickets, notes or triage detail.
 */
export function serviceView(v: TicketView) {
  return {
    ticketId: v.ticketId,
    status: v.status,
    publicStatus: publicStatusOf(v.status),
    channel: v.ticket.channel,
    subject: v.ticket.subject,
    externalId: v.ticket.externalId ?? null,
    createdAt: v.ticket.createdAt,
    assigned: v.assignee !== null,
    transcript: v.transcript
      .filter((m) => !m.internal && m.author !== 'system')
      .map((m) => ({
        id: m.id,
        author: m.author,
        body: m.body,
        at: m.at,
        ...(m.delivery ? { delivery: { status: m.delivery.status, at: m.delivery.at } } : {}),
      })),
    csat: { score: v.csat.score, surveySentAt: v.csat.surveySentAt, windowClosed: v.csat.windowClosed },
    resolution: v.resolution ? { mode: v.resolution.mode, reason: v.resolution.reason, at: v.resolution.at } : null,
    version: v.version,
  };
}

// Workflow state keeps times as epoch milliseconds (what deterministic workflow code has); every
// field that holds one is named `at`, `…At` or `…Since`.
const TIME_KEY = /^(at|since)$|(At|Since)$/;

/** A state (or any value from the workflow) with every time field as an ISO 8601 string. */
export function withIsoTimes<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withIsoTimes) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, TIME_KEY.test(k) && typeof v === 'number' ? new Date(v).toISOString() : withIsoTimes(v)]),
    ) as T;
  }
  return value;
}

/** Position of the last row of a page, opaque to callers. */
export interface Cursor {
  createdAt: string;
  id: string;
}

export const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

export function decodeCursor(cursor: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { createdAt?: unknown; id?: unknown };
    if (typeof c.createdAt === 'string' && typeof c.id === 'string' && inStorableRange(c.createdAt) && !c.id.includes('\u0000')) {
      return { createdAt: c.createdAt, id: c.id };
    }
  } catch {
    // fall through to the 400 below
  }
  throw problems.invalid([{ field: 'query.cursor', message: 'not a cursor this API issued' }]);
}
