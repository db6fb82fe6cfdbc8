/**
 * Timing for tests that bound how long something takes.
 */

/** timed runs fn and resolves with its value and the milliseconds it took (monotonic clock). */
export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await fn();
  return [v, performance.now() - t0];
}
