// The statistics every report uses, decided once: a proportion's 95% interval, percentiles, a
// trend line, and whether a group is big enough to read. Pure, so report code and tests agree.

/** A share with its Wilson score interval (95% by default): honest for small samples and for 0% or 100%. */
export interface Share {
  count: number;
  of: number;
  /** null when `of` is 0: nothing to divide. */
  rate: number | null;
  low: number | null;
  high: number | null;
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

export function wilson(count: number, of: number, z = 1.959964): Share {
  if (of <= 0) return { count, of, rate: null, low: null, high: null };
  const p = count / of;
  const z2 = z * z;
  const centre = (p + z2 / (2 * of)) / (1 + z2 / of);
  const half = (z * Math.sqrt((p * (1 - p)) / of + z2 / (4 * of * of))) / (1 + z2 / of);
  return { count, of, rate: round4(p), low: round4(Math.max(0, centre - half)), high: round4(Math.min(1, centre + half)) };
}

/** The p-th percentile (0–100) by linear interpolation between closest ranks; null for no samples. */
export function percentile(samples: number[], p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/** Least-squares slope and intercept of y over x = 0, 1, 2, … (skipping nulls); null with fewer than two points. */
export function trendLine(ys: (number | null)[]): { slope: number; intercept: number } | null {
  const points = ys.flatMap((y, x) => (y === null ? [] : [[x, y] as const]));
  if (points.length < 2) return null;
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope: round4(slope), intercept: round4(my - slope * mx) };
}

/** Below this many tickets a group's figures are shown but marked as too small to act on. */
export const DEFAULT_MIN_SAMPLE = 30;

/** Two shares differ when their 95% intervals do not overlap (a conservative test, stated in the docs). */
export function clearlyBelow(a: Share, b: Share): boolean {
  return a.high !== null && b.low !== null && a.high < b.low;
}

/** A mean with its 95% interval (normal approximation, mean ± 1.96·s/√n), from a count, a sum and a sum of squares. */
export interface MeanInterval {
  count: number;
  /** null when there is nothing to average; low and high also need two values. */
  mean: number | null;
  low: number | null;
  high: number | null;
}

export function meanInterval(count: number, sum: number, sumSquares: number, z = 1.959964): MeanInterval {
  if (count <= 0) return { count, mean: null, low: null, high: null };
  const mean = sum / count;
  if (count < 2) return { count, mean: round4(mean), low: null, high: null };
  const variance = Math.max(0, (sumSquares - (sum * sum) / count) / (count - 1));
  const half = z * Math.sqrt(variance / count);
  return { count, mean: round4(mean), low: round4(mean - half), high: round4(mean + half) };
}
