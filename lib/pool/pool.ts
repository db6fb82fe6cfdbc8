/**
 * Transform pool: runs transforms on worker threads so that decoding and encoding never block
 * the thread that serves requests.
 *
 * Behaviour in brief:
 * - Each worker runs one task at a time; extra tasks wait in a bounded FIFO queue, and when it is
 *   full run() rejects at once with OverloadedError (503 + Retry-After).
 * - Input bytes are copied when the task is sent (so the caller's buffer is never detached and
 *   may be cached as is); the copy and the result are transferred, not cloned.
 * - A task whose signal aborts while queued is dropped without reaching a worker. A task whose
 *   signal aborts while running rejects at once, but its worker finishes the work and the result
 *   is discarded: killing a warm worker would cost a restart, and the per-task time limit already
 *   bounds how long the work can take.
 * - A task that runs past the time limit terminates its worker (422 `too_slow`); a worker that
 *   crashes (uncaught error, process.exit, heap limit) fails only its own task with 422 and is
 *   replaced.
 * - Workers start from code, not files: the embedded worker (start.ts) is source text, and the
 *   wasm it needs is compiled once here and handed over compiled; with a code cache directory
 *   (code-cache.ts) V8's compiled code for it is kept between starts. ready() resolves once all
 *   started workers have loaded their code, so a server can hold back listening until then.
 * - The first worker starts alone; the others start once it is ready and the pool has a use for
 *   them (a task has to wait, the first task is answered) or EXTRA_WORKERS_DELAY_MS later. A cold
 *   start's first answer needs one worker, and on a small machine the others' boot (each a Node
 *   environment and the worker code compiled) would share the cores with it.
 * - A worker that dies before it is ready (a broken install or runtime, not a bad image) fails
 *   its task, and every task while no worker has started, with WorkerStartError (500, never a
 *   503 "busy"), and is restarted with back-off up to MAX_RESTART_DELAY_MS.
 * - A task goes to the idle worker that has served the most tasks (then the one used last),
 *   unless it said it is collecting its last task's garbage (reclaimPixelMemory in worker.ts,
 *   several milliseconds) and another is idle. That worker has the most optimised code and the
 *   warmest caches and wasm memories: sequential 1024 -> 500w requests over two workers took
 *   20.9 ms (median) when they alternated, 16-18 ms this way.
 * - One worker at a time runs its deep warm-up when the whole pool is idle (deep-warm.ts).
 * - Idle workers are unref'd and busy or starting ones ref'd, so an idle pool never keeps the
 *   process alive while a pending task (or ready()) always does; close() still terminates everything.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { defaultWorkers } from './cpus.js';
import type { Options } from '../request/options.js';
import {
  DEFAULT_TRANSFORM_TIMEOUT_MS, type Limits, type Logger,
} from '../config.js';
import type { Transformer, TransformResult } from '../transform/types.js';
import { OverloadedError, UnprocessableImageError, WorkerStartError } from '../errors.js';
import { reviveError, WORKER_DATA_KEY, type ReplyMessage, type TaskMessage } from './protocol.js';
import { EMBEDDED_WORKER, EMBEDDED_WORKER_HASH, WorkerWasm, type WorkerCode } from './start.js';
import { CODE_CACHE_BOOT, CODE_CACHE_DATA_KEY, codeCacheFile, type CodeCacheStart } from './code-cache.js';
import { InputSlabs, isShared } from './slabs.js';
import { DeepWarmScheduler } from './deep-warm.js';
import { exitError } from './exits.js';
import {
  abortReason, DEEP_WARM_DELAY_MS, DEEP_WARM_IDLE_MS, DEFAULT_WORKER_RESOURCE_LIMITS, EXTRA_WORKERS_DELAY_MS,
  MAX_RESTART_DELAY_MS, preferred, workerResourceLimits, type PoolOptions, type PoolStats, type Slot, type Task,
  type TransformPool,
} from './pool-types.js';

export { reviveError } from './protocol.js';
export {
  poolOptionsFor, DEEP_WARM_DELAY_MS, DEEP_WARM_IDLE_MS, DEEP_WARM_SERVED, DEFAULT_WORKER_RESOURCE_LIMITS, EXTRA_WORKERS_DELAY_MS,
  MAX_RESTART_DELAY_MS, ownedCopy, WORKER_YOUNG_GENERATION_MB, workerResourceLimits,
  type PoolOptions, type PoolStats, type TransformPool,
} from './pool-types.js';


/** Pool implements TransformPool; see the file comment for its behaviour. */
class Pool implements TransformPool {
  private readonly size: number;
  private readonly maxQueue: number;
  private readonly code: WorkerCode;
  /** The wasm shared with the embedded worker; undefined for a worker given by module or source. */
  private readonly wasm?: WorkerWasm;
  private readonly warmUp: boolean;
  /** The embedded worker's code cache, when opts.codeCacheDir names one. */
  private readonly codeCache?: CodeCacheStart;
  private readonly deepWarmUp: boolean;
  /** performance.now() when a task was last sent or answered; 0 before the first. */
  private lastActive = 0;
  /** Whether any task has been answered. */
  private answered = false;
  /** When each worker runs its deep warm-up (deep-warm.ts). */
  private readonly deepWarm = new DeepWarmScheduler(() => ({
    slots: this.slots,
    busy: this.queue.length > 0 || this.slots.some((s) => s.task !== undefined),
    closing: this.closing !== undefined,
    answered: this.answered,
    lastActive: this.lastActive,
  }));
  /** Workers still to start beyond the first (see the file comment); 0 once they have been. */
  private deferred = 0;
  /** Starts the deferred workers at the latest EXTRA_WORKERS_DELAY_MS after the first is ready. */
  private growTimer?: NodeJS.Timeout;
  /** Resolvers of ready() calls waiting for the workers. */
  private readyWaiters: Array<() => void> = [];
  /** The last start failure, for the WorkerStartError's log detail. */
  private startError?: string;
  private readonly resourceLimits: ResourceLimits;
  private readonly taskTimeoutMs: number;
  /** Undefined leaves OverloadedError's own default. */
  private readonly retryAfterSeconds?: number;
  private readonly logger?: Logger;
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private readonly slabs = new InputSlabs();
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  private nextId = 1;
  private startFailures = 0;
  private closing?: Promise<void>;

