import { readFileSync } from 'node:fs';
import { expect, inject, it } from 'vitest';

/**
 * The SDK instantiates every module a workflow imports once per cached workflow, so each
 * package in the workflow bundle costs memory per open ticket (zod alone: ~2.5 MB). Only the
 * Temporal SDK and its own dependencies belong there.
 */
it('bundles no package but the Temporal SDK and its dependencies', () => {
  const code = readFileSync(inject('workflowBundlePath'), 'utf8');
  const packages = new Set([...code.matchAll(/\.\/node_modules\/((?:@[^/"]+\/)?[^/"]+)\//g)].map((m) => m[1]));
  expect([...packages].sort()).toEqual(['@temporalio/common', '@temporalio/workflow', 'long', 'ms', 'nexus-rpc']);
});
