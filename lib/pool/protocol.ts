/**
 * The worker protocol: the messages the transform pool and its workers exchange, and the one
 * (de)serialisation of errors that crosses the thread boundary.
 *
 * An error is sent as plain data with a stable kind (not a class name, which a minifier may
 * rename) and rebuilt by that kind's own constructor, so the pool rejects with an instance of
 * the very class the worker threw, with the same status, code, message, headers and detail.
 */
import type { Options } from '../request/options.js';
import type { Limits } from '../config.js';
import type { TransformResult } from '../transform/types.js';
import {
  BadGatewayError, BadRequestError, ForbiddenError, GatewayTimeoutError, NotFoundError, OriginStatusError,
  OverloadedError, ProxyError, TooLargeError, UnprocessableImageError, UnsupportedMediaError, WorkerStartError,
  isProxyError,
} from '../errors.js';
import { NotTransformableError } from '../codecs/types.js';
import type { CodecModules, CodecWasm, WasmModule } from '../codecs/wasm/loader.js';
import type { MessagePort } from 'node:worker_threads';

/** TransformFn is the shape of transform() in lib/transform/transform.ts. */
export type TransformFn = (bytes: Uint8Array, options: Options, limits: Limits) => Promise<TransformResult>;

/** TaskMessage is one transform request sent from the pool to a worker. */
export interface TaskMessage {
  /** Task number, echoed in the reply. */
  id: number;
  /** Source image; the buffer is transferred, so the worker owns it. */
  bytes: Uint8Array;
  /** Requested transformations. */
  options: Options;
  /** Decode and output bounds. */
  limits: Limits;
}

/**
 * WarmMessage asks an idle worker for its deep warm-up (warmup.ts deepWarmUp); it answers
 * `warmed`. The pool sends it once per worker, when the whole pool has been idle a while.
 */
export interface WarmMessage {
  type: 'warm';
}

/** PoolMessage is anything the pool posts to a worker: a task or the deep warm-up request. */
export type PoolMessage = TaskMessage | WarmMessage;

/** isWarmMessage tells the deep warm-up request from a task. */
export function isWarmMessage(msg: PoolMessage): msg is WarmMessage {
  return (msg as Partial<WarmMessage>).type === 'warm';
}

/** SerializedError is a ProxyError as it crosses the thread boundary. */
export interface SerializedError {
  /** Stable name of the error's class (a key of ERROR_KINDS); absent or unknown: chosen by status. */
  kind?: string;
  /** HTTP status. */
  status: number;
  /** Stable machine-readable code. */
  code: string;
  /** Client-facing sentence. */
  message: string;
  /** Extra response headers of the error. */
  headers: Record<string, string>;
  /** Technical detail (a library's message, or a non-ProxyError's text), for the server log only. */
  detail?: string;
}

/**
 * ReplyMessage is a worker's answer: ready after start-up, then one result or error per task,
 * and warmed after the deep warm-up the pool asked for. `collecting` on a result, error or
 * warmed says the worker now collects its garbage (reclaimPixelMemory: the young generation,
 * then a full collection when that was not enough) before it takes the next message;
 * `collected` follows when it is done.
 */
export type ReplyMessage =
  | { type: 'ready' }
  | { type: 'warmed'; collecting?: true }
  | { type: 'collected' }
  | { type: 'result'; id: number; bytes: Uint8Array; contentType: string; warnings?: string[]; collecting?: true }
  | { type: 'error'; id: number; error: SerializedError; collecting?: true };

/** WORKER_DATA_KEY names the workerData field that carries a worker's WorkerStartData. */
export const WORKER_DATA_KEY = 'imageproxyWorker';

/** WorkerStartData is what the pool hands a new worker (worker-main.ts) in workerData. */
export interface WorkerStartData {
  /**
   * Port on which the worker asks for the codec wasm (posting CODEC_REQUEST, when an image first
   * needs it) and one CodecDelivery arrives: the modules, compiled once in the pool's thread.
   */
  codecPort?: MessagePort;
  /** The codec modules that arrive on codecPort; the worker waits for these and no others. */
  codecs?: readonly CodecWasm[];
  /** The transform passes' wasm modules by name, compiled in the pool's thread (lib/transform/wasm/runtime.ts). */
  transformModules?: Record<string, WasmModule>;
  /** Whether to run the warm-up transform (warmup.ts) before posting `ready`. */
  warmUp?: boolean;
}

/** CODEC_REQUEST is what a worker posts on its codecPort to ask for the codec modules. */
export const CODEC_REQUEST = 'codecs?';

/** CodecDelivery is the one message on a worker's codecPort: the compiled codec modules, or why there are none. */
export type CodecDelivery = { modules: CodecModules; error?: undefined } | { error: string; modules?: undefined };

