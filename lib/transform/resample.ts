/**
 * Lanczos3 resampling, computed exactly as github.com/disintegration/imaging's Resize with
 * imaging.Lanczos: separable passes (horizontal, then vertical), alpha-weighted sums, float64
 * arithmetic in the same order, 8-bit rounding between the passes. Matching the order of
 * floating-point operations is what makes the output byte-identical to the Go server's.
 */
import type { Bitmap } from '../codecs/types.js';
import { wasmRgba, type OpaqueTaps } from './wasm/rgba.js';

import { precomputeWeights, type Span, type Weights } from './lanczos.js';

// The kernel and its taps live in lanczos.ts; they are re-exported for the resampler's callers.
export { LANCZOS_SUPPORT, goSin, lanczos, lanczosOneSine, precomputeWeights, type Span, type Weights } from './lanczos.js';

/** clamp8 rounds like imaging's clamp: int64(x + 0.5) limited to 0..255. */
function clamp8(x: number): number {
  const t = x + 0.5;
  return t >= 255 ? 255 : t >= 1 ? t | 0 : 0;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * pixelWords returns b's pixels as 32-bit words R | G<<8 | B<<16 | A<<24: a view on
 * little-endian machines (copying only misaligned data), a converted copy elsewhere. The hot
 * loops use literal shifts, which V8 compiles much better than shift variables.
 */
function pixelWords(b: Bitmap): Uint32Array {
  const n = b.width * b.height;
  const d = b.data;
  if (LITTLE_ENDIAN) {
    if (d.byteOffset % 4 === 0) return new Uint32Array(d.buffer, d.byteOffset, n);
    return new Uint32Array(d.slice(0, n * 4).buffer);
  }
  const out = new Uint32Array(n);
  const view = new DataView(d.buffer, d.byteOffset, n * 4);
  for (let i = 0; i < n; i++) out[i] = view.getUint32(i * 4, true);
  return out;
}

/** opaqueRows flags the rows of b whose pixels all have alpha 255. */
function opaqueRows(px: Uint32Array, width: number, height: number): Uint8Array {
  const flags = new Uint8Array(height);
  for (let y = 0; y < height; y++) {
    // AND the row's words four at a time and test once: no branch per pixel.
    let all = 0xff000000 | 0;
    let i = y * width;
    const e = i + width;
    for (; i + 4 <= e; i += 4) all &= px[i] & px[i + 1] & px[i + 2] & px[i + 3];
    for (; i < e; i++) all &= px[i];
    flags[y] = (all >>> 24) === 255 ? 1 : 0;
  }
  return flags;
}

/**
 * Opaque fast path: when every tap has alpha 255, imaging's alpha weight is 255*w for each
 * tap and the alpha sum is the same for every row, so both are computed once. The products
 * and sums are the very same float64 operations, so results stay identical.
 */
function opaqueTables(w: Weights, n: number): [Float64Array, Float64Array] {
  const w255 = new Float64Array(w.weight.length);
  for (let k = 0; k < w255.length; k++) w255[k] = 255 * w.weight[k];
  const aSum = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let a = 0;
    for (let k = w.start[i]; k < w.start[i + 1]; k++) a += w255[k];
    aSum[i] = a;
  }
  return [w255, aSum];
}

/** Taps are one axis's weights with their opaque tables (opaqueTables), as the passes take them. */
interface Taps { wts: Weights; w255: Float64Array; aSum: Float64Array }

/** TAPS_KEPT: the last few axes' taps are kept, enough for both axes of one resize (every frame of an animation repeats them). */
const TAPS_KEPT = 4;
const recentTaps: Array<{ key: string; taps: Taps }> = [];

/**
 * tapsFor is precomputeWeights and opaqueTables for one axis, reused when a recent resize had
 * the very same axis (the frames of an animation): the passes only read them.
 */
function tapsFor(dstSize: number, srcSize: number, span?: Span): Taps {
  const key = span ? `${dstSize} ${srcSize} ${span.offset} ${span.length}` : `${dstSize} ${srcSize}`;
  const hit = recentTaps.find((t) => t.key === key);
  if (hit) return hit.taps;
  const wts = precomputeWeights(dstSize, srcSize, span);
  const [w255, aSum] = opaqueTables(wts, dstSize);
  const taps = { wts, w255, aSum };
  recentTaps.unshift({ key, taps });
  recentTaps.length = Math.min(recentTaps.length, TAPS_KEPT);
  return taps;
}

