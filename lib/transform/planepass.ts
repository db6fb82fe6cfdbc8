/**
 * The two resampling passes of a single sample plane, in fixed point: a vertical pass from
 * 8-bit samples and a horizontal pass over its 16-bit output. Each pass has a WebAssembly SIMD
 * version (wasm/planes.wat) and this JavaScript one; both do the very same integer arithmetic,
 * so they give identical results and either may run.
 */
import { YCC_FRACTION_BITS, type Scratch } from '../codecs/index.js';
import type { Weights } from './resample.js';
import { wasmPlanes } from './wasm/planes.js';

/** WEIGHT_BITS is the weights' fixed-point precision: 14 bits keep a weight in an int16 lane. */
export const WEIGHT_BITS = 14;
const ONE = 1 << WEIGHT_BITS;

/**
 * SAMPLE_BITS is the fraction the passes keep below the 8-bit sample: output is in 1/16 units
 * (0..4080), so the horizontal pass and the encoder's DCT do not start from rounded bytes.
 */
export const SAMPLE_BITS = YCC_FRACTION_BITS;
/** SAMPLE_MAX is 255 in 1/16 units. */
export const SAMPLE_MAX = 255 << SAMPLE_BITS;

/** VERTICAL_SHIFT takes a sum of bytes times weights to 1/16 units. */
const VERTICAL_SHIFT = WEIGHT_BITS - SAMPLE_BITS;
/** HORIZONTAL_SHIFT takes a sum of 1/16 units times weights back to 1/16 units. */
const HORIZONTAL_SHIFT = WEIGHT_BITS;

/** VerticalTaps are a vertical pass's taps: output row y reads rows index[start[y]..start[y+1]). */
export interface VerticalTaps {
  start: Int32Array;
  index: Int32Array;
  /** WEIGHT_BITS fixed point; each output's weights sum to exactly 1 << WEIGHT_BITS. */
  weight: Int32Array;
}

/**
 * HorizontalTaps are a horizontal pass's taps as a dense table: output x reads `taps`
 * consecutive samples from first[x], with weights weight[x*taps ..], zero past its real taps.
 */
export interface HorizontalTaps {
  first: Int32Array;
  /** A multiple of 8 (one SIMD register of int16 weights). */
  taps: number;
  weight: Int16Array;
}

/** fixedWeights scales one output's float taps to integers summing to exactly ONE. */
function fixedWeights(w: Weights): Int32Array {
  const out = new Int32Array(w.weight.length);
  for (let i = 0; i + 1 < w.start.length; i++) {
    const k0 = w.start[i], k1 = w.start[i + 1];
    if (k1 === k0) continue;
    let sum = 0;
    let big = k0;
    for (let k = k0; k < k1; k++) {
      out[k] = Math.round(w.weight[k] * ONE);
      sum += out[k];
      if (w.weight[k] > w.weight[big]) big = k;
    }
    // The largest tap absorbs the rounding so that a flat area stays exactly flat.
    out[big] += ONE - sum;
  }
  return out;
}

/** verticalTaps converts float taps for the vertical pass. */
export function verticalTaps(w: Weights): VerticalTaps {
  return { start: w.start, index: w.index, weight: fixedWeights(w) };
}

/** horizontalTaps converts float taps (consecutive source samples per output) to a dense table. */
export function horizontalTaps(w: Weights): HorizontalTaps {
  const n = w.start.length - 1;
  const fixed = fixedWeights(w);
  let span = 1;
  for (let x = 0; x < n; x++) {
    const k0 = w.start[x], k1 = w.start[x + 1];
    if (k1 > k0) span = Math.max(span, w.index[k1 - 1] - w.index[k0] + 1);
  }
  const taps = Math.ceil(span / 8) * 8;
  const first = new Int32Array(n);
  const weight = new Int16Array(n * taps);
  for (let x = 0; x < n; x++) {
    const k0 = w.start[x], k1 = w.start[x + 1];
    if (k1 === k0) continue;
    first[x] = w.index[k0];
    for (let k = k0; k < k1; k++) weight[x * taps + w.index[k] - first[x]] = fixed[k];
  }
  return { first, taps, weight };
}

/** PlaneView is a rectangle of one 8-bit plane: sample (x, y) is data[offset + y * stride + x]. */
export interface PlaneView {
  data: Uint8Array;
  offset: number;
  stride: number;
  width: number;
  height: number;
}

/**
 * verticalPassJs resamples the columns of src to the rows of `taps`, writing rows of
 * src.width samples in 1/16 units to out.
 */
