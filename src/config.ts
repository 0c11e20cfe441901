import { z } from 'zod';
import { KeyRingError, parseKeyRing } from './temporal/keyRing';

/**
 * Every environment variable Tandem reads, with its default and an example that is shown
 * when a value is wrong. The README's configuration table is kept in step with this list.
 */
const port = z.coerce.number().int().min(1).max(65535);
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();
const pem = z.string().regex(/-----BEGIN [A-Z ]+-----/, 'must be PEM text (-----BEGIN …-----)');

const variables = {
  NODE_ENV: { schema: z.enum(['development', 'production', 'test']).default('development'), example: 'production' },
  LOG_LEVEL: { schema: z.enum(['debug', 'info', 'warn', 'error']).default('info'), example: 'debug' },
  PORT: { schema: port.default(3000), example: '3000' },
  // Loopback unless told: a development API prints working keys, and must not be reachable from the network.
  HOST: { schema: z.string().trim().min(1).default('127.0.0.1'), example: '0.0.0.0' },
  // Behind a load balancer every request comes from it: Express's `trust proxy` (a hop count, or
  // `loopback`, a subnet…) makes the per-IP limit count the client's address from X-Forwarded-For.
  TRUST_PROXY: { schema: optionalString, example: '1' },
  RATE_LIMIT_PER_IP: { schema: z.coerce.number().int().min(0).default(2400), example: '2400' },
  RATE_LIMIT_PER_KEY: { schema: z.coerce.number().int().min(0).default(1200), example: '1200' },
  DATABASE_URL: {
    schema: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
    example: 'postgres://tandem:secret@127.0.0.1:5432/tandem',
  },
  PGLITE_DIR: { schema: z.string().min(1).default('.data/pglite'), example: '.data/pglite' },
  TEMPORAL_ADDRESS: {
    schema: optionalString.pipe(
      z
        .string()
        .regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port')
        .optional(),
    ),
    example: 'temporal.internal:7233',
  },
  // How long the local dev server keeps a closed ticket's history (and so the customer data in it,
  // encrypted): erasure answers with this. A cluster of your own sets it with the Temporal CLI.
  TEMPORAL_RETENTION_HOURS: {
    schema: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 3650)
      .default(72),
    example: '24',
  },
  // Unset → the TOML profile's namespace, else `default` (src/temporal/connection.ts).
  TEMPORAL_NAMESPACE: { schema: optionalString, example: 'default' },
  // How worker, API and scripts reach a secured cluster: the Temporal SDK's own variables, read
  // through @temporalio/envconfig so a `temporal.toml` profile shared with the CLI works too.
  TEMPORAL_API_KEY: { schema: optionalString, example: 'eyJhbGciOi...', secret: true },
  TEMPORAL_TLS: { schema: optionalString.pipe(z.enum(['true', 'false', '1', '0']).optional()), example: 'true' },
  TEMPORAL_TLS_CLIENT_CERT_PATH: { schema: optionalString, example: '/etc/tandem/client.pem' },
  TEMPORAL_TLS_CLIENT_CERT_DATA: { schema: optionalString.pipe(pem.optional()), example: '-----BEGIN CERTIFICATE-----...' },
  TEMPORAL_TLS_CLIENT_KEY_PATH: { schema: optionalString, example: '/etc/tandem/client.key' },
  TEMPORAL_TLS_CLIENT_KEY_DATA: { schema: optionalString.pipe(pem.optional()), example: '-----BEGIN PRIVATE KEY-----...', secret: true },
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: { schema: optionalString, example: '/etc/tandem/ca.pem' },
  TEMPORAL_TLS_SERVER_CA_CERT_DATA: { schema: optionalString.pipe(pem.optional()), example: '-----BEGIN CERTIFICATE-----...' },
  TEMPORAL_TLS_SERVER_NAME: { schema: optionalString, example: 'temporal.internal' },
  TEMPORAL_PROFILE: { schema: optionalString, example: 'prod' },
  TEMPORAL_CONFIG_FILE: { schema: optionalString, example: '/etc/tandem/temporal.toml' },
  TANDEM_ENCRYPTION_KEYS: {
    schema: optionalString.pipe(
      z
        .string()
        .transform((text, ctx) => {
          try {
            return parseKeyRing(text);
          } catch (err) {
            if (!(err instanceof KeyRingError)) throw err;
            ctx.addIssue({ code: 'custom', message: err.message });
            return z.NEVER;
          }
        })
        .optional(),
    ),
    example: '2026-06:<base64 of 32 random bytes>,2026-01:<older key>',
    // The value is key material: a problem names the entry, never echoes it.
    secret: true,
  },
  TEMPORAL_WEB_ORIGIN: {
    schema: optionalString.pipe(
      z
        .string()
        .transform((v) => v.split(',').map((o) => o.trim()))
        .pipe(z.array(z.url({ protocol: /^https?$/ }).transform((u) => new URL(u).origin)).min(1))
        .optional(),
    ),
    example: 'https://temporal.example.com',
  },
  TEMPORAL_TASK_QUEUE: { schema: z.string().min(1).default('tandem-tickets'), example: 'tandem-tickets' },
  TEMPORAL_PORT: { schema: port.default(7233), example: '7233' },
  TEMPORAL_CLI_PATH: { schema: optionalString, example: '/usr/local/bin/temporal' },
  OPENAI_API_KEY: { schema: optionalString, example: 'sk-...' },
  OPENAI_BASE_URL: { schema: optionalString.pipe(z.url().optional()), example: 'http://127.0.0.1:11434/v1' },
  OPENAI_MODEL: { schema: z.string().min(1).default('gpt-4o-mini'), example: 'gpt-4o-mini' },
  OPENAI_TEMPERATURE: { schema: z.coerce.number().min(0).max(2).default(0.2), example: '0.2' },
  OPENAI_TIMEOUT_MS: { schema: z.coerce.number().int().min(1000).max(600_000).default(60_000), example: '60000' },
  STRIPE_API_KEY: { schema: optionalString, example: 'sk_live_...' },
  STRIPE_API_BASE: { schema: optionalString.pipe(z.url().optional()), example: 'https://api.stripe.com' },
  HUBSPOT_ACCESS_TOKEN: { schema: optionalString, example: 'pat-eu1-...' },
  HUBSPOT_BASE_URL: { schema: optionalString.pipe(z.url().optional()), example: 'https://api.hubapi.com' },
  LINEAR_API_KEY: { schema: optionalString, example: 'lin_api_...' },
  LINEAR_API_URL: { schema: optionalString.pipe(z.url().optional()), example: 'https://api.linear.app/graphql' },
  REQUEST_TIMEOUT_MS: { schema: z.coerce.number().int().min(100).max(300_000).default(15_000), example: '15000' },
  WORKER_MAX_CACHED_WORKFLOWS: {
    schema: optionalString.pipe(z.string().regex(/^\d+$/, 'a whole number').transform(Number).optional()),
    example: '1000',
  },
  // A provider's Retry-After longer than this is cut to it: the AI step deadline (policy) decides instead.
  MAX_RETRY_DELAY_MS: { schema: z.coerce.number().int().min(100).max(3_600_000).default(60_000), example: '60000' },
  SHUTDOWN_GRACE_MS: { schema: z.coerce.number().int().min(0).default(10_000), example: '10000' },
  // At most 10 minutes: the cache is what keeps a revoked key working, so its window stays short.
  AUTH_CACHE_TTL_MS: { schema: z.coerce.number().int().min(0).max(600_000).default(30_000), example: '30000' },
  PUBLIC_URL: {
    schema: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    example: 'https://support.example.com',
  },
  SMTP_URL: { schema: optionalString.pipe(z.url({ protocol: /^smtps?$/ }).optional()), example: 'smtp://user:pass@smtp.example.com:587' },
  EMAIL_FROM: { schema: z.email().default('support@tandem.localhost'), example: 'support@example.com' },
  EMAIL_FROM_NAME: { schema: z.string().trim().min(1).max(100).default('Tandem Support'), example: 'Acme Support' },
  CSAT_LINK_SECRET: {
    schema: optionalString.pipe(z.string().min(32, 'at least 32 characters').optional()),
    example: 'a-long-random-string-of-32-chars-or-more',
    secret: true,
  },
  // One day by default; at least a minute, at most a week (Temporal keeps retrying the activity that long).
  DELIVERY_DEADLINE_MS: {
    schema: z.coerce
      .number()
      .int()
      .min(60_000)
      .max(7 * 86_400_000)
      .default(86_400_000),
    example: '86400000',
  },
  WEBHOOK_TIMEOUT_MS: { schema: z.coerce.number().int().min(500).max(60_000).default(10_000), example: '10000' },
  DEMO_HISTORY: { schema: z.enum(['on', 'off']).default('on'), example: 'off' },
  DEMO_TICKETS: {
    schema: z.enum(['on', 'off']).default('on'),
    example: 'off',
  },
} as const;