/** horizontalAlpha is the horizontal pass for images with some transparency. */
function horizontalAlpha(src: Bitmap, width: number, wts: Weights, w255: Float64Array, aSum: Float64Array): Bitmap {
  const { start, index, weight } = wts;
  const sw = src.width;
  const h = src.height;
  const px = pixelWords(src);
  const opaque = opaqueRows(px, sw, h);
  const out = new Uint8Array(width * h * 4);
  for (let y = 0; y < h; y++) {
    const row = y * sw;
    let j = y * width * 4;
    if (opaque[y]) {
      for (let x = 0; x < width; x++, j += 4) {
        let r = 0;
        let g = 0;
        let b = 0;
        const kEnd = start[x + 1];
        for (let k = start[x]; k < kEnd; k++) {
          const p = px[row + index[k]];
          const aw = w255[k];
          r += (p & 255) * aw;
          g += ((p >>> 8) & 255) * aw;
          b += ((p >>> 16) & 255) * aw;
        }
        const a = aSum[x];
        if (a !== 0) {
          const aInv = 1 / a;
          out[j] = clamp8(r * aInv);
          out[j + 1] = clamp8(g * aInv);
          out[j + 2] = clamp8(b * aInv);
          out[j + 3] = clamp8(a);
        }
      }
      continue;
    }
    for (let x = 0; x < width; x++, j += 4) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      const kEnd = start[x + 1];
      for (let k = start[x]; k < kEnd; k++) {
        const p = px[row + index[k]];
        const aw = (p >>> 24) * weight[k];
        r += (p & 255) * aw;
        g += ((p >>> 8) & 255) * aw;
        b += ((p >>> 16) & 255) * aw;
        a += aw;
      }
      if (a !== 0) {
        const aInv = 1 / a;
        out[j] = clamp8(r * aInv);
        out[j + 1] = clamp8(g * aInv);
        out[j + 2] = clamp8(b * aInv);
        out[j + 3] = clamp8(a);
      }
    }
  }
  return { width, height: h, data: out };
}

/**
 * verticalAlpha is the vertical pass for images with some transparency. It produces output row
 * by output row (the few source rows of one output row stay in cache) while summing each
 * pixel's taps in the same order as imaging's column loop.
 */
function verticalAlpha(src: Bitmap, height: number, wts: Weights, w255: Float64Array, aSum: Float64Array): Bitmap {
  const { start, index, weight } = wts;
  const w = src.width;
  const px = pixelWords(src);
  const opaque = opaqueRows(px, w, src.height);
  const rows = new Int32Array(index.length);
  for (let k = 0; k < index.length; k++) rows[k] = index[k] * w;
  const out = new Uint8Array(w * 4 * height);
  for (let y = 0; y < height; y++) {
    const k0 = start[y];
    const kEnd = start[y + 1];
    let allOpaque = true;
    for (let k = k0; k < kEnd; k++) if (!opaque[index[k]]) allOpaque = false;
    let j = y * w * 4;
    if (allOpaque) {
      const a = aSum[y];
      if (a === 0) continue;
      const aInv = 1 / a;
      const a8 = clamp8(a);
      for (let x = 0; x < w; x++, j += 4) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let k = k0; k < kEnd; k++) {
          const p = px[rows[k] + x];
          const aw = w255[k];
          r += (p & 255) * aw;
          g += ((p >>> 8) & 255) * aw;
          b += ((p >>> 16) & 255) * aw;
        }
        out[j] = clamp8(r * aInv);
        out[j + 1] = clamp8(g * aInv);
        out[j + 2] = clamp8(b * aInv);
        out[j + 3] = a8;
      }
      continue;
    }
    for (let x = 0; x < w; x++, j += 4) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let k = k0; k < kEnd; k++) {
        const p = px[rows[k] + x];
        const aw = (p >>> 24) * weight[k];
        r += (p & 255) * aw;
        g += ((p >>> 8) & 255) * aw;
        b += ((p >>> 16) & 255) * aw;
        a += aw;
      }
      if (a !== 0) {
        const aInv = 1 / a;
        out[j] = clamp8(r * aInv);
        out[j + 1] = clamp8(g * aInv);
        out[j + 2] = clamp8(b * aInv);
        out[j + 3] = clamp8(a);
      }
    }
  }
  return { width: w, height, data: out };
}

