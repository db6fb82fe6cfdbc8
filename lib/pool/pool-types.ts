/**
 * The transform pool's settings and records: its options and constants (each with its reason),
 * the per-worker V8 limits, what run() and each worker slot carry, and the small rules the pool
 * applies to them (pool.ts is the pool itself).
 */
import type { ResourceLimits, Worker } from 'node:worker_threads';
import type { Options } from '../request/options.js';
import { DEFAULT_WORKER_MEMORY_MB, type Limits, type Logger, type ProxyConfig } from '../config.js';
import { defaultWorkers } from './cpus.js';
import type { Transformer, TransformResult } from '../transform/types.js';

/**
 * WORKER_YOUNG_GENERATION_MB sizes each worker's young generation: pixel data lives outside the
 * JS heap, so a small nursery loses no speed and keeps resident memory low under load.
 */
export const WORKER_YOUNG_GENERATION_MB = 16;

/**
 * workerResourceLimits are the V8 limits of a worker whose JS heap may grow to memoryMb (old
 * generation), so a decoder that builds huge JS arrays kills only its worker (422) instead of the
 * process. Pixel buffers are ArrayBuffers outside the heap; Limits.maxPixels bounds those.
 */
export function workerResourceLimits(memoryMb: number = DEFAULT_WORKER_MEMORY_MB): ResourceLimits {
  return { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB };
}

/** DEFAULT_WORKER_RESOURCE_LIMITS are workerResourceLimits at DEFAULT_WORKER_MEMORY_MB (config.ts). */
export const DEFAULT_WORKER_RESOURCE_LIMITS: ResourceLimits = workerResourceLimits();

/**
 * DEEP_WARM_IDLE_MS is how long no worker may have had a task, once the pool has answered one,
 * before a worker runs its deep warm-up: a pause between requests (tasks meanwhile go to the
 * other workers).
 */
export const DEEP_WARM_IDLE_MS = 10;

/**
 * DEEP_WARM_DELAY_MS is how long after its start a worker of a pool that has answered nothing
 * yet waits before its deep warm-up: longer than a cold start takes to its first answer, so the
 * warm-up never shares the cores with that.
 */
export const DEEP_WARM_DELAY_MS = 1_000;

/** DEEP_WARM_SERVED is how many tasks make a worker warm enough to skip its deep warm-up. */
export const DEEP_WARM_SERVED = 2;

/**
 * EXTRA_WORKERS_DELAY_MS is how long after the first worker is ready the others start at the
 * latest, when no task asked for them sooner: soon enough that an idle server is at full
 * strength within a second, late enough that a cold start's first answer does not share the
 * cores with their boot.
 */
export const EXTRA_WORKERS_DELAY_MS = 500;

/** MAX_RESTART_DELAY_MS caps the back-off between attempts to start a worker that fails at start-up, so a broken install does not spin. */
export const MAX_RESTART_DELAY_MS = 5_000;

/** PoolOptions configure createTransformPool. */
export interface PoolOptions {
  /** Number of worker threads; 0 means defaultWorkers() (the cores, capped by the cgroup CPU quota). */
  workers: number;
  /** Largest number of tasks waiting for a worker; more are refused with 503. */
  maxQueue: number;
  /**
   * Worker entry module (a file that calls serveTransforms, as tests and the fuzzer use);
   * default: the embedded worker, which needs no file.
   */
  workerModule?: URL;
  /** Worker code as CommonJS source text, started with `eval`; takes precedence over workerModule. */
  workerSource?: string;
  /**
   * Whether each worker runs a tiny warm-up transform before it is ready; default false: measured
   * on a cold start, it made the first worker ready ~40 ms later and the first real transform no
   * faster (what costs there is V8 running cold pixel loops, which a 64-pixel image does not warm).
   */
  warmUp?: boolean;
  /**
   * Whether each worker runs its deep warm-up once the pool is idle (DEEP_WARM_IDLE_MS); default:
   * true for the embedded worker only (a worker given by module or source may not answer it).
   */
  deepWarmUp?: boolean;
  /**
   * Directory of the embedded worker's code cache (code-cache.ts): V8's compiled code kept between
   * starts, so workers start ~40 ms sooner; undefined or '' keeps none. Ignored for other workers.
   */
  codeCacheDir?: string;
  /** Per-worker V8 limits; defaults to DEFAULT_WORKER_RESOURCE_LIMITS. */
  resourceLimits?: ResourceLimits;
  /** Time limit for one task in milliseconds; 0 means none. Defaults to DEFAULT_TRANSFORM_TIMEOUT_MS (config.ts). */
  taskTimeoutMs?: number;
  /** Retry-After seconds of the 503 for a full queue; defaults to OverloadedError's. */
  retryAfterSeconds?: number;
  /** Receives worker crashes and unexpected transform errors; silent when undefined. */
  logger?: Logger;
}