/** ErrorKind is one error class that crosses the thread boundary and how to rebuild it. */
interface ErrorKind {
  cls: abstract new (...args: never[]) => ProxyError;
  /** revive constructs the class from the wire form; reviveError then restores every field. */
  revive(e: SerializedError): ProxyError;
}

/**
 * ERROR_KINDS lists every error class a transform (or anything behind the pool) may throw,
 * under a stable name. A class missing here crosses as its nearest listed ancestor; the
 * protocol test fails for every exported class that does.
 */
export const ERROR_KINDS: Readonly<Record<string, ErrorKind>> = {
  ProxyError: { cls: ProxyError, revive: (e) => new ProxyError(e.status, e.code, e.message) },
  BadRequestError: { cls: BadRequestError, revive: (e) => new BadRequestError(e.message) },
  ForbiddenError: { cls: ForbiddenError, revive: (e) => new ForbiddenError(e.message) },
  NotFoundError: { cls: NotFoundError, revive: (e) => new NotFoundError(e.message) },
  TooLargeError: { cls: TooLargeError, revive: (e) => new TooLargeError(e.message) },
  UnsupportedMediaError: { cls: UnsupportedMediaError, revive: (e) => new UnsupportedMediaError(e.message) },
  UnprocessableImageError: { cls: UnprocessableImageError, revive: (e) => new UnprocessableImageError(e.message) },
  NotTransformableError: { cls: NotTransformableError, revive: (e) => new NotTransformableError(e.message) },
  BadGatewayError: { cls: BadGatewayError, revive: (e) => new BadGatewayError(e.message) },
  OverloadedError: { cls: OverloadedError, revive: (e) => new OverloadedError(e.message) },
  GatewayTimeoutError: { cls: GatewayTimeoutError, revive: (e) => new GatewayTimeoutError(e.message) },
  OriginStatusError: { cls: OriginStatusError, revive: (e) => new OriginStatusError(e.status) },
  WorkerStartError: { cls: WorkerStartError, revive: (e) => new WorkerStartError(e.message) },
};

/**
 * STATUS_KINDS names the class an error of a status becomes when it arrives without a listed
 * kind (a plain ProxyError): the class whose answers carry that status.
 */
const STATUS_KINDS: Readonly<Record<number, string>> = {
  400: 'BadRequestError', 403: 'ForbiddenError', 404: 'NotFoundError', 413: 'TooLargeError',
  415: 'UnsupportedMediaError', 422: 'UnprocessableImageError', 502: 'BadGatewayError',
  503: 'OverloadedError', 504: 'GatewayTimeoutError',
};

/** kindOf names the listed class of err, or of its nearest listed ancestor. */
function kindOf(err: ProxyError): string {
  for (let p: unknown = Object.getPrototypeOf(err); p !== null; p = Object.getPrototypeOf(p)) {
    for (const [name, kind] of Object.entries(ERROR_KINDS)) if (kind.cls.prototype === p) return name;
  }
  return 'ProxyError';
}

/**
 * serializeError turns anything a transform threw into a SerializedError.
 *
 * A ProxyError keeps its class, status, code, message, headers and detail; anything else is a
 * decoder bug or a broken image, which the client sees as 422 (never 500), with the original
 * message kept for the log.
 */
export function serializeError(err: unknown): SerializedError {
  if (isProxyError(err)) {
    const out: SerializedError = {
      kind: kindOf(err), status: err.status, code: err.code, message: err.message, headers: { ...err.headers },
    };
    if (err.detail !== undefined) out.detail = err.detail;
    return out;
  }
  const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return { kind: 'UnprocessableImageError', status: 422, code: 'bad_image', message: 'The image could not be processed.', headers: {}, detail };
}

/**
 * reviveError rebuilds a ProxyError from its serialized form: an instance of its kind's class
 * (or, for a plain ProxyError, of the class that carries its status) with the same status,
 * code, message, headers and detail. A plain error whose status is outside 4xx/5xx cannot be a
 * client answer, so it becomes a 422.
 */
export function reviveError(e: SerializedError): ProxyError {
  let kind = e.kind !== undefined && e.kind !== 'ProxyError' ? ERROR_KINDS[e.kind] : undefined;
  if (kind === undefined) {
    if (!(e.status >= 400 && e.status <= 599)) return new UnprocessableImageError('The image could not be processed.');
    kind = ERROR_KINDS[STATUS_KINDS[e.status] ?? 'ProxyError'];
  }
  const err = kind.revive(e);
  // The constructor chose the class; the wire decides every field, so nothing is re-derived.
  Object.assign(err, { status: e.status, code: e.code, headers: { ...e.headers } });
  err.message = e.message;
  if (e.detail !== undefined) err.detail = e.detail;
  return err;
}
