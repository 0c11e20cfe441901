// The names a ticket goes by. Pure: the API derives ids with them, the workflow, tests and the
// bench find a ticket's workflow with them; no other code spells the format.

const WORKFLOW_PREFIX = 'ticket-';

/** The Temporal workflow id of a ticket. */
export const workflowIdFor = (ticketId: string): string => `${WORKFLOW_PREFIX}${ticketId}`;

/** The ticket id inside a workflow id, or null when it is not a ticket's. */
export const ticketIdOf = (workflowId: string): string | null =>
  workflowId.startsWith(WORKFLOW_PREFIX) && workflowId.length > WORKFLOW_PREFIX.length ? workflowId.slice(WORKFLOW_PREFIX.length) : null;

/** What a new ticket's id comes from: the caller's own dedupe key, or nothing (a fresh id). */
export type TicketIdSource = { caller: string; externalId: string } | { caller: string; idempotencyKey: string } | { random: string };

/**
 * A ticket's id. Derived from the caller's dedupe key, so Temporal's workflow-id uniqueness does
 * the deduplication (no lock or table can race it); keys belong to the caller (the name behind
 * the API key, so a rotated key still dedupes). `digest` is a hex hash (SHA-256 in the API),
 * passed in because domain code has no Node built-ins.
 */
export function deriveTicketId(source: TicketIdSource, digest: (text: string) => string): string {
  if ('externalId' in source) return `ext_${digest(`external:${source.caller}:${source.externalId}`).slice(0, 24)}`;
  if ('idempotencyKey' in source) return `idem_${digest(`${source.caller}:${source.idempotencyKey}`).slice(0, 24)}`;
  return `tkt_${source.random.replaceAll('-', '').slice(0, 20)}`;
}
