/**
 * GIF in WebAssembly (gif.wat): decoding every frame of a file and compositing it onto the
 * canvas in the module's memory; resizing opaque frames for GIF output; mapping pixels to palette
 * indices; differencing a frame against the previous one and LZW-encoding it. It is the twin of
 * gif-lzw.ts, gif.ts's JavaScript compositor, gif-resize.ts's resizeOpaqueJs, quantize.ts's
 * mapping loop and gif-anim.ts's changedRect and gives the very same frames, pixels, indices and
 * bytes; where WebAssembly is missing (or an image needs more memory than the
 * module may take) those run instead.
 */
import type { Bitmap, Frame } from '../types.js';
import type { GifResizeTaps } from '../gif-resize.js';
import { EmbeddedModule, Layout, type WasmMemory } from '../../transform/wasm/runtime.js';
import { lzwDecode, lzwEncode } from '../gif-lzw.js';
import { GIF_WASM_BASE64 } from './gif-bytes.js';

interface Exports {
  memory: WasmMemory;
  dechunk(q: number, end: number, dst: number): number;
  decode(src: number, len: number, min: number, out: number, count: number, tab: number): number;
  blit(idx: number, decoded: number, fw: number, fh: number, rows: number, pal: number, t: number): void;
  transparent(p: number, n: number): number;
  encode(idx: number, n: number, min: number, raw: number, tab: number, out: number): number;
  map(rgba: number, n: number, from: number, lut: number, idx: number, keepAlpha: number, tIndex: number): number;
  changed(idx: number, prev: number, width: number, height: number, t: number, px: number, rect: number): number;
  vresize(src: number, w: number, h: number, start: number, pairs: number, out: number): void;
  hresize(src: number, srcW: number, rows: number, n: number, first: number, pairs: number, weight: number, out: number): void;
}

/** GIF_WASM_KEEP_BYTES: an instance whose memory grew past this (a very large GIF) is dropped after use. */
export const GIF_WASM_KEEP_BYTES = 32 * 1024 * 1024;
/** GIF_WASM_MAX_BYTES is the most memory one call may ask of the module; larger work stays in JavaScript. */
export const GIF_WASM_MAX_BYTES = 1024 * 1024 * 1024;
/** TABLE_BYTES: the decoder's string table, an i32 address and an i32 length per code. */
const TABLE_BYTES = 4096 * 8;
/** dictionaryBytes is the size of the encoder's dictionary: a u16 per (code, index) pair. */
function dictionaryBytes(minCodeSize: number): number {
  return (4096 << minCodeSize) * 2;
}
/** SLACK: string copies write up to 7 bytes past what they keep, and reads run 8 bytes past the data. */
const SLACK = 8;

const MODULE = new EmbeddedModule<Exports>('gif', GIF_WASM_BASE64, GIF_WASM_KEEP_BYTES);

/**
 * setWasmGif turns the WebAssembly GIF twin on or off (on by default where the runtime has
 * WebAssembly with SIMD); tests turn it off to run the JavaScript twin.
 */
export function setWasmGif(on: boolean): void {
  MODULE.setEnabled(on);
}

/** wasmGifReady reports whether GIF decoding, index mapping and LZW encoding go to the WebAssembly module. */
export function wasmGifReady(): boolean {
  return MODULE.ready();
}

/**
 * lzwDecodeWasm is gif-lzw.ts's lzwDecode in WebAssembly: it decodes the sub-block chain whose
 * first length byte is at b[start] into at most out.length indices and returns how many (what
 * lzwDecode returns, which runs instead where the module cannot take the call).
 */
export function lzwDecodeWasm(b: Uint8Array, start: number, minCodeSize: number, out: Uint8Array): number {
  const lay = new Layout();
  const data = lay.take(b.length), src = lay.take(b.length + SLACK), idx = lay.take(out.length + SLACK), tab = lay.take(TABLE_BYTES);
  if (!wasmGifReady() || lay.size > GIF_WASM_MAX_BYTES) return lzwDecode(b, start, minCodeSize, out);
  return MODULE.call(lay.size, (ex) => {
    const u8 = new Uint8Array(ex.memory.buffer);
    u8.set(b, data);
    const len = ex.dechunk(data + Math.min(start, b.length), data + b.length, src);
    const n = ex.decode(src, len, minCodeSize, idx, out.length, tab);
    out.set(u8.subarray(idx, idx + n));
    return n;
  });
}