/*
 * Opaque fast path. Every tap of an opaque image has alpha 255, so imaging's per-tap alpha
 * weight is 255*w and its alpha sum is the same for every line (opaqueTables). The passes then
 * sweep a whole line per group of up to eight taps, with the group's weights held in locals:
 * `acc + p0*w0 + p1*w1 + ...` evaluates left to right, so every output still adds its taps in
 * imaging's order and the float64 results are unchanged, while neighbouring pixels' sums no
 * longer wait on each other. The horizontal pass works a block of rows at a time into a small
 * ring of rounded rows that the vertical pass consumes as soon as they are ready, so the
 * intermediate image never exists in full and stays in cache.
 *
 * Where WebAssembly SIMD is available, wasm/rgba.wat runs the same arithmetic (and that of the
 * alpha passes) two float64 lanes at a time and these JavaScript passes are the fallback and
 * the reference the tests compare it with (useWasm false).
 */

/**
 * ROW_BLOCK is how many rows the horizontal pass sweeps per output column, chosen by measurement:
 * enough to amortise each column's setup, few enough that the rows' bytes stay in cache.
 */
const ROW_BLOCK = 16;

/**
 * fastPath reports whether every pixel of b (words px) has alpha 255 and every output line of
 * the passes with these alpha sums gets alpha 255 again (always, in practice): the opaque path.
 */
function fastPath(b: Bitmap, px: Uint32Array, ...aSums: Float64Array[]): boolean {
  for (const aSum of aSums) for (let i = 0; i < aSum.length; i++) if (clamp8(aSum[i]) !== 255) return false;
  return opaqueRows(px, b.width, b.height).every((r) => r === 1);
}

/** tapSpan is the most source lines one output line of w reads (ring size for the vertical pass). */
function tapSpan(w: Weights): number {
  let span = 1;
  for (let i = 0; i + 1 < w.start.length; i++) {
    const s = w.start[i], e = w.start[i + 1];
    if (e > s) span = Math.max(span, w.index[e - 1] - w.index[s] + 1);
  }
  return span;
}

/**
 * horizontalRows resamples source rows y0..y1 (at most ROW_BLOCK) of the opaque pixel words
 * `px` (sw pixels wide) and writes the rounded results as words R | G<<8 | B<<16 to `out` from
 * `at`. One word load serves three channels: fewer (bounds-checked) loads than bytes would need.
 */
function horizontalRows(px: Uint32Array, sw: number, y0: number, y1: number, wts: Weights, w255: Float64Array, aSum: Float64Array,
  out: Uint32Array, at: number, acc: Float64Array): void {
  const { start, index } = wts;
  const width = start.length - 1;
  const m3 = (y1 - y0) * 3;
  const base = y0 * sw;
  for (let x = 0; x < width; x++) {
    acc.fill(0, 0, m3);
    let k = start[x];
    const kEnd = start[x + 1];
    // Taps are consecutive source pixels (a zero weight is skipped only where the kernel is
    // exactly 0), so a group reads one run of words at fixed offsets.
    for (; k + 8 <= kEnd && index[k + 7] - index[k] === 7; k += 8) {
      const w0 = w255[k], w1 = w255[k + 1], w2 = w255[k + 2], w3 = w255[k + 3];
      const w4 = w255[k + 4], w5 = w255[k + 5], w6 = w255[k + 6], w7 = w255[k + 7];
      for (let j = 0, o = base + index[k]; j < m3; j += 3, o += sw) {
        const p0 = px[o], p1 = px[o + 1], p2 = px[o + 2], p3 = px[o + 3];
        const p4 = px[o + 4], p5 = px[o + 5], p6 = px[o + 6], p7 = px[o + 7];
        acc[j] = acc[j] + (p0 & 255) * w0 + (p1 & 255) * w1 + (p2 & 255) * w2 + (p3 & 255) * w3
          + (p4 & 255) * w4 + (p5 & 255) * w5 + (p6 & 255) * w6 + (p7 & 255) * w7;
        acc[j + 1] = acc[j + 1] + ((p0 >>> 8) & 255) * w0 + ((p1 >>> 8) & 255) * w1 + ((p2 >>> 8) & 255) * w2 + ((p3 >>> 8) & 255) * w3
          + ((p4 >>> 8) & 255) * w4 + ((p5 >>> 8) & 255) * w5 + ((p6 >>> 8) & 255) * w6 + ((p7 >>> 8) & 255) * w7;
        acc[j + 2] = acc[j + 2] + ((p0 >>> 16) & 255) * w0 + ((p1 >>> 16) & 255) * w1 + ((p2 >>> 16) & 255) * w2 + ((p3 >>> 16) & 255) * w3
          + ((p4 >>> 16) & 255) * w4 + ((p5 >>> 16) & 255) * w5 + ((p6 >>> 16) & 255) * w6 + ((p7 >>> 16) & 255) * w7;
      }
    }
    for (; k + 4 <= kEnd && index[k + 3] - index[k] === 3; k += 4) {
      const w0 = w255[k], w1 = w255[k + 1], w2 = w255[k + 2], w3 = w255[k + 3];
      for (let j = 0, o = base + index[k]; j < m3; j += 3, o += sw) {
        const p0 = px[o], p1 = px[o + 1], p2 = px[o + 2], p3 = px[o + 3];
        acc[j] = acc[j] + (p0 & 255) * w0 + (p1 & 255) * w1 + (p2 & 255) * w2 + (p3 & 255) * w3;
        acc[j + 1] = acc[j + 1] + ((p0 >>> 8) & 255) * w0 + ((p1 >>> 8) & 255) * w1 + ((p2 >>> 8) & 255) * w2 + ((p3 >>> 8) & 255) * w3;
        acc[j + 2] = acc[j + 2] + ((p0 >>> 16) & 255) * w0 + ((p1 >>> 16) & 255) * w1 + ((p2 >>> 16) & 255) * w2 + ((p3 >>> 16) & 255) * w3;
      }
    }
    for (; k < kEnd; k++) {
      const w0 = w255[k];
      for (let j = 0, o = base + index[k]; j < m3; j += 3, o += sw) {
        const p = px[o];
        acc[j] += (p & 255) * w0;
        acc[j + 1] += ((p >>> 8) & 255) * w0;
        acc[j + 2] += ((p >>> 16) & 255) * w0;
      }
    }
    const aInv = 1 / aSum[x];
    for (let j = 0, o = at + x; j < m3; j += 3, o += width) {
      out[o] = clamp8(acc[j] * aInv) | (clamp8(acc[j + 1] * aInv) << 8) | (clamp8(acc[j + 2] * aInv) << 16);
    }
  }
}

