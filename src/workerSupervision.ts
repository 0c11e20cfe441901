/**
 * Keeps a worker running through dependency outages: when a run fails (it could not connect, or
 * it stopped with an error), it is started again after a backoff that doubles from 1 s to 30 s.
 * A run that ends without an error was shut down on purpose (Ctrl-C, SIGTERM) and is not restarted.
 *
 * No Temporal or database types here: `start` is any function that starts one run, so the restart
 * policy is tested with a plain function (test/workerSupervision.test.ts).
 */
import { redactText } from './redaction';

/** One running worker, as the supervisor sees it. */
export interface SupervisedRun {
  /** Settles when the run ends: resolves on a clean shutdown, rejects when it failed. */
  done: Promise<void>;
  /** Asks the run to drain and stop; `done` then resolves. */
  shutdown(): void;
}

export interface RestartNotice {
  /** Why the previous attempt ended. */
  error: unknown;
  /** Consecutive failures so far (1 for the first restart since the last healthy run). */
  failures: number;
  delayMs: number;
}

export interface SupervisionOptions {
  /** Told before every restart, so the console can say what happened and when it retries. */
  onRestart(notice: RestartNotice): void;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** A run that lasted this long was healthy: the next failure starts the backoff again from the bottom. */
  healthyAfterMs?: number;
}

export interface Supervisor<T extends SupervisedRun> {
  /** The run in progress, if any (none while waiting to restart). */
  current(): T | undefined;
  /** Resolves once the first run has started (rejects only if supervision stopped before that). */
  started: Promise<T>;
  /** Settles when supervision ends: after `stop()`, or after a run ended cleanly on its own. */
  done: Promise<void>;
  /** Stops restarting, shuts the current run down and waits for it. */
  stop(): Promise<void>;
}

const defaultBackoff = { initialDelayMs: 1000, maxDelayMs: 30_000, healthyAfterMs: 60_000 };

/** The wait before restart number `failures` (1-based): initial · 2^(failures−1), capped. */
export function restartDelay(
  failures: number,
  initialDelayMs = defaultBackoff.initialDelayMs,
  maxDelayMs = defaultBackoff.maxDelayMs,
): number {
  return Math.min(maxDelayMs, initialDelayMs * 2 ** Math.max(0, failures - 1));
}

export function superviseWorker<T extends SupervisedRun>(start: () => Promise<T>, options: SupervisionOptions): Supervisor<T> {
  const { initialDelayMs, maxDelayMs, healthyAfterMs } = { ...defaultBackoff, ...options };
  let stopping = false;
  let running: T | undefined;
  let wakeUp: () => void = () => {};
  let firstStarted: (run: T) => void = () => {};
  let neverStarted: (error: Error) => void = () => {};
  const started = new Promise<T>((resolve, reject) => {
    firstStarted = resolve;
    neverStarted = reject;
  });
  started.catch(() => {}); // only callers who wait for it care

  const loop = async () => {
    let failures = 0;
    while (!stopping) {
      const startedAt = Date.now();
      let error: unknown;
      try {
        running = await start();
        firstStarted(running);
        if (stopping) running.shutdown(); // stop() came while this run was starting
        await running.done;
        if (!stopping) return; // a clean end that was not ours: someone shut the worker down
      } catch (err) {
        error = err;
      } finally {
        running = undefined;
      }
      if (stopping) return;
      failures = Date.now() - startedAt >= healthyAfterMs ? 1 : failures + 1;
      const delayMs = restartDelay(failures, initialDelayMs, maxDelayMs);
      options.onRestart({ error, failures, delayMs });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  };
  const done = loop().finally(() => neverStarted(new Error('worker supervision stopped before a worker started')));

  return {
    current: () => running,
    started,
    done,
    async stop() {
      stopping = true;
      wakeUp();
      running?.shutdown();
      await done;
    },
  };
}

/** The console line for a restart: what failed, when the next attempt is. */
export function describeRestart({ error, failures, delayMs }: RestartNotice): string {
  // Printed on the console: a failed query's SQL and parameters, or quoted values, stay out of it.
  const reason = error === undefined ? 'it stopped' : redactText(error instanceof Error ? error.message : String(error));
  return `worker stopped (${reason}); restarting in ${delayMs / 1000} s (failure ${failures} in a row)`;
}
