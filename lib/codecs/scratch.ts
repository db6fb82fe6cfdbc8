/**
 * Scratch buffers: sample planes one transform borrows and gives back when it is done, so the
 * next transform of a similar size writes into memory that is already mapped.
 *
 * Why: a freed ArrayBuffer is only returned to malloc when V8 next collects, so every transform
 * otherwise takes fresh heap pages from the system, and on this project's machines a fresh page
 * costs ~10 us to fault in. Measured in process on JPEG 1024x683 -> 500w: ~480 page faults and
 * 14 ms per transform while the heap grows, against ~5 faults and 9 ms once memory is reused.
 */

import { BufferShelf } from './shelf.js';

/** SCRATCH_KEEP_BYTES bounds the buffers a thread keeps between transforms: a 1024x683 JPEG's planes (~1.6 MB) fit twice; more raised `npm run load`'s peak RSS. */
export const SCRATCH_KEEP_BYTES = 4 * 1024 * 1024;

/** MIN_SCRATCH_BYTES is the smallest request worth a kept buffer: smaller ones come from V8's own pools cheaply. */
const MIN_SCRATCH_BYTES = 64 * 1024;

/** shelf holds the buffers this thread's transforms gave back. */
const shelf = new BufferShelf<ArrayBuffer>(SCRATCH_KEEP_BYTES);

/** scratchKeptBytes is how many bytes of buffers this thread keeps for reuse (counted out of its garbage). */
export function scratchKeptBytes(): number {
  return shelf.keptBytes();
}

/**
 * Scratch lends zero-filled arrays to one transform; release() takes them all back.
 *
 * Each transform has its own Scratch, so transforms that interleave at their awaits (inline,
 * on runtimes without threads) never share a buffer. The caller must not keep a view of a lent
 * array after release().
 */
export class Scratch {
  private readonly lent: ArrayBuffer[] = [];

  /** u8 returns n zeroed bytes. */
  u8(n: number): Uint8Array {
    return new Uint8Array(this.take(n), 0, n);
  }

  /** u16 returns n zeroed 16-bit samples. */
  u16(n: number): Uint16Array {
    return new Uint16Array(this.take(n * 2), 0, n);
  }

  /** release gives every lent buffer back for the next transform, within SCRATCH_KEEP_BYTES. */
  release(): void {
    for (const b of this.lent) shelf.give(b);
    this.lent.length = 0;
  }

  /** take lends a kept buffer that fits n bytes (zeroed), or a new one. */
  private take(n: number): ArrayBuffer {
    if (n < MIN_SCRATCH_BYTES) return new ArrayBuffer(n);
    const kept = shelf.take(n);
    if (kept) new Uint8Array(kept, 0, n).fill(0);
    const b = kept ?? new ArrayBuffer(n);
    this.lent.push(b);
    return b;
  }
}
