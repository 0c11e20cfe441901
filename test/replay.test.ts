import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { inject, expect, it } from 'vitest';

/**
 * Histories recorded from real runs (RECORD_HISTORIES=1 npm test -- lifecycle) are replayed
 * against today's workflow code: a non-deterministic change fails here, not in production.
 */
const dir = path.join(import.meta.dirname, 'histories');
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];

it('has saved histories to replay', () => {
  expect(files.length).toBeGreaterThanOrEqual(5);
});

it('replays every saved history deterministically', async () => {
  const histories = files.map((file) => ({
    workflowId: path.basename(file, '.json'),
    history: JSON.parse(readFileSync(path.join(dir, file), 'utf8')),
  }));
  const failures: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: inject('workflowBundlePath') } }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  expect(failures).toEqual([]);
});
