import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHubSpotDirectory, hubspotClient } from '../src/integrations/hubspotDirectory';
import { IntegrationError } from '../src/integrations/ports';
import { startHttpStub, type StubCall } from './support/httpStub';

// Answers in the shapes of HubSpot's CRM v3 reference: string properties, association envelopes,
// and its error body ({ status, message, correlationId, category }).
const now = new Date('2026-11-20T12:00:00Z');
const contact = {
  id: '501',
  properties: {
    email: 'jane@acme.example',
    firstname: 'Jane',
    lastname: 'Okafor',
    lifecyclestage: 'customer',
    hubspot_owner_id: null,
    createdate: '2024-03-01T10:00:00.000Z',
    hs_object_id: '501',
  },
  createdAt: '2024-03-01T10:00:00.000Z',
  updatedAt: '2026-10-01T10:00:00.000Z',
  archived: false,
  associations: { companies: { results: [{ id: '9001', type: 'contact_to_company' }] } },
};
const company = {
  id: '9001',
  properties: {
    name: 'Acme Logistics',
    lifecyclestage: 'customer',
    hubspot_owner_id: '77',
    createdate: '2023-11-20T12:00:00.000Z',
    tandem_tier: 'Enterprise',
    tandem_plan: 'Enterprise Annual',
    tandem_mrr: '12500',
    hs_object_id: '9001',
  },
  createdAt: '2023-11-20T12:00:00.000Z',
  updatedAt: '2026-10-01T10:00:00.000Z',
  archived: false,
};
const notFound = {
  status: 404,
  body: {
    status: 'error',
    message: 'Object not found.  objectId are usually numeric.',
    correlationId: 'c0ffee',
    category: 'OBJECT_NOT_FOUND',
  },
};

function route(call: StubCall) {
  const contactKey = /^\/crm\/v3\/objects\/contacts\/([^/]+)$/.exec(call.path)?.[1];
  if (contactKey) return decodeURIComponent(contactKey) === 'jane@acme.example' || contactKey === '501' ? { body: contact } : notFound;
  if (call.path === '/crm/v3/objects/companies/9001') return { body: company };
  if (call.path === '/crm/v3/owners/77') {
    return {
      body: {
        id: '77',
        email: 'maria@tandem.example',
        firstName: 'Maria',
        lastName: 'Lopez',
        userId: 1234,
        archived: false,
        createdAt: '2023-01-01T00:00:00Z',
        updatedAt: '2023-01-01T00:00:00Z',
      },
    };
  }
  return notFound;
}

let stub: Awaited<ReturnType<typeof startHttpStub>>;
let directory: ReturnType<typeof createHubSpotDirectory>;
beforeAll(async () => {
  stub = await startHttpStub(route);
  directory = createHubSpotDirectory({ client: hubspotClient({ accessToken: 'pat-test', basePath: stub.url }) });
});
afterAll(() => stub?.close());
beforeEach(() => {
  stub.calls.length = 0;
});

describe('HubSpot CRM adapter', () => {
  it('reads the contact by email, its company and the account owner', async () => {
    const facts = await directory.lookup({ customerEmail: 'jane@acme.example' }, now);
    expect(facts).toEqual({
      customerId: '501',
      accountId: '9001',
      accountName: 'Acme Logistics',
      tier: 'enterprise',
      plan: 'Enterprise Annual',
      mrrCents: 1_250_000,
      accountAgeDays: 1096,
      lifecycleStage: 'customer',
      accountOwner: 'Maria Lopez <maria@tandem.example>',
    });
    const [first, second] = stub.calls;
    expect(stub.calls.map((c) => c.path)).toEqual([
      '/crm/v3/objects/contacts/jane%40acme.example',
      '/crm/v3/objects/companies/9001',
      '/crm/v3/owners/77',
    ]);
    expect(first!.query.get('idProperty')).toBe('email');
    expect(first!.query.get('associations')).toBe('companies');
    expect(first!.query.getAll('properties').flatMap((p) => p.split(','))).toEqual(expect.arrayContaining(['email', 'lifecyclestage']));
    expect(first!.headers.authorization).toBe('Bearer pat-test');
    expect(second!.query.getAll('properties').flatMap((p) => p.split(','))).toEqual(expect.arrayContaining(['name', 'tandem_tier']));
  });

  it('reads a contact by its numeric HubSpot id', async () => {
    expect((await directory.lookup({ customerId: '501' }, now)).accountName).toBe('Acme Logistics');
    expect(stub.calls[0]!.query.get('idProperty')).toBeNull();
  });

  it('falls back to the email when a numeric id is not a HubSpot contact', async () => {
    expect((await directory.lookup({ customerId: '999', customerEmail: 'jane@acme.example' }, now)).customerId).toBe('501');
    expect(stub.calls.slice(0, 2).map((c) => c.query.get('idProperty'))).toEqual([null, 'email']);
  });

  it('keeps the owner id when the owner lookup fails', async () => {
    stub.once(
      {
        status: 403,
        body: {
          status: 'error',
          message: 'This app hasn’t been granted all required scopes',
          correlationId: 'o',
          category: 'MISSING_SCOPES',
        },
      },
      (call) => call.path.startsWith('/crm/v3/owners/'),
    );
    expect((await directory.lookup({ customerEmail: 'jane@acme.example' }, now)).accountOwner).toBe('77');
  });

  it('answers an unknown contact with nulls', async () => {
    expect(await directory.lookup({ customerId: 'cus_x', customerEmail: 'ghost@example.test' }, now)).toEqual({
      customerId: 'cus_x',
      accountId: null,
      accountName: null,
      tier: null,
      plan: null,
      mrrCents: null,
      accountAgeDays: null,
    });
  });

  it('maps 429 (with Retry-After), 500 and 401', async () => {
    stub.once({
      status: 429,
      headers: { 'retry-after': '2' },
      body: {
        status: 'error',
        message: 'You have reached your secondly limit.',
        errorType: 'RATE_LIMIT',
        correlationId: 'x',
        policyName: 'SECONDLY',
      },
    });
    const limited = await directory.lookup({ customerEmail: 'jane@acme.example' }, now).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(IntegrationError);
    expect(limited).toMatchObject({ retryable: true, retryAfterMs: 2000 });
    expect(stub.calls).toHaveLength(1); // no SDK retries

    stub.once({ status: 502, body: { status: 'error', message: 'Bad gateway', correlationId: 'y' } });
    expect(await directory.lookup({ customerEmail: 'jane@acme.example' }, now).catch((e: unknown) => e)).toMatchObject({ retryable: true });

    stub.once({
      status: 401,
      body: { status: 'error', message: 'Authentication credentials not found.', correlationId: 'z', category: 'INVALID_AUTHENTICATION' },
    });
    const denied = await directory.lookup({ customerEmail: 'jane@acme.example' }, now).catch((e: unknown) => e);
    expect(denied).toMatchObject({ retryable: false });
    expect((denied as Error).message).toContain('HUBSPOT_ACCESS_TOKEN');
  });
});
