import { and, desc, eq, gte, inArray, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { accounts, customers, linkedIssues, planChanges, tickets } from '../db/schema';
import type { Enrichment } from '../domain/enrichment';
import {
  CHURN_WINDOW_DAYS,
  unknownAccount,
  type AccountFacts,
  type Billing,
  type BillingFacts,
  type CustomerDirectory,
  type CustomerRef,
  type Integrations,
  type IssueTracker,
} from './ports';

/**
 * The default CRM, billing, issue-tracker and ticket-history adapters: Tandem's own Postgres
 * tables, seeded for the demo and filled by `npm run import:customers`.
 */
export type { CustomerRef };

const DAY = 86_400_000;

async function findCustomer(db: Db, ref: CustomerRef) {
  const where = ref.customerId
    ? eq(customers.id, ref.customerId)
    : ref.customerEmail
      ? sql`lower(${customers.email}) = lower(${ref.customerEmail})`
      : undefined;
  if (!where) return undefined;
  const [row] = await db
    .select({ customer: customers, account: accounts })
    .from(customers)
    .innerJoin(accounts, eq(accounts.id, customers.accountId))
    .where(where)
    .limit(1);
  return row;
}

export async function lookupAccount(db: Db, ref: CustomerRef, now: Date): Promise<AccountFacts> {
  const row = await findCustomer(db, ref);
  if (!row) {
    return unknownAccount(ref.customerId ?? null);
  }
  return {
    customerId: row.customer.id,
    accountId: row.account.id,
    accountName: row.account.name,
    tier: row.account.tier,
    plan: row.account.plan,
    mrrCents: row.account.mrrCents,
    accountAgeDays: Math.floor((now.getTime() - row.account.createdAt.getTime()) / DAY),
  };
}

export async function lookupBilling(db: Db, ref: CustomerRef, now: Date): Promise<BillingFacts> {
  const row = await findCustomer(db, ref);
  if (!row) return { billingStatus: null, recentPlanChanges: [], churnSignal: false };
  const since = new Date(now.getTime() - CHURN_WINDOW_DAYS * DAY);
  const changes = await db
    .select()
    .from(planChanges)
    .where(and(eq(planChanges.accountId, row.account.id), gte(planChanges.changedAt, since)))
    .orderBy(desc(planChanges.changedAt));
  return {
    billingStatus: row.account.billingStatus,
    recentPlanChanges: changes.map((c) => ({ kind: c.kind, fromPlan: c.fromPlan, toPlan: c.toPlan, at: c.changedAt.toISOString() })),
    churnSignal: row.account.billingStatus === 'canceled' || changes.some((c) => c.kind === 'downgrade' || c.kind === 'cancellation'),
  };
}

export type HistoryFacts = Pick<Enrichment, 'openTickets' | 'recentTickets' | 'similarOpenTickets'>;

const openStatuses = sql`${tickets.status} not in ('resolved', 'closed')`;

export async function lookupTicketHistory(
  db: Db,
  input: CustomerRef & { ticketId: string; text: string },
  now: Date,
): Promise<HistoryFacts> {
  const since = new Date(now.getTime() - CHURN_WINDOW_DAYS * DAY);
  const customerId = input.customerId ?? (await findCustomer(db, input))?.customer.id;
  let openTickets = 0;
  let recentTickets = 0;
  if (customerId) {
    // Open tickets of any age (an old one still open is the worst kind); recent ones in 30 days.
    const [counts] = await db
      .select({
        open: sql<number>`count(*) filter (where ${openStatuses})`.mapWith(Number),
        recent: sql<number>`count(*) filter (where ${tickets.createdAt} >= ${since.toISOString()}::timestamptz)`.mapWith(Number),
      })
      .from(tickets)
      .where(and(eq(tickets.customerId, customerId), ne(tickets.id, input.ticketId)));
    openTickets = counts?.open ?? 0;
    recentTickets = counts?.recent ?? 0;
  }
  // Any customer's open tickets on the same topic in the last 30 days: a spike shows up here.
  // "Same topic" means sharing at least two of the ticket's significant words, not any one.
  const words = significantWords(input.text);
  const shared = sql`(select count(*) from unnest(string_to_array(${words.join(' ')}, ' ')) as w where ${tickets.search} @@ to_tsquery('english', w))`;
  const similarOpenTickets = words.length
    ? await db
        .select({ ticketId: tickets.id, subject: tickets.subject })
        .from(tickets)
        .where(
          and(
            ne(tickets.id, input.ticketId),
            gte(tickets.createdAt, since),
            openStatuses,
            sql`${tickets.search} @@ to_tsquery('english', ${words.join(' | ')})`,
            sql`${shared} >= ${Math.min(2, words.length)}`,
          ),
        )
        .orderBy(desc(sql`ts_rank(${tickets.search}, to_tsquery('english', ${words.join(' | ')}))`))
        .limit(5)
    : [];
  return { openTickets, recentTickets, similarOpenTickets };
}

const stopWords = new Set(
  'the a an and or but to of in on for with my our your is are was were be been it this that i we you me can cant cannot not no do does did have has had please hi hello thanks thank help from at as by how what why where when which who would could should will just also get got want need know like use using there their them they its any some all into out about since'.split(
    ' ',
  ),
);

/** Lower-cased alphanumeric words worth matching on, safe to join into a to_tsquery. */
export function significantWords(text: string, max = 12): string[] {
  const seen = new Set<string>();
  for (const w of text.toLowerCase().split(/[^a-z0-9]+/)) {
    if (w.length > 2 && !stopWords.has(w)) seen.add(w);
    if (seen.size >= max) break;
  }
  return [...seen];
}

const OPEN_ISSUE = ['Backlog', 'Todo', 'In Progress', 'In Review', 'open'];

export function postgresIntegrations(db: Db): Integrations {
  const directory: CustomerDirectory = { name: 'postgres', lookup: (ref, now) => lookupAccount(db, ref, now) };
  const billing: Billing = { name: 'postgres', lookup: (ref, now) => lookupBilling(db, ref, now) };
  const issueTracker: IssueTracker = {
    name: 'postgres',
    async linkedIssues(ref) {
      const row = await findCustomer(db, ref);
      if (!row) return [];
      return db
        .select({ id: linkedIssues.id, title: linkedIssues.title, status: linkedIssues.status, url: linkedIssues.url })
        .from(linkedIssues)
        .where(and(eq(linkedIssues.accountId, row.account.id), inArray(linkedIssues.status, OPEN_ISSUE)))
        .orderBy(desc(linkedIssues.createdAt));
    },
  };
  return { directory, billing, issueTracker };
}
