/**
 * The inline transformer: runs transform() in the calling thread, for runtimes without
 * worker_threads (Cloudflare Workers) or when asked to, under the pool's rules where a thread can
 * keep them.
 *
 * - One transform at a time: they are CPU work on the one thread, so running two at once only
 *   holds two images' pixels; extra tasks wait in a FIFO bounded by maxQueue, and past it run()
 *   rejects at once with OverloadedError (503), as the pool does.
 * - Each task starts on a fresh macrotask, so the I/O that arrived while the last one ran (new
 *   requests, origin bodies, client aborts) is handled in between.
 * - A task whose signal aborts while queued is dropped; while running, it rejects at once and
 *   its result is discarded (the pool does the same).
 * - The time limit cannot interrupt synchronous code: a transform that yields is failed when the
 *   limit passes, and one that finishes past it is failed then, so an image answers 422
 *   `too_slow` here exactly when it would in the pool.
 * - There is no per-task heap limit (workerMemoryMb) in one thread; Limits.maxPixels, checked
 *   before decoding, is what bounds a task's memory.
 * - Errors cross the same (de)serialisation as the pool's worker replies, so a client sees the
 *   same status, code and message whichever ran the transform.
 */
import type { Limits } from '../config.js';
import { DEFAULT_MAX_QUEUE, DEFAULT_TRANSFORM_TIMEOUT_MS } from '../config.js';
import { OverloadedError, UnprocessableImageError } from '../errors.js';
import type { Options } from '../request/options.js';
import type { Transformer, TransformResult } from '../transform/types.js';
import { reviveError, serializeError, type TransformFn } from './protocol.js';

/** InlineOptions configure createInlineTransformer. */
export interface InlineOptions {
  /** Largest number of tasks waiting behind the running one; more are refused with 503. Default DEFAULT_MAX_QUEUE. */
  maxQueue?: number;
  /** Time limit for one task in milliseconds; 0 means none. Default DEFAULT_TRANSFORM_TIMEOUT_MS. */
  taskTimeoutMs?: number;
  /** Retry-After seconds of the 503 for a full queue; defaults to OverloadedError's. */
  retryAfterSeconds?: number;
  /** The transform to run; default lib/transform/transform.ts, loaded on first use (tests pass their own). */
  transform?: TransformFn;
}

/** InlineStats is a snapshot of the inline transformer's load, in the pool's terms. */
export interface InlineStats {
  /** 1 while a transform runs, else 0. */
  busy: number;
  /** Tasks waiting. */
  queued: number;
  /** Always 1: the calling thread. */
  workers: number;
}

/** InlineTransformer is a Transformer running in the calling thread, with load statistics. */
export type InlineTransformer = Transformer & { stats(): InlineStats };

/** One run() call waiting or running. */
interface Task {
  bytes: Uint8Array;
  options: Options;
  limits: Limits;
  signal?: AbortSignal;
  onAbort?: () => void;
  settled: boolean;
  resolve(r: TransformResult): void;
  reject(e: unknown): void;
}

/** abortReason is what a task rejects with when its signal aborts. */
function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/** nextMacrotask resolves after pending I/O callbacks have had their turn. */
function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** tooSlow is the pool's answer for a task past its time limit. */
function tooSlow(): UnprocessableImageError {
  return new UnprocessableImageError('The image took too long to process.', 'too_slow');
}

/** Inline implements InlineTransformer; see the file comment for its behaviour. */
class Inline implements InlineTransformer {
  private readonly maxQueue: number;
  private readonly taskTimeoutMs: number;
  private readonly retryAfterSeconds?: number;
  private fn: TransformFn | undefined;
  /** Tasks waiting for their turn, in order. */
  private readonly queue: Task[] = [];
  /** Settles when the last task accepted so far has finished; the next one waits for it. */
  private tail: Promise<void> = Promise.resolve();
  /** The task being transformed now. */
  private current: Task | undefined;
  private closed = false;

