import type { SupportAI } from '../ai/supportAI';
import type { Db } from '../db/client';
import type { DeliveryContext } from '../db/messageWrites';
import { DEFAULT_EMAIL_FROM } from '../domain/delivery';
import { csatLinks } from '../delivery/csatLinks';
import type { Mailer } from '../delivery/deliverer';
import type { Integrations } from '../integrations/ports';
import { postgresIntegrations } from '../integrations/postgres';
import { aiActivities } from './ai';
import { deliveryActivities } from './delivery';
import { enrichmentActivities } from './enrichment';
import { historyImportActivities } from './historyImport';
import { DEFAULT_MAX_RETRY_DELAY_MS } from './failures';
import { persistenceActivities } from './persistence';

export type { DraftOutcomeInput, PersistInput, PersistResult } from '../db/ticketWrites';
export type { DeliveryPlan, OutboundMessage } from '../db/messageWrites';
export { DEFAULT_MAX_RETRY_DELAY_MS } from './failures';

/** How replies leave Tandem: SMTP for email tickets (when set), webhooks, and the CSAT link's address. */
export interface DeliveryOptions {
  mailer?: Mailer | null;
  emailFrom?: { address: string; name: string };
  /** The API's public address: CSAT links point at it. */
  publicUrl?: string;
  /** Signs CSAT links; unset, a key generated once into the database is shared by every process. */
  csatLinkSecret?: string | undefined;
  /** One webhook attempt's deadline (connect + answer). */
  webhookTimeoutMs?: number;
}

export interface ActivityDeps {
  db: Db;
  ai: SupportAI;
  /** CRM, billing and issue tracker; Tandem's own Postgres tables unless configured otherwise. */
  integrations?: Integrations;
  delivery?: DeliveryOptions;
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
  delivery = {},
  now = () => new Date(),
  maxRetryDelayMs = DEFAULT_MAX_RETRY_DELAY_MS,
  heartbeatEveryMs = 2000,
}: ActivityDeps) {
  const options = { maxRetryDelayMs, heartbeatEveryMs };
  const emailFrom = delivery.emailFrom ?? DEFAULT_EMAIL_FROM;
  const publicUrl = delivery.publicUrl ?? 'http://127.0.0.1:3000';
  const links = csatLinks(db, { publicUrl, secret: delivery.csatLinkSecret });
  const ctx: DeliveryContext = { smtp: Boolean(delivery.mailer), emailFrom: emailFrom.address, csatLink: links.link };
  return {
    ...aiActivities(db, ai, options),
    ...historyImportActivities(db, ai, now, options),
    ...enrichmentActivities(db, integrations, now, options),
    ...persistenceActivities(db, ctx, now, options),
    ...deliveryActivities(
      { db, mailer: delivery.mailer ?? null, emailFrom, webhookTimeoutMs: delivery.webhookTimeoutMs ?? 10_000, now },
      options,
    ),
  };
}

export type TandemActivities = ReturnType<typeof createActivities>;
