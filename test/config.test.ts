import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';

describe('loadConfig', () => {
  it('applies defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.TEMPORAL_PORT).toBe(7233);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
    expect(config.PGLITE_DIR).toBe('.data/pglite');
  });

  it('parses provided values', () => {
    const config = loadConfig({ PORT: '8080', DATABASE_URL: 'postgres://u@db:5432/x', TEMPORAL_ADDRESS: 'temporal:7233' });
    expect(config.PORT).toBe(8080);
    expect(config.DATABASE_URL).toBe('postgres://u@db:5432/x');
    expect(config.TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', TEMPORAL_ADDRESS: ' ' }).DATABASE_URL).toBeUndefined();
  });

  it('names every bad variable, its problem and an example', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', TEMPORAL_ADDRESS: 'no-port', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems).toHaveLength(4);
    expect(message).toMatch(/PORT="abc" is invalid: .*\(example: PORT=3000\)/);
    expect(message).toMatch(/DATABASE_URL="mysql:\/\/x" is invalid: .*example: DATABASE_URL=postgres:\/\//);
    expect(message).toMatch(/TEMPORAL_ADDRESS="no-port" is invalid: must be host:port/);
    expect(message).toMatch(/LOG_LEVEL="loud" is invalid/);
  });

  it('rejects out-of-range ports', () => {
    expect(() => loadConfig({ TEMPORAL_PORT: '70000' })).toThrow(/TEMPORAL_PORT="70000"/);
  });
});
