import { describe, expect, it } from 'vitest';
import { groupCommit } from '../src/db/groupCommit';

// The coalescing under the delivery hot path, driven with a run that records its batches and
// answers when told to, so what shares a run is seen exactly.

function recorder() {
  const batches: number[][] = [];
  const pending: (() => void)[] = [];
  const run = (items: number[]) =>
    new Promise<number[]>((resolve, reject) => {
      batches.push(items);
      pending.push(() => (items.includes(-1) ? reject(new Error('bad item')) : resolve(items.map((i) => i * 10))));
    });
  const answer = async () => {
    await expect.poll(() => pending.length).toBeGreaterThan(0);
    pending.shift()!();
  };
  return { batches, run, answer };
}

describe('groupCommit', () => {
  it('runs an idle caller at once, alone', async () => {
    const r = recorder();
    const send = groupCommit(r.run);
    const result = send(1);
    expect(r.batches).toEqual([[1]]);
    await r.answer();
    await expect(result).resolves.toBe(10);
  });

  it('puts what queues while a run is in flight into the next run, together', async () => {
    const r = recorder();
    const send = groupCommit(r.run);
    const first = send(1);
    const queued = [send(2), send(3), send(4)];
    await r.answer();
    await first;
    await r.answer();
    await expect(Promise.all(queued)).resolves.toEqual([20, 30, 40]);
    expect(r.batches).toEqual([[1], [2, 3, 4]]);
  });

  it('lets what a run’s answers set off join the next run with what was already queued', async () => {
    const r = recorder();
    const send = groupCommit(r.run);
    // Each caller, once answered, asks again a few promise steps later, as a delivery does when
    // its attempt is recorded and the next delivery loads its rows.
    const again = (n: number) =>
      send(n)
        .then((v) => Promise.resolve(v))
        .then(() => send(n + 100));
    const chains = [again(1), again(2)];
    const waiting = send(3);
    await r.answer(); // [1]
    await expect.poll(() => r.batches.length).toBe(2);
    // 1's second call has joined the queue before the next run left.
    expect(r.batches[1]).toEqual([2, 3, 101]);
    await r.answer();
    await r.answer();
    await expect(Promise.all([...chains, waiting])).resolves.toEqual([1010, 1020, 30]);
    expect(r.batches).toEqual([[1], [2, 3, 101], [102]]);
  });

  it('tries a failed batch again item by item, so only the bad item fails', async () => {
    const r = recorder();
    const send = groupCommit(r.run);
    const first = send(1);
    const good = send(2);
    const bad = send(-1);
    await r.answer();
    await first;
    await r.answer(); // [2, -1] fails as a whole
    await r.answer(); // [2]
    await r.answer(); // [-1]
    await expect(good).resolves.toBe(20);
    await expect(bad).rejects.toThrow('bad item');
    expect(r.batches).toEqual([[1], [2, -1], [2], [-1]]);
  });
});
