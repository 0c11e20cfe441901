import { parseKeyRing } from '../../src/temporal/keyRing';
import { tandemDataConverter } from '../../src/temporal/dataConverter';

/**
 * The test run's payload keys: fixed, because recorded histories (test/histories/encrypted) were
 * encrypted with them and must keep replaying. `test-2026-a` is the older key, rotated out of
 * first place: it only decrypts. Test keys only; never use them anywhere else.
 */
export const oldKeyOnly = 'test-2026-a:h0fQJPUyf3kgC2lXlELm9iYD46bzqW0rb2K7MZTfijQ=';
export const testEncryptionKeys = `test-2026-b:XLWia7BqltIttA/rktS3w+EGDgquXjh+K8+g6OFz6yY=,${oldKeyOnly}`;

export const testKeyRing = parseKeyRing(testEncryptionKeys);
/** What every worker and client of the test run encrypts and decrypts with. */
export const testDataConverter = tandemDataConverter(testKeyRing);