/**
 * verticalRow computes output row y of the opaque vertical pass from `src`, rows of n pixel
 * words where source row r sits at slot r % ring, and writes RGBA bytes to `out`.
 */
function verticalRow(src: Uint32Array, ring: number, n: number, wts: Weights, w255: Float64Array, aSum: Float64Array,
  y: number, out: Uint8Array, acc: Float64Array): void {
  const { start, index } = wts;
  const n3 = n * 3;
  acc.fill(0);
  let k = start[y];
  const kEnd = start[y + 1];
  for (; k + 8 <= kEnd; k += 8) {
    const w0 = w255[k], w1 = w255[k + 1], w2 = w255[k + 2], w3 = w255[k + 3];
    const w4 = w255[k + 4], w5 = w255[k + 5], w6 = w255[k + 6], w7 = w255[k + 7];
    const r0 = (index[k] % ring) * n, r1 = (index[k + 1] % ring) * n, r2 = (index[k + 2] % ring) * n;
    const r3 = (index[k + 3] % ring) * n, r4 = (index[k + 4] % ring) * n, r5 = (index[k + 5] % ring) * n;
    const r6 = (index[k + 6] % ring) * n, r7 = (index[k + 7] % ring) * n;
    for (let i = 0, x = 0; i < n3; i += 3, x++) {
      const p0 = src[r0 + x], p1 = src[r1 + x], p2 = src[r2 + x], p3 = src[r3 + x];
      const p4 = src[r4 + x], p5 = src[r5 + x], p6 = src[r6 + x], p7 = src[r7 + x];
      acc[i] = acc[i] + (p0 & 255) * w0 + (p1 & 255) * w1 + (p2 & 255) * w2 + (p3 & 255) * w3
        + (p4 & 255) * w4 + (p5 & 255) * w5 + (p6 & 255) * w6 + (p7 & 255) * w7;
      acc[i + 1] = acc[i + 1] + ((p0 >>> 8) & 255) * w0 + ((p1 >>> 8) & 255) * w1 + ((p2 >>> 8) & 255) * w2 + ((p3 >>> 8) & 255) * w3
        + ((p4 >>> 8) & 255) * w4 + ((p5 >>> 8) & 255) * w5 + ((p6 >>> 8) & 255) * w6 + ((p7 >>> 8) & 255) * w7;
      acc[i + 2] = acc[i + 2] + ((p0 >>> 16) & 255) * w0 + ((p1 >>> 16) & 255) * w1 + ((p2 >>> 16) & 255) * w2 + ((p3 >>> 16) & 255) * w3
        + ((p4 >>> 16) & 255) * w4 + ((p5 >>> 16) & 255) * w5 + ((p6 >>> 16) & 255) * w6 + ((p7 >>> 16) & 255) * w7;
    }
  }
  for (; k + 4 <= kEnd; k += 4) {
    const w0 = w255[k], w1 = w255[k + 1], w2 = w255[k + 2], w3 = w255[k + 3];
    const r0 = (index[k] % ring) * n, r1 = (index[k + 1] % ring) * n;
    const r2 = (index[k + 2] % ring) * n, r3 = (index[k + 3] % ring) * n;
    for (let i = 0, x = 0; i < n3; i += 3, x++) {
      const p0 = src[r0 + x], p1 = src[r1 + x], p2 = src[r2 + x], p3 = src[r3 + x];
      acc[i] = acc[i] + (p0 & 255) * w0 + (p1 & 255) * w1 + (p2 & 255) * w2 + (p3 & 255) * w3;
      acc[i + 1] = acc[i + 1] + ((p0 >>> 8) & 255) * w0 + ((p1 >>> 8) & 255) * w1 + ((p2 >>> 8) & 255) * w2 + ((p3 >>> 8) & 255) * w3;
      acc[i + 2] = acc[i + 2] + ((p0 >>> 16) & 255) * w0 + ((p1 >>> 16) & 255) * w1 + ((p2 >>> 16) & 255) * w2 + ((p3 >>> 16) & 255) * w3;
    }
  }
  for (; k < kEnd; k++) {
    const w0 = w255[k];
    const r0 = (index[k] % ring) * n;
    for (let i = 0, x = 0; i < n3; i += 3, x++) {
      const p = src[r0 + x];
      acc[i] += (p & 255) * w0;
      acc[i + 1] += ((p >>> 8) & 255) * w0;
      acc[i + 2] += ((p >>> 16) & 255) * w0;
    }
  }
  const aInv = 1 / aSum[y];
  for (let i = 0, j = y * n * 4; i < n3; i += 3, j += 4) {
    out[j] = clamp8(acc[i] * aInv);
    out[j + 1] = clamp8(acc[i + 1] * aInv);
    out[j + 2] = clamp8(acc[i + 2] * aInv);
    out[j + 3] = 255;
  }
}

