import { addHistograms, histogramPercentile } from './histogram';
import type { QuadrantAggregate } from './taxonomy';
import type { Complexity, Repeatability } from './vocabulary';

// The taxonomy audit's aggregates from rollup rows (whole days) and edge rows (partial days, from
// the tickets), each per quadrant × category × live/imported: counts add up, and the median
// handle time is read from the summed handle-time histogram. Pure.

export interface TaxonomyPart {
  complexity: Complexity;
  repeatability: Repeatability;
  category: string | null;
  imported: boolean;
  tickets: number;
  reopened: number;
  rated: number;
  csatSum: number;
  /** Handle time histogram, in milliseconds (src/domain/histogram.ts). */
  handle: number[];
}

type Sum = Omit<TaxonomyPart, 'imported' | 'category'> & { category: string | null; imported: number };

/** Per quadrant (category null) and per quadrant × category ('other' for none), as the SQL grouping sets gave them. */
export function quadrantAggregates(parts: TaxonomyPart[]): QuadrantAggregate[] {
  const sums = new Map<string, Sum>();
  const add = (category: string | null, p: TaxonomyPart) => {
    const key = JSON.stringify([p.complexity, p.repeatability, category]);
    const s = sums.get(key) ?? { ...p, category, imported: 0, tickets: 0, reopened: 0, rated: 0, csatSum: 0, handle: [] };
    sums.set(key, {
      ...s,
      tickets: s.tickets + p.tickets,
      imported: s.imported + (p.imported ? p.tickets : 0),
      reopened: s.reopened + p.reopened,
      rated: s.rated + p.rated,
      csatSum: s.csatSum + p.csatSum,
      handle: addHistograms(s.handle, p.handle),
    });
  };
  for (const p of parts) {
    if (p.tickets === 0) continue;
    add(null, p);
    add(p.category ?? 'other', p);
  }
  return [...sums.values()]
    .filter((s) => s.tickets > 0)
    .map((s) => {
      const median = histogramPercentile(s.handle, 0.5);
      return {
        complexity: s.complexity,
        repeatability: s.repeatability,
        category: s.category,
        tickets: s.tickets,
        imported: s.imported,
        medianHandleMinutes: median === null ? null : median / 60_000,
        reopened: s.reopened,
        rated: s.rated,
        csatSum: s.csatSum,
      };
    });
}
