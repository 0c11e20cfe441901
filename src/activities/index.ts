import type { SupportAI } from '../ai/supportAI';
import type { Db } from '../db/client';
import type { Integrations } from '../integrations/ports';
import { postgresIntegrations } from '../integrations/postgres';
import { aiActivities } from './ai';
import { enrichmentActivities } from './enrichment';
import { DEFAULT_MAX_RETRY_DELAY_MS } from './failures';
import { persistenceActivities } from './persistence';

export type { DraftOutcomeInput, OutboundMessage, PersistInput } from '../db/ticketWrites';
export { DEFAULT_MAX_RETRY_DELAY_MS } from './failures';

export interface ActivityDeps {
  db: Db;
  ai: SupportAI;
  /** CRM, billing and issue tracker; Tandem's own Postgres tables unless configured otherwise. */
  integrations?: Integrations;
  now?: () => Date;
  /**
   * The longest a provider's Retry-After may delay the next attempt (default 60 s): a 429 asking
   * for an hour must not park a ticket out of sight; the workflow's deadline decides instead.
   */
  maxRetryDelayMs?: number;
  /** How often long activities heartbeat, so a dead worker's work restarts within the heartbeat timeout. */
  heartbeatEveryMs?: number;
}

/** Every activity of the ticket workflow, built over its ports (the dependency-injection shape of Temporal's samples). */
export function createActivities({
  db,
  ai,
  integrations = postgresIntegrations(db),
  now = () => new Date(),
  maxRetryDelayMs = DEFAULT_MAX_RETRY_DELAY_MS,
  heartbeatEveryMs = 2000,
}: ActivityDeps) {
  const options = { maxRetryDelayMs, heartbeatEveryMs };
  return {
    ...aiActivities(db, ai, options),
    ...enrichmentActivities(db, integrations, now, options),
    ...persistenceActivities(db, now, options),
  };
}

export type TandemActivities = ReturnType<typeof createActivities>;