/**
 * opaqueWasm runs the opaque passes in WebAssembly (horizontal taps h, then vertical taps v),
 * or returns undefined where the module is unavailable, not wanted or short of memory.
 */
function opaqueWasm(useWasm: boolean, src: Bitmap, h?: OpaqueTaps, v?: OpaqueTaps): Bitmap | undefined {
  const wasm = useWasm ? wasmRgba() : undefined;
  return wasm?.resize(src, h, v);
}

/** alphaWasm is opaqueWasm for the alpha-weighted passes (horizontalAlpha, verticalAlpha). */
function alphaWasm(useWasm: boolean, src: Bitmap, h?: Weights, v?: Weights): Bitmap | undefined {
  const wasm = useWasm ? wasmRgba() : undefined;
  return wasm?.resizeAlpha(src, h, v);
}

/**
 * resizeHorizontal resamples every row of src (or the `span` of each row) to `width` pixels.
 * useWasm false keeps to the JavaScript passes (tests compare the two).
 */
export function resizeHorizontal(src: Bitmap, width: number, span?: Span, useWasm = true): Bitmap {
  const { wts, w255, aSum } = tapsFor(width, src.width, span);
  const px = pixelWords(src);
  if (!fastPath(src, px, aSum)) return alphaWasm(useWasm, src, wts) ?? horizontalAlpha(src, width, wts, w255, aSum);
  const fast = opaqueWasm(useWasm, src, { start: wts.start, index: wts.index, w255, aSum });
  if (fast) return fast;
  const h = src.height;
  const mid = new Uint32Array(width * h);
  const acc = new Float64Array(ROW_BLOCK * 3);
  for (let y = 0; y < h; y += ROW_BLOCK) {
    horizontalRows(px, src.width, y, Math.min(h, y + ROW_BLOCK), wts, w255, aSum, mid, y * width, acc);
  }
  const out = new Uint8Array(width * h * 4);
  for (let i = 0, j = 0; j < mid.length; i += 4, j++) {
    const p = mid[j];
    out[i] = p & 255;
    out[i + 1] = (p >>> 8) & 255;
    out[i + 2] = (p >>> 16) & 255;
    out[i + 3] = 255;
  }
  return { width, height: h, data: out };
}

