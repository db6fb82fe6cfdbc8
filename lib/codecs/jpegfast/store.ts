/**
 * Block storing for the fast JPEG decoder: the shared dequantized block, the list of its non-zero
 * positions, and the inverse DCT of a block into its component plane at the component's scale.
 * Both entropy decoders (scan.ts in JavaScript, huffwasm.ts in WebAssembly) store through here.
 */
import { idct1, idct2, idct4, idct8, idctRect } from './idct.js';
import type { Component } from './scan.js';

/** blk is the block being stored, dequantized, natural order; zero again after each store. */
export const blk = new Int32Array(64);
/** nz lists the natural positions of blk's non-zero AC coefficients, so it can be cleared sparsely. */
export const nz = new Int32Array(64);

/** storeBlock transforms blk into the component's plane at block (row, col). */
export function storeBlock(c: Component, row: number, col: number, nnz: number): void {
  const stride = c.stride;
  const bsx = c.bsx, bsy = c.bsy;
  const off = row * bsy * stride + col * bsx;
  const plane = c.plane;
  if (nnz === 0) {
    let v = ((blk[0] + 4) >> 3) + 128;
    v = v < 0 ? 0 : v > 255 ? 255 : v;
    if (bsx === 1 && bsy === 1) plane[off] = v;
    else {
      // Plain stores: a fill() call per row costs more than the few bytes it writes.
      for (let y = 0, o = off; y < bsy; y++, o += stride) for (let x = 0; x < bsx; x++) plane[o + x] = v;
    }
    return;
  }
  if (bsx !== bsy) idctRect(blk, plane, off, stride, bsx, bsy);
  else if (bsx === 8) idct8(blk, plane, off, stride, nz, nnz);
  else if (bsx === 4) idct4(blk, plane, off, stride, nz, nnz);
  else if (bsx === 2) idct2(blk, plane, off, stride, nz, nnz);
  else idct1(blk, plane, off);
}

