/**
 * A buffer shelf: memory given back after one use and handed out again for the next, so a
 * thread that keeps needing buffers of similar sizes writes into pages it already has instead
 * of fresh ones (lib/codecs/scratch.ts says what a fresh page costs). Used by the transforms'
 * scratch planes and by the pool's input slabs.
 */

/** AnyBuffer is what a shelf holds: plain or shared memory. */
type AnyBuffer = ArrayBuffer | SharedArrayBuffer;

/** BufferShelf keeps buffers given back, up to keepBytes in all. */
export class BufferShelf<B extends AnyBuffer> {
  /** The kept buffers, smallest first. */
  private readonly free: B[] = [];
  private freeBytes = 0;

  /** keepBytes bounds what the shelf keeps; a buffer that would pass it is left to the collector. */
  constructor(private readonly keepBytes: number) {}

  /**
   * take removes and returns the smallest kept buffer of n to 2n bytes (a larger one would hold
   * memory a small request does not use), or undefined when none fits.
   */
  take(n: number): B | undefined {
    const i = this.free.findIndex((b) => b.byteLength >= n);
    if (i < 0 || this.free[i].byteLength > 2 * n) return undefined;
    const b = this.free.splice(i, 1)[0];
    this.freeBytes -= b.byteLength;
    return b;
  }

  /** give keeps b for a later take, within keepBytes. */
  give(b: B): void {
    if (this.freeBytes + b.byteLength > this.keepBytes) return;
    const i = this.free.findIndex((f) => f.byteLength >= b.byteLength);
    this.free.splice(i < 0 ? this.free.length : i, 0, b);
    this.freeBytes += b.byteLength;
  }

  /** keptBytes is the size of the buffers kept. */
  keptBytes(): number {
    return this.freeBytes;
  }
}
