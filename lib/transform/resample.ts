/**
 * Lanczos3 resampling, computed exactly as github.com/disintegration/imaging's Resize with
 * imaging.Lanczos: separable passes (horizontal, then vertical), alpha-weighted sums, float64
 * arithmetic in the same order, 8-bit rounding between the passes. Matching the order of
 * floating-point operations is what makes the output byte-identical to the Go server's.
 */
import type { Bitmap } from '../codecs/types.js';

/** LANCZOS_SUPPORT is the radius of the Lanczos3 kernel in source pixels (at scale 1). */
export const LANCZOS_SUPPORT = 3;

/** Go's 4/math.Pi constant, rounded once from the exact value (it equals 4/Math.PI in float64). */
const FOUR_OVER_PI = 1.2732395447351628;
const PI4A = 7.85398125648498535156e-1;
const PI4B = 3.77489470793079817668e-8;
const PI4C = 2.69515142907905952645e-15;
const S0 = 1.58962301576546568060e-10;
const S1 = -2.50507477628578072866e-8;
const S2 = 2.75573136213857245213e-6;
const S3 = -1.98412698295895385996e-4;
const S4 = 8.33333333332211858878e-3;
const S5 = -1.66666666666666307295e-1;
const C0 = -1.13585365213876817300e-11;
const C1 = 2.08757008419747316778e-9;
const C2 = -2.75573141792967388112e-7;
const C3 = 2.48015872888517045348e-5;
const C4 = -1.38888888888730564116e-3;
const C5 = 4.16666666666665929218e-2;

/**
 * goSin is Go's pure-Go math.Sin (the Cephes polynomial Go uses on amd64) for |x| < 2^29.
 *
 * JavaScript's Math.sin may differ from it in the last bit, and the weights feed an 8-bit
 * rounding, so the kernel uses Go's own sine to keep results byte-identical.
 */
export function goSin(x: number): number {
  if (x === 0 || Number.isNaN(x)) return x;
  let sign = false;
  if (x < 0) {
    x = -x;
    sign = true;
  }
  let j = Math.floor(x * FOUR_OVER_PI);
  let y = j;
  if (j % 2 === 1) {
    j++;
    y++;
  }
  j %= 8;
  const z = ((x - y * PI4A) - y * PI4B) - y * PI4C;
  if (j > 3) {
    sign = !sign;
    j -= 4;
  }
  const zz = z * z;
  if (j === 1 || j === 2) {
    y = 1.0 - 0.5 * zz + zz * zz * ((((((C0 * zz) + C1) * zz + C2) * zz + C3) * zz + C4) * zz + C5);
  } else {
    y = z + z * zz * ((((((S0 * zz) + S1) * zz + S2) * zz + S3) * zz + S4) * zz + S5);
  }
  return sign ? -y : y;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  return goSin(Math.PI * x) / (Math.PI * x);
}

/** lanczos is the Lanczos3 kernel, sinc(x)*sinc(x/3) inside |x| < 3. */
export function lanczos(x: number): number {
  x = Math.abs(x);
  return x < 3 ? sinc(x) * sinc(x / 3) : 0;
}

/**
 * Weights are the precomputed taps of a one-dimensional resample: output i reads source
 * indices index[start[i] .. start[i+1]) with the matching normalised weights.
 */
export interface Weights {
  start: Int32Array;
  index: Int32Array;
  weight: Float64Array;
}

/**
 * Span is the part of a source axis a resample reads, in (possibly fractional) source pixels:
 * a decode-time reduced image covers `size/shrink` pixels of the original, not its rounded-up
 * pixel count, and sampling its last partial pixel as a whole one would shift the output.
 */
export interface Span {
  /** Where the span starts. */
  offset: number;
  /** How long it is. */
  length: number;
}

/**
 * precomputeWeights computes the Lanczos3 taps for resampling srcSize pixels to dstSize; with
 * `span`, output pixels map onto that part of the source axis instead of all srcSize pixels.
 */
