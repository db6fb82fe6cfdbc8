/**
 * The WebAssembly SIMD passes for RGBA bitmaps (rgba.wat): loading the module, laying out one
 * resize in its memory and running the horizontal and vertical passes there. They compute
 * exactly what resample.ts's JavaScript passes compute, opaque fast path and alpha passes.
 */
import type { Bitmap } from '../../codecs/types.js';
import { RGBA_WASM_BASE64 } from './rgba-bytes.js';
import { EmbeddedModule, Layout, rowsRead, type WasmMemory } from './runtime.js';

/**
 * RGBA_WASM_KEEP_BYTES is how much memory an instance may keep between resizes: an instance
 * that had to grow past it (a very large image) is dropped after use, so that one big image does
 * not pin its memory for the life of the worker.
 */
export const RGBA_WASM_KEEP_BYTES = 32 * 1024 * 1024;

/**
 * RGBA_WASM_MAX_BYTES is the most memory one resize may ask of the module; a larger one is left
 * to the JavaScript passes, which need no copy of the source, instead of failing to grow.
 */
export const RGBA_WASM_MAX_BYTES = 1024 * 1024 * 1024;

/** BLOCK is the size of one converted block of the opaque passes: four pixels' RGB as six f64x2. */
const BLOCK = 96;
/** ALPHA_BLOCK is BLOCK for the alpha passes, which convert alpha too (eight f64x2). */
const ALPHA_BLOCK = 128;
/** SLACK covers the up to 12 bytes the vertical pass reads or writes past a buffer's last row. */
const SLACK = 16;

interface Exports {
  memory: WasmMemory;
  horizontal(src: number, sw: number, rows: number, n: number, start: number, off: number, wt: number, inv: number,
    buf: number, out: number): void;
  vertical(src: number, w: number, h: number, start: number, index: number, off: number, wt: number, inv: number,
    ring: number, ringRows: number, out: number): void;
  horizontalAlpha(src: number, sw: number, rows: number, n: number, start: number, off: number, wt: number,
    buf: number, out: number): void;
  verticalAlpha(src: number, w: number, h: number, start: number, index: number, off: number, wt: number,
    ring: number, ringRows: number, out: number): void;
}

/**
 * OpaqueTaps are one axis's taps for the opaque passes: output i adds source lines
 * index[start[i] .. start[i+1]) (ascending, as precomputeWeights makes them) weighted by w255
 * (255 times the Lanczos weight), and aSum[i] is the sum of its w255 (the alpha sum of an
 * opaque image).
 */
export interface OpaqueTaps {
  start: Int32Array;
  index: Int32Array;
  w255: Float64Array;
  aSum: Float64Array;
}

/**
 * AlphaTaps are one axis's taps for the passes over images with transparency: output i adds
 * source lines index[start[i] .. start[i+1]) (ascending) with the Lanczos weights `weight`.
 */
export interface AlphaTaps {
  start: Int32Array;
  index: Int32Array;
  weight: Float64Array;
}

/** WasmRgba runs resample.ts's RGBA passes in WebAssembly. */
export interface WasmRgba {
  /**
   * resize is the opaque horizontal pass with taps h (when given), then the opaque vertical pass
   * with taps v (when given), over an opaque bitmap whose every output alpha rounds to 255. It
   * returns undefined when the resize needs more memory than the module may take.
   */
  resize(src: Bitmap, h: OpaqueTaps | undefined, v: OpaqueTaps | undefined): Bitmap | undefined;
  /**
   * resizeAlpha is resize for any bitmap: the alpha-weighted passes (resample.ts's
   * horizontalAlpha and verticalAlpha). Undefined when short of memory.
   */
  resizeAlpha(src: Bitmap, h: AlphaTaps | undefined, v: AlphaTaps | undefined): Bitmap | undefined;
}

const MODULE = new EmbeddedModule<Exports>('rgba', RGBA_WASM_BASE64, RGBA_WASM_KEEP_BYTES);

/**
 * wasmRgba returns the WebAssembly passes, or undefined where this runtime cannot compile the
 * module (no WebAssembly or no SIMD): the caller then uses the JavaScript passes.
 */
export function wasmRgba(): WasmRgba | undefined {
  return MODULE.available() ? RESIZER : undefined;
}

/** wasmRgbaMemoryBytes is the size of the live instance's memory, 0 when none is kept. */
export function wasmRgbaMemoryBytes(): number {
  return MODULE.memoryBytes();
}

/** PassTaps are taps as the module takes them: weights, and 1 / aSum for the opaque passes. */
interface PassTaps {
  start: Int32Array;
  index: Int32Array;
  wt: Float64Array;
  inv?: Float64Array;
}

/** opaque turns OpaqueTaps into PassTaps, inv = 1 / aSum computed as the JavaScript computes it. */
function opaque(t: OpaqueTaps | undefined): PassTaps | undefined {
  if (!t) return undefined;
  const inv = new Float64Array(t.aSum.length);
  for (let i = 0; i < inv.length; i++) inv[i] = 1 / t.aSum[i];
  return { start: t.start, index: t.index, wt: t.w255, inv };
}

