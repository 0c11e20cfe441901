import { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Database } from '../src/db/client';
import { demoCustomers } from '../src/db/seed';
import { EncryptionCodec } from '../src/temporal/codec';
import { tandemDataConverter } from '../src/temporal/dataConverter';
import { parseKeyRing } from '../src/temporal/keyRing';
import { actions, csatSignal } from '../src/workflows/messages';
import { oldKeyOnly, payloadsOf, testDataConverter, testEncryptionKeys } from './support/encryption';
import { connectClient, openTestDatabase, startTestWorker, uniqueId, type TestWorker } from './support/harness';
import { maybeRecordHistory } from './support/histories';
import { everyQuadrant, startTicket, statusIs, testPolicy, waitForState } from './support/tickets';

// A key rotation on a running ticket: started while `test-2026-a` encrypted, finished after
// `test-2026-b` took its place (a stays in the ring, decrypting only). Its history shows both
// keys, in that order, and no payload in clear; a ring without the old key cannot run it.

const oldRing = tandemDataConverter(parseKeyRing(oldKeyOnly));
const newOnly = tandemDataConverter(parseKeyRing(testEncryptionKeys.split(',')[0]!));
const marker = { subject: 'Refund for order Q-8841', body: 'Kestrel-violet: my card was charged twice for order Q-8841' };
const policy = testPolicy({ quadrants: everyQuadrant('ai_review') });
const agentId = 'agent-rotation';

let database: Database;
let connection: Awaited<ReturnType<typeof connectClient>>;
const workers = new Set<TestWorker>();
const started = async (options: Parameters<typeof startTestWorker>[0]) => {
  const worker = await startTestWorker(options);
  workers.add(worker);
  return worker;
};
const stop = async (worker: TestWorker) => {
  workers.delete(worker);
  await worker.close();
};

beforeAll(async () => {
  database = await openTestDatabase();
  connection = await connectClient();
});
afterAll(async () => {
  for (const w of workers) await w.close();
  await connection?.close();
  await database?.close();
});

const clientWith = (dataConverter: typeof testDataConverter) => new Client({ connection: connection.client.connection, dataConverter });

describe('key rotation', () => {
  it('a ticket encrypted under the old key runs on after rotation; its history carries both keys, in order, and no clear text', async () => {
    const before = await started({ database, dataConverter: oldRing });
    const oldClient = clientWith(oldRing);
    const handle = await startTicket(oldClient, before.taskQueue, { customerId: demoCustomers.freeTier, ...marker }, policy);
    await waitForState(handle, statusIs('awaiting_review'));
    await stop(before);

    // Rotate: the new key in front, the old one still in the ring.
    await started({ database, taskQueue: before.taskQueue });
    const rotated = clientWith(testDataConverter).workflow.getHandle(handle.workflowId);
    await rotated.executeUpdate(actions.approve.update, { args: [{ agentId }] });
    await rotated.executeUpdate(actions.resolve.update, { args: [{ agentId }] });
    await rotated.signal(csatSignal, { score: 5 });
    expect(await rotated.result()).toMatchObject({ resolutionMode: 'ai_plus_human', csatScore: 5 });

    const history = await rotated.fetchHistory();
    const found = payloadsOf(history);
    expect(found.length).toBeGreaterThan(20);
    const keyIds = found.map((payload) => EncryptionCodec.keyIdOf(payload as Payload));
    expect(
      keyIds.every((id) => id === 'test-2026-a' || id === 'test-2026-b'),
      JSON.stringify(found.map((f) => f.path)),
    ).toBe(true);
    const firstNew = keyIds.indexOf('test-2026-b');
    expect(firstNew).toBeGreaterThan(0);
    expect(keyIds.lastIndexOf('test-2026-a')).toBeLessThan(firstNew);
    const raw = JSON.stringify(history, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));
    expect(raw).not.toContain('Kestrel-violet');
    expect(raw).not.toContain('Q-8841');

    // Without the old key the ticket cannot be read, nor run again from its history.
    const replayed = await Worker.runReplayHistory(
      { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: newOnly },
      history,
      handle.workflowId,
    ).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(String(replayed?.message ?? replayed)).toMatch(/test-2026-a/);
    await maybeRecordHistory('encrypted/rotated-mid-ticket', handle.workflowId);
  });

  it('a whole ticket under the old key, recorded for replay after rotation', async () => {
    const before = await started({ database, dataConverter: oldRing });
    const handle = await startTicket(
      clientWith(oldRing),
      before.taskQueue,
      { ticketId: uniqueId('tkt'), customerId: demoCustomers.freeTier, customerEmail: 'kestrel.old-key@example.org', ...marker },
      policy,
    );
    await waitForState(handle, statusIs('awaiting_review'));
    await handle.executeUpdate(actions.approve.update, { args: [{ agentId }] });
    await handle.executeUpdate(actions.resolve.update, { args: [{ agentId }] });
    await handle.signal(csatSignal, { score: 4 });
    await handle.result();
    const keyIds = new Set(payloadsOf(await handle.fetchHistory()).map((payload) => EncryptionCodec.keyIdOf(payload as Payload)));
    expect([...keyIds]).toEqual(['test-2026-a']);
    await maybeRecordHistory('encrypted/old-key-ai-review-approve', handle.workflowId);
  });
});
