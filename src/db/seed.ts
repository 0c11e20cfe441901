import { count } from 'drizzle-orm';
import type { Db } from './client';
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
  { id: 'acc_acme', name: 'Acme Logistics', tier: 'enterprise', plan: 'Enterprise Annual', mrrCents: 1_250_000, billingStatus: 'active', createdAt: daysAgo(900) },
  { id: 'acc_globex', name: 'Globex Retail', tier: 'enterprise', plan: 'Enterprise Monthly', mrrCents: 640_000, billingStatus: 'active', createdAt: daysAgo(700) },
  { id: 'acc_brightpath', name: 'BrightPath Studio', tier: 'pro', plan: 'Pro Annual', mrrCents: 9_900, billingStatus: 'active', createdAt: daysAgo(400) },
  { id: 'acc_mosaic', name: 'Mosaic Analytics', tier: 'pro', plan: 'Pro Monthly', mrrCents: 4_900, billingStatus: 'past_due', createdAt: daysAgo(250) },
  { id: 'acc_northwind', name: 'Northwind Bakery', tier: 'pro', plan: 'Pro Monthly', mrrCents: 4_900, billingStatus: 'trialing', createdAt: daysAgo(10) },
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
  { id: 'pc_globex_downgrade', accountId: 'acc_globex', kind: 'downgrade', fromPlan: 'Enterprise Annual', toPlan: 'Enterprise Monthly', changedAt: daysAgo(12) },
  { id: 'pc_brightpath_upgrade', accountId: 'acc_brightpath', kind: 'upgrade', fromPlan: 'Pro Monthly', toPlan: 'Pro Annual', changedAt: daysAgo(90) },
  { id: 'pc_umbra_cancel', accountId: 'acc_umbra', kind: 'cancellation', fromPlan: 'Pro Monthly', toPlan: 'Free', changedAt: daysAgo(20) },
  { id: 'pc_acme_renewal', accountId: 'acc_acme', kind: 'renewal', fromPlan: 'Enterprise Annual', toPlan: 'Enterprise Annual', changedAt: daysAgo(45) },
];

type Article = Omit<typeof kbArticles.$inferInsert, 'search'>;
const article = (id: string, title: string, productArea: string, tags: string[], body: string): Article => ({
  id,
  title,
  productArea,
  tags,
  body: body.replace(/\s+/g, ' ').trim(),
});

const demoArticles: Article[] = [
  article('kb_reset_password', 'Reset your password', 'account', ['password', 'login', 'sign in'], `
    To reset your password, open the sign-in page and choose "Forgot password". Enter the email address
    of your account and we send a reset link that is valid for 60 minutes. Open the link, choose a new
    password of at least 12 characters and sign in again. If the email does not arrive within five minutes,
    check your spam folder and make sure the address matches your account. Workspace admins can also send a
    reset link from Settings → Members → the member's menu → "Send password reset". If your workspace uses
    single sign-on, reset the password with your identity provider instead.`),
  article('kb_enable_2fa', 'Turn on two-factor authentication', 'account', ['2fa', 'security', 'login'], `
    Two-factor authentication adds a one-time code to every sign-in. Go to Settings → Security → Two-factor
    authentication and choose "Set up". Scan the QR code with an authenticator app such as 1Password,
    Authy or Google Authenticator and enter the six-digit code to confirm. Save the ten recovery codes in a
    safe place: each works once if you lose your phone. Admins can require two-factor authentication for the
    whole workspace under Settings → Security → Policies.`),
  article('kb_update_payment', 'Update your payment method', 'billing', ['billing', 'card', 'payment'], `
    To change the card we charge, go to Settings → Billing → Payment method and choose "Update card".
    Enter the new card details; the change applies to the next invoice. If a payment failed, updating the
    card retries the open invoice within an hour, and your account returns to active once it is paid.
    We accept Visa, Mastercard and American Express; annual plans can also pay by bank transfer on request.`),
  article('kb_invoices', 'Download invoices and receipts', 'billing', ['invoice', 'receipt', 'billing', 'vat'], `
    Every invoice is in Settings → Billing → Invoices. Choose an invoice to download it as a PDF, or use
    "Download all" for a ZIP of the last twelve months. To add your company name, address or VAT number to
    future invoices, edit Billing details on the same page. Invoices are emailed to the billing contact on
    the day they are issued.`),
  article('kb_refund_policy', 'Refunds and double charges', 'billing', ['refund', 'charge', 'billing'], `
    If you were charged twice or charged after cancelling, we refund the duplicate charge in full. Refunds
    go back to the original card and take five to ten business days to appear. Annual plans cancelled within
    14 days of renewal are refunded pro rata. Our billing team reviews refund requests; reply with the
    invoice number and the date of the charge so we can find it quickly.`),
  article('kb_change_plan', 'Change or cancel your plan', 'billing', ['plan', 'upgrade', 'downgrade', 'cancel', 'subscription'], `
    Owners can change the plan in Settings → Billing → Plan. Upgrades apply at once and are charged pro
    rata; downgrades apply at the end of the billing period, and features of the higher plan stay until then.
    To cancel, choose "Cancel subscription": your workspace stays available until the period ends and then
    moves to the Free plan. Your data is kept for 90 days after cancellation.`),
  article('kb_export_csv', 'Export your data to CSV', 'data', ['export', 'csv', 'data', 'download'], `
    To export data, open Reports, choose the view you want, then "Export" → "CSV". Exports of up to 100,000
    rows download at once; larger exports are prepared in the background and emailed to you as a link
    that is valid for seven days. Admins can export the whole workspace from Settings → Data → Full export.`),
  article('kb_api_rate_limits', 'API rate limits', 'api', ['api', 'rate limit', '429', 'developer'], `
    The API allows 100 requests per second per workspace on Pro and 500 on Enterprise. When you exceed the
    limit the API answers 429 Too Many Requests with a Retry-After header; wait that many seconds before
    retrying. Use pagination cursors instead of offset loops, and batch writes where the endpoint supports it.`),
  article('kb_webhooks', 'Set up webhooks', 'api', ['webhook', 'integration', 'api', 'developer'], `
    Webhooks notify your server when something changes. Go to Settings → Developers → Webhooks, choose
    "Add endpoint", enter an HTTPS URL and pick the events. Each delivery is signed with the endpoint's
    secret in the X-Signature header; verify it before trusting the payload. Failed deliveries are retried
    with backoff for 24 hours, and the delivery log shows every attempt and response.`),
  article('kb_sso_saml', 'Single sign-on with SAML', 'account', ['sso', 'saml', 'okta', 'azure', 'login'], `
    Enterprise workspaces can sign in with SAML single sign-on. In Settings → Security → Single sign-on,
    copy the ACS URL and entity ID into your identity provider (Okta, Azure AD, Google Workspace), then
    upload the provider's metadata XML. Test with one user before enforcing SSO for everyone. Users
    provisioned through SCIM are created and removed automatically.`),
  article('kb_invite_teammates', 'Invite teammates to your workspace', 'account', ['invite', 'add', 'members', 'team', 'seats'], `
    To add a teammate to your workspace, open Settings → Members and choose "Invite". Enter one or more
    email addresses and pick a role: Member, Admin or Owner. Invitations expire after seven days and can be
    resent from the same page. Each accepted invitation uses a seat on paid plans.`),
  article('kb_data_retention', 'Data retention and deletion', 'data', ['gdpr', 'delete', 'retention', 'privacy'], `
    We keep your data while your workspace is active and for 90 days after cancellation. To delete a
    single person's data, admins can use Settings → Data → Delete person. To delete the whole workspace,
    the owner chooses "Delete workspace"; deletion is permanent after a 14-day grace period.`),
  article('kb_status_outages', 'Service status and outages', 'platform', ['outage', 'down', 'status', 'incident'], `
    If the app is slow or unavailable, check the status page for current incidents and subscribe to updates
    by email. During an incident our engineers post progress at least every 30 minutes. If the status page
    shows everything operational but you cannot reach the app, clear your browser cache, try another network
    and send us the time and the error you saw.`),
  article('kb_integrations_troubleshooting', 'Troubleshoot integrations that stopped syncing', 'integrations', ['integration', 'sync', 'slack', 'salesforce'], `
    When an integration stops syncing, open Settings → Integrations and look at its status. "Reconnect"
    renews an expired authorization, which is the most common cause. Check that the account that connected
    the integration still has access in the other tool. The sync log lists the last errors; if it shows a
    permission error, reconnect with an admin account.`),
];