  constructor(opts: PoolOptions) {
    this.size = opts.workers > 0 ? Math.max(1, Math.floor(opts.workers)) : defaultWorkers();
    this.maxQueue = Math.max(0, Math.floor(opts.maxQueue));
    this.code = opts.workerSource !== undefined ? { source: opts.workerSource }
      : opts.workerModule !== undefined ? { module: opts.workerModule } : EMBEDDED_WORKER;
    this.resourceLimits = opts.resourceLimits ?? DEFAULT_WORKER_RESOURCE_LIMITS;
    this.taskTimeoutMs = opts.taskTimeoutMs ?? DEFAULT_TRANSFORM_TIMEOUT_MS;
    this.retryAfterSeconds = opts.retryAfterSeconds;
    this.logger = opts.logger;
    this.warmUp = opts.warmUp ?? false;
    this.deepWarmUp = opts.deepWarmUp ?? this.code === EMBEDDED_WORKER;
    if (this.code === EMBEDDED_WORKER && opts.codeCacheDir) {
      this.codeCache = { source: (EMBEDDED_WORKER as { source: string }).source, file: codeCacheFile(opts.codeCacheDir, EMBEDDED_WORKER_HASH) };
    }
    if (this.code === EMBEDDED_WORKER) {
      this.wasm = new WorkerWasm();
      void this.wasm.codecs.then((d) => {
        if (d.error !== undefined) this.logger?.warn(`transform pool could not compile the codec wasm: ${d.error}`);
      });
    }
    this.deferred = this.size - 1;
    this.spawn();
  }

  /** grow starts the workers deferred at construction (once). */
  private grow(): void {
    clearTimeout(this.growTimer);
    this.growTimer = undefined;
    if (this.closing) return;
    for (; this.deferred > 0; this.deferred--) this.spawn();
  }

