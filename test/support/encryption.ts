import { parseKeyRing } from '../../src/temporal/keyRing';
import { EncryptionCodec } from '../../src/temporal/codec';
import { tandemDataConverter } from '../../src/temporal/dataConverter';

/**
 * The test run's payload keys: fixed, because recorded histories (test/histories/encrypted) were
 * encrypted with them and must keep replaying. `test-2026-a` is the older key, rotated out of
 * first place: it only decrypts. Test keys only; never use them anywhere else.
 */
export const oldKeyOnly = 'test-2026-a:h0fQJPUyf3kgC2lXlELm9iYD46bzqW0rb2K7MZTfijQ=';
export const testEncryptionKeys = `test-2026-b:XLWia7BqltIttA/rktS3w+EGDgquXjh+K8+g6OFz6yY=,${oldKeyOnly}`;

export const testKeyRing = parseKeyRing(testEncryptionKeys);
/** The codec alone, for tests that read raw histories. */
export const testCodec = new EncryptionCodec(testKeyRing);
/** What every worker and client of the test run encrypts and decrypts with. */
export const testDataConverter = tandemDataConverter(testKeyRing);
/** Where the tests' Temporal Web would be served from: the codec server's one CORS origin. */
export const testWebOrigin = 'http://127.0.0.1:8233';

/**
 * Every payload of a history that Tandem's code produced (a fetched history, or a CLI export in
 * JSON), with the path to it. Left out: search attributes, the server's index, never encoded;
 * and the markers `patched()` records, which the SDK's core writes itself, holding a patch id.
 */
export function payloadsOf(value: unknown, path = ''): { path: string; metadata: Record<string, unknown>; data: unknown }[] {
  if (value === null || typeof value !== 'object') return [];
  if (path.endsWith('.searchAttributes') || path.endsWith('.indexedFields') || path.endsWith('.patch-data')) return [];
  const record = value as Record<string, unknown>;
  if (record.metadata && typeof record.metadata === 'object' && 'encoding' in record.metadata) {
    return [{ path, metadata: record.metadata as Record<string, unknown>, data: record.data }];
  }
  return Object.entries(record).flatMap(([k, v]) => payloadsOf(v, `${path}.${k}`));
}