/** Demo customers across tiers and a small knowledge base. Idempotent: a second run changes nothing. */
/** Known bugs some demo accounts are waiting on, so enrichment shows them to agents. */
const demoLinkedIssues: (typeof linkedIssues.$inferInsert)[] = [
  { id: 'ENG-142', accountId: 'acc_globex', title: 'Invoice PDF shows VAT twice for EU entities', status: 'In Progress', url: 'https://tracker.example/ENG-142' },
  { id: 'ENG-187', accountId: 'acc_acme', title: 'CSV export times out above 100k rows', status: 'Todo', url: 'https://tracker.example/ENG-187' },
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
  { key: 'demo-password', customer: { id: demoCustomers.freeTier }, channel: 'chat', subject: 'Forgot my password', body: 'Hi, I forgot my password and cannot sign in. How do I reset it?', pageContext: { pageUrl: 'https://app.example.com/login', pageTitle: 'Sign in', productArea: 'account', recentActions: ['clicked "Forgot password"', 'waited 10 minutes'] } },
  { key: 'demo-double-charge', customer: { id: demoCustomers.enterpriseChurnRisk }, channel: 'email', subject: 'Charged twice after our downgrade', body: 'We downgraded to the monthly plan two weeks ago and this month we were charged twice. Please refund the duplicate payment urgently, finance is asking.' },
  { key: 'demo-card-declined', customer: { id: demoCustomers.proPastDue }, channel: 'chat', subject: 'Card declined', body: 'My card was declined and the account says past due. How do I update my payment method?', pageContext: { pageUrl: 'https://app.example.com/settings/billing', pageTitle: 'Billing', productArea: 'billing' } },
  { key: 'demo-webhooks-down', customer: { id: demoCustomers.enterprise }, channel: 'email', subject: 'Webhooks failing in production', body: 'Since this morning all our webhook deliveries fail with 500 errors. This is blocking our production orders, please help ASAP.' },
  { key: 'demo-dark-mode', customer: { id: demoCustomers.proTier }, channel: 'widget', subject: 'Dark mode?', body: 'Would be great if you could add a dark mode to the dashboard. Is it on the roadmap?' },
  { key: 'demo-wants-person', customer: { email: 'kim@sparrow.example' }, channel: 'chat', subject: 'Need a person', body: 'This bot is useless. Let me talk to a real person please.' },
  { key: 'demo-suspicious-login', customer: { email: 'max@umbra.example' }, channel: 'email', subject: 'Suspicious login', body: 'I got an email about a suspicious login to my account from another country. I think my account is compromised.' },
  { key: 'demo-export', customer: { email: 'ana@northwind.example' }, channel: 'widget', subject: 'Export contacts', body: 'How do I export my contacts to a CSV file?', pageContext: { pageUrl: 'https://app.example.com/contacts', pageTitle: 'Contacts', productArea: 'data' } },
] as const;

