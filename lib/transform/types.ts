/**
 * Transform types shared by the pure transform function, the worker pool and the handler.
 */
import type { Options } from '../request/options.js';
import type { Limits } from '../config.js';

/** TransformResult is the output of a transform: encoded bytes and their media type. */
export interface TransformResult {
  /** Encoded image (or the untouched source when no transformation was asked for). */
  bytes: Uint8Array;
  /** Media type of bytes, e.g. `image/jpeg`. */
  contentType: string;
  /** What the transform ignored and why (e.g. a malformed colour profile), one log line each. */
  warnings?: string[];
}

/**
 * Transformer runs transforms, usually on worker threads; the handler depends only on this.
 */
export interface Transformer {
  /**
   * run transforms bytes by options within limits; it rejects with a ProxyError (422 for an
   * image we will not decode, 503 when the queue is full) and stops waiting when signal aborts.
   */
  run(bytes: Uint8Array, options: Options, limits: Limits, signal?: AbortSignal): Promise<TransformResult>;
  /** close stops the workers. */
  close(): Promise<void>;
  /**
   * ready, when present, resolves once the transformer can answer at full speed (workers
   * started, wasm compiled, code warm); a server awaits it before it listens. It never rejects.
   */
  ready?(): Promise<void>;
}