/**
 * lzwEncodeWasm is gif-lzw.ts's lzwEncode in WebAssembly: it writes indices as a GIF LZW stream
 * (code size byte, sub-blocks, terminator) at out[p] and returns the position after it, the
 * very bytes lzwEncode writes (code sizes outside 1..8, or no module, go to lzwEncode itself).
 */
export function lzwEncodeWasm(indices: Uint8Array, minCodeSize: number, out: Uint8Array, p: number): number {
  if (!wasmGifReady() || minCodeSize < 1 || minCodeSize > 8) return lzwEncode(indices, minCodeSize, out, p);
  const n = indices.length;
  const rawBytes = Math.ceil(n * 1.51) + 16;
  const lay = new Layout();
  const idx = lay.take(n + SLACK), raw = lay.take(rawBytes + SLACK), tab = lay.take(dictionaryBytes(minCodeSize));
  const at = lay.take(rawBytes + Math.ceil(rawBytes / 255) + 4);
  if (lay.size > GIF_WASM_MAX_BYTES) return lzwEncode(indices, minCodeSize, out, p);
  return MODULE.call(lay.size, (ex) => {
    const u8 = new Uint8Array(ex.memory.buffer);
    u8.set(indices, idx);
    const len = ex.encode(idx, n, minCodeSize, raw, tab, at);
    out.set(u8.subarray(at, at + len), p);
    return p + len;
  });
}

/**
 * mapIndicesWasm is quantize.ts's index mapping in WebAssembly: each pixel of frames gets
 * lut[its 15-bit colour key] (indices[f] for frame f), or transparentIndex when keepAlpha and its
 * alpha is below 128. A cell still UNSET (0xffff) in lut is filled with fill(key), in lut too,
 * when a pixel first needs it, as the JavaScript loop does. It returns false, having done
 * nothing, when the module cannot take the call.
 */
export function mapIndicesWasm(frames: readonly Uint8Array[], indices: readonly Uint8Array[], lut: Uint16Array,
  keepAlpha: boolean, transparentIndex: number, fill: (key: number) => number): boolean {
  if (!wasmGifReady()) return false;
  const most = frames.reduce((m, f) => Math.max(m, f.length), 0);
  const lay = new Layout();
  const rgba = lay.take(most), lutAt = lay.take(lut.byteLength), idx = lay.take(most >> 2);
  if (lay.size > GIF_WASM_MAX_BYTES) return false;
  MODULE.call(lay.size, (ex) => {
    const mem = ex.memory.buffer;
    const u8 = new Uint8Array(mem), wlut = new Uint16Array(mem, lutAt, lut.length);
    wlut.set(lut);
    frames.forEach((f, i) => {
      const n = f.length >> 2;
      u8.set(f, rgba);
      for (let at = 0; (at = ex.map(rgba, n, at, lutAt, idx, keepAlpha ? 1 : 0, transparentIndex)) < n; ) {
        const o = at * 4;
        const key = ((f[o] >> 3) << 10) | ((f[o + 1] >> 3) << 5) | (f[o + 2] >> 3);
        wlut[key] = lut[key] = fill(key);
      }
      indices[i].set(u8.subarray(idx, idx + n));
    });
  });
  return true;
}

/** Rect is the part of the canvas one GIF frame redraws. */
export interface Rect { x: number; y: number; w: number; h: number }

/**
 * encodeChangedWasm is gif-anim.ts's changedRect then lzwEncode, in WebAssembly: the rectangle of
 * idx (a width-wide frame) that differs from prev, with unchanged indices as t, LZW-coded (code
 * size byte, sub-blocks, terminator); without prev, the whole frame. Undefined when the module
 * cannot take the call.
 */