/**
 * resizeVertical resamples every column of src (or the `span` of each column) to `height` pixels.
 * useWasm false keeps to the JavaScript passes (tests compare the two).
 */
export function resizeVertical(src: Bitmap, height: number, span?: Span, useWasm = true): Bitmap {
  const { wts, w255, aSum } = tapsFor(height, src.height, span);
  const px = pixelWords(src);
  if (!fastPath(src, px, aSum)) return alphaWasm(useWasm, src, undefined, wts) ?? verticalAlpha(src, height, wts, w255, aSum);
  const fast = opaqueWasm(useWasm, src, undefined, { start: wts.start, index: wts.index, w255, aSum });
  if (fast) return fast;
  const out = new Uint8Array(src.width * height * 4);
  const acc = new Float64Array(src.width * 3);
  for (let y = 0; y < height; y++) verticalRow(px, src.height, src.width, wts, w255, aSum, y, out, acc);
  return { width: src.width, height, data: out };
}

/**
 * resizeBoth runs the horizontal pass, then the vertical one. For an opaque image the rounded
 * horizontal rows go through a ring just big enough for one output row's taps plus a block.
 */
function resizeBoth(src: Bitmap, width: number, height: number, window: { x: Span; y: Span } | undefined, useWasm: boolean): Bitmap {
  const { wts: wx, w255: hw255, aSum: hSum } = tapsFor(width, src.width, window?.x);
  const { wts: wy, w255: vw255, aSum: vSum } = tapsFor(height, src.height, window?.y);
  const px = pixelWords(src);
  if (!fastPath(src, px, hSum, vSum)) {
    return alphaWasm(useWasm, src, wx, wy) ?? verticalAlpha(horizontalAlpha(src, width, wx, hw255, hSum), height, wy, vw255, vSum);
  }
  const fast = opaqueWasm(useWasm, src, { start: wx.start, index: wx.index, w255: hw255, aSum: hSum },
    { start: wy.start, index: wy.index, w255: vw255, aSum: vSum });
  if (fast) return fast;
  const h = src.height;
  // Whole blocks in a ring that is a multiple of the block never wrap inside a block.
  const ring = Math.min(h, Math.ceil((tapSpan(wy) + ROW_BLOCK) / ROW_BLOCK) * ROW_BLOCK);
  const mid = new Uint32Array(ring * width);
  const hAcc = new Float64Array(ROW_BLOCK * 3);
  const vAcc = new Float64Array(width * 3);
  const out = new Uint8Array(width * height * 4);
  let ready = 0;
  for (let y = 0; y < height; y++) {
    const need = wy.index[wy.start[y + 1] - 1] + 1;
    while (ready < need) {
      const y1 = Math.min(h, ready + ROW_BLOCK);
      horizontalRows(px, src.width, ready, y1, wx, hw255, hSum, mid, (ready % ring) * width, hAcc);
      ready = y1;
    }
    verticalRow(mid, ring, width, wy, vw255, vSum, y, out, vAcc);
  }
  return { width, height, data: out };
}

/**
 * resize resamples src to exactly width x height with Lanczos3 (imaging.Resize with both sides
 * given): horizontal pass first when both sides change, a single pass when one does, and a
 * copy when neither does. `window` (fractional source pixels) limits what is sampled; it is
 * how a decode-time reduced image is resampled as exactly the region it stands for. useWasm
 * false keeps to the JavaScript passes (tests compare the two).
 */
export function resize(src: Bitmap, width: number, height: number, window?: { x: Span; y: Span }, useWasm = true): Bitmap {
  if (width <= 0 || height <= 0 || src.width <= 0 || src.height <= 0) {
    return { width: Math.max(0, width), height: Math.max(0, height), data: new Uint8Array(Math.max(0, width * height * 4)) };
  }
  const whole = (s: Span | undefined, size: number): boolean => !s || (s.offset === 0 && s.length === size);
  const dw = src.width !== width || !whole(window?.x, src.width);
  const dh = src.height !== height || !whole(window?.y, src.height);
  if (dw && dh) return resizeBoth(src, width, height, window, useWasm);
  if (dw) return resizeHorizontal(src, width, window?.x, useWasm);
  if (dh) return resizeVertical(src, height, window?.y, useWasm);
  return { width, height, data: src.data.slice() };
}
