// Outbound webhooks in the Standard Webhooks form (https://www.standardwebhooks.com): secrets,
// signatures, endpoint URL checks and one delivery attempt. No database and no Temporal: the
// activities that deliver and the routes that register endpoints build on these.
export { isForbiddenAddress, forbiddenAddressReason } from './addresses';
export { endpointUrlProblem, parseEndpointUrl, resolveHost, type EndpointTarget, type ResolveHost } from './endpointUrl';
export { ForbiddenAddressError } from './guardedAgent';
export { isWebhookSecret, newWebhookSecret, WEBHOOK_SECRET_PREFIX } from './secrets';
export { createWebhookSender, sendWebhook, WEBHOOK_USER_AGENT, type WebhookAttempt, type WebhookMessage, type WebhookSender } from './send';
export { signedHeaders, WebhookInputError, type SignedHeaders, type SigningInput } from './signing';
