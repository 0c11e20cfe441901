import Stripe from 'stripe';
import type { Enrichment } from '../domain/enrichment';

type PlanChange = Enrichment['recentPlanChanges'][number];
import { CHURN_WINDOW_DAYS, IntegrationError, type Billing, type BillingFacts, type CustomerRef } from './ports';

const DAY = 86_400_000;
const unknown: BillingFacts = { billingStatus: null, recentPlanChanges: [], churnSignal: false };

/** A Stripe client with its own retries off (Temporal retries) and a short timeout. */
export function stripeClient(options: { apiKey: string; baseUrl?: string | undefined; timeoutMs?: number }): Stripe {
  const base = options.baseUrl ? new URL(options.baseUrl) : undefined;
  return new Stripe(options.apiKey, {
    maxNetworkRetries: 0,
    timeout: options.timeoutMs ?? 8000,
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (base.protocol === 'http:' ? 80 : 443),
          protocol: base.protocol === 'http:' ? 'http' : 'https',
        }
      : {}),
  });
}

// Stripe's statuses onto Tandem's: an incomplete first payment or a paused subscription is
// money not coming in (past_due); an expired incomplete one never started (canceled).
const statusMap: Record<Stripe.Subscription.Status, string> = {
  active: 'active',
  trialing: 'trialing',
  past_due: 'past_due',
  unpaid: 'unpaid',
  canceled: 'canceled',
  incomplete: 'past_due',
  incomplete_expired: 'canceled',
  paused: 'past_due',
};

const monthly = (price: Stripe.Price, quantity: number) => {
  const amount = (price.unit_amount ?? 0) * quantity;
  const recurring = price.recurring;
  if (!recurring) return 0;
  const perInterval: Record<string, number> = { day: 365 / 12, week: 52 / 12, month: 1, year: 1 / 12 };
  const perMonth = (perInterval[recurring.interval] ?? 1) / (recurring.interval_count || 1);
  return amount * perMonth;
};

/**
 * What Tandem needs from a customer's subscriptions and invoices. Pure, so it is tested on its
 * own. Plan and MRR are left out, not nulled, when Stripe has no live subscription: the CRM's
 * values then stand.
 */
function billingFactsFrom(
  subscriptions: Stripe.Subscription[],
  invoices: Stripe.Invoice[],
  now: Date,
  productNames: ReadonlyMap<string, string> = new Map(),
): BillingFacts {
  const planName = (sub: Stripe.Subscription) => planNameOf(sub, productNames);
  const since = now.getTime() - CHURN_WINDOW_DAYS * DAY;
  const byRecency = [...subscriptions].sort((a, b) => b.created - a.created);
  const current = byRecency.find((s) => s.status !== 'canceled' && s.status !== 'incomplete_expired') ?? byRecency[0];
  const changes: PlanChange[] = [];
  // Stripe keeps no plan history on the subscription itself (that lives in events); what it does
  // show is a cancellation that happened or is scheduled, which is the churn signal that matters.
  for (const s of byRecency) {
    const plan = planName(s);
    if (s.status === 'canceled' && s.canceled_at && s.canceled_at * 1000 >= since) {
      changes.push({ kind: 'cancellation', fromPlan: plan, toPlan: null, at: new Date(s.canceled_at * 1000).toISOString() });
    } else if (s.cancel_at_period_end || (s.cancel_at && s.status !== 'canceled')) {
      changes.push({
        kind: 'cancellation',
        fromPlan: plan,
        toPlan: null,
        at: new Date((s.cancel_at ?? now.getTime() / 1000) * 1000).toISOString(),
      });
    }
  }
  let billingStatus = current ? (statusMap[current.status] ?? current.status) : null;
  const overdue = invoices.some((i) => i.status === 'open' && i.due_date !== null && i.due_date * 1000 < now.getTime());
  if (overdue && billingStatus === 'active') billingStatus = 'past_due';
  const live = current && current.status !== 'canceled' && current.status !== 'incomplete_expired' ? current : undefined;
  const plan = live ? planName(live) : null;
  return {
    billingStatus,
    recentPlanChanges: changes,
    churnSignal: billingStatus === 'canceled' || changes.length > 0,
    ...(plan ? { plan } : {}),
    ...(live ? { mrrCents: Math.round(live.items.data.reduce((sum, item) => sum + monthly(item.price, item.quantity ?? 1), 0)) } : {}),
  };
}

const productIdOf = (price: Stripe.Price) => (typeof price.product === 'string' ? price.product : price.product?.id);

function planNameOf(s: Stripe.Subscription, productNames: ReadonlyMap<string, string>): string | null {
  const price = s.items.data[0]?.price;
  if (!price) return null;
  const productId = productIdOf(price);
  return price.nickname ?? (productId ? productNames.get(productId) : undefined) ?? price.id;
}

/** Stripe's errors in Temporal's terms; a missing customer is an answer, not an error. */
function stripeFailure(err: unknown): IntegrationError {
  if (err instanceof Stripe.errors.StripeRateLimitError) {
    const after = Number(err.headers?.['retry-after']);
    return new IntegrationError(`Stripe rate limit: ${err.message}`, true, Number.isFinite(after) ? after * 1000 : undefined);
  }
  if (err instanceof Stripe.errors.StripeAuthenticationError || err instanceof Stripe.errors.StripePermissionError) {
    return new IntegrationError(`Stripe refused the key (check STRIPE_API_KEY): ${err.message}`, false);
  }
  if (err instanceof Stripe.errors.StripeInvalidRequestError) return new IntegrationError(`Stripe: ${err.message}`, false);
  if (err instanceof Stripe.errors.StripeError) return new IntegrationError(`Stripe: ${err.message}`, true);
  return new IntegrationError(`Stripe: ${err instanceof Error ? err.message : String(err)}`, true);
}

const isMissing = (err: unknown) =>
  err instanceof Stripe.errors.StripeInvalidRequestError && (err.statusCode === 404 || err.code === 'resource_missing');

export function createStripeBilling({ client }: { client: Stripe }): Billing {
  async function findCustomer(ref: CustomerRef): Promise<string | null> {
    if (ref.customerId?.startsWith('cus_')) {
      try {
        const customer = await client.customers.retrieve(ref.customerId);
        if (!('deleted' in customer && customer.deleted)) return customer.id;
      } catch (err) {
        if (!isMissing(err)) throw err; // a Tandem id that is not a Stripe one: try the email
      }
    }
    if (!ref.customerEmail) return null;
    const list = await client.customers.list({ email: ref.customerEmail, limit: 1 });
    return list.data[0]?.id ?? null;
  }

  return {
    name: 'stripe',
    async lookup(ref, now) {
      try {
        const customer = await findCustomer(ref);
        if (!customer) return unknown;
        // Prices come with the subscription items; their products do not, and Stripe expands at
        // most four levels, so a price without a nickname has its product looked up by id.
        const [subscriptions, invoices] = await Promise.all([
          client.subscriptions.list({ customer, status: 'all', limit: 10 }),
          client.invoices.list({ customer, limit: 5 }),
        ]);
        const unnamed = new Set(
          subscriptions.data.flatMap((sub) => {
            const price = sub.items.data[0]?.price;
            const productId = price && !price.nickname ? productIdOf(price) : undefined;
            return productId ? [productId] : [];
          }),
        );
        const productNames = new Map(
          await Promise.all([...unnamed].map(async (id) => [id, (await client.products.retrieve(id)).name] as const)),
        );
        return billingFactsFrom(subscriptions.data, invoices.data, now, productNames);
      } catch (err) {
        throw stripeFailure(err);
      }
    },
  };
}
