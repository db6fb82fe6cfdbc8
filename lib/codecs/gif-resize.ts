/**
 * Resizing opaque frames for GIF output: Lanczos3 with the taps of lib/transform/lanczos.ts,
 * like the float resampler (resample.ts), but in integer arithmetic, vertically first: 14-bit
 * weights, the vertical pass keeping 1/16 of a level (as the YCbCr path's planepass.ts does),
 * the horizontal pass rounding to bytes. A GIF's frames are then cut to a few dozen colours, so
 * the float path's last bit of exactness (bit-identical to Go's imaging) buys nothing there, and
 * this one runs in WebAssembly (gifwasm/gif.wat: vresize, hresize) at about a third of its cost:
 * pairs of taps go through one i32x4.dot_i16x8_s, and the samples are never converted to float.
 * resizeOpaqueJs is the JavaScript twin: the same integers, so the same pixels.
 */
import type { Bitmap } from './types.js';
import { hasTransparency } from './types.js';
import { precomputeWeights, type Span } from '../transform/lanczos.js';
import { resizeOpaqueWasm } from './gifwasm/gifwasm.js';

/** WEIGHT_BITS is the weights' fixed point: 14 bits keep every Lanczos weight in an int16 lane. */
const WEIGHT_BITS = 14;
const ONE = 1 << WEIGHT_BITS;
/** MID_MAX is 255 in the vertical pass's 1/16 units. */
const MID_MAX = 255 << 4;

/** AxisTaps are one axis's fixed-point taps: output i reads source lines index[start[i] .. start[i+1]). */
export interface AxisTaps {
  start: Int32Array;
  index: Int32Array;
  /** WEIGHT_BITS fixed point; each output's weights sum to exactly ONE, so flat areas stay flat. */
  weight: Int32Array;
}

/** GifResizeTaps are both axes' taps, with the horizontal ones also as the module's dense pairs. */
export interface GifResizeTaps {
  x: AxisTaps;
  y: AxisTaps;
  /** first[x] is output x's first source column; it reads 2 * pairs columns from there. */
  first: Int32Array;
  pairs: number;
  /** Output x's taps 2j, 2j+1 as i16 [w w' w w' w w' w w'] at (x * pairs + j) * 8; zero past its real taps. */
  dense: Int16Array;
}

/** fixedTaps computes Lanczos3 taps for dst from src (over span) and scales them to integers summing to ONE. */
function fixedTaps(dst: number, src: number, span?: Span): AxisTaps {
  const w = precomputeWeights(dst, src, span);
  const weight = new Int32Array(w.weight.length);
  for (let i = 0; i < dst; i++) {
    const k0 = w.start[i], k1 = w.start[i + 1];
    if (k1 === k0) continue;
    let sum = 0, big = k0;
    for (let k = k0; k < k1; k++) {
      weight[k] = Math.round(w.weight[k] * ONE);
      sum += weight[k];
      if (w.weight[k] > w.weight[big]) big = k;
    }
    // The largest tap absorbs the rounding.
    weight[big] += ONE - sum;
  }
  return { start: w.start, index: w.index, weight };
}

/** TAPS_KEPT: an animation's frames share one resize, so the last few taps are kept. */
const TAPS_KEPT = 4;
const recent: Array<{ key: string; taps: GifResizeTaps }> = [];

/** gifResizeTaps returns the taps of a sw x sh -> width x height resize (over window), made once per size. */
export function gifResizeTaps(sw: number, sh: number, width: number, height: number, window?: { x: Span; y: Span }): GifResizeTaps {
  const key = `${sw} ${sh} ${width} ${height} ${window ? `${window.x.offset} ${window.x.length} ${window.y.offset} ${window.y.length}` : ''}`;
  const hit = recent.find((r) => r.key === key);
  if (hit) return hit.taps;
  const x = fixedTaps(width, sw, window?.x), y = fixedTaps(height, sh, window?.y);
  let span = 1;
  for (let i = 0; i < width; i++) {
    const k0 = x.start[i], k1 = x.start[i + 1];
    if (k1 > k0) span = Math.max(span, x.index[k1 - 1] - x.index[k0] + 1);
  }
  const pairs = Math.ceil(span / 2);
  const first = new Int32Array(width);
  const dense = new Int16Array(width * pairs * 8);
  for (let i = 0; i < width; i++) {
    const k0 = x.start[i], k1 = x.start[i + 1];
    if (k1 === k0) continue;
    first[i] = x.index[k0];
    for (let k = k0; k < k1; k++) {
      const t = x.index[k] - first[i];
      // Tap t is lane t & 1 of pair t >> 1, repeated for the four channels.
      for (let c = 0, o = (i * pairs + (t >> 1)) * 8 + (t & 1); c < 4; c++, o += 2) dense[o] = x.weight[k];
    }
  }
  const taps = { x, y, first, pairs, dense };
  recent.unshift({ key, taps });
  recent.length = Math.min(recent.length, TAPS_KEPT);
  return taps;
}

/**
 * resizeOpaqueJs is the JavaScript twin of the module's passes: rows of src (which must be
 * opaque) that taps.y reads, resampled vertically to 1/16 units (clamped to 0..4080), then
 * horizontally to bytes.
 */
