import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { IntegrationError } from '../src/integrations/ports';
import { createStripeBilling, stripeClient } from '../src/integrations/stripeBilling';
import { startHttpStub, type StubCall } from './support/httpStub';

// Answers in the shapes of Stripe's API reference: list envelopes, expanded prices, error bodies.
const now = new Date('2026-11-20T12:00:00Z');
const ts = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const list = (url: string, data: unknown[]) => ({ object: 'list', url, has_more: false, data });
const price = (nickname: string | null, unit: number, interval: 'month' | 'year') => ({
  id: `price_${nickname ?? 'x'}`,
  object: 'price',
  nickname,
  unit_amount: unit,
  currency: 'usd',
  recurring: { interval, interval_count: 1, usage_type: 'licensed' },
  // Stripe returns the product's id unless asked to expand it.
  product: 'prod_1',
});
const subscription = (id: string, status: string, item: ReturnType<typeof price>, extra: Record<string, unknown> = {}) => ({
  id,
  object: 'subscription',
  status,
  created: ts('2026-01-01T00:00:00Z'),
  cancel_at: null,
  cancel_at_period_end: false,
  canceled_at: null,
  items: list(`/v1/subscription_items?subscription=${id}`, [{ id: `si_${id}`, object: 'subscription_item', quantity: 3, price: item }]),
  ...extra,
});
const customers: Record<string, { subscriptions: unknown[]; invoices: unknown[] }> = {
  cus_active: { subscriptions: [subscription('sub_a', 'active', price('Pro Annual', 120_000, 'year'))], invoices: [] },
  cus_overdue: {
    subscriptions: [subscription('sub_o', 'active', price('Pro Monthly', 4_900, 'month'))],
    invoices: [{ id: 'in_1', object: 'invoice', status: 'open', due_date: ts('2026-11-01T00:00:00Z'), amount_due: 14_700 }],
  },
  cus_leaving: {
    subscriptions: [
      subscription('sub_l', 'active', price('Enterprise', 50_000, 'month'), {
        cancel_at_period_end: true,
        cancel_at: ts('2026-12-01T00:00:00Z'),
      }),
    ],
    invoices: [],
  },
  cus_unnamed: { subscriptions: [subscription('sub_u', 'active', price(null, 9_900, 'month'))], invoices: [] },
  cus_gone: {
    subscriptions: [subscription('sub_g', 'canceled', price('Pro Monthly', 4_900, 'month'), { canceled_at: ts('2026-11-10T00:00:00Z') })],
    invoices: [],
  },
};
const byEmail: Record<string, string> = { 'lena@brightpath.example': 'cus_active' };

function route(call: StubCall) {
  const customer = call.query.get('customer') ?? '';
  // Stripe refuses expansions deeper than four levels.
  for (const [key, value] of call.query) {
    if (key.startsWith('expand') && value.split('.').length > 4) {
      return {
        status: 400,
        body: {
          error: { type: 'invalid_request_error', message: `You cannot expand more than 4 levels of a property. Property: ${value}` },
        },
      };
    }
  }
  if (call.path === '/v1/products/prod_1') return { body: { id: 'prod_1', object: 'product', name: 'Tandem Pro' } };
  if (call.path === '/v1/customers') {
    const id = byEmail[call.query.get('email') ?? ''];
    return { body: list('/v1/customers', id ? [{ id, object: 'customer', email: call.query.get('email') }] : []) };
  }
  const one = /^\/v1\/customers\/(cus_\w+)$/.exec(call.path)?.[1];
  if (one) {
    return customers[one]
      ? { body: { id: one, object: 'customer' } }
      : {
          status: 404,
          body: { error: { type: 'invalid_request_error', code: 'resource_missing', param: 'id', message: `No such customer: '${one}'` } },
        };
  }
  if (call.path === '/v1/subscriptions') return { body: list('/v1/subscriptions', customers[customer]?.subscriptions ?? []) };
  if (call.path === '/v1/invoices') return { body: list('/v1/invoices', customers[customer]?.invoices ?? []) };
  return { status: 404, body: { error: { type: 'invalid_request_error', message: `Unrecognized request URL (GET: ${call.path})` } } };
}

