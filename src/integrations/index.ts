import type { Config } from '../config';
import type { Db } from '../db/client';
import { createHubSpotDirectory, hubspotClient } from './hubspotDirectory';
import { createLinearIssueTracker, linearClient } from './linearIssues';
import type { Integrations } from './ports';
import { postgresIntegrations } from './postgres';
import { createStripeBilling, stripeClient } from './stripeBilling';

/** Each port from its provider when that provider's key is set, else from Tandem's own tables. */
export function createIntegrations(config: Config, db: Db): Integrations {
  const local = postgresIntegrations(db);
  return {
    directory: config.HUBSPOT_ACCESS_TOKEN
      ? createHubSpotDirectory({ client: hubspotClient({ accessToken: config.HUBSPOT_ACCESS_TOKEN, basePath: config.HUBSPOT_BASE_URL }) })
      : local.directory,
    billing: config.STRIPE_API_KEY
      ? createStripeBilling({ client: stripeClient({ apiKey: config.STRIPE_API_KEY, baseUrl: config.STRIPE_API_BASE }) })
      : local.billing,
    issueTracker: config.LINEAR_API_KEY
      ? createLinearIssueTracker({ client: linearClient({ apiKey: config.LINEAR_API_KEY, apiUrl: config.LINEAR_API_URL }) })
      : local.issueTracker,
  };
}
