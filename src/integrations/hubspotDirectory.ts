import { Client } from '@hubspot/api-client';
import { Tier } from '../schemas/vocabulary';
import { IntegrationError, unknownAccount, type AccountFacts, type CustomerDirectory, type CustomerRef } from './ports';

const DAY = 86_400_000;

export function hubspotClient(options: { accessToken: string; basePath?: string | undefined }): Client {
  // Retries are Temporal's job: the SDK's own would hide a rate limit inside one activity attempt.
  return new Client({
    accessToken: options.accessToken,
    numberOfApiCallRetries: 0,
    ...(options.basePath ? { basePath: options.basePath } : {}),
  });
}

type Properties = Record<string, string | null | undefined>;
const contactProperties = ['email', 'firstname', 'lastname', 'lifecyclestage', 'hubspot_owner_id', 'createdate'];

/** HubSpot's contact and company (properties are strings) as Tandem's account facts. */
function accountFactsFrom(
  contact: { id: string; properties: Properties },
  company: { id: string; properties: Properties } | null,
  tierProperty: string,
  now: Date,
): AccountFacts {
  const c = company?.properties ?? {};
  const tier = Tier.safeParse((c[tierProperty] ?? '').toLowerCase());
  const created = c.createdate ? Date.parse(c.createdate) : NaN;
  const mrr = c.tandem_mrr ? Number(c.tandem_mrr) : NaN;
  return {
    customerId: contact.id,
    accountId: company?.id ?? null,
    accountName: c.name ?? null,
    tier: tier.success ? tier.data : null,
    plan: c.tandem_plan ?? null,
    mrrCents: Number.isFinite(mrr) ? Math.round(mrr * 100) : null,
    accountAgeDays: Number.isFinite(created) ? Math.floor((now.getTime() - created) / DAY) : null,
    lifecycleStage: contact.properties.lifecyclestage ?? c.lifecyclestage ?? null,
    accountOwner: c.hubspot_owner_id ?? contact.properties.hubspot_owner_id ?? null,
  };
}

interface HubSpotError {
  code: number;
  headers?: Record<string, string>;
  message: string;
}
// Each generated API module has its own ApiException class, so errors are recognised by shape.
const isHubSpotError = (err: unknown): err is HubSpotError => typeof (err as { code?: unknown } | null)?.code === 'number';

function hubspotFailure(err: unknown): IntegrationError {
  if (!isHubSpotError(err)) return new IntegrationError(`HubSpot: ${err instanceof Error ? err.message : String(err)}`, true);
  if (err.code === 429) {
    const after = Number(err.headers?.['retry-after']);
    return new IntegrationError('HubSpot rate limit', true, Number.isFinite(after) ? after * 1000 : 10_000);
  }
  if (err.code === 401 || err.code === 403)
    return new IntegrationError(`HubSpot refused the token (check HUBSPOT_ACCESS_TOKEN): HTTP ${err.code}`, false);
  if (err.code >= 500) return new IntegrationError(`HubSpot error ${err.code}`, true);
  return new IntegrationError(`HubSpot rejected the request: HTTP ${err.code}`, false);
}

export function createHubSpotDirectory({
  client,
  tierProperty = 'tandem_tier',
}: {
  client: Client;
  tierProperty?: string;
}): CustomerDirectory {
  const companyProperties = ['name', 'lifecyclestage', 'hubspot_owner_id', 'createdate', tierProperty, 'tandem_plan', 'tandem_mrr'];
  const none = (ref: CustomerRef): AccountFacts => unknownAccount(ref.customerId ?? null);

  async function contactBy(key: string, idProperty?: string) {
    try {
      return await client.crm.contacts.basicApi.getById(key, contactProperties, undefined, ['companies'], false, idProperty);
    } catch (err) {
      if (isHubSpotError(err) && err.code === 404) return null;
      throw err;
    }
  }

  /** The contact (with its companies) by HubSpot id, or by email when the id is not HubSpot's or unknown there. */
  async function findContact(ref: CustomerRef) {
    const byId = ref.customerId && /^\d+$/.test(ref.customerId) ? await contactBy(ref.customerId) : null;
    return byId ?? (ref.customerEmail ? await contactBy(ref.customerEmail, 'email') : null);
  }

  /** The owner's name and email rather than a bare id; the id still beats nothing if the lookup fails. */
  async function ownerName(id: string | null | undefined): Promise<string | null> {
    if (!id || !/^\d+$/.test(id)) return id ?? null;
    try {
      const owner = await client.crm.owners.ownersApi.getById(Number(id));
      const name = [owner.firstName, owner.lastName].filter(Boolean).join(' ');
      return name ? `${name}${owner.email ? ` <${owner.email}>` : ''}` : (owner.email ?? id);
    } catch (err) {
      if (isHubSpotError(err) && err.code === 429) throw err;
      return id;
    }
  }

  return {
    name: 'hubspot',
    async lookup(ref, now) {
      try {
        const contact = await findContact(ref);
        if (!contact) return none(ref);
        const companyId = contact.associations?.companies?.results?.[0]?.id;
        const company = companyId ? await client.crm.companies.basicApi.getById(companyId, companyProperties) : null;
        const facts = accountFactsFrom(contact, company, tierProperty, now);
        return { ...facts, accountOwner: await ownerName(facts.accountOwner) };
      } catch (err) {
        throw hubspotFailure(err);
      }
    },
  };
}
