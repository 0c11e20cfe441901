import type { kbArticles } from './schema';

// The demo knowledge base: what the local provider answers from in `npm run dev` and the tests.

type Article = Omit<typeof kbArticles.$inferInsert, 'search'>;
const article = (id: string, title: string, productArea: string, tags: string[], body: string): Article => ({
  id,
  title,
  productArea,
  tags,
  body: body.replace(/\s+/g, ' ').trim(),
});

export const demoArticles: Article[] = [
  article(
    'kb_reset_password',
    'Reset your password',
    'account',
    ['password', 'login', 'sign in'],
    `
    To reset your password, open the sign-in page and choose "Forgot password". Enter the email address
    of your account and we send a reset link that is valid for 60 minutes. Open the link, choose a new
    password of at least 12 characters and sign in again. If the email does not arrive within five minutes,
    check your spam folder and make sure the address matches your account. Workspace admins can also send a
    reset link from Settings → Members → the member's menu → "Send password reset". If your workspace uses
    single sign-on, reset the password with your identity provider instead.`,
  ),
  article(
    'kb_enable_2fa',
    'Turn on two-factor authentication',
    'account',
    ['2fa', 'security', 'login'],
    `
    Two-factor authentication adds a one-time code to every sign-in. Go to Settings → Security → Two-factor
    authentication and choose "Set up". Scan the QR code with an authenticator app such as 1Password,
    Authy or Google Authenticator and enter the six-digit code to confirm. Save the ten recovery codes in a
    safe place: each works once if you lose your phone. Admins can require two-factor authentication for the
    whole workspace under Settings → Security → Policies.`,
  ),
  article(
    'kb_update_payment',
    'Update your payment method',
    'billing',
    ['billing', 'card', 'payment'],
    `
    To change the card we charge, go to Settings → Billing → Payment method and choose "Update card".
    Enter the new card details; the change applies to the next invoice. If a payment failed, updating the
    card retries the open invoice within an hour, and your account returns to active once it is paid.
    We accept Visa, Mastercard and American Express; annual plans can also pay by bank transfer on request.`,
  ),
  article(
    'kb_invoices',
    'Download invoices and receipts',
    'billing',
    ['invoice', 'receipt', 'billing', 'vat'],
    `
    Every invoice is in Settings → Billing → Invoices. Choose an invoice to download it as a PDF, or use
    "Download all" for a ZIP of the last twelve months. To add your company name, address or VAT number to
    future invoices, edit Billing details on the same page. Invoices are emailed to the billing contact on
    the day they are issued.`,
  ),
  article(
    'kb_refund_policy',
    'Refunds and double charges',
    'billing',
    ['refund', 'charge', 'billing'],
    `
    If you were charged twice or charged after cancelling, we refund the duplicate charge in full. Refunds
    go back to the original card and take five to ten business days to appear. Annual plans cancelled within
    14 days of renewal are refunded pro rata. Our billing team reviews refund requests; reply with the
    invoice number and the date of the charge so we can find it quickly.`,
  ),
  article(
    'kb_change_plan',
    'Change or cancel your plan',
    'billing',
    ['plan', 'upgrade', 'downgrade', 'cancel', 'subscription'],
    `
    Owners can change the plan in Settings → Billing → Plan. Upgrades apply at once and are charged pro
    rata; downgrades apply at the end of the billing period, and features of the higher plan stay until then.
    To cancel, choose "Cancel subscription": your workspace stays available until the period ends and then
    moves to the Free plan. Your data is kept for 90 days after cancellation.`,
  ),
  article(
    'kb_export_csv',
    'Export your data to CSV',
    'data',
    ['export', 'csv', 'data', 'download'],
    `
    To export data, open Reports, choose the view you want, then "Export" → "CSV". Exports of up to 100,000
    rows download at once; larger exports are prepared in the background and emailed to you as a link
    that is valid for seven days. Admins can export the whole workspace from Settings → Data → Full export.`,
  ),
  article(
    'kb_api_rate_limits',
    'API rate limits',
    'api',
    ['api', 'rate limit', '429', 'developer'],
    `
    The API allows 100 requests per second per workspace on Pro and 500 on Enterprise. When you exceed the
    limit the API answers 429 Too Many Requests with a Retry-After header; wait that many seconds before
    retrying. Use pagination cursors instead of offset loops, and batch writes where the endpoint supports it.`,
  ),
  article(
    'kb_webhooks',
    'Set up webhooks',
    'api',
    ['webhook', 'integration', 'api', 'developer'],
    `
    Webhooks notify your server when something changes. Go to Settings → Developers → Webhooks, choose
    "Add endpoint", enter an HTTPS URL and pick the events. Each delivery is signed with the endpoint's
    secret in the X-Signature header; verify it before trusting the payload. Failed deliveries are retried
    with backoff for 24 hours, and the delivery log shows every attempt and response.`,
  ),
  article(
    'kb_sso_saml',
    'Single sign-on with SAML',
    'account',
    ['sso', 'saml', 'okta', 'azure', 'login'],
    `
    Enterprise workspaces can sign in with SAML single sign-on. In Settings → Security → Single sign-on,
    copy the ACS URL and entity ID into your identity provider (Okta, Azure AD, Google Workspace), then
    upload the provider's metadata XML. Test with one user before enforcing SSO for everyone. Users
    provisioned through SCIM are created and removed automatically.`,
  ),
  article(
    'kb_invite_teammates',
    'Invite teammates to your workspace',
    'account',
    ['invite', 'add', 'members', 'team', 'seats'],
    `
    To add a teammate to your workspace, open Settings → Members and choose "Invite". Enter one or more
    email addresses and pick a role: Member, Admin or Owner. Invitations expire after seven days and can be
    resent from the same page. Each accepted invitation uses a seat on paid plans.`,
  ),
  article(
    'kb_data_retention',
    'Data retention and deletion',
    'data',
    ['gdpr', 'delete', 'retention', 'privacy'],
    `
    We keep your data while your workspace is active and for 90 days after cancellation. To delete a
    single person's data, admins can use Settings → Data → Delete person. To delete the whole workspace,
    the owner chooses "Delete workspace"; deletion is permanent after a 14-day grace period.`,
  ),
  article(
    'kb_status_outages',
    'Service status and outages',
    'platform',
    ['outage', 'down', 'status', 'incident'],
    `
    If the app is slow or unavailable, check the status page for current incidents and subscribe to updates
    by email. During an incident our engineers post progress at least every 30 minutes. If the status page
    shows everything operational but you cannot reach the app, clear your browser cache, try another network
    and send us the time and the error you saw.`,
  ),
  article(
    'kb_integrations_troubleshooting',
    'Troubleshoot integrations that stopped syncing',
    'integrations',
    ['integration', 'sync', 'slack', 'salesforce'],
    `
    When an integration stops syncing, open Settings → Integrations and look at its status. "Reconnect"
    renews an expired authorization, which is the most common cause. Check that the account that connected
    the integration still has access in the other tool. The sync log lists the last errors; if it shows a
    permission error, reconnect with an admin account.`,
  ),
];

/** Demo customers across tiers and a small knowledge base. Idempotent: a second run changes nothing. */
/** Known bugs some demo accounts are waiting on, so enrichment shows them to agents. */
