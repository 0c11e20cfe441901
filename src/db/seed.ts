import { count } from 'drizzle-orm';
import type { Db } from './client';
import { demoArticles } from './demoArticles';
import { accounts, customers, kbArticles, linkedIssues, planChanges } from './schema';

/** Stable ids of demo customers that demos and tests refer to. */
export const demoCustomers = {
  freeTier: 'cus_pixel_sam',
  proTier: 'cus_brightpath_lena',
  proPastDue: 'cus_mosaic_raj',
  enterprise: 'cus_acme_jane',
  enterpriseChurnRisk: 'cus_globex_omar',
} as const;

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY);

const demoAccounts: (typeof accounts.$inferInsert)[] = [
  {
    id: 'acc_acme',
    name: 'Acme Logistics',
    tier: 'enterprise',
    plan: 'Enterprise Annual',
    mrrCents: 1_250_000,
    billingStatus: 'active',
    createdAt: daysAgo(900),
  },
  {
    id: 'acc_globex',
    name: 'Globex Retail',
    tier: 'enterprise',
    plan: 'Enterprise Monthly',
    mrrCents: 640_000,
    billingStatus: 'active',
    createdAt: daysAgo(700),
  },
  {
    id: 'acc_brightpath',
    name: 'BrightPath Studio',
    tier: 'pro',
    plan: 'Pro Annual',
    mrrCents: 9_900,
    billingStatus: 'active',
    createdAt: daysAgo(400),
  },
  {
    id: 'acc_mosaic',
    name: 'Mosaic Analytics',
    tier: 'pro',
    plan: 'Pro Monthly',
    mrrCents: 4_900,
    billingStatus: 'past_due',
    createdAt: daysAgo(250),
  },
  {
    id: 'acc_northwind',
    name: 'Northwind Bakery',
    tier: 'pro',
    plan: 'Pro Monthly',
    mrrCents: 4_900,
    billingStatus: 'trialing',
    createdAt: daysAgo(10),
  },
  { id: 'acc_pixel', name: 'Pixel & Co', tier: 'free', plan: 'Free', mrrCents: 0, billingStatus: 'active', createdAt: daysAgo(60) },
  { id: 'acc_sparrow', name: 'Sparrow Labs', tier: 'free', plan: 'Free', mrrCents: 0, billingStatus: 'active', createdAt: daysAgo(5) },
  { id: 'acc_umbra', name: 'Umbra Media', tier: 'free', plan: 'Free', mrrCents: 0, billingStatus: 'canceled', createdAt: daysAgo(500) },
];

const demoContacts: (typeof customers.$inferInsert)[] = [
  { id: demoCustomers.enterprise, accountId: 'acc_acme', email: 'jane@acme.example', name: 'Jane Okafor' },
  { id: 'cus_acme_tom', accountId: 'acc_acme', email: 'tom@acme.example', name: 'Tom Berg' },
  { id: demoCustomers.enterpriseChurnRisk, accountId: 'acc_globex', email: 'omar@globex.example', name: 'Omar Haddad' },
  { id: demoCustomers.proTier, accountId: 'acc_brightpath', email: 'lena@brightpath.example', name: 'Lena Fischer' },
  { id: demoCustomers.proPastDue, accountId: 'acc_mosaic', email: 'raj@mosaic.example', name: 'Raj Patel' },
  { id: 'cus_northwind_ana', accountId: 'acc_northwind', email: 'ana@northwind.example', name: 'Ana Souza' },
  { id: demoCustomers.freeTier, accountId: 'acc_pixel', email: 'sam@pixel.example', name: 'Sam Lee' },
  { id: 'cus_sparrow_kim', accountId: 'acc_sparrow', email: 'kim@sparrow.example', name: 'Kim Nguyen' },
  { id: 'cus_umbra_max', accountId: 'acc_umbra', email: 'max@umbra.example', name: 'Max Weber' },
];

const demoPlanChanges = (): (typeof planChanges.$inferInsert)[] => [
  {
    id: 'pc_globex_downgrade',
    accountId: 'acc_globex',
    kind: 'downgrade',
    fromPlan: 'Enterprise Annual',
    toPlan: 'Enterprise Monthly',
    changedAt: daysAgo(12),
  },
  {
    id: 'pc_brightpath_upgrade',
    accountId: 'acc_brightpath',
    kind: 'upgrade',
    fromPlan: 'Pro Monthly',
    toPlan: 'Pro Annual',
    changedAt: daysAgo(90),
  },
  { id: 'pc_umbra_cancel', accountId: 'acc_umbra', kind: 'cancellation', fromPlan: 'Pro Monthly', toPlan: 'Free', changedAt: daysAgo(20) },
  {
    id: 'pc_acme_renewal',
    accountId: 'acc_acme',
    kind: 'renewal',
    fromPlan: 'Enterprise Annual',
    toPlan: 'Enterprise Annual',
    changedAt: daysAgo(45),
  },
];