export function encodeChangedWasm(idx: Uint8Array, prev: Uint8Array | undefined, width: number, t: number, minCodeSize: number):
  { rect: Rect; lzw: Uint8Array } | undefined {
  if (!wasmGifReady() || minCodeSize < 1 || minCodeSize > 8) return undefined;
  const n = idx.length;
  const rawBytes = Math.ceil(n * 1.51) + 16;
  const lay = new Layout();
  const cur = lay.take(n + SLACK), old = lay.take(prev ? n + SLACK : 0), px = lay.take(prev ? n + SLACK : 0), rect = lay.take(16);
  const raw = lay.take(rawBytes + SLACK), tab = lay.take(dictionaryBytes(minCodeSize));
  const at = lay.take(rawBytes + Math.ceil(rawBytes / 255) + 4);
  if (lay.size > GIF_WASM_MAX_BYTES) return undefined;
  return MODULE.call(lay.size, (ex) => {
    const mem = ex.memory.buffer;
    const u8 = new Uint8Array(mem);
    u8.set(idx, cur);
    let r: Rect = { x: 0, y: 0, w: width, h: n / width }, from = cur, count = n;
    if (prev) {
      u8.set(prev, old);
      count = ex.changed(cur, old, width, n / width, t, px, rect);
      const v = new Int32Array(mem, rect, 4);
      r = { x: v[0], y: v[1], w: v[2], h: v[3] };
      from = px;
    }
    const len = ex.encode(from, count, minCodeSize, raw, tab, at);
    return { rect: r, lzw: u8.slice(at, at + len) };
  });
}

/** GifFrameLayout is one GIF image descriptor with its graphic control values: what the walker (gif.ts) records and compositing needs. */
export interface GifFrameLayout {
  x: number; y: number; width: number; height: number;
  interlaced: boolean;
  /** Offset and entry count of the colour table in force (local, else global). */
  paletteOffset: number; paletteSize: number;
  /** Transparent colour index, or -1. */
  transparent: number;
  delayCs: number;
  disposal: number;
  /** LZW minimum code size, and the offset of the first image data sub-block's length byte. */
  minCodeSize: number;
  dataStart: number;
}

/** INTERLACE_PASSES are GIF's four interlaced passes: first row and row step. */
const INTERLACE_PASSES = [[0, 8], [4, 8], [2, 4], [1, 2]] as const;

/**
 * decodeFramesWasm is gif.ts's compositor in WebAssembly: it decodes every frame of the GIF b
 * (a W x H canvas, frames as readGifInfo found them) onto a canvas kept in the module's memory,
 * applying each frame's disposal, and returns the composited frames and whether any pixel of
 * them is not opaque; undefined when the module cannot take the file.
 */
export function decodeFramesWasm(b: Uint8Array, W: number, H: number, frames: readonly GifFrameLayout[]):
  { frames: Frame[]; hasAlpha: boolean } | undefined {
  if (!wasmGifReady()) return undefined;
  const canvasBytes = W * H * 4;
  let maxPixels = 0, maxRows = 0, restores = false;
  for (const f of frames) {
    maxPixels = Math.max(maxPixels, f.width * f.height);
    maxRows = Math.max(maxRows, f.height);
    restores ||= f.disposal === 3;
  }
  const lay = new Layout();
  const data = lay.take(b.length), src = lay.take(b.length + SLACK), canvas = lay.take(canvasBytes);
  const saved = lay.take(restores ? canvasBytes : 0), idx = lay.take(maxPixels + SLACK), tab = lay.take(TABLE_BYTES);
  const pal = lay.take(1024), rows = lay.take(maxRows * 4);
  if (lay.size > GIF_WASM_MAX_BYTES) return undefined;
  return MODULE.call(lay.size, (ex) => {
    const mem = ex.memory.buffer;
    const u8 = new Uint8Array(mem);
    u8.set(b, data);
    u8.fill(0, canvas, canvas + canvasBytes); // starts transparent, as browsers and Go do
    const out: Frame[] = [];
    let hasAlpha = false;
    // blit only draws opaque pixels, so an opaque canvas that was not cleared or restored stays
    // opaque and need not be scanned again.
    let knownOpaque = false;
    for (const f of frames) {
      if (f.disposal === 3) u8.copyWithin(saved, canvas, canvas + canvasBytes);
      const len = ex.dechunk(data + f.dataStart, data + b.length, src);
      const decoded = ex.decode(src, len, f.minCodeSize, idx, f.width * f.height, tab);
      // Indices past the colour table draw opaque black, as browsers draw them.
      for (let i = 0, o = pal, s = f.paletteOffset; i < 256; i++, o += 4, s += 3) {
        const inTable = i < f.paletteSize;
        u8[o] = inTable ? b[s] : 0; u8[o + 1] = inTable ? b[s + 1] : 0; u8[o + 2] = inTable ? b[s + 2] : 0; u8[o + 3] = 255;
      }
      const rowAt = new Int32Array(mem, rows, f.height);
      const at = (y: number): number => canvas + ((f.y + y) * W + f.x) * 4;
      if (f.interlaced) {
        let r = 0;
        for (const [first, step] of INTERLACE_PASSES) for (let y = first; y < f.height; y += step) rowAt[r++] = at(y);
      } else {
        for (let y = 0; y < f.height; y++) rowAt[y] = at(y);
      }
      // A short stream draws what it has, as browsers do; the rest keeps the canvas underneath.
      ex.blit(idx, decoded, f.width, f.height, rows, pal, f.transparent);
      const pixels = u8.slice(canvas, canvas + canvasBytes);
      if (!knownOpaque) {
        const transparent = ex.transparent(canvas, W * H) !== 0;
        hasAlpha ||= transparent;
        knownOpaque = !transparent;
      }
      out.push({ bitmap: { width: W, height: H, data: pixels }, delayMs: f.delayCs * 10 });
      if (f.disposal === 2 || f.disposal === 3) knownOpaque = false;
      if (f.disposal === 2) {
        for (let y = f.y; y < f.y + f.height; y++) u8.fill(0, canvas + (y * W + f.x) * 4, canvas + (y * W + f.x + f.width) * 4);
      } else if (f.disposal === 3) {
        u8.copyWithin(canvas, saved, saved + canvasBytes);
      }
    }
    return { frames: out, hasAlpha };
  });
}