  run(bytes: Uint8Array, options: Options, limits: Limits, signal?: AbortSignal): Promise<TransformResult> {
    if (this.closing) return Promise.reject(new OverloadedError('The server is shutting down.', this.retryAfterSeconds));
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.startFailures > 0 && !this.slots.some((s) => s.ready)) return Promise.reject(this.startFailed());
    let idle = this.idleSlot();
    if (idle === undefined && this.deferred > 0) {
      // A task that would wait is what the deferred workers are for; it goes to one of them.
      this.grow();
      idle = this.idleSlot();
    }
    if (idle === undefined && this.queue.length >= this.maxQueue) {
      return Promise.reject(new OverloadedError(undefined, this.retryAfterSeconds));
    }
    return new Promise<TransformResult>((resolve, reject) => {
      const task: Task = { id: this.nextId++, bytes, options, limits, signal, settled: false, resolve, reject };
      if (signal) {
        task.onAbort = () => {
          const i = this.queue.indexOf(task);
          if (i >= 0) this.queue.splice(i, 1);
          // A running task keeps its worker busy until the worker answers; see the file comment.
          this.settle(task, undefined, abortReason(signal));
        };
        signal.addEventListener('abort', task.onAbort, { once: true });
      }
      if (idle) this.dispatch(idle, task);
      else this.queue.push(task);
    });
  }

  stats(): PoolStats {
    return {
      busy: this.slots.filter((s) => s.task !== undefined).length,
      queued: this.queue.length,
      workers: this.slots.length,
    };
  }

  async ready(): Promise<void> {
    if (this.isReady()) return;
    await new Promise<void>((resolve) => this.readyWaiters.push(resolve));
  }

  /** isReady reports whether ready() may resolve: all workers ready, a start failed, or closing. */
  private isReady(): boolean {
    return this.closing !== undefined || this.startFailures > 0 || this.slots.every((s) => s.ready);
  }

  /** wake resolves the waiting ready() calls when isReady. */
  private wake(): void {
    if (!this.isReady()) return;
    for (const r of this.readyWaiters.splice(0)) r();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.wake();
      this.deepWarm.stop();
      clearTimeout(this.growTimer);
      for (const t of this.restartTimers) clearTimeout(t);
      this.restartTimers.clear();
      for (const task of this.queue.splice(0)) {
        this.settle(task, undefined, new OverloadedError('The server is shutting down.', this.retryAfterSeconds));
      }
      await Promise.all(this.slots.map((s) => {
        s.killedFor = 'close';
        return s.worker.terminate();
      }));
    })();
    return this.closing;
  }

  /** spawn starts one worker and wires its events; a worker that cannot even be created counts as a start failure. */
  private spawn(): void {
    let worker: Worker;
    try {
      const start = this.wasm?.startData(this.warmUp) ?? { data: { warmUp: this.warmUp }, transfer: [] };
      const source = this.codeCache ? CODE_CACHE_BOOT : 'source' in this.code ? this.code.source : undefined;
      const workerData = this.codeCache ? { [WORKER_DATA_KEY]: start.data, [CODE_CACHE_DATA_KEY]: this.codeCache } : { [WORKER_DATA_KEY]: start.data };
      worker = new Worker(source ?? ('module' in this.code ? this.code.module : ''), {
        eval: source !== undefined,
        workerData,
        transferList: start.transfer,
        resourceLimits: this.resourceLimits,
        // --input-type (from `node -e`) makes a worker refuse its file entry.
        execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')),
      });
    } catch (err) {
      this.logger?.error(`transform worker could not be created: ${String(err)}`);
      this.startError = String(err);
      this.failedStart();
      return;
    }
    // A new worker counts as used longest ago, so a warm one is preferred while its code is still cold.
    const slot: Slot = { worker, ready: false, idleSince: 0, deepWarm: this.deepWarmUp ? 'pending' : 'done', served: 0, readyAt: 0 };
    worker.on('message', (msg: ReplyMessage) => this.onMessage(slot, msg));
    worker.on('error', (err: Error) => {
      slot.error = err;
      this.logger?.warn(`transform worker failed: ${err.message}`);
    });
    worker.on('exit', (code) => this.onExit(slot, code));
    // A starting worker stays ref'd, as a pending task would: ready() may be waiting for it.
    // It is unref'd once ready and idle (see onMessage).
    this.slots.push(slot);
  }

  /**
   * idleSlot returns the idle worker that served the most (one collecting, or running its deep
   * warm-up, only when no other is idle); see the file comment for why.
   */
  private idleSlot(): Slot | undefined {
    let best: Slot | undefined;
    for (const s of this.slots) {
      if (s.task !== undefined || s.killedFor !== undefined) continue;
      if (best === undefined || preferred(s, best)) best = s;
    }
    return best;
  }

  /** dispatch sends task to the idle worker of slot; the input is copied into a slab (slabs.ts), or copied and transferred. */
  private dispatch(slot: Slot, task: Task): void {
    slot.task = task;
    this.lastActive = performance.now();
    slot.worker.ref();
    const copy = this.slabs.copyOf(task.bytes);
    const shared = isShared(copy);
    if (shared) slot.slab = copy;
    const msg: TaskMessage = { id: task.id, bytes: copy, options: task.options, limits: task.limits };
    try {
      slot.worker.postMessage(msg, shared ? [] : [copy.buffer as ArrayBuffer]);
    } catch (err) {
      // Options that cannot be cloned are a programming error, but still not the client's 500.
      this.logger?.error(`transform pool could not send a task: ${String(err)}`);
      this.finish(slot);
      this.settle(task, undefined, new UnprocessableImageError('The image could not be processed.'));
      this.pump();
      return;
    }
    if (this.taskTimeoutMs > 0) {
      task.timer = setTimeout(() => {
        slot.killedFor = 'timeout';
        void slot.worker.terminate();
      }, this.taskTimeoutMs);
      task.timer.unref();
    }
  }

  /** finish marks slot idle again. */
  private finish(slot: Slot): void {
    const task = slot.task;
    if (task?.timer) clearTimeout(task.timer);
    slot.task = undefined;
    // The worker has answered (or is gone), so it reads the source no more.
    if (slot.slab) this.slabs.give(slot.slab);
    slot.slab = undefined;
    slot.idleSince = performance.now();
    this.lastActive = slot.idleSince;
    this.deepWarm.schedule(DEEP_WARM_IDLE_MS);
    slot.worker.unref();
  }

  /** settle resolves or rejects task once, and detaches its abort listener. */
  private settle(task: Task, result: TransformResult | undefined, err?: unknown): void {
    if (task.settled) return;
    task.settled = true;
    if (task.signal && task.onAbort) task.signal.removeEventListener('abort', task.onAbort);
    if (result !== undefined) task.resolve(result);
    else task.reject(err);
  }

  /** pump hands queued tasks to idle workers. */
  private pump(): void {
    while (this.queue.length > 0) {
      const slot = this.idleSlot();
      if (slot === undefined) return;
      this.dispatch(slot, this.queue.shift()!);
    }
  }

  private onMessage(slot: Slot, msg: ReplyMessage): void {
    if (msg.type === 'ready') {
      slot.ready = true;
      if (slot.task === undefined) slot.worker.unref();
      this.startFailures = 0;
      this.startError = undefined;
      if (this.deferred > 0 && this.growTimer === undefined) {
        this.growTimer = setTimeout(() => this.grow(), EXTRA_WORKERS_DELAY_MS);
        this.growTimer.unref();
      }
      this.wake();
      slot.readyAt = performance.now();
      this.deepWarm.schedule(this.answered ? DEEP_WARM_IDLE_MS : DEEP_WARM_DELAY_MS);
      return;
    }
    if (msg.type === 'collected') {
      slot.collecting = false;
      return;
    }
    if (msg.type === 'warmed') {
      slot.deepWarm = 'done';
      slot.collecting = msg.collecting === true;
      this.deepWarm.schedule(DEEP_WARM_IDLE_MS);
      return;
    }
    const task = slot.task;
    if (task === undefined || task.id !== msg.id) return;
    slot.served++;
    slot.collecting = msg.collecting === true;
    this.answered = true;
    this.finish(slot);
    // The first answer is out once the main thread has sent it, so the others start after that.
    if (this.deferred > 0) setImmediate(() => this.grow());
    if (msg.type === 'result') {
      const b = msg.bytes;
      const bytes = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
      this.settle(task, msg.warnings ? { bytes, contentType: msg.contentType, warnings: msg.warnings } : { bytes, contentType: msg.contentType });
    } else {
      this.settle(task, undefined, reviveError(msg.error));
    }
    this.pump();
  }

  private onExit(slot: Slot, code: number): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    const started = slot.ready || slot.killedFor !== undefined;
    if (!started) {
      this.startError = slot.error ? `${slot.error.name}: ${slot.error.message}` : `the worker exited with code ${code} before it was ready`;
    }
    const task = slot.task;
    if (task) {
      this.finish(slot);
      this.settle(task, undefined, exitError(slot, () => this.startFailed(), this.retryAfterSeconds));
    }
    if (this.closing) return;
    if (slot.killedFor === undefined) {
      this.logger?.warn(`transform worker exited with code ${code}${slot.error ? `: ${slot.error.message}` : ''}`);
    }
    if (started) {
      this.spawn();
      this.pump();
      return;
    }
    this.failedStart();
  }

  /**
   * failedStart handles a worker that died before it was ready: something is wrong with the
   * install or the runtime, not with an image. Queued tasks fail at once while no worker has
   * started (nothing would run them), and the worker is retried with back-off.
   */
  private failedStart(): void {
    this.startFailures++;
    if (!this.slots.some((s) => s.ready)) {
      for (const t of this.queue.splice(0)) this.settle(t, undefined, this.startFailed());
    }
    this.wake();
    const delay = Math.min(MAX_RESTART_DELAY_MS, 100 * 2 ** (this.startFailures - 1));
    const timer = setTimeout(() => {
      this.restartTimers.delete(timer);
      if (this.closing) return;
      this.spawn();
      this.pump();
    }, delay);
    timer.unref();
    this.restartTimers.add(timer);
  }

  /** startFailed is the WorkerStartError tasks reject with while workers cannot start; the cause goes to the log only. */
  private startFailed(): WorkerStartError {
    const err = new WorkerStartError();
    if (this.startError !== undefined) err.detail = this.startError;
    return err;
  }
}

/**
 * createTransformPool starts worker threads that run transform() and returns a Transformer
 * with load statistics; call close() to stop the workers.
 */
export function createTransformPool(opts: PoolOptions): TransformPool {
  return new Pool(opts);
}
