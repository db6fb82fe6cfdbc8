/**
 * The WebAssembly SIMD plane passes (planes.wat): loading the module, laying out one resize in
 * its memory and running the vertical and horizontal passes there.
 */
import type { HorizontalTaps, PlaneView, VerticalTaps } from '../planepass.js';
import { PLANES_WASM_BASE64 } from './planes-bytes.js';
import { EmbeddedModule, Layout, rowsRead, type WasmMemory } from './runtime.js';

/**
 * WASM_KEEP_BYTES is how much memory an instance may keep between resizes: an instance that
 * had to grow past it is dropped after use, so that one big image does not pin its memory for
 * the life of the worker. 8 MiB holds any source up to ~6 MP (a 4000x2667 JPEG decoded at 1/2
 * takes 4.2 MiB); a full-size 10 MP source (~17 MiB) is not kept.
 */
export const WASM_KEEP_BYTES = 8 * 1024 * 1024;

interface Exports {
  memory: WasmMemory;
  vertical(src: number, stride: number, w: number, h: number, start: number, index: number, weight: number, out: number): void;
  horizontal(src: number, srcW: number, rows: number, n: number, first: number, taps: number, weight: number, out: number): void;
}

/** WasmPlanes runs both passes of a plane resize in WebAssembly. */
export interface WasmPlanes {
  /** resize is planepass.resizePlane's arithmetic: vertical taps v, then horizontal taps h, into out when given. */
  resize(src: PlaneView, v: VerticalTaps, h: HorizontalTaps, out?: Uint16Array): Uint16Array;
}

const MODULE = new EmbeddedModule<Exports>('planes', PLANES_WASM_BASE64, WASM_KEEP_BYTES);

/**
 * wasmPlanes returns the WebAssembly passes, or undefined where this runtime cannot compile
 * the module (no WebAssembly or no SIMD): the caller then uses the JavaScript passes.
 */
export function wasmPlanes(): WasmPlanes | undefined {
  return MODULE.available() ? RESIZER : undefined;
}

/** wasmMemoryBytes is the size of the live instance's memory, 0 when none is kept. */
export function wasmMemoryBytes(): number {
  return MODULE.memoryBytes();
}

const RESIZER: WasmPlanes = {
  resize(src, v, h, out) {
    const outH = v.start.length - 1;
    const n = h.first.length;
    const w = src.width;
    // Only the rows some output row reads are copied in.
    const [r0, r1] = rowsRead(v.index);
    const srcBytes = r1 > r0 ? (r1 - 1 - r0) * src.stride + w : 0;
    const lay = new Layout();
    // The vertical pass reads and writes up to 15 samples past a row; the horizontal pass reads
    // up to taps-1 samples past one.
    const pSrc = lay.take(srcBytes + 16);
    const pMid = lay.take(w * outH * 2 + Math.max(32, h.taps * 2 + 16));
    const pOut = lay.take(n * outH * 2);
    const pStart = lay.take(v.start.length * 4);
    const pIndex = lay.take(v.index.length * 4);
    const pWeight = lay.take(v.weight.length * 4);
    const pFirst = lay.take(n * 4);
    const pHw = lay.take(h.weight.length * 2);

    return MODULE.call(lay.size, (ex) => {
      const buf = ex.memory.buffer;
      const base = src.offset + r0 * src.stride;
      new Uint8Array(buf, pSrc, srcBytes).set(src.data.subarray(base, base + srcBytes));
      new Int32Array(buf, pStart, v.start.length).set(v.start);
      const index = new Int32Array(buf, pIndex, v.index.length);
      for (let k = 0; k < index.length; k++) index[k] = v.index[k] - r0;
      new Int32Array(buf, pWeight, v.weight.length).set(v.weight);
      new Int32Array(buf, pFirst, n).set(h.first);
      new Int16Array(buf, pHw, h.weight.length).set(h.weight);
      ex.vertical(pSrc, src.stride, w, outH, pStart, pIndex, pWeight, pMid);
      ex.horizontal(pMid, w, outH, n, pFirst, h.taps, pHw, pOut);
      const result = new Uint16Array(buf, pOut, n * outH);
      return out ? (out.set(result), out) : result.slice();
    });
  },
};
