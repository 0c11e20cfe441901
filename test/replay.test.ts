import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { inject, expect, it } from 'vitest';
import { tandemDataConverter } from '../src/temporal/dataConverter';
import { parseKeyRing } from '../src/temporal/keyRing';
import { payloadsOf, testDataConverter, testEncryptionKeys } from './support/encryption';
import { historiesDir } from './support/histories';

/**
 * Histories recorded from real runs (RECORD_HISTORIES=1 npx vitest run test/lifecycle*.test.ts
 * test/keyRotation.test.ts) are replayed against today's workflow code: a non-deterministic
 * change fails here, not in production. Older recordings live in dated folders and stay, so
 * tickets started on earlier code keep replaying (that is what the `patched()` guards are for).
 *
 * Every history is replayed through the run's codec, as a worker would: the ones recorded before
 * encryption hold plain payloads, which the codec passes through unchanged; the ones in
 * `encrypted/` hold ciphertext only, one of them under a key since rotated out of first place.
 */
const files = readdirSync(historiesDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));
const encrypted = files.filter((f) => f.startsWith(`encrypted${path.sep}`));
const load = (list: string[]) =>
  list.map((file) => ({
    workflowId: file.replace(/\.json$/, ''),
    history: JSON.parse(readFileSync(path.join(historiesDir, file), 'utf8')),
  }));

async function replay(list: string[], dataConverter?: DataConverter): Promise<string[]> {
  const failures: string[] = [];
  const options = { workflowBundle: { codePath: inject('workflowBundlePath') }, ...(dataConverter ? { dataConverter } : {}) };
  for await (const result of Worker.runReplayHistories(options, load(list))) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  return failures;
}

it('has saved histories to replay, from today and from earlier code, plain and encrypted', () => {
  expect(files.length).toBeGreaterThanOrEqual(12);
  expect(files.some((f) => f.includes(path.sep) && !f.startsWith('encrypted'))).toBe(true);
  expect(encrypted.length).toBeGreaterThanOrEqual(2);
});

it('replays every saved history deterministically, through the codec', async () => {
  expect(await replay(files, testDataConverter)).toEqual([]);
});

it('the encrypted histories hold no payload in clear, and replay only with the keys they were written with', async () => {
  const encoding = (m: Record<string, unknown>) => Buffer.from(String(m.encoding), 'base64').toString();
  for (const { workflowId, history } of load(encrypted)) {
    const payloads = payloadsOf(history);
    expect(payloads.length, workflowId).toBeGreaterThan(20);
    const clear = payloads.filter((p) => encoding(p.metadata) !== 'binary/encrypted').map((p) => p.path);
    expect(clear, workflowId).toEqual([]);
  }
  expect((await replay(encrypted)).length).toBe(encrypted.length);
  // test-2026-a was rotated out of first place; a ring that dropped it entirely cannot read them.
  const newestOnly = tandemDataConverter(parseKeyRing(testEncryptionKeys.split(',')[0]!));
  const failures = await replay(encrypted, newestOnly);
  expect(failures).toHaveLength(encrypted.length);
  for (const failure of failures) expect(failure).toMatch(/test-2026-a/);
});
