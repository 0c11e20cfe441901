import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/client';
import { recordImport, recordInvalidImport } from '../db/historyImports';
import { historyImportWorkflowId } from '../domain/historyImport';
import type { HistoryField, HistoryFormat } from '../domain/historyFormats';
import type { historyImportWorkflow } from '../workflows/historyImport';
import { readHistoryFile, type ImportProblem, type ReadOptions } from './historyFile';

// One import, as the CLI and the API both run it: read and check the whole file; refused, the
// import is recorded with its problems and nothing else; clean, its rows are inserted (a ticket
// imported before is skipped) and the classification workflow starts.

export interface ImportRequest {
  bytes: Uint8Array;
  kind: ReadOptions['kind'];
  format: HistoryFormat;
  map?: Partial<Record<HistoryField, string>>;
  /** Which helpdesk the ids belong to (default: the format); a re-import of the same ids is skipped. */
  source?: string;
  fileName?: string | null;
  createdBy: string;
  /** Tickets per classification batch (the workflow's default otherwise). */
  batchSize?: number;
  /** Batches per workflow run before continue-as-new (the workflow's default otherwise). */
  batchesPerRun?: number;
  heartbeatTimeoutMs?: number;
}

export type ImportOutcome =
  | { status: 'invalid'; importId: string; problems: ImportProblem[] }
  | { status: 'classifying' | 'done'; importId: string; workflowId: string | null; rows: number; skipped: number };

export const newImportId = () => `imp_${randomUUID().replaceAll('-', '').slice(0, 16)}`;

export async function importHistory(deps: { db: Db; client: Client; taskQueue: string }, request: ImportRequest): Promise<ImportOutcome> {
  const importId = newImportId();
  const source = request.source ?? request.format;
  const fileName = request.fileName ?? null;
  const { rows, problems } = readHistoryFile(request.bytes, {
    kind: request.kind,
    format: request.format,
    ...(request.map ? { map: request.map } : {}),
  });
  if (problems.length > 0) {
    await recordInvalidImport(deps.db, { id: importId, source, fileName, createdBy: request.createdBy, problems });
    return { status: 'invalid', importId, problems };
  }
  const workflowId = historyImportWorkflowId(importId);
  const { inserted, skipped } = await recordImport(
    deps.db,
    { id: importId, source, fileName, createdBy: request.createdBy, workflowId },
    rows,
  );
  if (inserted === 0) return { status: 'done', importId, workflowId: null, rows: 0, skipped };
  await deps.client.workflow.start<typeof historyImportWorkflow>('historyImportWorkflow', {
    workflowId,
    taskQueue: deps.taskQueue,
    args: [
      {
        importId,
        total: inserted,
        ...(request.batchSize ? { batchSize: request.batchSize } : {}),
        ...(request.batchesPerRun ? { batchesPerRun: request.batchesPerRun } : {}),
        ...(request.heartbeatTimeoutMs ? { heartbeatTimeoutMs: request.heartbeatTimeoutMs } : {}),
      },
    ],
    // Shown in Temporal Web's list and page; names only, no ticket text (these are not encrypted).
    staticSummary: `History import ${importId}: ${inserted} ${source} tickets`,
    staticDetails: `Classifies the ${inserted} past tickets of import **${importId}** (source ${source}${fileName ? `, file ${fileName}` : ''}) in batches; progress in the current details and the \`progress\` Query.`,
  });
  return { status: 'classifying', importId, workflowId, rows: inserted, skipped };
}
