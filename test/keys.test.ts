import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { authenticate } from '../src/api/auth';
import { openDatabase } from '../src/db/client';
import { projectRoot } from '../src/temporal/localServer';

const run = promisify(execFile);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tandem-keys-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** `npm run keys -- …` against its own embedded database, as an operator would run it. */
async function keys(...args: string[]) {
  const { DATABASE_URL: _shared, ...env } = process.env;
  return run(process.execPath, ['--import', 'tsx', 'scripts/keys.ts', ...args], {
    cwd: projectRoot,
    env: { ...env, PGLITE_DIR: path.join(tmp, 'pglite') },
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}

/** Whether a key authenticates, by the API's own middleware over the same database. */
async function principalFor(key: string) {
  const database = openDatabase({ pgliteDir: path.join(tmp, 'pglite') });
  try {
    const req = { get: (h: string) => (h === 'authorization' ? `Bearer ${key}` : undefined) } as never;
    return await authenticate(database.db, 5000)(req, {} as never, () => {}).then(
      () => (req as { principal?: unknown }).principal,
      () => null,
    );
  } finally {
    await database.close();
  }
}

it('creates a key shown once, lists it without its secret, and revokes it', async () => {
  const created = await keys('create', '--role', 'agent', '--name', 'ana');
  expect(created.code).toBe(0);
  const key = /(tdm_agent_\S+)/.exec(created.stdout)?.[1];
  expect(key).toBeDefined();
  const id = /key (key_\w+)/.exec(created.stdout)?.[1];
  expect(await principalFor(key!)).toMatchObject({ name: 'ana', role: 'agent', keyId: id });

  const listed = await keys('list');
  expect(listed.stdout).toContain(id);
  expect(listed.stdout).toMatch(/agent\s+ana/);
  expect(listed.stdout).not.toContain(key);

  expect((await keys('revoke', id!)).code).toBe(0);
  expect(await principalFor(key!)).toBeNull();
  expect((await keys('list')).stdout).toContain('REVOKED');
}, 60_000);

it.each([
  [['create', '--role', 'boss', '--name', 'x'], /--role must be one of/],
  [['create', '--role', 'agent'], /--name is required/],
  [['create', '--rol', 'agent'], /Unknown option '--rol'/],
  [['rotate'], /unknown command rotate/],
])('refuses %j with a usage message and exit 1', async (args, message) => {
  const result = await keys(...args);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(message);
  expect(result.stderr).toContain('usage:');
});