/**
 * resizeOpaqueWasm is gif-resize.ts's resizeOpaqueJs in WebAssembly (vresize, then hresize): the
 * same pixels. It returns null, having resized nothing, when src has a pixel that is not opaque,
 * and undefined when the module cannot take the call.
 */
export function resizeOpaqueWasm(src: Bitmap, taps: GifResizeTaps): Bitmap | null | undefined {
  if (!wasmGifReady()) return undefined;
  const { y, first, pairs, dense } = taps;
  const sw = src.width, row = sw * 4, n = first.length, m = y.start.length - 1;
  // Only the rows some output row reads are copied in.
  let r0 = src.height, r1 = 0;
  for (let k = 0; k < y.index.length; k++) { r0 = Math.min(r0, y.index[k]); r1 = Math.max(r1, y.index[k] + 1); }
  if (r1 <= r0) return undefined;
  // The vertical taps of each output row two at a time (a lone last one paired with itself, at weight 0).
  let count = 0;
  for (let r = 0; r < m; r++) count += Math.ceil((y.start[r + 1] - y.start[r]) / 2);
  const lay = new Layout();
  // vresize reads and writes up to 31 samples past a row; hresize reads up to 2 * pairs pixels
  // past one and, four rows at a time, up to three rows past the last (writing as many output rows).
  const m4 = Math.ceil(m / 4) * 4;
  const pSrc = lay.take((r1 - r0) * row + 32), pStart = lay.take((m + 1) * 4), pPairs = lay.take(count * 12);
  const pMid = lay.take(row * 2 * m4 + 64 + pairs * 16), pFirst = lay.take(n * 4), pDense = lay.take(dense.byteLength);
  const pOut = lay.take(n * 4 * m4);
  if (lay.size > GIF_WASM_MAX_BYTES) return undefined;
  return MODULE.call(lay.size, (ex) => {
    const mem = ex.memory.buffer;
    new Uint8Array(mem).set(src.data.subarray(r0 * row, r1 * row), pSrc);
    // Rows the taps skip are not needed opaque, but checking every copied row is simpler and as cheap.
    if (ex.transparent(pSrc, (r1 - r0) * sw) !== 0) return null;
    const start = new Int32Array(mem, pStart, m + 1), tri = new Int32Array(mem, pPairs, count * 3);
    for (let r = 0, j = 0; r < m; r++) {
      start[r] = j / 3;
      const k1 = y.start[r + 1];
      for (let k = y.start[r]; k < k1; k += 2) {
        const b = k + 1 < k1 ? k + 1 : k;
        tri[j++] = (y.index[k] - r0) * row;
        tri[j++] = (y.index[b] - r0) * row;
        tri[j++] = (y.weight[k] & 0xffff) | ((b === k ? 0 : y.weight[b]) << 16);
      }
    }
    start[m] = count;
    new Int32Array(mem, pFirst, n).set(first);
    new Int16Array(mem, pDense, dense.length).set(dense);
    ex.vresize(pSrc, row, m, pStart, pPairs, pMid);
    ex.hresize(pMid, sw, m, n, pFirst, pairs, pDense, pOut);
    return { width: n, height: m, data: new Uint8Array(mem, pOut, n * 4 * m).slice() };
  });
}
