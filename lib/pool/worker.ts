/**
 * Transform worker: the code that runs inside each worker thread of the transform pool.
 *
 * The pool (pool.ts) starts this module as a worker; it then answers one TaskMessage at a time
 * with one ReplyMessage (protocol.ts). Test workers reuse the protocol by calling serveTransforms
 * with their own function instead of the real transform.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import {
  serializeError, WORKER_ENTRY_KEY, type ReplyMessage, type TaskMessage, type TransformFn,
} from './protocol.js';
import v8 from 'node:v8';
import vm from 'node:vm';

export { serializeError, type SerializedError, type TransformFn } from './protocol.js';

/**
 * ownedBytes returns bytes backed by an ArrayBuffer of exactly its size, copying when bytes is a
 * view on a larger or shared buffer (such as Node's Buffer pool), so that posting it copies only
 * the bytes that matter.
 */
export function ownedBytes(bytes: Uint8Array): Uint8Array {
  const buf = bytes.buffer;
  if (buf instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buf.byteLength) return bytes;
  return new Uint8Array(bytes);
}

/**
 * RECLAIM_BYTES is how much dead pixel memory a worker may hold after a task before it collects
 * it at once: V8 otherwise lets several large images' worth of freed buffers pile up in each
 * worker, which multiplies resident memory under load.
 */
export const RECLAIM_BYTES = 32 * 1024 * 1024;

let collect: (() => void) | undefined;

/** reclaimPixelMemory runs a full garbage collection when more than RECLAIM_BYTES of buffers remain. */
function reclaimPixelMemory(): void {
  if (process.memoryUsage().arrayBuffers <= RECLAIM_BYTES) return;
  if (!collect) {
    // The collector is only reachable with --expose-gc, which a worker cannot be started with.
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  }
  collect();
}

/**
 * serveTransforms answers the pool's TaskMessages on parentPort with fn, one at a time.
 *
 * It must run inside a worker thread started by the pool; it first posts `ready` so the pool can
 * tell a worker that failed to start from one that crashed on an image.
 */
export function serveTransforms(fn: TransformFn): void {
  const port = parentPort;
  if (isMainThread || port === null) throw new Error('serveTransforms must run in a worker thread');
  port.on('message', (msg: TaskMessage) => {
    void (async () => {
      let reply: ReplyMessage;
      try {
        const result = await fn(msg.bytes, msg.options, msg.limits);
        reply = { type: 'result', id: msg.id, bytes: ownedBytes(result.bytes), contentType: result.contentType };
        if (result.warnings && result.warnings.length > 0) reply.warnings = result.warnings;
      } catch (err) {
        reply = { type: 'error', id: msg.id, error: serializeError(err) };
      }
      try {
        // The result is copied, not transferred: detaching an ArrayBuffer in this isolate trips
        // V8's detach protector, after which every typed-array access in the codecs carries an
        // extra check (measured: the whole transform ~12% slower). A copy of the encoded output
        // costs a few microseconds.
        port.postMessage(reply);
      } catch (err) {
        // A result that cannot be cloned must still answer the task rather than crash the worker.
        port.postMessage({ type: 'error', id: msg.id, error: serializeError(err) } satisfies ReplyMessage);
      }
      reclaimPixelMemory();
    })();
  });
  port.postMessage({ type: 'ready' } satisfies ReplyMessage);
}

// Start serving only when the pool started this very module; a test worker that imports
// serveTransforms from here must not also load the real transform and its codecs.
if (!isMainThread && (workerData as Record<string, unknown> | null)?.[WORKER_ENTRY_KEY] === import.meta.url) {
  const { transform } = await import('../transform/transform.js');
  serveTransforms(transform satisfies TransformFn);
}
