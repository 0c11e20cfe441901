import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { inject, expect, it } from 'vitest';
import { historiesDir } from './support/histories';

/**
 * Histories recorded from real runs (RECORD_HISTORIES=1 npx vitest run test/lifecycle*.test.ts)
 * are replayed against today's workflow code: a non-deterministic change fails here, not in
 * production. Older recordings live in dated folders and stay, so tickets started on earlier
 * code keep replaying (that is what the `patched()` guards are for).
 */
const files = readdirSync(historiesDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));

it('has saved histories to replay, from today and from earlier code', () => {
  expect(files.length).toBeGreaterThanOrEqual(12);
  expect(files.some((f) => f.includes(path.sep))).toBe(true);
});

it('replays every saved history deterministically', async () => {
  const histories = files.map((file) => ({
    workflowId: file.replace(/\.json$/, ''),
    history: JSON.parse(readFileSync(path.join(historiesDir, file), 'utf8')),
  }));
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: inject('workflowBundlePath') } }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
});
