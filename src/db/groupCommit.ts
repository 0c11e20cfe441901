/**
 * Coalesces concurrent calls into few statements: whatever is queued while a run is in flight goes
 * into the next run together. An idle caller runs at once (no timer, no added latency); under load
 * many callers share one round trip and one commit. One run at a time: PostgreSQL's cost is mostly
 * per statement, so a second run in flight only halved the batches (measured on the deliveries).
 * A run that fails for a batch is tried again item by item, so one bad item never fails the others.
 *
 * Between two runs the event loop's current turn is let finish (one setImmediate): what the last
 * run's answers set off a few promise steps later (a delivery whose attempt was just recorded ends,
 * and the next one asks for its rows) and the answers that came in meanwhile join the next run,
 * instead of missing it and waiting a whole run more. Measured on the webhook deliveries at 100
 * side by side: about a tenth more per second, and bigger, fewer statements.
 */
export function groupCommit<T, R>(run: (items: T[]) => Promise<R[]>, options: { maxBatch?: number } = {}) {
  const { maxBatch = 256 } = options;
  const queue: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  let running = false;
  const settle = async (batch: typeof queue): Promise<void> => {
    try {
      const results = await run(batch.map((b) => b.item));
      batch.forEach((b, i) => b.resolve(results[i]!));
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      for (const b of batch) await settle([b]);
    }
  };
  const drain = async () => {
    running = true;
    while (queue.length > 0) {
      await settle(queue.splice(0, maxBatch));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    running = false;
  };
  return (item: T): Promise<R> =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!running) void drain();
    });
}
