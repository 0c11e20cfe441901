import { readFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configVariables, loadConfig } from '../src/config';
import { ticketSearchAttributes } from '../src/workflows/searchAttributes';

// There is no Docker engine on CI machines, so the stack is checked by reading the file the way
// `docker compose config` would: merge keys resolved, every reference pointing somewhere real.
const root = new URL('../', import.meta.url);
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};

interface Service {
  image?: string;
  build?: string | { context: string };
  command?: string[] | string;
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
}

const services = compose.services;
const service = (name: string): Service => {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};
const hostPorts = (s: Service) => (s.ports ?? []).map((p) => p.split(':'));

describe('docker-compose.yml', () => {
  it('has the production-shaped services', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'postgres', 'temporal', 'temporal-admin-tools', 'temporal-ui', 'worker'].sort());
  });

  it('gives every service an image or a build, and every long-running one a health check', () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.image ?? s.build, `${name} image/build`).toBeTruthy();
      if (name !== 'temporal-admin-tools' && name !== 'temporal-ui') {
        expect(s.healthcheck?.test.length, `${name} healthcheck`).toBeGreaterThan(0);
      }
    }
  });

  it('only depends on services that exist, waiting on health where there is a health check', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        const target = service(dep);
        expect(['service_healthy', 'service_completed_successfully', 'service_started'], `${name} -> ${dep}`).toContain(condition);
        if (condition === 'service_healthy') expect(target.healthcheck, `${dep} must have a healthcheck`).toBeDefined();
      }
    }
  });

  it('persists Temporal to the compose PostgreSQL', () => {
    const temporal = service('temporal');
    const pg = service('postgres').environment ?? {};
    expect(temporal.environment?.DB).toMatch(/^postgres/);
    expect(temporal.environment?.POSTGRES_SEEDS).toBe('postgres');
    expect(temporal.environment?.POSTGRES_USER).toBe(pg.POSTGRES_USER);
    expect(temporal.environment?.POSTGRES_PWD).toBe(pg.POSTGRES_PASSWORD);
    expect(Object.keys(temporal.depends_on ?? {})).toContain('postgres');
  });

  it('exposes the API on 3000, Temporal on 7233 and Temporal Web on 8233', () => {
    expect(hostPorts(service('api'))).toContainEqual(['3000', '3000']);
    expect(hostPorts(service('temporal'))).toContainEqual(['7233', '7233']);
    expect(hostPorts(service('temporal-ui'))).toContainEqual(['8233', '8080']);
    const published = Object.values(services).flatMap((s) => hostPorts(s).map(([host]) => host));
    expect(new Set(published).size).toBe(published.length);
  });

  it('registers every search attribute the workflow upserts', () => {
    const script = JSON.stringify(service('temporal-admin-tools').command);
    for (const key of ticketSearchAttributes) expect(script).toContain(`${key.name}:`);
  });

  it('builds api and worker from the Dockerfile with only variables Tandem knows, and a valid config', () => {
    expect(existsSync(new URL('Dockerfile', root))).toBe(true);
    const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
    for (const name of ['api', 'worker']) {
      const s = service(name);
      expect(s.build, `${name} build`).toBe('.');
      expect(JSON.stringify(s.command)).toContain(`npm","run","${name}`);
      const env = s.environment ?? {};
      for (const key of Object.keys(env)) expect(Object.keys(configVariables), `${name} env ${key}`).toContain(key);
      // The values, with ${VAR:-default} references at their defaults, must pass Tandem's own config parser.
      const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]));
      const config = loadConfig(resolved);
      expect(config.DATABASE_URL, `${name} DATABASE_URL`).toContain('@postgres:5432/');
      expect(config.TEMPORAL_ADDRESS, `${name} TEMPORAL_ADDRESS`).toBe('temporal:7233');
      expect(Object.keys(s.depends_on ?? {}).sort()).toEqual(['postgres', 'temporal', 'temporal-admin-tools']);
    }
    // Scripts the compose file runs must exist in the image.
    expect(dockerfile).toMatch(/COPY src/);
    expect(dockerfile).toMatch(/COPY scripts/);
    expect(dockerfile).toMatch(/COPY drizzle/);
    expect(existsSync(new URL('scripts/healthcheck.ts', root))).toBe(true);
  });

  it('declares every named volume it mounts', () => {
    for (const s of Object.values(services)) {
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0] ?? '';
        if (!source.startsWith('.') && !source.startsWith('/')) expect(Object.keys(compose.volumes ?? {})).toContain(source);
      }
    }
  });
});
