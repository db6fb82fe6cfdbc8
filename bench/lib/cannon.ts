/**
 * runCannon drives a server with autocannon for a bounded time and condenses its result.
 */
import autocannon, { type Options } from 'autocannon';

/** CannonSummary is what the reports need from an autocannon run. */
export interface CannonSummary {
  /** Completed responses (any status) per second over the whole run. */
  rps: number;
  /** Completed responses. */
  total: number;
  /** Latency percentiles, ms. */
  p50: number;
  p99: number;
  max: number;
  /** Connection errors (including timeouts) and timeouts alone. */
  errors: number;
  timeouts: number;
  /** Responses per HTTP status. */
  statusCounts: Record<string, number>;
  /** Seconds the run took. */
  seconds: number;
}

/** CANNON_GRACE_S is how long past its duration a run may go before it is stopped by force. */
export const CANNON_GRACE_S = 30;

/**
 * runCannon runs autocannon with opts (duration in seconds is required) and resolves with a
 * summary; a watchdog stops it if it outlives its duration by CANNON_GRACE_S.
 */
export async function runCannon(opts: Options & { duration: number }): Promise<CannonSummary> {
  const instance = autocannon({ timeout: 60, ...opts });
  const watchdog = setTimeout(() => instance.stop(), (opts.duration + CANNON_GRACE_S) * 1000);
  try {
    const r = await instance;
    const statusCounts: Record<string, number> = {};
    for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) statusCounts[code] = Number(s.count);
    const seconds = r.duration || opts.duration;
    return {
      rps: r.requests.total / seconds,
      total: r.requests.total,
      p50: r.latency.p50,
      p99: r.latency.p99,
      max: r.latency.max,
      errors: r.errors,
      timeouts: r.timeouts,
      statusCounts,
      seconds,
    };
  } finally {
    clearTimeout(watchdog);
  }
}

/**
 * mergeCannon adds up several runs against one server: counts and seconds are summed, the rate
 * is recomputed, p50 and p99 are the means of the runs' percentiles and max is the largest.
 */
export function mergeCannon(parts: CannonSummary[]): CannonSummary {
  if (parts.length === 0) throw new RangeError('mergeCannon: no runs');
  const sum = (f: (p: CannonSummary) => number) => parts.reduce((n, p) => n + f(p), 0);
  const statusCounts: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.statusCounts)) statusCounts[k] = (statusCounts[k] ?? 0) + v;
  const total = sum((p) => p.total);
  const seconds = sum((p) => p.seconds);
  return {
    rps: total / seconds,
    total,
    p50: sum((p) => p.p50) / parts.length,
    p99: sum((p) => p.p99) / parts.length,
    max: Math.max(...parts.map((p) => p.max)),
    errors: sum((p) => p.errors),
    timeouts: sum((p) => p.timeouts),
    statusCounts,
    seconds,
  };
}
