/**
 * The one way tests wait: ask `probe` every `everyMs` until `predicate` holds, and fail with the
 * last value seen when it never does. Tests wait on the state they expect, never for a fixed time;
 * where only an assertion is needed, `expect.poll` does the same.
 */
export interface WaitOptions<T> {
  /** 20 s unless told: long enough for a worker on a busy machine, short of vitest's own timeout. */
  timeoutMs?: number;
  everyMs?: number;
  /** What is awaited, in the failure message ("ticket t-1 awaiting review"). */
  describe?: string;
  /** How the last value reads in the failure message; JSON of the whole value otherwise. */
  show?: (last: T) => unknown;
  /**
   * Errors that mean "not yet" (the database is down, the workflow not yet started); any other
   * error from the probe fails the wait at once. None are tolerated unless told.
   */
  tolerate?: (error: unknown) => boolean;
  /** Runs before every probe; a throw fails the wait at once (a worker process that died). */
  check?: () => void;
}

const nothingSeen = Symbol('nothing seen');

export async function waitFor<T>(probe: () => T | Promise<T>, predicate: (value: T) => boolean, options: WaitOptions<T> = {}): Promise<T> {
  const { timeoutMs = 20_000, everyMs = 100, describe = 'condition', show, tolerate, check } = options;
  const deadline = Date.now() + timeoutMs;
  let last: T | typeof nothingSeen = nothingSeen;
  let lastError: unknown;
  for (;;) {
    check?.();
    try {
      const value = await probe();
      last = value;
      if (predicate(value)) return value;
    } catch (error) {
      if (!tolerate?.(error)) throw error;
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  const seen = last === nothingSeen ? 'nothing' : JSON.stringify(show ? show(last) : last)?.slice(0, 2000);
  const error = lastError === undefined ? '' : `; last error: ${String(lastError)}`;
  throw new Error(`${describe}: not within ${timeoutMs} ms; last seen: ${seen}${error}`);
}