/**
 * ringRows is how many converted source rows the vertical pass must keep so that every row an
 * output reads is still there: rows are converted in order up to the highest one read so far.
 */
function ringRows(v: PassTaps): number {
  let ring = 1;
  let hi = -1;
  for (let y = 0; y + 1 < v.start.length; y++) {
    const s = v.start[y], e = v.start[y + 1];
    if (e <= s) continue;
    let lo = v.index[s];
    for (let k = s; k < e; k++) {
      lo = Math.min(lo, v.index[k]);
      hi = Math.max(hi, v.index[k]);
    }
    ring = Math.max(ring, hi - lo + 1);
  }
  return ring;
}

/**
 * run lays out one resize in the module's memory and runs its passes: horizontal taps h, then
 * vertical taps v (either may be absent), opaque or alpha-weighted. Undefined when the memory
 * it needs is more than the module may take or can get.
 */
function run(src: Bitmap, alpha: boolean, h: PassTaps | undefined, v: PassTaps | undefined): Bitmap | undefined {
  const block = alpha ? ALPHA_BLOCK : BLOCK;
  const sw = src.width;
  const n = h ? h.start.length - 1 : sw;
  const m = v ? v.start.length - 1 : src.height;
  // Only the rows some output row reads are copied in and resampled.
  const [r0, r1] = v ? rowsRead(v.index) : [0, src.height];
  const rows = r1 - r0;
  // The horizontal pass works four rows at a time.
  const rowsH = h ? Math.ceil(rows / 4) * 4 : rows;
  const lay = new Layout();
  const pSrc = lay.take(sw * 4 * rowsH + SLACK);
  const hp = h && {
    buf: lay.take(sw * block),
    start: lay.take(h.start.length * 4),
    off: lay.take(h.index.length * 4),
    wt: lay.take(h.wt.length * 8),
    inv: lay.take(h.inv ? n * 8 : 0),
    out: lay.take(n * 4 * rowsH + SLACK),
  };
  const ring = v ? ringRows(v) : 0;
  const ringRowBytes = Math.ceil(n / 4) * block;
  const vp = v && {
    start: lay.take(v.start.length * 4),
    index: lay.take(v.index.length * 4),
    off: lay.take(v.index.length * 4),
    wt: lay.take(v.wt.length * 8),
    inv: lay.take(v.inv ? m * 8 : 0),
    ring: lay.take(ring * ringRowBytes),
    out: lay.take(n * 4 * m + SLACK),
  };
  if (lay.size > RGBA_WASM_MAX_BYTES) return undefined;
  try {
    return MODULE.call(lay.size, (ex) => {
      const buf = ex.memory.buffer;
      const rowBytes = sw * 4;
      new Uint8Array(buf, pSrc, rows * rowBytes).set(src.data.subarray(r0 * rowBytes, r1 * rowBytes));
      let mid = pSrc;
      if (h && hp) {
        new Int32Array(buf, hp.start, h.start.length).set(h.start);
        const off = new Int32Array(buf, hp.off, h.index.length);
        for (let k = 0; k < off.length; k++) off[k] = h.index[k] * block;
        new Float64Array(buf, hp.wt, h.wt.length).set(h.wt);
        if (h.inv) {
          new Float64Array(buf, hp.inv, n).set(h.inv);
          ex.horizontal(pSrc, sw, rowsH, n, hp.start, hp.off, hp.wt, hp.inv, hp.buf, hp.out);
        } else {
          ex.horizontalAlpha(pSrc, sw, rowsH, n, hp.start, hp.off, hp.wt, hp.buf, hp.out);
        }
        mid = hp.out;
      }
      if (v && vp) {
        new Int32Array(buf, vp.start, v.start.length).set(v.start);
        const index = new Int32Array(buf, vp.index, v.index.length);
        const off = new Int32Array(buf, vp.off, v.index.length);
        for (let k = 0; k < index.length; k++) {
          index[k] = v.index[k] - r0;
          off[k] = (index[k] % ring) * ringRowBytes;
        }
        new Float64Array(buf, vp.wt, v.wt.length).set(v.wt);
        if (v.inv) {
          new Float64Array(buf, vp.inv, m).set(v.inv);
          ex.vertical(mid, n, m, vp.start, vp.index, vp.off, vp.wt, vp.inv, vp.ring, ring, vp.out);
        } else {
          ex.verticalAlpha(mid, n, m, vp.start, vp.index, vp.off, vp.wt, vp.ring, ring, vp.out);
        }
        mid = vp.out;
      }
      return { width: n, height: m, data: new Uint8Array(buf, mid, n * 4 * m).slice() };
    });
  } catch (e) {
    // Memory that cannot grow: the JavaScript passes need less of it.
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}

const RESIZER: WasmRgba = {
  resize: (src, h, v) => run(src, false, opaque(h), opaque(v)),
  resizeAlpha: (src, h, v) => run(src, true, h && { start: h.start, index: h.index, wt: h.weight },
    v && { start: v.start, index: v.index, wt: v.weight }),
};
