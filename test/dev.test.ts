import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { afterAll, expect, it } from 'vitest';
import { projectRoot } from '../src/temporal/localServer';
import { freePort } from './globalSetup';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tandem-dev-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

async function twoFreePorts(): Promise<number> {
  // The Web UI takes TEMPORAL_PORT + 1000, so both must be free.
  for (;;) {
    const port = await freePort();
    if (port + 1000 < 65535 && !(await listening(port + 1000))) return port;
  }
}

it('npm run dev brings up Temporal, the database, the worker and the API, and Ctrl-C stops it all', async () => {
  const port = await freePort();
  const temporalPort = await twoFreePorts();
  const { TEMPORAL_ADDRESS: _ignored, DATABASE_URL: _alsoIgnored, ...env } = process.env;
  const dev = spawn('npm', ['run', 'dev'], {
    cwd: projectRoot,
    env: {
      ...env,
      PORT: String(port),
      TEMPORAL_PORT: String(temporalPort),
      PGLITE_DIR: path.join(tmp, 'pglite'),
      TEMPORAL_RETENTION_HOURS: '36',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so the test can send Ctrl-C to all of it
  });
  let output = '';
  dev.stdout.on('data', (d: Buffer) => (output += d.toString()));
  dev.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    dev.once('exit', (code, signal) => resolve({ code, signal })),
  );
  try {
    await expect.poll(() => output, { timeout: 180_000, interval: 250 }).toContain('Tandem is running');
    expect(output).toContain(`http://127.0.0.1:${port}`);
    expect(output).toContain(`Temporal Web  http://127.0.0.1:${temporalPort + 1000}`);

    const health = await (await fetch(`http://127.0.0.1:${port}/healthz`)).json();
    expect(health).toMatchObject({ status: 'ok', temporal: 'up', database: 'up', databaseDriver: 'pglite' });
    expect((await fetch(`http://127.0.0.1:${temporalPort + 1000}/`)).status).toBe(200);

    // One demo key per role, and they work: a service starts a ticket, an agent reads the queue.
    const demoKey = (role: string) => new RegExp(`^\\s+${role}\\s+(tdm_${role}_\\S+)$`, 'm').exec(output)?.[1];
    for (const role of ['service', 'agent', 'lead', 'admin']) expect(demoKey(role), role).toBeDefined();
    const api = (path: string, role: string, body?: unknown) =>
      fetch(`http://127.0.0.1:${port}${path}`, {
        method: body ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${demoKey(role)}`, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const created = await api('/v1/tickets', 'service', {
      customer: { email: 'sam@pixel.example' },
      channel: 'chat',
      subject: 'Refund',
      body: 'I was charged twice.',
    });
    expect(created.status).toBe(201);
    expect((await api('/v1/queue', 'agent')).status).toBe(200);
    expect((await api('/v1/queue', 'service')).status).toBe(403);
    // Rate limited (through PGlite), security headers on.
    const limited = await api('/v1/queue', 'agent');
    expect(limited.headers.get('ratelimit-policy')).toMatch(/"key";q=\d+;w=60/);
    expect(limited.headers.get('x-content-type-options')).toBe('nosniff');

    // Temporal Web is started with the API's codec server, which the lead key may call.
    const settings = (await (await fetch(`http://127.0.0.1:${temporalPort + 1000}/api/v1/settings`)).json()) as {
      Codec: { Endpoint: string };
    };
    expect(settings.Codec.Endpoint).toBe(`http://127.0.0.1:${port}/codec`);
    expect(output).toContain(`--codec-endpoint http://127.0.0.1:${port}/codec`);
    expect((await api('/codec/decode', 'lead', { payloads: [] })).status).toBe(200);
    expect((await api('/codec/decode', 'agent', { payloads: [] })).status).toBe(403);

    // The dev server keeps closed tickets' histories as long as TEMPORAL_RETENTION_HOURS says.
    const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
    try {
      const described = await connection.workflowService.describeNamespace({ namespace: 'default' });
      expect(optionalTsToMs(described.config?.workflowExecutionRetentionTtl)).toBe(36 * 3_600_000);
    } finally {
      await connection.close();
    }

    process.kill(-dev.pid!, 'SIGINT');
    // npm itself may die of the same Ctrl-C; what matters is that Tandem shut down cleanly.
    const { code, signal } = await exited;
    expect(code === 0 || signal === 'SIGINT').toBe(true);
    await expect.poll(() => output, { timeout: 60_000 }).toContain('stopped.');
    expect(await listening(temporalPort)).toBe(false);
    expect(await listening(port)).toBe(false);
  } finally {
    try {
      process.kill(-dev.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(path.join(projectRoot, '.data', `temporal-${temporalPort}.sqlite`), { force: true });
  }
}, 150_000);
