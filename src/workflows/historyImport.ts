import { continueAsNew, proxyActivities, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import type { TandemActivities } from '../activities';
import { progressLine, type ImportProgress } from '../domain/historyImport';
import { progressQuery } from './historyImportMessages';

export interface HistoryImportInput {
  importId: string;
  /** Rows the import inserted. */
  total: number;
  /** Tickets per activity (default 200): what a crash may repeat at most. */
  batchSize?: number;
  /** Batches per run before continue-as-new (default 200), so the history stays short at any size. */
  batchesPerRun?: number;
  /** How soon a dead worker's batch is retried elsewhere (default 30 s). */
  heartbeatTimeoutMs?: number;
  /** Progress carried over continue-as-new; absent on the first run. */
  carried?: Pick<ImportProgress, 'classified' | 'batches' | 'startedAt'>;
}

/**
 * Classifies an import's past tickets batch by batch. Each batch is an activity that picks rows
 * still unclassified, so a batch interrupted by a crash is the only one run again and a
 * finished one never is; progress is a Query and the current details Temporal Web shows.
 */
export async function historyImportWorkflow(input: HistoryImportInput): Promise<ImportProgress> {
  const batchSize = input.batchSize ?? 200;
  const batchesPerRun = input.batchesPerRun ?? 200;
  // A batch of a remote model's calls can take minutes; heartbeats tell a dead worker within
  // the heartbeat timeout. Retries go on (a provider outage waits, it does not fail the import).
  const options = {
    startToCloseTimeout: '15 minutes',
    heartbeatTimeout: input.heartbeatTimeoutMs ?? 30_000,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1 minute' },
  };
  const { classifyHistoryBatch, finishHistoryImport } = proxyActivities<TandemActivities>(options);
  const progress: ImportProgress = {
    importId: input.importId,
    total: input.total,
    classified: input.carried?.classified ?? 0,
    batches: input.carried?.batches ?? 0,
    status: 'classifying',
    startedAt: input.carried?.startedAt ?? Date.now(),
    updatedAt: Date.now(),
  };
  setHandler(progressQuery, () => ({ ...progress }));
  setCurrentDetails(progressLine(progress));

  for (let run = 0; run < batchesPerRun && !workflowInfo().continueAsNewSuggested; run++) {
    const batch = await classifyHistoryBatch.executeWithOptions({ ...options, summary: `batch ${progress.batches + 1}` }, [
      { importId: input.importId, batchSize },
    ]);
    progress.batches++;
    progress.classified = batch.total;
    progress.updatedAt = Date.now();
    setCurrentDetails(progressLine(progress));
    if (!batch.more) {
      await finishHistoryImport({ importId: input.importId, status: 'done' });
      progress.status = 'done';
      setCurrentDetails(progressLine(progress));
      return progress;
    }
  }
  return await continueAsNew<typeof historyImportWorkflow>({
    ...input,
    carried: { classified: progress.classified, batches: progress.batches, startedAt: progress.startedAt },
  });
}
