import type { SupportAI } from '../ai/supportAI';
import type { Db } from '../db/client';
import { finishImport, saveClassifications, unclassifiedRows } from '../db/historyImports';
import { guarded, type FailureOptions } from './failures';

/** How many classifications of one batch run at once (a remote model's calls overlap; the local one is synchronous anyway). */
const CONCURRENCY = 8;

export interface BatchResult {
  /** Rows this batch classified (0 when another attempt had already done them). */
  classified: number;
  /** Rows of the import classified so far, this batch included (the database's count). */
  total: number;
  /** Whether unclassified rows may remain: the batch was full. */
  more: boolean;
}

/** The history import's steps: classify the next batch of an import's past tickets, close the import. */
export function historyImportActivities(db: Db, ai: SupportAI, now: () => Date, options: FailureOptions) {
  const run = guarded(options);
  return {
    /**
     * Classifies the import's next `batchSize` unclassified tickets with the AI port's triage and
     * writes them in one transaction. A crash before the write repeats this batch only; rows an
     * earlier batch wrote are never selected again.
     */
    classifyHistoryBatch: ({ importId, batchSize }: { importId: string; batchSize: number }): Promise<BatchResult> =>
      run('classifyHistoryBatch', async () => {
        const rows = await unclassifiedRows(db, importId, batchSize);
        const results: Parameters<typeof saveClassifications>[2] = [];
        for (let i = 0; i < rows.length; i += CONCURRENCY) {
          const slice = rows.slice(i, i + CONCURRENCY);
          const classified = await Promise.all(
            slice.map((r) => ai.classify({ ticketId: r.id, channel: r.channel ?? 'email', subject: r.subject, body: r.description })),
          );
          slice.forEach((r, j) => results.push({ id: r.id, classification: classified[j]! }));
        }
        const saved = await saveClassifications(db, importId, results, now());
        return { ...saved, more: rows.length === batchSize };
      }),

    finishHistoryImport: ({ importId, status }: { importId: string; status: 'done' | 'failed' }) =>
      run('finishHistoryImport', () => finishImport(db, importId, status, now())),
  };
}
