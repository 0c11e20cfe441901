import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';
import { openDatabase } from '../src/db/client';
import { EncryptionCodec, ENCRYPTED_ENCODING, UnknownEncryptionKeyError } from '../src/temporal/codec';
import { GENERATED_KEY_ID, loadKeyRing } from '../src/temporal/dataConverter';
import { parseKeyRing } from '../src/temporal/keyRing';
import { oldKeyOnly, testEncryptionKeys } from './support/encryption';

const secret = { customerEmail: 'ines.codec@example.org', body: 'My card ending 4242 was charged twice' };
const toPayload = (value: unknown) => defaultPayloadConverter.toPayload(value);
const fromPayload = (payload: Payload) => defaultPayloadConverter.fromPayload(payload);
const bytesOf = (payload: Payload) =>
  Buffer.from(JSON.stringify({ m: payload.metadata, d: payload.data ? Buffer.from(payload.data) : null }));

describe('the payload codec', () => {
  it('encrypts the whole payload with the newest key and reads it back', async () => {
    const codec = new EncryptionCodec(parseKeyRing(testEncryptionKeys));
    const [encrypted] = await codec.encode([toPayload(secret)]);
    expect(new TextDecoder().decode(encrypted!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(EncryptionCodec.keyIdOf(encrypted!)).toBe('test-2026-b');
    // Neither the text nor the inner encoding is readable from outside.
    const outside = bytesOf(encrypted!).toString('latin1');
    expect(outside).not.toContain('ines.codec');
    expect(outside).not.toContain('charged twice');
    expect(outside).not.toContain('json/plain');
    const [decoded] = await codec.decode([encrypted!]);
    expect(fromPayload(decoded!)).toEqual(secret);
  });

  it('uses a fresh IV every time: the same value never encrypts to the same bytes', async () => {
    const codec = new EncryptionCodec(parseKeyRing(testEncryptionKeys));
    const [a, b] = await codec.encode([toPayload(secret), toPayload(secret)]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('rotation: payloads under the old key still decrypt once a new key encrypts; dropping the old key names it', async () => {
    const before = new EncryptionCodec(parseKeyRing(oldKeyOnly));
    const [old] = await before.encode([toPayload(secret)]);
    expect(EncryptionCodec.keyIdOf(old!)).toBe('test-2026-a');

    const rotated = new EncryptionCodec(parseKeyRing(testEncryptionKeys));
    expect(fromPayload((await rotated.decode([old!]))[0]!)).toEqual(secret);
    expect(EncryptionCodec.keyIdOf((await rotated.encode([toPayload(secret)]))[0]!)).toBe('test-2026-b');

    const newOnly = new EncryptionCodec(parseKeyRing(testEncryptionKeys.split(',')[0]!));
    const failure = await newOnly.decode([old!]).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UnknownEncryptionKeyError);
    expect((failure as Error).message).toMatch(/key "test-2026-a", which is not in the key ring/);
  });

  it('passes payloads that were never encrypted through unchanged (histories recorded before encryption)', async () => {
    const codec = new EncryptionCodec(parseKeyRing(testEncryptionKeys));
    const plain = toPayload(secret);
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('refuses an altered payload, or one relabelled with another key id', async () => {
    const codec = new EncryptionCodec(parseKeyRing(testEncryptionKeys));
    const [encrypted] = await codec.encode([toPayload(secret)]);
    const flipped = Buffer.from(encrypted!.data!);
    flipped[20] = flipped[20]! ^ 1;
    await expect(codec.decode([{ ...encrypted!, data: flipped }])).rejects.toThrow(/does not decrypt/);
    const relabelled = {
      ...encrypted!,
      metadata: { ...encrypted!.metadata, 'encryption-key-id': new TextEncoder().encode('test-2026-a') },
    };
    await expect(codec.decode([relabelled])).rejects.toThrow(/does not decrypt/);
  });
});

describe('TANDEM_ENCRYPTION_KEYS', () => {
  it('parses a ring newest first, and refuses bad entries without echoing key material', () => {
    const ring = loadConfig({ TANDEM_ENCRYPTION_KEYS: testEncryptionKeys }).TANDEM_ENCRYPTION_KEYS!;
    expect(ring.current.id).toBe('test-2026-b');
    expect([...ring.byId.keys()]).toEqual(['test-2026-b', 'test-2026-a']);
    const cases: [string, RegExp][] = [
      ['k1:c2hvcnQ=', /key k1 is 5 bytes; AES-256 needs 32/],
      ['no-colon-here', /entry 1 is not <id>:<base64 key>/],
      [`${oldKeyOnly},${oldKeyOnly}`, /key id test-2026-a appears twice/],
      ['bad id!:c2hvcnQ=', /key id "bad id!"/],
    ];
    for (const [value, problem] of cases) {
      const error = (() => {
        try {
          loadConfig({ TANDEM_ENCRYPTION_KEYS: value });
        } catch (e) {
          return e;
        }
      })();
      expect(error, value).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(problem);
      expect((error as Error).message).toContain('TANDEM_ENCRYPTION_KEYS=(value hidden)');
      expect((error as Error).message).not.toContain('c2hvcnQ');
    }
  });

  it('unset, a key is generated once into the database and shared; set later, that key still decrypts', async () => {
    const database = openDatabase({ pgliteDir: 'memory://' });
    try {
      await database.migrate();
      const first = await loadKeyRing({ TANDEM_ENCRYPTION_KEYS: undefined }, database.db);
      const second = await loadKeyRing({ TANDEM_ENCRYPTION_KEYS: undefined }, database.db);
      expect(first.source).toBe('generated');
      expect(first.ring.current.id).toBe(GENERATED_KEY_ID);
      expect(second.ring.current.key.equals(first.ring.current.key)).toBe(true);

      const [early] = await new EncryptionCodec(first.ring).encode([toPayload(secret)]);
      const configured = await loadKeyRing({ TANDEM_ENCRYPTION_KEYS: parseKeyRing(testEncryptionKeys) }, database.db);
      expect(configured.source).toBe('configured');
      expect(configured.ring.current.id).toBe('test-2026-b');
      expect(fromPayload((await new EncryptionCodec(configured.ring).decode([early!]))[0]!)).toEqual(secret);
    } finally {
      await database.close();
    }
  });
});
