/**
 * Small statistics helpers for the benchmark: medians, percentiles, ratios and number formatting.
 *
 * Pure functions only, so they can be unit-tested without starting any server.
 */

/** Summary is the usual description of a sample of timings (all in the sample's unit). */
export interface Summary {
  /** Number of values. */
  count: number;
  /** Smallest value. */
  min: number;
  /** Middle value (mean of the two middle values for an even count). */
  median: number;
  /** Arithmetic mean. */
  mean: number;
  /** 99th percentile (linear interpolation between ranks). */
  p99: number;
  /** Largest value. */
  max: number;
}

function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/**
 * percentile returns the p-th percentile (0..100) of values, interpolating linearly between the
 * two nearest ranks (the same definition as numpy's default); NaN for an empty sample.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside 0..100`);
  const s = sorted(values);
  const rank = (p / 100) * (s.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return s[lo] + (s[hi] - s[lo]) * (rank - lo);
}

/** median returns the middle value of values (NaN for an empty sample). */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** mean returns the arithmetic mean of values (NaN for an empty sample). */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** summarize describes values with count, min, median, mean, p99 and max. */
export function summarize(values: readonly number[]): Summary {
  const s = sorted(values);
  return {
    count: s.length,
    min: s.length ? s[0] : NaN,
    median: median(s),
    mean: mean(s),
    p99: percentile(s, 99),
    max: s.length ? s[s.length - 1] : NaN,
  };
}

/**
 * ratio returns a / b, or NaN when either is missing or not finite or b is zero, so a skipped
 * engine shows up as "n/a" rather than as Infinity.
 */
export function ratio(a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return NaN;
  return a / b;
}

/** fmt formats n with the given number of decimals, or "n/a" when n is not finite. */
export function fmt(n: number | undefined, decimals = 1): string {
  if (n === undefined || Number.isNaN(n)) return 'n/a';
  if (n === Infinity) return '∞';
  return n.toFixed(decimals);
}

/** fmtBytes formats a byte count as B, KiB or MiB. */
export function fmtBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return 'n/a';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