export function resizeOpaqueJs(src: Bitmap, taps: GifResizeTaps): Bitmap {
  const { x, y } = taps;
  const sw = src.width, n = x.start.length - 1, m = y.start.length - 1;
  const s = src.data, row = sw * 4;
  const mid = new Int32Array(row);
  const out = new Uint8Array(n * m * 4);
  const xs = x.start, xi = x.index, xw = x.weight;
  // Where pixels can be read as little-endian words, one load serves three channels.
  const words = LITTLE_ENDIAN && (s.byteOffset & 3) === 0 ? new Uint32Array(s.buffer, s.byteOffset, sw * src.height) : undefined;
  for (let r = 0, o = 0; r < m; r++) {
    mid.fill(0);
    if (words) verticalWords(words, sw, y, r, mid);
    else verticalBytes(s, row, y, r, mid);
    for (let i = 0; i < row; i++) {
      const v = (mid[i] + 512) >> 10;
      mid[i] = v < 0 ? 0 : v > MID_MAX ? MID_MAX : v;
    }
    for (let c = 0; c < n; c++, o += 4) {
      let r0 = 0, g0 = 0, b0 = 0;
      for (let k = xs[c], k1 = xs[c + 1]; k < k1; k++) {
        const w = xw[k], p = xi[k] * 4;
        r0 += mid[p] * w; g0 += mid[p + 1] * w; b0 += mid[p + 2] * w;
      }
      // Alpha comes out 255 exactly, as the module computes it: the weights of every output sum
      // to ONE, so 255 becomes 4080 after the vertical pass and 255 again after this one.
      out[o] = clamp18(r0); out[o + 1] = clamp18(g0); out[o + 2] = clamp18(b0); out[o + 3] = 255;
    }
  }
  return { width: n, height: m, data: out };
}

/** LITTLE_ENDIAN: verticalWords reads RGBA as 32-bit words, red in the low byte. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * verticalWords adds output row r's vertical taps of the pixel words px (sw wide) into mid (four
 * sums per pixel, alpha's left 0: it comes out 255 whatever it sums to), four source rows a sweep.
 */
function verticalWords(px: Uint32Array, sw: number, y: AxisTaps, r: number, mid: Int32Array): void {
  let k = y.start[r];
  const k1 = y.start[r + 1];
  for (; k + 4 <= k1; k += 4) {
    const w0 = y.weight[k], w1 = y.weight[k + 1], w2 = y.weight[k + 2], w3 = y.weight[k + 3];
    const p0 = y.index[k] * sw, p1 = y.index[k + 1] * sw, p2 = y.index[k + 2] * sw, p3 = y.index[k + 3] * sw;
    for (let i = 0, q = 0; i < sw; i++, q += 4) {
      const a = px[p0 + i], b = px[p1 + i], c = px[p2 + i], d = px[p3 + i];
      mid[q] += (a & 255) * w0 + (b & 255) * w1 + (c & 255) * w2 + (d & 255) * w3;
      mid[q + 1] += ((a >>> 8) & 255) * w0 + ((b >>> 8) & 255) * w1 + ((c >>> 8) & 255) * w2 + ((d >>> 8) & 255) * w3;
      mid[q + 2] += ((a >>> 16) & 255) * w0 + ((b >>> 16) & 255) * w1 + ((c >>> 16) & 255) * w2 + ((d >>> 16) & 255) * w3;
    }
  }
  for (; k < k1; k++) {
    const w0 = y.weight[k], p0 = y.index[k] * sw;
    for (let i = 0, q = 0; i < sw; i++, q += 4) {
      const a = px[p0 + i];
      mid[q] += (a & 255) * w0;
      mid[q + 1] += ((a >>> 8) & 255) * w0;
      mid[q + 2] += ((a >>> 16) & 255) * w0;
    }
  }
}

/** verticalBytes is verticalWords for any byte order or alignment: the same sums, a byte at a time (rows of `row` bytes). */
function verticalBytes(s: Uint8Array, row: number, y: AxisTaps, r: number, mid: Int32Array): void {
  let k = y.start[r];
  const k1 = y.start[r + 1];
  for (; k + 4 <= k1; k += 4) {
    const w0 = y.weight[k], w1 = y.weight[k + 1], w2 = y.weight[k + 2], w3 = y.weight[k + 3];
    const p0 = y.index[k] * row, p1 = y.index[k + 1] * row, p2 = y.index[k + 2] * row, p3 = y.index[k + 3] * row;
    for (let i = 0; i < row; i++) mid[i] += s[p0 + i] * w0 + s[p1 + i] * w1 + s[p2 + i] * w2 + s[p3 + i] * w3;
  }
  for (; k < k1; k++) {
    const w0 = y.weight[k], p0 = y.index[k] * row;
    for (let i = 0; i < row; i++) mid[i] += s[p0 + i] * w0;
  }
}

/** clamp18 rounds a horizontal sum (1/16 units times ONE) to a byte. */
function clamp18(v: number): number {
  const b = (v + 131072) >> 18;
  return b < 0 ? 0 : b > 255 ? 255 : b;
}

/**
 * resizeForGif resamples an opaque src to width x height (over window, as resample.ts's resize
 * takes it) for GIF output, in WebAssembly where it runs, else with resizeOpaqueJs. It returns
 * undefined, for the caller's float resize, when src has transparency (whose alpha-weighted
 * passes this does not do) or a side does not change.
 */
export function resizeForGif(src: Bitmap, width: number, height: number, window?: { x: Span; y: Span }): Bitmap | undefined {
  if (width <= 0 || height <= 0 || src.width <= 0 || src.height <= 0) return undefined;
  const whole = (s: Span | undefined, size: number): boolean => !s || (s.offset === 0 && s.length === size);
  if ((src.width === width && whole(window?.x, src.width)) || (src.height === height && whole(window?.y, src.height))) return undefined;
  const taps = gifResizeTaps(src.width, src.height, width, height, window);
  const fast = resizeOpaqueWasm(src, taps);
  if (fast !== undefined) return fast ?? undefined;
  return hasTransparency(src.data) ? undefined : resizeOpaqueJs(src, taps);
}
