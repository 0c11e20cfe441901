import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { resolveTemporalCli } from '../../src/temporal/localServer';

const run = promisify(execFile);
export const historiesDir = path.join(import.meta.dirname, '..', 'histories');

/**
 * With RECORD_HISTORIES=1, saves a run's history (exported with the Temporal CLI, as ops would)
 * for test/replay.test.ts; otherwise does nothing.
 */
export async function maybeRecordHistory(name: string, workflowId: string, runId?: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const cli = resolveTemporalCli();
  // A name may name a folder too (`encrypted/…`): the recordings a codec is needed to replay.
  mkdirSync(path.dirname(path.join(historiesDir, name)), { recursive: true });
  const args = ['workflow', 'show', '--workflow-id', workflowId, '--address', inject('temporalAddress'), '-o', 'json'];
  if (runId) args.push('--run-id', runId);
  const { stdout } = await run(cli.path!, args, { maxBuffer: 64 * 1024 * 1024 });
  writeFileSync(path.join(historiesDir, `${name}.json`), stdout);
}