  constructor(opts: InlineOptions) {
    this.maxQueue = Math.max(0, Math.floor(opts.maxQueue ?? DEFAULT_MAX_QUEUE));
    this.taskTimeoutMs = opts.taskTimeoutMs ?? DEFAULT_TRANSFORM_TIMEOUT_MS;
    this.retryAfterSeconds = opts.retryAfterSeconds;
    this.fn = opts.transform;
  }

  run(bytes: Uint8Array, options: Options, limits: Limits, signal?: AbortSignal): Promise<TransformResult> {
    if (this.closed) return Promise.reject(new OverloadedError('The server is shutting down.', this.retryAfterSeconds));
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.waiting() >= this.maxQueue) {
      return Promise.reject(new OverloadedError(undefined, this.retryAfterSeconds));
    }
    return new Promise<TransformResult>((resolve, reject) => {
      const task: Task = { bytes, options, limits, signal, settled: false, resolve, reject };
      if (signal) {
        task.onAbort = () => {
          const i = this.queue.indexOf(task);
          if (i >= 0) this.queue.splice(i, 1);
          this.settle(task, undefined, abortReason(signal));
        };
        signal.addEventListener('abort', task.onAbort, { once: true });
      }
      this.queue.push(task);
      void this.turn(task);
    });
  }

  stats(): InlineStats {
    return { busy: this.current ? 1 : 0, queued: this.queue.length, workers: 1 };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) {
      this.settle(task, undefined, new OverloadedError('The server is shutting down.', this.retryAfterSeconds));
    }
  }

  /**
   * waiting counts the tasks that wait behind another: every queued one while a task runs, all
   * but the next one while none does (it starts on the next macrotask); -1 when idle, so a task
   * is always accepted then.
   */
  private waiting(): number {
    return this.current ? this.queue.length : this.queue.length - 1;
  }

  /**
   * turn runs task once every task accepted before it has finished. Each task is run by its own
   * run() call, never by a loop an earlier call started: on Workers, code that continues an
   * earlier request's promise after that request has answered is cancelled, so a shared loop
   * would stop there and leave every later task waiting.
   */
  private async turn(task: Task): Promise<void> {
    const before = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => { release = r; });
    try {
      await before;
      await nextMacrotask();
      const i = this.queue.indexOf(task);
      if (i < 0) return; // aborted, or refused at close, while it waited
      this.queue.splice(i, 1);
      this.current = task;
      await this.execute(task);
    } finally {
      this.current = undefined;
      release();
    }
  }

  /** execute runs one task to its end, or to its time limit when the transform yields past it. */
  private async execute(task: Task): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const started = Date.now();
    try {
      const fn = await this.transformFn();
      const work = fn(task.bytes, task.options, task.limits);
      const limited = this.taskTimeoutMs > 0
        ? Promise.race([work, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(tooSlow()), this.taskTimeoutMs); })])
        : work;
      work.catch(() => undefined); // a transform still running past its limit must not reject unheard
      const result = await limited;
      if (this.taskTimeoutMs > 0 && Date.now() - started > this.taskTimeoutMs) throw tooSlow();
      this.settle(task, result);
    } catch (err) {
      // The same mapping as a worker's reply: a ProxyError keeps its class, anything else is 422.
      this.settle(task, undefined, reviveError(serializeError(err)));
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  /** transformFn returns the transform, importing the real one on first use so that merely creating this costs nothing. */
  private async transformFn(): Promise<TransformFn> {
    this.fn ??= (await import('../transform/transform.js')).transform;
    return this.fn;
  }

  /** settle resolves or rejects task once, and detaches its abort listener. */
  private settle(task: Task, result: TransformResult | undefined, err?: unknown): void {
    if (task.settled) return;
    task.settled = true;
    if (task.signal && task.onAbort) task.signal.removeEventListener('abort', task.onAbort);
    if (result !== undefined) task.resolve(result);
    else task.reject(err);
  }
}

/**
 * createInlineTransformer returns a Transformer that runs transform() in the calling thread, one
 * task at a time, with the pool's queue bound, time limit and error mapping.
 */
export function createInlineTransformer(opts: InlineOptions = {}): InlineTransformer {
  return new Inline(opts);
}
