/**
 * PNG row filters in WebAssembly SIMD (png.wat): the decoder's unfiltering of 8-bit grey,
 * grey+alpha, RGB and RGBA images straight into RGBA8, and the encoder's adaptive filter choice.
 * Both are twins of the JavaScript in pngfast.ts and pngfast-encode.ts and give the very same
 * bytes and errors; where WebAssembly (with SIMD) is missing, or an image is too large for one
 * module memory, the JavaScript runs instead.
 */
import { EmbeddedModule, Layout, type WasmMemory } from '../../transform/wasm/runtime.js';
import { PNG_WASM_BASE64 } from './png-bytes.js';

interface PngExports {
  memory: WasmMemory;
  unfilter(raw: number, w: number, h: number, bpp: number, zero: number, out: number): number;
  keyAlpha(p: number, n: number, key: number): void;
  translucent(p: number, n: number): number;
  filter(src: number, w: number, h: number, ch: number, rows: number, scr: number, out: number): void;
}

/** PNG_KEEP_BYTES: an instance whose memory grew past this (an image over ~2 megapixels) is dropped after its call. */
const PNG_KEEP_BYTES = 32 << 20;
/** PNG_WASM_MAX_BYTES bounds one call's memory (larger images take the JavaScript path): well below wasm32's 4 GiB. */
export const PNG_WASM_MAX_BYTES = 1 << 30;
/** PAD is the slack after a region that the module's 16-byte loads and stores may touch. */
const PAD = 16;

const png = new EmbeddedModule<PngExports>('png', PNG_WASM_BASE64, PNG_KEEP_BYTES);

/**
 * setWasmPng turns the WebAssembly row filters on or off (on by default where the runtime has
 * WebAssembly with SIMD); tests turn it off to run the JavaScript twin.
 */
export function setWasmPng(on: boolean): void {
  png.setEnabled(on);
}

/** wasmPngReady reports whether PNG rows go to the WebAssembly filters. */
export function wasmPngReady(): boolean {
  return png.ready();
}

/** UnfilteredRgba is what unfilterToRgbaWasm gives: the RGBA8 pixels and whether any alpha is below 255. */
export interface UnfilteredRgba {
  data: Uint8Array;
  hasAlpha: boolean;
}

/**
 * unfilterToRgbaWasm reverses the row filters of a non-interlaced 8-bit image of bpp bytes per
 * pixel (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA) whose filtered rows are raw (at least
 * (w * bpp + 1) * h bytes) and expands them to RGBA8. key is the tRNS colour key as
 * R | G << 8 | B << 16 (grey: the grey value in all three), or -1 for none; checkAlpha asks
 * whether any alpha ends up below 255 (else hasAlpha is false). Returns null when a row's filter
 * type is unknown, or undefined when the image is too large for the module (PNG_WASM_MAX_BYTES).
 * The module must be ready (wasmPngReady).
 */
export function unfilterToRgbaWasm(raw: Uint8Array, w: number, h: number, bpp: number, key: number, checkAlpha: boolean): UnfilteredRgba | null | undefined {
  const rawLen = (w * bpp + 1) * h, outLen = w * h * 4;
  const lay = new Layout();
  const pRaw = lay.take(rawLen + PAD), pZero = lay.take(w * 4 + PAD), pOut = lay.take(outLen + PAD);
  if (lay.size > PNG_WASM_MAX_BYTES) return undefined;
  return png.call(lay.size, (ex) => {
    const mem = ex.memory.buffer;
    new Uint8Array(mem, pRaw, rawLen).set(raw.subarray(0, rawLen));
    new Uint8Array(mem, pZero, w * 4 + PAD).fill(0);
    if (ex.unfilter(pRaw, w, h, bpp, pZero, pOut) >= 0) return null;
    if (key >= 0) ex.keyAlpha(pOut, w * h, key);
    const hasAlpha = checkAlpha && ex.translucent(pOut, w * h) !== 0;
    return { data: new Uint8Array(mem, pOut, outLen).slice(), hasAlpha };
  });
}

/**
 * withFilteredRowsWasm filters the rows of the w x h RGBA bitmap data as PNG scanlines of ch
 * bytes per pixel (3: RGB, alpha dropped; 4: RGBA), choosing each row's filter as
 * pngfast-encode.ts's filterRow does, and returns what write makes of them; the scanlines live
 * in the module's memory and are valid only inside write. Returns undefined (write not called)
 * when the image is too large for the module. The module must be ready (wasmPngReady).
 */
export function withFilteredRowsWasm<T>(data: Uint8Array, w: number, h: number, ch: 3 | 4, write: (filtered: Uint8Array) => T): T | undefined {
  const n = w * ch;
  const lay = new Layout();
  const pSrc = lay.take(w * h * 4 + PAD), pRows = lay.take(2 * (n + ch + 32)), pScr = lay.take(4 * (n + PAD));
  const pOut = lay.take((n + 1) * h);
  if (lay.size > PNG_WASM_MAX_BYTES) return undefined;
  return png.call(lay.size, (ex) => {
    new Uint8Array(ex.memory.buffer, pSrc, w * h * 4).set(data.subarray(0, w * h * 4));
    ex.filter(pSrc, w, h, ch, pRows, pScr, pOut);
    return write(new Uint8Array(ex.memory.buffer, pOut, (n + 1) * h));
  });
}