export function precomputeWeights(dstSize: number, srcSize: number, span: Span = { offset: 0, length: srcSize }): Weights {
  const du = span.length / dstSize;
  const scale = du < 1 ? 1 : du;
  const ru = Math.ceil(scale * LANCZOS_SUPPORT);
  const maxTaps = dstSize * (2 * ru + 1);
  const index = new Int32Array(maxTaps);
  const weight = new Float64Array(maxTaps);
  const start = new Int32Array(dstSize + 1);
  let n = 0;
  for (let v = 0; v < dstSize; v++) {
    const fu = span.offset + (v + 0.5) * du - 0.5;
    const begin = Math.max(0, Math.ceil(fu - ru));
    const end = Math.min(srcSize - 1, Math.floor(fu + ru));
    const first = n;
    let sum = 0;
    for (let u = begin; u <= end; u++) {
      const w = lanczos((u - fu) / scale);
      if (w !== 0) {
        sum += w;
        index[n] = u;
        weight[n] = w;
        n++;
      }
    }
    if (sum !== 0) for (let k = first; k < n; k++) weight[k] /= sum;
    start[v] = first;
  }
  start[dstSize] = n;
  return { start, index: index.subarray(0, n), weight: weight.subarray(0, n) };
}

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
    let ok = 1;
    for (let i = y * width, e = i + width; i < e; i++) {
      if ((px[i] >>> 24) !== 255) {
        ok = 0;
        break;
      }
    }
    flags[y] = ok;
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

/** resizeHorizontal resamples every row of src (or the `span` of each row) to `width` pixels. */
export function resizeHorizontal(src: Bitmap, width: number, span?: Span): Bitmap {
  const wts = precomputeWeights(width, src.width, span);
  const [w255, aSum] = opaqueTables(wts, width);
  const px = pixelWords(src);
  if (!fastPath(src, px, aSum)) return horizontalAlpha(src, width, wts, w255, aSum);
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

/** resizeVertical resamples every column of src (or the `span` of each column) to `height` pixels. */
export function resizeVertical(src: Bitmap, height: number, span?: Span): Bitmap {
  const wts = precomputeWeights(height, src.height, span);
  const [w255, aSum] = opaqueTables(wts, height);
  const px = pixelWords(src);
  if (!fastPath(src, px, aSum)) return verticalAlpha(src, height, wts, w255, aSum);
  const out = new Uint8Array(src.width * height * 4);
  const acc = new Float64Array(src.width * 3);
  for (let y = 0; y < height; y++) verticalRow(px, src.height, src.width, wts, w255, aSum, y, out, acc);
  return { width: src.width, height, data: out };
}

/**
 * resizeBoth runs the horizontal pass, then the vertical one. For an opaque image the rounded
 * horizontal rows go through a ring just big enough for one output row's taps plus a block.
 */
function resizeBoth(src: Bitmap, width: number, height: number, window?: { x: Span; y: Span }): Bitmap {
  const wx = precomputeWeights(width, src.width, window?.x);
  const wy = precomputeWeights(height, src.height, window?.y);
  const [hw255, hSum] = opaqueTables(wx, width);
  const [vw255, vSum] = opaqueTables(wy, height);
  const px = pixelWords(src);
  if (!fastPath(src, px, hSum, vSum)) return verticalAlpha(horizontalAlpha(src, width, wx, hw255, hSum), height, wy, vw255, vSum);
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
 * how a decode-time reduced image is resampled as exactly the region it stands for.
 */
export function resize(src: Bitmap, width: number, height: number, window?: { x: Span; y: Span }): Bitmap {
  if (width <= 0 || height <= 0 || src.width <= 0 || src.height <= 0) {
    return { width: Math.max(0, width), height: Math.max(0, height), data: new Uint8Array(Math.max(0, width * height * 4)) };
  }
  const whole = (s: Span | undefined, size: number): boolean => !s || (s.offset === 0 && s.length === size);
  const dw = src.width !== width || !whole(window?.x, src.width);
  const dh = src.height !== height || !whole(window?.y, src.height);
  if (dw && dh) return resizeBoth(src, width, height, window);
  if (dw) return resizeHorizontal(src, width, window?.x);
  if (dh) return resizeVertical(src, height, window?.y);
  return { width, height, data: src.data.slice() };
}
