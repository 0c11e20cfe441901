import { defineQuery } from '@temporalio/workflow';
import type { ImportProgress } from '../domain/historyImport';

/** How far an import's classification has come: the CLI's progress bar polls it. */
export const progressQuery = defineQuery<ImportProgress>('progress');