const demoLinkedIssues: (typeof linkedIssues.$inferInsert)[] = [
  {
    id: 'ENG-142',
    accountId: 'acc_globex',
    title: 'Invoice PDF shows VAT twice for EU entities',
    status: 'In Progress',
    url: 'https://tracker.example/ENG-142',
  },
  {
    id: 'ENG-187',
    accountId: 'acc_acme',
    title: 'CSV export times out above 100k rows',
    status: 'Todo',
    url: 'https://tracker.example/ENG-187',
  },
  { id: 'ENG-101', accountId: 'acc_acme', title: 'SSO login loop on Safari', status: 'Done', url: 'https://tracker.example/ENG-101' },
];

export async function seedDemoData(db: Db): Promise<{ accounts: number; customers: number; articles: number }> {
  await db.insert(accounts).values(demoAccounts).onConflictDoNothing();
  await db.insert(customers).values(demoContacts).onConflictDoNothing();
  await db.insert(planChanges).values(demoPlanChanges()).onConflictDoNothing();
  await db.insert(kbArticles).values(demoArticles).onConflictDoNothing();
  await db.insert(linkedIssues).values(demoLinkedIssues).onConflictDoNothing();
  const [a] = await db.select({ n: count() }).from(accounts);
  const [c] = await db.select({ n: count() }).from(customers);
  const [k] = await db.select({ n: count() }).from(kbArticles);
  return { accounts: a?.n ?? 0, customers: c?.n ?? 0, articles: k?.n ?? 0 };
}

/**
 * A handful of realistic tickets `npm run dev` starts through its own API on every start (with
 * an Idempotency-Key, so each exists once), so the queue, the lists and Temporal Web show
 * Tandem at work from the first minute: how-tos the AI answers, billing it drafts for review,
 * an outage, a security scare and a customer who wants a person.
 */
export const demoTickets = [
  {
    key: 'demo-password',
    customer: { id: demoCustomers.freeTier },
    channel: 'chat',
    subject: 'Forgot my password',
    body: 'Hi, I forgot my password and cannot sign in. How do I reset it?',
    pageContext: {
      pageUrl: 'https://app.example.com/login',
      pageTitle: 'Sign in',
      productArea: 'account',
      recentActions: ['clicked "Forgot password"', 'waited 10 minutes'],
    },
  },
  {
    key: 'demo-double-charge',
    customer: { id: demoCustomers.enterpriseChurnRisk },
    channel: 'email',
    subject: 'Charged twice after our downgrade',
    body: 'We downgraded to the monthly plan two weeks ago and this month we were charged twice. Please refund the duplicate payment urgently, finance is asking.',
  },
  {
    key: 'demo-card-declined',
    customer: { id: demoCustomers.proPastDue },
    channel: 'chat',
    subject: 'Card declined',
    body: 'My card was declined and the account says past due. How do I update my payment method?',
    pageContext: { pageUrl: 'https://app.example.com/settings/billing', pageTitle: 'Billing', productArea: 'billing' },
  },
  {
    key: 'demo-webhooks-down',
    customer: { id: demoCustomers.enterprise },
    channel: 'email',
    subject: 'Webhooks failing in production',
    body: 'Since this morning all our webhook deliveries fail with 500 errors. This is blocking our production orders, please help ASAP.',
  },
  {
    key: 'demo-dark-mode',
    customer: { id: demoCustomers.proTier },
    channel: 'widget',
    subject: 'Dark mode?',
    body: 'Would be great if you could add a dark mode to the dashboard. Is it on the roadmap?',
  },
  {
    key: 'demo-wants-person',
    customer: { email: 'kim@sparrow.example' },
    channel: 'chat',
    subject: 'Need a person',
    body: 'This bot is useless. Let me talk to a real person please.',
  },
  {
    key: 'demo-suspicious-login',
    customer: { email: 'max@umbra.example' },
    channel: 'email',
    subject: 'Suspicious login',
    body: 'I got an email about a suspicious login to my account from another country. I think my account is compromised.',
  },
  {
    key: 'demo-export',
    customer: { email: 'ana@northwind.example' },
    channel: 'widget',
    subject: 'Export contacts',
    body: 'How do I export my contacts to a CSV file?',
    pageContext: { pageUrl: 'https://app.example.com/contacts', pageTitle: 'Contacts', productArea: 'data' },
  },
] as const;
