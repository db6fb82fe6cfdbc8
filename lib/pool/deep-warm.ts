/**
 * Deep warm-up scheduling: when a pool's workers run their deep warm-up (warmup.ts: photo-sized
 * transforms, so the first real photos do not run cold code).
 *
 * One worker at a time warms, and only while the whole pool is idle: DEEP_WARM_IDLE_MS after the
 * pool's last activity once it has answered (never in the way of a cold start's first request),
 * or DEEP_WARM_DELAY_MS after the worker became ready when no request came. A worker that served
 * DEEP_WARM_SERVED tasks is warm already and skips it. A task goes to a warming worker only when
 * no other is idle (pool-types.ts `preferred`).
 */
import { DEEP_WARM_DELAY_MS, DEEP_WARM_IDLE_MS, DEEP_WARM_SERVED, type Slot } from './pool-types.js';
import type { WarmMessage } from './protocol.js';

/** PoolActivity is what the scheduler reads of its pool, each time it looks. */
export interface PoolActivity {
  readonly slots: readonly Slot[];
  /** A task is queued or running. */
  readonly busy: boolean;
  readonly closing: boolean;
  /** Whether any task has been answered. */
  readonly answered: boolean;
  /** performance.now() when a task was last sent or answered. */
  readonly lastActive: number;
}

/** DeepWarmScheduler decides when each worker of a pool runs its deep warm-up; see the file comment. */
export class DeepWarmScheduler {
  private timer?: NodeJS.Timeout;

  constructor(
    /** Reads the pool's state; called whenever the scheduler looks again. */
    private readonly activity: () => PoolActivity,
  ) {}

  /** schedule (re)arms the check to run in ms, while a worker still waits for its deep warm-up. */
  schedule(ms: number): void {
    this.stop();
    const pool = this.activity();
    if (pool.closing || !pool.slots.some((s) => s.deepWarm === 'pending')) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.next();
    }, Math.max(0, ms));
    // Warming is never a reason to keep the process alive.
    this.timer.unref();
  }

  /** stop cancels the armed check. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * next asks one ready, idle worker for its deep warm-up when the pool is idle as the file
   * comment says and no other worker is warming; the pool calls schedule() again later.
   */
  private next(): void {
    const pool = this.activity();
    if (pool.closing || pool.busy || pool.slots.some((s) => s.deepWarm === 'running')) return;
    const now = performance.now();
    for (const slot of pool.slots) {
      if (slot.deepWarm !== 'pending' || !slot.ready || slot.killedFor !== undefined) continue;
      if (slot.served >= DEEP_WARM_SERVED) {
        slot.deepWarm = 'done';
        continue;
      }
      const wait = pool.answered ? pool.lastActive + DEEP_WARM_IDLE_MS - now : slot.readyAt + DEEP_WARM_DELAY_MS - now;
      if (wait > 0) {
        this.schedule(wait);
        return;
      }
      try {
        slot.worker.postMessage({ type: 'warm' } satisfies WarmMessage);
        slot.deepWarm = 'running';
      } catch {
        slot.deepWarm = 'done';
        continue;
      }
      return;
    }
  }
}
