import { addHistograms, histogramPercentile } from './histogram';
import { addCounts, type OutcomeCell, type OutcomeCounts, type OutcomeGrouping } from './outcomeRows';

// The outcomes report's cells from rollup rows (whole days) and edge rows (the partial days at
// the window's ends, from the tickets), both at the finer grouping (the requested dimensions with
// category and tier): counts add up, and so do the time histograms the medians and p90s are read
// from. Pure.

export interface OutcomeHistograms {
  ttr: number[];
  handle: number[];
  frt: number[];
}

/** One group × mode of the finer grouping, from a rollup read or the edges. */
export interface OutcomePart extends OutcomeCounts {
  group: Partial<Record<OutcomeGrouping, string>>;
  mode: string;
  hist: OutcomeHistograms;
}

const addHist = (a: OutcomeHistograms, b: OutcomeHistograms): OutcomeHistograms => ({
  ttr: addHistograms(a.ttr, b.ttr),
  handle: addHistograms(a.handle, b.handle),
  frt: addHistograms(a.frt, b.frt),
});

function merge(parts: OutcomePart[], dims: readonly OutcomeGrouping[]): OutcomePart[] {
  const byKey = new Map<string, OutcomePart>();
  for (const p of parts) {
    const group = Object.fromEntries(dims.map((g) => [g, p.group[g]!]));
    const key = JSON.stringify([dims.map((g) => group[g]), p.mode]);
    const seen = byKey.get(key);
    byKey.set(key, seen ? { ...seen, ...addCounts(seen, p), hist: addHist(seen.hist, p.hist) } : { ...p, group });
  }
  return [...byKey.values()].filter((p) => p.tickets > 0);
}

const ms = (v: number | null) => (v === null ? null : Math.round(v));
const times = (h: number[]) => ({ p50Ms: ms(histogramPercentile(h, 0.5)), p90Ms: ms(histogramPercentile(h, 0.9)) });

const cellOf = ({ hist: _hist, ...counts }: OutcomePart): OutcomeCell => counts;

/** The requested cells (with times) and the finer ones (counts only), as the report reads them. */
export function outcomeCellsOf(
  parts: OutcomePart[],
  requested: readonly OutcomeGrouping[],
  finer: readonly OutcomeGrouping[],
): { requested: OutcomeCell[]; finer: OutcomeCell[] } {
  const fine = merge(parts, finer);
  const coarse = requested.length === finer.length ? fine : merge(fine, requested);
  return {
    requested: coarse.map((p) => ({
      ...cellOf(p),
      times: { timeToResolution: times(p.hist.ttr), handleTime: times(p.hist.handle), firstResponse: times(p.hist.frt) },
    })),
    finer: fine.map(cellOf),
  };
}