/** PoolStats is a snapshot of the pool's load. */
export interface PoolStats {
  /** Workers running a task. */
  busy: number;
  /** Tasks waiting for a worker. */
  queued: number;
  /** Live workers (including ones starting up). */
  workers: number;
}

/** TransformPool is a Transformer backed by worker threads, with load statistics. */
export type TransformPool = Transformer & {
  stats(): PoolStats;
  /**
   * ready resolves once every worker started so far has started and warmed up (at first only
   * one: see the file comment), or as soon as one fails to start (tasks then reject with
   * WorkerStartError); it never rejects.
   */
  ready(): Promise<void>;
};

/** One run() call on its way through the pool. */
export interface Task {
  id: number;
  bytes: Uint8Array;
  options: Options;
  limits: Limits;
  signal?: AbortSignal;
  onAbort?: () => void;
  timer?: NodeJS.Timeout;
  settled: boolean;
  resolve(r: TransformResult): void;
  reject(e: unknown): void;
}

/** One worker thread and what it is doing. */
export interface Slot {
  worker: Worker;
  /** The worker has loaded its transform and said so. */
  ready: boolean;
  task?: Task;
  /** Why the pool terminated this worker, when it did. */
  killedFor?: 'timeout' | 'close';
  /** The last uncaught error the worker reported. */
  error?: Error & { code?: string };
  /** performance.now() when the worker last became idle (or was started). */
  idleSince: number;
  /** The deep warm-up: still to run, running (the worker is busy with it), or done (or not wanted). */
  deepWarm: 'pending' | 'running' | 'done';
  /** Tasks this worker has answered. */
  served: number;
  /** performance.now() when the worker said it was ready. */
  readyAt: number;
  /** The worker said it is collecting its garbage after its last reply and has not said `collected` yet. */
  collecting?: boolean;
  /** The slab (slabs.ts) holding the source of the task this worker is running. */
  slab?: Uint8Array;
}

/**
 * ownedCopy copies bytes into a new, exactly sized ArrayBuffer that is not zero-filled first
 * (Buffer.allocUnsafeSlow), with a memcpy: `new Uint8Array(bytes)` measured ~0.57 ms of CPU for a
 * 223 KB source and ~4.9 ms for a 2.6 MB one on the event-loop thread, this ~0.02 and ~0.8 ms.
 */
export function ownedCopy(bytes: Uint8Array): Uint8Array {
  const copy = Buffer.allocUnsafeSlow(bytes.byteLength);
  // Buffer#copy is a memcpy; TypedArray#set from a Buffer measured ten times slower.
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).copy(copy);
  return copy;
}

/** abortReason is what a task rejects with when its signal aborts. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/**
 * preferred reports whether idle slot a is a better choice than b: not deep-warming, then not
 * collecting, then the one that served more tasks (its code is the most optimised), then the
 * one used last (its caches and wasm memories are the warmest).
 */
export function preferred(a: Slot, b: Slot): boolean {
  const aWarming = a.deepWarm === 'running';
  if (aWarming !== (b.deepWarm === 'running')) return !aWarming;
  const aCollecting = a.collecting === true;
  if (aCollecting !== (b.collecting === true)) return !aCollecting;
  if (a.served !== b.served) return a.served > b.served;
  return a.idleSince > b.idleSince;
}

/**
 * poolOptionsFor is the pool a proxy with `config` runs: its workers (0: defaultWorkers()), queue,
 * time limit and per-worker memory, logging to its logger.
 */
export function poolOptionsFor(config: ProxyConfig): PoolOptions {
  return {
    workers: config.workers || defaultWorkers(),
    maxQueue: config.maxQueue,
    taskTimeoutMs: config.transformTimeoutMs,
    resourceLimits: workerResourceLimits(config.workerMemoryMb),
    codeCacheDir: config.codeCacheDir,
    logger: config.logger,
  };
}
