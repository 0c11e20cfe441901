// Log-scale histograms of durations, as the balance rollups keep them (the migration's
// rollup_bucket): bucket 0 holds 0 to 1 s, bucket i (1–72) a third of an octave from
// 1 s · 2^((i−1)/3) to 1 s · 2^(i/3), bucket 73 anything from 2^24 s (194 days) on. Counts add up,
// so a window's histogram is the sum of its rollup rows'; a percentile read from one falls in the
// same bucket as the exact value (at most a factor 2^(1/3) ≈ 1.26 off; within the bucket it is
// interpolated, so typically a few percent). Pure.

export const HISTOGRAM_BUCKETS = 74;
const BASE_MS = 1000;
const PER_OCTAVE = 3;

/** The bucket of a duration in milliseconds (as the SQL computes it), null for none. */
export function bucketOf(ms: number | null): number | null {
  if (ms === null || !Number.isFinite(ms)) return null;
  if (ms < BASE_MS) return 0;
  return Math.min(HISTOGRAM_BUCKETS - 1, 1 + Math.floor((PER_OCTAVE * Math.log(ms / BASE_MS)) / Math.log(2)));
}

/** Where a bucket starts and ends, in milliseconds (the last one ends where it starts). */
export function bucketBounds(bucket: number): { low: number; high: number } {
  if (bucket === 0) return { low: 0, high: BASE_MS };
  const low = BASE_MS * 2 ** ((bucket - 1) / PER_OCTAVE);
  return { low, high: bucket === HISTOGRAM_BUCKETS - 1 ? low : BASE_MS * 2 ** (bucket / PER_OCTAVE) };
}

export const emptyHistogram = (): number[] => new Array<number>(HISTOGRAM_BUCKETS).fill(0);

/** The histogram of bucket numbers (nulls skipped). */
export function histogramOf(buckets: readonly (number | null)[]): number[] {
  const h = emptyHistogram();
  for (const b of buckets) if (b !== null) h[b]! += 1;
  return h;
}

/** Element-wise sum; a missing histogram counts as empty. */
export function addHistograms(a: readonly number[] | undefined, b: readonly number[] | undefined): number[] {
  const out = emptyHistogram();
  for (let i = 0; i < HISTOGRAM_BUCKETS; i++) out[i] = (a?.[i] ?? 0) + (b?.[i] ?? 0);
  return out;
}

/** The value at a 0-based continuous rank: the bucket holding it, its items spread evenly over it (log-scale above 1 s). */
function valueAtRank(h: readonly number[], rank: number): number {
  let before = 0;
  for (let i = 0; i < h.length; i++) {
    const n = h[i]!;
    if (n > 0 && rank < before + n) {
      const { low, high } = bucketBounds(i);
      const fraction = (rank - before + 0.5) / n;
      return i === 0 ? low + (high - low) * fraction : low * (high / low) ** fraction;
    }
    before += n;
  }
  return bucketBounds(HISTOGRAM_BUCKETS - 1).low;
}

/**
 * The p-th quantile (0–1) the way percentile_cont reads it (linear between the two closest
 * ranks), from a histogram; null for an empty one.
 */
export function histogramPercentile(h: readonly number[], p: number): number | null {
  const total = h.reduce((a, n) => a + n, 0);
  if (total === 0) return null;
  const at = p * (total - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  const a = valueAtRank(h, lo);
  return lo === hi ? a : a + (valueAtRank(h, hi) - a) * (at - lo);
}

/** A histogram as the SQL hands it over: its counts joined by commas (driver-independent). */
export function parseHistogram(text: string | null | undefined): number[] {
  if (!text) return emptyHistogram();
  const parts = text.split(',').map(Number);
  return parts.length === HISTOGRAM_BUCKETS ? parts : addHistograms(parts, undefined);
}
