import { describe, expect, it, vi } from 'vitest';
import { describeRestart, restartDelay, superviseWorker, type RestartNotice, type SupervisedRun } from '../src/workerSupervision';

/** A stand-in worker run: `fail` ends it with an error, `shutdown` ends it cleanly. */
function fakeRun(): SupervisedRun & { fail(error: Error): void; shutdowns: number } {
  let resolve: () => void = () => {};
  let reject: (error: Error) => void = () => {};
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const run = {
    done,
    shutdowns: 0,
    shutdown: () => {
      run.shutdowns++;
      resolve();
    },
    fail: (error: Error) => reject(error),
  };
  return run;
}

describe('restartDelay', () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [5, 16_000],
    [6, 30_000],
    [40, 30_000],
  ])('failure %i waits %i ms', (failures, ms) => {
    expect(restartDelay(failures)).toBe(ms);
  });
});

describe('superviseWorker', () => {
  it('restarts a failing start with doubling delays and says why each time', async () => {
    const notices: RestartNotice[] = [];
    let attempts = 0;
    const healthy = fakeRun();
    const supervisor = superviseWorker(
      async () => {
        attempts++;
        if (attempts <= 3) throw new Error(`connect ECONNREFUSED (attempt ${attempts})`);
        return healthy;
      },
      { initialDelayMs: 5, maxDelayMs: 12, onRestart: (n) => notices.push(n) },
    );
    await expect(supervisor.started).resolves.toBe(healthy);
    expect(notices.map((n) => [n.failures, n.delayMs])).toEqual([
      [1, 5],
      [2, 10],
      [3, 12],
    ]);
    expect(describeRestart(notices[0]!)).toBe(
      'worker stopped (connect ECONNREFUSED (attempt 1)); restarting in 0.005 s (failure 1 in a row)',
    );
    expect(supervisor.current()).toBe(healthy);
    await supervisor.stop();
    expect(healthy.shutdowns).toBe(1);
  });

  it('restarts a run that dies with an error, and a healthy run resets the backoff', async () => {
    const runs: ReturnType<typeof fakeRun>[] = [];
    const notices: RestartNotice[] = [];
    const supervisor = superviseWorker(
      async () => {
        const run = fakeRun();
        runs.push(run);
        return run;
      },
      { initialDelayMs: 1, healthyAfterMs: 300, onRestart: (n) => notices.push(n) },
    );
    await supervisor.started;
    runs[0]!.fail(new Error('pollers lost'));
    await expect.poll(() => runs.length, { interval: 1 }).toBe(2);
    runs[1]!.fail(new Error('pollers lost again'));
    await expect.poll(() => runs.length, { interval: 1 }).toBe(3);
    expect(notices.map((n) => n.failures)).toEqual([1, 2]);

    // The third run stays up past healthyAfterMs: its failure counts as the first again. The
    // clock moves on instead of the test waiting for it (only Date is faked; timers stay real).
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 350);
      runs[2]!.fail(new Error('a day later'));
      await expect.poll(() => runs.length).toBe(4);
    } finally {
      vi.useRealTimers();
    }
    expect(notices.map((n) => n.failures)).toEqual([1, 2, 1]);
    await supervisor.stop();
  });

  it('does not restart a run that was shut down cleanly (Ctrl-C reached the worker)', async () => {
    const run = fakeRun();
    let starts = 0;
    const supervisor = superviseWorker(
      async () => {
        starts++;
        return run;
      },
      { initialDelayMs: 1, onRestart: () => expect.fail('a clean shutdown is not a failure') },
    );
    await supervisor.started;
    run.shutdown();
    await supervisor.done;
    expect(starts).toBe(1);
  });

  it('stop() ends a wait between restarts at once', async () => {
    let restarts = 0;
    const supervisor = superviseWorker(() => Promise.reject(new Error('Temporal is down')), {
      initialDelayMs: 60_000,
      onRestart: () => restarts++,
    });
    await expect.poll(() => restarts).toBe(1);
    const stopping = Date.now();
    await supervisor.stop();
    expect(Date.now() - stopping).toBeLessThan(1000);
    await expect(supervisor.started).rejects.toThrow(/stopped before a worker started/);
  });
});
