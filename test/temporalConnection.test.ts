import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';
import { temporalTarget, TemporalSettingsError } from '../src/temporal/connection';
import { makeTestPki, startTlsProxy, type TestPki, type TlsProxy } from './support/tlsProxy';

// Every form of connection settings the SDK defines, loaded the way worker, API and scripts load
// them; then real connections through TLS (and mTLS) to the run's Temporal dev server, behind a
// TLS-terminating gRPC proxy since the dev server itself has no TLS.

let pki: TestPki;
let tmp: string;
const target = (env: Record<string, string>, osEnv: NodeJS.ProcessEnv = {}) => temporalTarget(loadConfig(env), { osEnv });
const tlsOf = (t: ReturnType<typeof target>) => t.connection.tls as Exclude<typeof t.connection.tls, boolean | null | undefined>;

beforeAll(() => {
  pki = makeTestPki();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'tandem-envconfig-'));
});
afterAll(() => {
  pki?.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

describe('loading connection settings', () => {
  it('without settings: the local dev server, plaintext, namespace default', () => {
    const t = target({});
    expect(t).toMatchObject({ external: false, security: 'plaintext', namespace: 'default', connection: { address: '127.0.0.1:7233' } });
    expect(temporalTarget(loadConfig({}), { localAddress: '127.0.0.1:9999', osEnv: {} }).connection.address).toBe('127.0.0.1:9999');
  });

  it('TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE: an existing cluster, nothing started', () => {
    const t = target({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_NAMESPACE: 'support' });
    expect(t).toMatchObject({
      external: true,
      security: 'plaintext',
      namespace: 'support',
      connection: { address: 'temporal.internal:7233' },
    });
  });

  it('Temporal Cloud with an API key: TLS on, the key sent', () => {
    const t = target({
      TEMPORAL_ADDRESS: 'eu-west-1.aws.api.temporal.io:7233',
      TEMPORAL_NAMESPACE: 'tandem.a1b2c',
      TEMPORAL_API_KEY: 'cloud-key',
    });
    expect(t.security).toBe('TLS + API key');
    expect(t.connection).toMatchObject({ address: 'eu-west-1.aws.api.temporal.io:7233', apiKey: 'cloud-key', tls: true });
    expect(t.namespace).toBe('tandem.a1b2c');
  });

  it('mTLS from certificate files, and the same from PEM text, with a server name', () => {
    const files = target({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS_CLIENT_CERT_PATH: pki.files.clientCert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: pki.files.clientKey,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.files.ca,
      TEMPORAL_TLS_SERVER_NAME: 'localhost',
    });
    expect(files.security).toBe('mTLS');
    expect(Buffer.from(tlsOf(files).clientCertPair!.crt).toString()).toBe(readFileSync(pki.files.clientCert, 'utf8'));
    expect(Buffer.from(tlsOf(files).serverRootCACertificate!).toString()).toBe(pki.caPem);
    expect(tlsOf(files).serverNameOverride).toBe('localhost');
    const inline = target({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS_CLIENT_CERT_DATA: readFileSync(pki.files.clientCert, 'utf8'),
      TEMPORAL_TLS_CLIENT_KEY_DATA: readFileSync(pki.files.clientKey, 'utf8'),
    });
    expect(inline.security).toBe('mTLS');
    expect(Buffer.from(tlsOf(inline).clientCertPair!.key).toString()).toBe(readFileSync(pki.files.clientKey, 'utf8').trim());
  });

  it('TEMPORAL_TLS=true alone: TLS against the system roots; false: plaintext', () => {
    expect(target({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_TLS: 'true' }).security).toBe('TLS');
    expect(target({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_TLS: 'false' }).connection.tls).toBe(false);
  });

  it('a temporal.toml profile shared with the CLI, environment variables winning over it', () => {
    const file = path.join(tmp, 'temporal.toml');
    writeFileSync(
      file,
      `[profile.default]
address = "localhost:7233"

[profile.prod]
address = "prod.temporal.internal:7233"
namespace = "support-prod"

[profile.prod.tls]
client_cert_path = "${pki.files.clientCert}"
client_key_path = "${pki.files.clientKey}"
server_ca_cert_path = "${pki.files.ca}"
server_name = "localhost"
`,
    );
    const prod = target({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' });
    expect(prod).toMatchObject({ external: true, security: 'mTLS', namespace: 'support-prod', profile: 'prod' });
    expect(prod.connection.address).toBe('prod.temporal.internal:7233');
    const overridden = target({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod', TEMPORAL_NAMESPACE: 'support-staging' });
    expect(overridden.namespace).toBe('support-staging');
    expect(target({ TEMPORAL_CONFIG_FILE: file }).connection.address).toBe('localhost:7233');
  });

  it("reads the CLI's default file only when TEMPORAL_PROFILE asks for a profile", () => {
    const home = path.join(tmp, 'home');
    mkdirSync(path.join(home, '.config', 'temporalio'), { recursive: true });
    writeFileSync(
      path.join(home, '.config', 'temporalio', 'temporal.toml'),
      '[profile.default]\naddress = "someone-elses.tmprl.cloud:7233"\napi_key = "personal"\n',
    );
    expect(target({}, { HOME: home }).external).toBe(false);
    expect(target({ TEMPORAL_PROFILE: 'default' }, { HOME: home })).toMatchObject({
      external: true,
      security: 'TLS + API key',
      connection: { address: 'someone-elses.tmprl.cloud:7233' },
    });
  });

  it('names what is wrong: a missing certificate file, an unknown profile, a missing config file, a certificate without its key', () => {
    expect(() => target({ TEMPORAL_ADDRESS: 'x:7233', TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(tmp, 'nope.pem') })).toThrow(
      /TEMPORAL_TLS_SERVER_CA_CERT_PATH: no such file/,
    );
    const file = path.join(tmp, 'empty.toml');
    writeFileSync(file, '[profile.default]\naddress = "localhost:7233"\n');
    expect(() => target({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' })).toThrow(TemporalSettingsError);
    expect(() => target({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' })).toThrow(/Profile 'staging' not found/);
    expect(() => target({ TEMPORAL_CONFIG_FILE: path.join(tmp, 'absent.toml') })).toThrow(/TEMPORAL_CONFIG_FILE: no such file/);
    expect(() => loadConfig({ TEMPORAL_TLS_CLIENT_CERT_PATH: pki.files.clientCert })).toThrow(ConfigError);
    expect(() => loadConfig({ TEMPORAL_TLS_CLIENT_KEY_DATA: 'not pem' })).toThrow(/TEMPORAL_TLS_CLIENT_KEY_DATA=\(value hidden\)/);
  });
});

describe('connecting through TLS to a local Temporal server', () => {
  let mutual: TlsProxy;
  let serverOnly: TlsProxy;
  beforeAll(async () => {
    mutual = await startTlsProxy(pki, inject('temporalAddress'), { mutual: true });
    serverOnly = await startTlsProxy(pki, inject('temporalAddress'), { mutual: false });
  });
  afterAll(async () => {
    await mutual?.close();
    await serverOnly?.close();
  });

  const mtlsEnv = () => ({
    TEMPORAL_ADDRESS: mutual.address,
    TEMPORAL_TLS_CLIENT_CERT_PATH: pki.files.clientCert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: pki.files.clientKey,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.files.ca,
  });

  it('mTLS: the API-side client and the worker-side native connection both connect, presenting the client certificate', async () => {
    const t = target(mtlsEnv());
    const client = await Connection.connect({ ...t.connection, connectTimeout: 10_000 });
    try {
      const info = await client.workflowService.getSystemInfo({});
      expect(info.serverVersion).toBeTruthy();
    } finally {
      await client.close();
    }
    const native = await NativeConnection.connect(t.connection);
    try {
      await native.workflowService.describeNamespace({ namespace: t.namespace });
    } finally {
      await native.close();
    }
    expect(mutual.calls.length).toBeGreaterThan(0);
    expect(mutual.calls.every((c) => c.clientCertificate === 'tandem-worker')).toBe(true);
  });

  it('mTLS: without the client certificate the server refuses the connection', async () => {
    const t = target({ TEMPORAL_ADDRESS: mutual.address, TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.files.ca });
    await expect(Connection.connect({ ...t.connection, connectTimeout: 3000 })).rejects.toThrow();
  });

  it('an API key over TLS, from a temporal.toml profile: sent as a bearer token on every call', async () => {
    const file = path.join(tmp, 'cloud.toml');
    writeFileSync(
      file,
      `[profile.cloud]\naddress = "${serverOnly.address}"\napi_key = "tandem-cloud-key"\n\n[profile.cloud.tls]\nserver_ca_cert_data = """\n${pki.caPem}"""\n`,
    );
    const t = target({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud' });
    expect(t.security).toBe('TLS + API key');
    const native = await NativeConnection.connect(t.connection);
    try {
      await native.workflowService.getSystemInfo({});
    } finally {
      await native.close();
    }
    expect(serverOnly.calls.length).toBeGreaterThan(0);
    expect(serverOnly.calls.every((c) => c.authorization === 'Bearer tandem-cloud-key')).toBe(true);
  });
});
