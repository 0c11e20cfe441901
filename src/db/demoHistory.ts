import { count, like } from 'drizzle-orm';
import type { Db } from './client';
import { copyClient, copyRows } from './copyRows';
import { HISTORY_PREFIX, mulberry32 } from './demoProfiles';
import { demoReviews, writeDemoReviews } from './demoReviews';
import { generateTicket } from './demoTicket';
import { aiDrafts, aiFeedback, overrides, tickets } from './schema';

// A documented, seeded generator of synthetic ticket history, so every report has numbers on a
// fresh `npm run dev` and the benchmarks have a million rows to aggregate. Each ticket is a closed
// read-model row (id `hist_<n>`, created by `demo-history`) with the AI's call beside the final
// one, its outcome and stage durations, its AI drafts, the feedback agents gave and the overrides
// they made. The same seed always gives the same history (mulberry32).

export interface DemoHistoryOptions {
  /** How many days back the history reaches (default 90). */
  days?: number;
  /** How many tickets (default 3000). */
  tickets?: number;
  /** The generator's seed (default 42). */
  seed?: number;
  /** Explicit feedback rows per AI answer, on average (default 0.4; the bench asks for 3). */
  feedbackPerAnswer?: number;
  /** "Now" for the history (default: the real now). */
  now?: Date;
  onProgress?: (done: number, total: number) => void;
}

/** Whether history was already generated (dev seeds it once). */
export async function hasDemoHistory(db: Db): Promise<boolean> {
  const [row] = await db
    .select({ n: count() })
    .from(tickets)
    .where(like(tickets.id, `${HISTORY_PREFIX}%`));
  return (row?.n ?? 0) > 0;
}

/** Writes the history in batches; returns how many rows of each kind. */
export async function generateDemoHistory(db: Db, options: DemoHistoryOptions = {}) {
  const { days = 90, tickets: total = 3000, seed = 42, feedbackPerAnswer = 0.4 } = options;
  const now = (options.now ?? new Date()).getTime();
  const r = mulberry32(seed);
  // The review's own generator: adding it left every ticket of a seed's history as it was.
  const reviewRandom = mulberry32(seed + 1);
  const written = { tickets: 0, drafts: 0, feedback: 0, overrides: 0, reviewItems: 0 };
  // COPY where the driver has it (a million tickets in minutes); else multi-row INSERTs, in
  // batches under PostgreSQL's 65,535 bind parameters per statement.
  const copy = copyClient(db);
  const BATCH = copy ? 5000 : 800;
  for (let start = 0; start < total; start += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, total - start) }, (_, i) =>
      generateTicket(r, start + i + 1, now, days, feedbackPerAnswer),
    );
    const drafts = batch.flatMap((b) => b.drafts);
    const feedback = batch.flatMap((b) => b.feedback);
    const overrideRows = batch.flatMap((b) => b.overrides);
    if (copy) {
      await copyRows(
        copy,
        tickets,
        batch.map((b) => b.ticket),
      );
      await copyRows(copy, aiDrafts, drafts);
      await copyRows(copy, aiFeedback, feedback);
      await copyRows(copy, overrides, overrideRows);
    } else {
      await db.transaction(async (tx) => {
        await tx
          .insert(tickets)
          .values(batch.map((b) => b.ticket))
          .onConflictDoNothing();
        for (let i = 0; i < drafts.length; i += 2000)
          await tx
            .insert(aiDrafts)
            .values(drafts.slice(i, i + 2000))
            .onConflictDoNothing();
        for (let i = 0; i < feedback.length; i += 2000)
          await tx
            .insert(aiFeedback)
            .values(feedback.slice(i, i + 2000))
            .onConflictDoNothing();
        for (let i = 0; i < overrideRows.length; i += 4000)
          await tx
            .insert(overrides)
            .values(overrideRows.slice(i, i + 4000))
            .onConflictDoNothing();
      });
    }
    written.reviewItems += await writeDemoReviews(db, demoReviews(feedback, now, reviewRandom));
    written.tickets += batch.length;
    written.drafts += drafts.length;
    written.feedback += feedback.length;
    written.overrides += overrideRows.length;
    options.onProgress?.(written.tickets, total);
  }
  return written;
}
