/**
 * Input slabs: the shared memory a pool copies each task's source into, kept and lent again
 * once the worker has answered.
 *
 * Why: the copy used to go into a new ArrayBuffer that was transferred to the worker, so every
 * task took fresh pages from the system (on this project's machines ~10 us each to fault in:
 * ~0.6 ms for a 223 KB JPEG, ~6 ms for a 2.6 MB one) and detached a buffer on the event-loop
 * thread. A SharedArrayBuffer is posted without a transfer: the worker reads the source where
 * the main thread wrote it, and nothing is detached on either side.
 *
 * A worker must not keep a view of its source past its answer (the colour cache keeps copies);
 * runtimes without SharedArrayBuffer get plain copies, transferred as before.
 */
import { BufferShelf } from '../codecs/shelf.js';
import { ownedCopy } from './pool-types.js';

/** SLAB_KEEP_BYTES bounds the slabs a pool keeps between tasks: a 2.6 MB 4000x2667 JPEG or many smaller sources; more raised `npm run load`'s peak RSS. */
export const SLAB_KEEP_BYTES = 4 * 1024 * 1024;

/** MIN_SLAB_BYTES is the smallest source worth a slab: below it the copy is cheap anyway. */
const MIN_SLAB_BYTES = 16 * 1024;

/** InputSlabs lends Uint8Arrays over SharedArrayBuffers and takes them back. */
export class InputSlabs {
  private readonly shelf = new BufferShelf<SharedArrayBuffer>(SLAB_KEEP_BYTES);
  private readonly shared = typeof SharedArrayBuffer === 'function';

  /**
   * copyOf returns bytes copied into a slab (give it back with give() once the worker has
   * answered), or into a plain new buffer to transfer when no slab fits this runtime or size.
   */
  copyOf(bytes: Uint8Array): Uint8Array {
    const n = bytes.byteLength;
    if (!this.shared || n < MIN_SLAB_BYTES) return ownedCopy(bytes);
    const view = new Uint8Array(this.shelf.take(n) ?? new SharedArrayBuffer(n), 0, n);
    // Buffer#copy is a memcpy (ownedCopy says why not TypedArray#set).
    Buffer.from(bytes.buffer, bytes.byteOffset, n).copy(view);
    return view;
  }

  /** give takes back a view copyOf returned, once no worker reads it any more. */
  give(view: Uint8Array): void {
    if (isShared(view)) this.shelf.give(view.buffer as SharedArrayBuffer);
  }

  /** keptBytes is the size of the slabs kept for later tasks. */
  keptBytes(): number {
    return this.shelf.keptBytes();
  }
}

/** isShared reports whether bytes lie in a slab (posted as is) rather than a buffer to transfer. */
export function isShared(bytes: Uint8Array): boolean {
  return typeof SharedArrayBuffer === 'function' && bytes.buffer instanceof SharedArrayBuffer;
}
