// The history import's progress as the workflow reports it (Query, Temporal Web, the CLI's bar):
// plain values and arithmetic, shared by the workflow and its callers.

export const historyImportWorkflowId = (importId: string) => `history-import-${importId}`;

export interface ImportProgress {
  importId: string;
  /** Rows the import inserted (its file's new tickets). */
  total: number;
  /** Rows classified so far, as the database counts them. */
  classified: number;
  /** Batches run, over every run of the workflow (continue-as-new included). */
  batches: number;
  status: 'classifying' | 'done';
  /** When classification started (epoch ms). */
  startedAt: number;
  /** When the last batch finished (epoch ms). */
  updatedAt: number;
}

/** Rows per second so far, or null before there is anything to measure. */
export function rateOf(p: Pick<ImportProgress, 'classified' | 'startedAt' | 'updatedAt'>, startClassified = 0): number | null {
  const seconds = (p.updatedAt - p.startedAt) / 1000;
  const done = p.classified - startClassified;
  return seconds > 0 && done > 0 ? done / seconds : null;
}

/** Seconds left at the rate so far, or null when it cannot be told yet. */
export function etaSeconds(p: ImportProgress, startClassified = 0): number | null {
  if (p.status === 'done' || p.classified >= p.total) return 0;
  const rate = rateOf(p, startClassified);
  return rate === null ? null : (p.total - p.classified) / rate;
}

/** "1 m 05 s", "2 h 03 m", "12 s": a duration as a progress line shows it. */
export function readableSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} m`;
}

/** The one-line status Temporal Web shows for an import (no ticket text: current details are not encrypted). */
export function progressLine(p: ImportProgress): string {
  const percent = p.total === 0 ? 100 : Math.floor((p.classified / p.total) * 100);
  const eta = etaSeconds(p);
  const left = p.status === 'done' ? 'done' : eta === null ? 'estimating time left' : `about ${readableSeconds(eta)} left`;
  return `History import ${p.importId}: ${p.classified} of ${p.total} tickets classified (${percent}%), ${p.batches} batch${p.batches === 1 ? '' : 'es'}, ${left}`;
}