type Variables = typeof variables;
export type Config = { [K in keyof Variables]: z.output<Variables[K]['schema']> };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once; every bad variable is reported together, with an example. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const config: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(variables) as [string, { schema: z.ZodType; example: string; secret?: boolean }][]) {
    const raw = env[name];
    const result = spec.schema.safeParse(raw);
    if (result.success) {
      config[name] = result.data;
    } else {
      const why = result.error.issues.map((i) => i.message).join('; ');
      // A secret's value is never repeated: the message goes to logs and terminals.
      const shown = spec.secret ? '(value hidden)' : JSON.stringify(raw);
      problems.push(`${name}=${shown} is invalid: ${why} (example: ${name}=${spec.example})`);
    }
  }
  if (problems.length === 0) problems.push(...tlsProblems(config as Config));
  if (problems.length > 0) throw new ConfigError(problems);
  return config as Config;
}

/** TLS settings that only make sense together: a client certificate needs its key, one source each. */
function tlsProblems(config: Config): string[] {
  const problems: string[] = [];
  for (const part of ['CLIENT_CERT', 'CLIENT_KEY', 'SERVER_CA_CERT'] as const) {
    if (config[`TEMPORAL_TLS_${part}_PATH`] && config[`TEMPORAL_TLS_${part}_DATA`]) {
      problems.push(`TEMPORAL_TLS_${part}_PATH and TEMPORAL_TLS_${part}_DATA are both set: give one`);
    }
  }
  const cert = config.TEMPORAL_TLS_CLIENT_CERT_PATH ?? config.TEMPORAL_TLS_CLIENT_CERT_DATA;
  const key = config.TEMPORAL_TLS_CLIENT_KEY_PATH ?? config.TEMPORAL_TLS_CLIENT_KEY_DATA;
  if (Boolean(cert) !== Boolean(key)) {
    problems.push('a client certificate needs its key: set both TEMPORAL_TLS_CLIENT_CERT_* and TEMPORAL_TLS_CLIENT_KEY_*, or neither');
  }
  return problems;
}

/** The browser origins Temporal Web is served from: the codec server answers their CORS requests only. */
export const temporalWebOrigins = (config: Pick<Config, 'TEMPORAL_WEB_ORIGIN' | 'TEMPORAL_PORT'>) =>
  config.TEMPORAL_WEB_ORIGIN ?? [`http://127.0.0.1:${config.TEMPORAL_PORT + 1000}`, `http://localhost:${config.TEMPORAL_PORT + 1000}`];

/** The variables and their examples, for docs and `--help` output. */
export const configVariables = Object.fromEntries(Object.entries(variables).map(([name, { example }]) => [name, example])) as Record<
  keyof Variables,
  string
>;

/** Where the API is reached from outside (CSAT links point here): PUBLIC_URL, else this machine's port. */
export const publicUrlOf = (config: Pick<Config, 'PUBLIC_URL' | 'PORT'>) => config.PUBLIC_URL ?? `http://127.0.0.1:${config.PORT}`;