let stub: Awaited<ReturnType<typeof startHttpStub>>;
let billing: ReturnType<typeof createStripeBilling>;
beforeAll(async () => {
  stub = await startHttpStub(route);
  billing = createStripeBilling({ client: stripeClient({ apiKey: 'sk_test_123', baseUrl: stub.url, timeoutMs: 2000 }) });
});
afterAll(() => stub?.close());
beforeEach(() => {
  stub.calls.length = 0;
});

describe('Stripe billing adapter', () => {
  it('reads an active subscription: status, plan and MRR normalised to a month', async () => {
    const facts = await billing.lookup({ customerId: 'cus_active' }, now);
    expect(facts).toMatchObject({
      billingStatus: 'active',
      plan: 'Pro Annual',
      mrrCents: 30_000,
      churnSignal: false,
      recentPlanChanges: [],
    });
    const subs = stub.calls.find((c) => c.path === '/v1/subscriptions')!;
    expect(subs.method).toBe('GET');
    expect(subs.headers.authorization).toBe('Bearer sk_test_123');
    expect(subs.query.get('customer')).toBe('cus_active');
    expect(subs.query.get('status')).toBe('all');
    // Named prices need no product lookup.
    expect(stub.calls.map((c) => c.path)).not.toContain('/v1/products/prod_1');
  });

  it('names a plan by its product when the price has no nickname', async () => {
    const facts = await billing.lookup({ customerId: 'cus_unnamed' }, now);
    expect(facts).toMatchObject({ plan: 'Tandem Pro', mrrCents: 9_900 * 3 });
    expect(stub.calls.map((c) => c.path)).toContain('/v1/products/prod_1');
  });

  it('finds a customer by email when the id is not a Stripe id', async () => {
    const facts = await billing.lookup({ customerId: 'cus_brightpath_lena', customerEmail: 'lena@brightpath.example' }, now);
    expect(facts.plan).toBe('Pro Annual');
    expect(stub.calls.map((c) => c.path)).toEqual(expect.arrayContaining(['/v1/customers/cus_brightpath_lena', '/v1/customers']));
    expect(stub.calls.find((c) => c.path === '/v1/customers')!.query.get('email')).toBe('lena@brightpath.example');
  });

  it('flags an open invoice past its due date as past_due', async () => {
    expect((await billing.lookup({ customerId: 'cus_overdue' }, now)).billingStatus).toBe('past_due');
  });

  it('treats a scheduled or recent cancellation as churn', async () => {
    const leaving = await billing.lookup({ customerId: 'cus_leaving' }, now);
    expect(leaving.churnSignal).toBe(true);
    expect(leaving.recentPlanChanges[0]).toMatchObject({ kind: 'cancellation', fromPlan: 'Enterprise', at: '2026-12-01T00:00:00.000Z' });
    const gone = await billing.lookup({ customerId: 'cus_gone' }, now);
    expect(gone).toMatchObject({ billingStatus: 'canceled', churnSignal: true });
    // No live subscription: Stripe says nothing about plan or MRR, so the CRM's values stand.
    expect(gone).not.toHaveProperty('plan');
    expect(gone).not.toHaveProperty('mrrCents');
  });

  it('answers an unknown customer with nulls', async () => {
    expect(await billing.lookup({ customerEmail: 'nobody@example.test' }, now)).toEqual({
      billingStatus: null,
      recentPlanChanges: [],
      churnSignal: false,
    });
    expect(await billing.lookup({}, now)).toEqual({ billingStatus: null, recentPlanChanges: [], churnSignal: false });
  });

  it('maps a 429 to a retryable error carrying Retry-After, once (no SDK retries)', async () => {
    stub.once({
      status: 429,
      headers: { 'retry-after': '3' },
      body: { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests' } },
    });
    const err = await billing.lookup({ customerId: 'cus_active' }, now).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntegrationError);
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 3000 });
    expect(stub.calls).toHaveLength(1);
  });

  it('maps a 500 to retryable and a 401 to non-retryable naming the variable', async () => {
    stub.once({ status: 500, body: { error: { type: 'api_error', message: 'Something went wrong' } } });
    expect(await billing.lookup({ customerId: 'cus_active' }, now).catch((e: unknown) => e)).toMatchObject({ retryable: true });
    stub.once({ status: 401, body: { error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_***' } } });
    const denied = await billing.lookup({ customerId: 'cus_active' }, now).catch((e: unknown) => e);
    expect(denied).toMatchObject({ retryable: false });
    expect((denied as Error).message).toContain('STRIPE_API_KEY');
  });
});
