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
 * resizeOpaqueJs is the JavaScript twin of the module's passes: rows of src that taps.y reads,
 * resampled vertically to 1/16 units (clamped to 0..4080), then horizontally to bytes.
 */
export function resizeOpaqueJs(src: Bitmap, taps: GifResizeTaps): Bitmap {
  const { x, y } = taps;
  const sw = src.width, n = x.start.length - 1, m = y.start.length - 1;
  const s = src.data, row = sw * 4;
  const mid = new Int32Array(row);
  const out = new Uint8Array(n * m * 4);
  for (let r = 0, o = 0; r < m; r++) {
    mid.fill(0);
    for (let k = y.start[r]; k < y.start[r + 1]; k++) {
      const w = y.weight[k];
      for (let i = 0, p = y.index[k] * row; i < row; i++, p++) mid[i] += s[p] * w;
    }
    for (let i = 0; i < row; i++) {
      const v = (mid[i] + 512) >> 10;
      mid[i] = v < 0 ? 0 : v > MID_MAX ? MID_MAX : v;
    }
    for (let c = 0; c < n; c++, o += 4) {
      let r0 = 0, g0 = 0, b0 = 0, a0 = 0;
      for (let k = x.start[c]; k < x.start[c + 1]; k++) {
        const w = x.weight[k], p = x.index[k] * 4;
        r0 += mid[p] * w; g0 += mid[p + 1] * w; b0 += mid[p + 2] * w; a0 += mid[p + 3] * w;
      }
      out[o] = clamp18(r0); out[o + 1] = clamp18(g0); out[o + 2] = clamp18(b0); out[o + 3] = clamp18(a0);
    }
  }
  return { width: n, height: m, data: out };
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