export function verticalPassJs(src: PlaneView, taps: VerticalTaps, out: Uint16Array): void {
  const { start, index, weight } = taps;
  const { data, width: w, stride } = src;
  const h = start.length - 1;
  const acc = new Int32Array(w);
  const half = 1 << (VERTICAL_SHIFT - 1);
  for (let y = 0; y < h; y++) {
    acc.fill(0);
    let k = start[y];
    const k1 = start[y + 1];
    // Four rows a sweep: fewer loads and stores of the sums than one row at a time.
    for (; k + 4 <= k1; k += 4) {
      const w0 = weight[k], w1 = weight[k + 1], w2 = weight[k + 2], w3 = weight[k + 3];
      const r0 = src.offset + index[k] * stride, r1 = src.offset + index[k + 1] * stride;
      const r2 = src.offset + index[k + 2] * stride, r3 = src.offset + index[k + 3] * stride;
      for (let x = 0; x < w; x++) {
        acc[x] = acc[x] + data[r0 + x] * w0 + data[r1 + x] * w1 + data[r2 + x] * w2 + data[r3 + x] * w3;
      }
    }
    for (; k < k1; k++) {
      const w0 = weight[k];
      const r0 = src.offset + index[k] * stride;
      for (let x = 0; x < w; x++) acc[x] += data[r0 + x] * w0;
    }
    for (let x = 0, o = y * w; x < w; x++, o++) {
      const v = (acc[x] + half) >> VERTICAL_SHIFT;
      out[o] = v < 0 ? 0 : v > SAMPLE_MAX ? SAMPLE_MAX : v;
    }
  }
}

/**
 * ROW_BLOCK is how many rows the JavaScript horizontal pass works through together, so that
 * independent sums of different rows overlap in the CPU instead of each waiting on its own.
 */
const ROW_BLOCK = 8;

/**
 * horizontalPassJs resamples `rows` rows of src (srcW samples each, 1/16 units) to the
 * outputs of `taps`, writing rows in 1/16 units to out.
 */
export function horizontalPassJs(src: Uint16Array, srcW: number, rows: number, taps: HorizontalTaps, out: Uint16Array): void {
  const { first, taps: t, weight } = taps;
  const n = first.length;
  const acc = new Int32Array(ROW_BLOCK);
  const half = 1 << (HORIZONTAL_SHIFT - 1);
  for (let y0 = 0; y0 < rows; y0 += ROW_BLOCK) {
    const m = Math.min(ROW_BLOCK, rows - y0);
    for (let x = 0; x < n; x++) {
      acc.fill(0);
      const base = y0 * srcW + first[x];
      // Past the row's end the weights are zero: stop at the row instead of reading on.
      const len = Math.min(t, srcW - first[x]);
      for (let j = 0, wk = x * t; j < len; j++, wk++) {
        const w0 = weight[wk];
        if (w0 === 0) continue;
        for (let r = 0, o = base + j; r < m; r++, o += srcW) acc[r] += src[o] * w0;
      }
      for (let r = 0, o = y0 * n + x; r < m; r++, o += n) {
        const v = (acc[r] + half) >> HORIZONTAL_SHIFT;
        out[o] = v < 0 ? 0 : v > SAMPLE_MAX ? SAMPLE_MAX : v;
      }
    }
  }
}

/**
 * VERTICAL and HORIZONTAL keep the fixed-point taps of float weights that planar.ts reuses (its
 * axisWeights cache), so a repeated size skips the conversion (~0.3 ms of a 1024 -> 500w).
 */
const VERTICAL = new WeakMap<Weights, VerticalTaps>();
const HORIZONTAL = new WeakMap<Weights, HorizontalTaps>();

/** cachedTaps returns make(w), computed once per weights object. */
function cachedTaps<T>(cache: WeakMap<Weights, T>, w: Weights, make: (w: Weights) => T): T {
  let t = cache.get(w);
  if (t === undefined) cache.set(w, (t = make(w)));
  return t;
}

/**
 * resizePlane resamples the `src` view with float taps wx (over its columns) and wy (over its
 * rows), vertically first and then horizontally, and returns samples in 1/16 units. Vertical
 * first leaves the costlier horizontal pass the fewer rows when shrinking. `useWasm: false`
 * forces the JavaScript passes (the WebAssembly ones are used whenever they load); the output
 * (and the JavaScript passes' middle plane) come from scratch when given.
 */
export function resizePlane(src: PlaneView, wx: Weights, wy: Weights, useWasm = true, scratch?: Scratch): Uint16Array {
  const v = cachedTaps(VERTICAL, wy, verticalTaps);
  const h = cachedTaps(HORIZONTAL, wx, horizontalTaps);
  const height = v.start.length - 1;
  const samples = (n: number): Uint16Array => (scratch ? scratch.u16(n) : new Uint16Array(n));
  const wasm = useWasm ? wasmPlanes() : undefined;
  if (wasm) return wasm.resize(src, v, h, scratch ? samples(h.first.length * height) : undefined);
  const mid = samples(src.width * height);
  verticalPassJs(src, v, mid);
  const out = samples(h.first.length * height);
  horizontalPassJs(mid, src.width, height, h, out);
  return out;
}
