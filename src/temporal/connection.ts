import { existsSync } from 'node:fs';
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import type { Config } from '../config';

/**
 * Where and how worker, API and scripts reach Temporal, read the way the Temporal SDK and CLI
 * read it (@temporalio/envconfig): TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY and
 * TEMPORAL_TLS_*, over a `temporal.toml` profile when TEMPORAL_PROFILE or TEMPORAL_CONFIG_FILE
 * names one. Environment variables win over the profile, as they do for the CLI.
 *
 * The CLI also reads its default file (~/.config/temporalio/temporal.toml) unasked; Tandem reads
 * a profile only when told to, so a developer's personal CLI profile (pointing at Temporal Cloud,
 * say) never turns `npm run dev` or the tests towards another cluster.
 */

export type ConnectionOptions = ClientConnectConfig['connectionOptions'] & { address: string };

export interface TemporalTarget {
  /** Options for `NativeConnection.connect` (worker) and `Connection.connect`/`lazy` (client) alike. */
  connection: ConnectionOptions;
  namespace: string;
  /** True when the address came from the environment or a profile: an existing cluster, nothing to start. */
  external: boolean;
  /** How the connection is secured, for start-up lines and /healthz-style reports. */
  security: 'mTLS' | 'TLS' | 'TLS + API key' | 'plaintext';
  /** The profile read, when one was. */
  profile?: string;
}

export class TemporalSettingsError extends Error {}

type SdkVariable =
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_NAMESPACE'
  | 'TEMPORAL_API_KEY'
  | 'TEMPORAL_TLS'
  | 'TEMPORAL_TLS_CLIENT_CERT_PATH'
  | 'TEMPORAL_TLS_CLIENT_CERT_DATA'
  | 'TEMPORAL_TLS_CLIENT_KEY_PATH'
  | 'TEMPORAL_TLS_CLIENT_KEY_DATA'
  | 'TEMPORAL_TLS_SERVER_CA_CERT_PATH'
  | 'TEMPORAL_TLS_SERVER_CA_CERT_DATA'
  | 'TEMPORAL_TLS_SERVER_NAME'
  | 'TEMPORAL_PROFILE';

const sdkVariables: SdkVariable[] = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_CERT_DATA',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_DATA',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_DATA',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_PROFILE',
];

/**
 * The connection Tandem uses. `localAddress` is the dev server `npm run dev` or the tests started;
 * without a configured address or a local one, the dev server's default port on this machine.
 */
export function temporalTarget(config: Config, options: { localAddress?: string; osEnv?: NodeJS.ProcessEnv } = {}): TemporalTarget {
  // The SDK's loader takes the values Tandem's config already validated, not the raw environment,
  // so src/config.ts stays the one parser; only where the OS keeps config files comes from outside.
  const env: Record<string, string> = {};
  for (const name of sdkVariables) {
    const value = config[name];
    if (value !== undefined) env[name] = value;
  }
  const osEnv = options.osEnv ?? process.env;
  for (const name of ['HOME', 'XDG_CONFIG_HOME', 'APPDATA']) {
    const value = osEnv[name];
    if (value) env[name] = value;
  }
  const readsProfile = config.TEMPORAL_PROFILE !== undefined || config.TEMPORAL_CONFIG_FILE !== undefined;
  // The SDK treats a missing file as an empty one; a file named on purpose that is not there is a mistake.
  if (config.TEMPORAL_CONFIG_FILE && !existsSync(config.TEMPORAL_CONFIG_FILE)) {
    throw new TemporalSettingsError(`Temporal connection settings: TEMPORAL_CONFIG_FILE: no such file ${config.TEMPORAL_CONFIG_FILE}`);
  }
  let loaded: ClientConnectConfig;
  try {
    loaded = loadClientConnectConfig({
      overrideEnvVars: env,
      disableFile: !readsProfile,
      ...(config.TEMPORAL_CONFIG_FILE ? { configSource: { path: config.TEMPORAL_CONFIG_FILE } } : {}),
      ...(config.TEMPORAL_PROFILE ? { profile: config.TEMPORAL_PROFILE } : {}),
      configFileStrict: true,
    });
  } catch (err) {
    throw new TemporalSettingsError(`Temporal connection settings: ${describe(err, config)}`);
  }
  const { connectionOptions } = loaded;
  const configured = connectionOptions.address;
  const address = configured ?? options.localAddress ?? `127.0.0.1:${config.TEMPORAL_PORT}`;
  const tls = connectionOptions.tls;
  const mutual = typeof tls === 'object' && tls !== null && tls.clientCertPair !== undefined;
  const secured = tls !== undefined && tls !== false && tls !== null;
  return {
    connection: { ...withoutUndefined(connectionOptions), address },
    namespace: loaded.namespace ?? 'default',
    external: configured !== undefined,
    security: mutual ? 'mTLS' : connectionOptions.apiKey ? 'TLS + API key' : secured ? 'TLS' : 'plaintext',
    ...(readsProfile ? { profile: config.TEMPORAL_PROFILE ?? 'default' } : {}),
  };
}

/** What went wrong, naming the variable behind a certificate file that could not be read. */
function describe(err: unknown, config: Config): string {
  const { code, path, message } = err as { code?: string; path?: string; message?: string };
  if (code === 'ENOENT' && path) {
    const variable = (['TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_KEY_PATH', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH'] as const).find(
      (name) => config[name] === path,
    );
    return `${variable ?? (path === config.TEMPORAL_CONFIG_FILE ? 'TEMPORAL_CONFIG_FILE' : 'a file the profile names')}: no such file ${path}`;
  }
  return message ?? String(err);
}

// The loader sets every option, most of them to undefined; keep start-up logs and equality checks plain.
const withoutUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
