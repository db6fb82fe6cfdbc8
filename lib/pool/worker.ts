/**
 * The worker side of the transform pool: serveTransforms answers one TaskMessage at a time with
 * one ReplyMessage (protocol.ts).
 *
 * The pool's own worker (worker-main.ts) serves the real transform with it; test workers reuse
 * the protocol by calling serveTransforms with their own function. Importing this module starts
 * nothing, so it has no top-level await and loads no codecs.
 */
import { isMainThread, parentPort } from 'node:worker_threads';
import { isWarmMessage, serializeError, type PoolMessage, type ReplyMessage, type TaskMessage, type TransformFn } from './protocol.js';
import v8 from 'node:v8';
import vm from 'node:vm';
import { releasedWasmBytes, resetReleasedWasmBytes } from '../transform/wasm/runtime.js';
import { scratchKeptBytes } from '../codecs/scratch.js';

export { serializeError, type SerializedError, type TransformFn } from './protocol.js';

/**
 * ownedBytes returns bytes backed by an ArrayBuffer of exactly its size, copying when bytes is a
 * view on a larger or shared buffer (such as Node's Buffer pool), so that posting it copies only
 * the bytes that matter.
 */
export function ownedBytes(bytes: Uint8Array): Uint8Array {
  const buf = bytes.buffer;
  if (buf instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buf.byteLength) return bytes;
  // Not zero-filled first, and copied by memcpy: `new Uint8Array(bytes)` is several times slower.
  const copy = Buffer.allocUnsafeSlow(bytes.byteLength);
  Buffer.from(buf, bytes.byteOffset, bytes.byteLength).copy(copy);
  return copy;
}

/**
 * RECLAIM_BYTES is how much dead pixel memory a worker may hold after a task before it collects
 * it at once: V8 otherwise lets several large images' worth of freed buffers pile up in each
 * worker, which multiplies resident memory under load (`npm run load` peak RSS, with this
 * project's other bounds: 509-535 MiB at 32 MiB, 484-506 at 16, 466-497 at 8). 8 MiB costs a
 * collection after most PNG and GIF tasks (~4 ms more per sequential PNG request) and measured
 * 0.75-0.76x sharp's requests per second at concurrency 4 in the bench against 0.85-0.87x at 16.
 * (Those figures are from full collections; reclaimPixelMemory now tries the young generation first.)
 */
export const RECLAIM_BYTES = 16 * 1024 * 1024;

/** Collector is V8's collector, reached through --expose-gc; `minor` asks for a young-generation collection only. */
export type Collector = (options?: { type: 'minor' | 'major' }) => void;

let collect: Collector | undefined;

/**
 * needsReclaim reports whether more than RECLAIM_BYTES of buffers remain, counting the wasm
 * memories dropped since the last collection (a 4000x2667 JPEG's entropy decoder alone drops
 * ~20 MB), which process.memoryUsage().arrayBuffers does not show, and leaving out the scratch
 * buffers kept for the next task, which are not garbage.
 */
function needsReclaim(): boolean {
  return process.memoryUsage().arrayBuffers - scratchKeptBytes() + releasedWasmBytes() > RECLAIM_BYTES;
}

/**
 * collectGarbage collects the young generation first: a task's pixel buffers are born and die
 * within it, so that is usually enough, and a full collection only follows when `stillNeeded`
 * says it was not (buffers that lived through a collection, or dropped wasm memories). It
 * reports whether the full one ran. Measured on sequential GIF 640x427 x5 -> 500w requests: a
 * full collection after each cost ~30 ms of V8 helper-thread CPU per request.
 */
export function collectGarbage(gc: Collector, stillNeeded: () => boolean): boolean {
  gc({ type: 'minor' });
  if (!stillNeeded()) return false;
  gc();
  return true;
}

/** reclaimPixelMemory collects the last task's dead buffers (collectGarbage) and tells the pool when it is done. */
function reclaimPixelMemory(port: NonNullable<typeof parentPort>): void {
  if (!collect) {
    // The collector is only reachable with --expose-gc, which a worker cannot be started with.
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as Collector;
  }
  if (collectGarbage(collect, needsReclaim)) resetReleasedWasmBytes();
  port.postMessage({ type: 'collected' } satisfies ReplyMessage);
}

/**
 * serveTransforms answers the pool's TaskMessages on parentPort with fn, one at a time.
 *
 * It must run inside a worker thread started by the pool. It posts `ready` once `warmUp` (when
 * given) has settled, so the pool can tell a worker that failed to start from one that crashed on
 * an image, and can hold back listening until its workers are warm. Tasks sent earlier wait in
 * the port until then. A WarmMessage runs `deepWarmUp` (when given) and answers `warmed`;
 * messages are handled strictly one after another, so a task sent meanwhile waits for it.
 */
export function serveTransforms(fn: TransformFn, warmUp?: () => Promise<void>, deepWarmUp?: () => Promise<void>): void {
  const port = parentPort;
  if (isMainThread || port === null) throw new Error('serveTransforms must run in a worker thread');
  let last: Promise<void> = Promise.resolve();
  const ready = (): void => {
    // The port queues tasks until a listener is added, so none runs beside the warm-up.
    port.on('message', (msg: PoolMessage) => {
      // answer and warmDeeply catch what they run; the catch only keeps the chain going.
      last = last.then(() => (isWarmMessage(msg) ? warmDeeply(port, deepWarmUp) : answer(port, fn, msg))).catch(() => undefined);
    });
    port.postMessage({ type: 'ready' } satisfies ReplyMessage);
  };
  if (warmUp) void warmUp().then(ready, ready);
  else ready();
}

/** warmDeeply runs the deep warm-up (its failure is ignored, as warm-ups' are) and posts `warmed`. */
async function warmDeeply(port: NonNullable<typeof parentPort>, deepWarmUp?: () => Promise<void>): Promise<void> {
  try {
    await deepWarmUp?.();
  } catch {
    // Warming is an optimisation, never a reason not to serve.
  }
  const collecting = needsReclaim();
  port.postMessage((collecting ? { type: 'warmed', collecting } : { type: 'warmed' }) satisfies ReplyMessage);
  if (collecting) reclaimPixelMemory(port);
}

/** answer runs one task and posts its reply. */
async function answer(port: NonNullable<typeof parentPort>, fn: TransformFn, msg: TaskMessage): Promise<void> {
  let reply: ReplyMessage;
  try {
    const result = await fn(msg.bytes, msg.options, msg.limits);
    reply = { type: 'result', id: msg.id, bytes: ownedBytes(result.bytes), contentType: result.contentType };
    if (result.warnings && result.warnings.length > 0) reply.warnings = result.warnings;
  } catch (err) {
    reply = { type: 'error', id: msg.id, error: serializeError(err) };
  }
  // Said before the reply goes, so the pool sends the next task to another idle worker meanwhile.
  const collecting = needsReclaim();
  if (collecting) reply.collecting = collecting;
  try {
    // The result is copied, not transferred: detaching an ArrayBuffer in this isolate trips
    // V8's detach protector, after which every typed-array access in the codecs carries an
    // extra check (measured: the whole transform ~12% slower). A copy of the encoded output
    // costs a few microseconds.
    port.postMessage(reply);
  } catch (err) {
    // A result that cannot be cloned must still answer the task rather than crash the worker.
    port.postMessage({ type: 'error', id: msg.id, error: serializeError(err), ...(collecting ? { collecting } : {}) } satisfies ReplyMessage);
  }
  if (collecting) reclaimPixelMemory(port);
}
