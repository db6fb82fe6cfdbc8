/**
 * Cache guard: wraps a backend so that its failures (down, slow, full, corrupt) become misses,
 * are counted, and are logged once per burst instead of once per request.
 */
import type { Cache } from './cache.js';
import type { Logger } from '../config.js';

/** CACHE_OP_TIMEOUT_MS bounds one cache operation (5 s), so a hung backend costs a request at most this long. */
export const CACHE_OP_TIMEOUT_MS = 5_000;
/** CACHE_ERROR_LOG_INTERVAL_MS is the quiet time (60 s) after which a further failure is logged again. */
export const CACHE_ERROR_LOG_INTERVAL_MS = 60_000;

/** CacheTimeoutError is a cache operation that ran past its time limit. */
export class CacheTimeoutError extends Error {
  constructor(op: string, ms: number) {
    super(`cache ${op} took longer than ${ms} ms`);
    this.name = 'CacheTimeoutError';
  }
}

/** GuardOptions configure a GuardedCache. */
export interface GuardOptions {
  /** Backend name for log lines and onError, e.g. `redis(localhost:6379)`. */
  name: string;
  /** Where failure lines go. */
  logger: Logger;
  /** Time limit per operation; CACHE_OP_TIMEOUT_MS by default. */
  timeoutMs?: number;
  /** Minimum time between two failure log lines; CACHE_ERROR_LOG_INTERVAL_MS by default. */
  logIntervalMs?: number;
  /** Called for every failure, e.g. to count it in metrics. */
  onError?: (backend: string, err: unknown) => void;
  /** Clock, for tests. */
  now?: () => number;
}

function withTimeout<T>(p: Promise<T>, ms: number, op: string): Promise<T> {
  // Keep a late rejection from becoming an unhandled rejection once we stopped waiting.
  p.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CacheTimeoutError(op, ms)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function message(err: unknown): string {
  return err instanceof Error ? err.message || err.name : String(err);
}

/**
 * GuardedCache is a Cache that never throws: every operation has a time limit, and a failure
 * is a miss (get) or a no-op (set, delete).
 */
export class GuardedCache implements Cache {
  /** errors counts every failed operation since construction. */
  errors = 0;
  private readonly timeoutMs: number;
  private readonly logIntervalMs: number;
  private readonly now: () => number;
  private lastLogAt: number | undefined;
  private suppressed = 0;
  private failing = false;

  constructor(
    /** The backend being guarded. */
    readonly inner: Cache,
    private readonly opts: GuardOptions,
  ) {
    this.timeoutMs = opts.timeoutMs ?? CACHE_OP_TIMEOUT_MS;
    this.logIntervalMs = opts.logIntervalMs ?? CACHE_ERROR_LOG_INTERVAL_MS;
    this.now = opts.now ?? Date.now;
  }

  /** get returns the stored bytes, or undefined on a miss or failure. */
  async get(key: string): Promise<Buffer | undefined> {
    try {
      const v = await withTimeout(Promise.resolve().then(() => this.inner.get(key)), this.timeoutMs, 'get');
      this.ok();
      return v;
    } catch (err) {
      this.fail('get', err);
      return undefined;
    }
  }

  /** peek asks a backend that answers at once; a failure is a miss, logged and counted. */
  peek(key: string): Buffer | undefined {
    try {
      return this.inner.peek?.(key);
    } catch (err) {
      this.fail('peek', err);
      return undefined;
    }
  }

  /** set stores value; a failure is logged and counted, never thrown. */
  async set(key: string, value: Buffer, ttlMs?: number): Promise<void> {
    try {
      await withTimeout(Promise.resolve().then(() => this.inner.set(key, value, ttlMs)), this.timeoutMs, 'set');
      this.ok();
    } catch (err) {
      this.fail('set', err);
    }
  }

  /** delete removes key; a failure is logged and counted, never thrown. */
  async delete(key: string): Promise<void> {
    try {
      await withTimeout(Promise.resolve().then(() => this.inner.delete(key)), this.timeoutMs, 'delete');
      this.ok();
    } catch (err) {
      this.fail('delete', err);
    }
  }

  /** close closes the backend; a failure is logged, never thrown. */
  async close(): Promise<void> {
    try {
      await withTimeout(Promise.resolve().then(() => this.inner.close?.()), this.timeoutMs, 'close');
    } catch (err) {
      this.fail('close', err);
    }
  }

  private ok(): void {
    if (!this.failing) return;
    this.failing = false;
    this.opts.logger.info(`cache ${this.opts.name}: working again (${this.suppressed} failures not logged).`);
    this.suppressed = 0;
  }

  private fail(op: string, err: unknown): void {
    this.errors++;
    this.failing = true;
    try {
      this.opts.onError?.(this.opts.name, err);
    } catch {
      // A broken metrics hook must not turn a cache miss into a failed request.
    }
    const now = this.now();
    if (this.lastLogAt === undefined || now - this.lastLogAt >= this.logIntervalMs) {
      const more = this.suppressed > 0 ? ` (${this.suppressed} earlier failures not logged)` : '';
      this.opts.logger.warn(`cache ${this.opts.name}: ${op} failed, treated as a miss: ${message(err)}${more}`);
      this.lastLogAt = now;
      this.suppressed = 0;
    } else {
      this.suppressed++;
    }
  }
}
