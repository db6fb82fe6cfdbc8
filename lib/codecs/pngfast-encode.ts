/**
 * Fast PNG encode path: adaptive row filtering in our own loop and node:zlib's deflate, which is
 * several times faster than a JavaScript deflate and compresses filtered rows better.
 */
import { deflateSync, constants as zlibConstants } from 'node:zlib';
import { crc32 } from '../cache/framing.js';
import type { Bitmap } from './types.js';
import { wasmPngReady, withFilteredRowsWasm } from './pngwasm/pngwasm.js';

/**
 * PNG_ZLIB_LEVEL is the deflate level for PNG output, chosen by measurement: level 6 took three
 * times as long as 4 for 3% fewer bytes on a 500x333 photo, and levels 1-3 wrote 10-30% more on
 * flat graphics.
 */
export const PNG_ZLIB_LEVEL = 4;

/**
 * RLE_MIN_BYTES is the size of filtered scanlines from which photographic (adaptively filtered)
 * rows may be deflated with Z_RLE. Measured on the filtered rows of flowers1024.png at 500x
 * (CPU-time medians of 30 alternating runs): level 4 took 11.9 ms for 224461 B, Z_RLE 6.1 ms
 * for 205250 B (-8.6%; deflate's lazy matches on noisy residuals cost more than the literals
 * they replace), and with the sample below 7.3 ms. Z_FILTERED was 4% smaller but twice as slow,
 * levels 1-2 5.7% and 2.5% larger, memLevel 9 and windowBits 14 within 1% and 12% either way.
 * On graphics with many colours Z_RLE loses badly (tux.png +44%, PngSuite gradients up to
 * +400%), and on photo1024.jpg at 500x,png it is 1.1% larger: the sample keeps level 4 there,
 * for 1.1 ms more (13.8 -> 14.9 ms).
 */
export const RLE_MIN_BYTES = 64 << 10;
/** RLE_SAMPLE_PART is the share (1 in this) of the rows, from the middle, that the strategy is tried on. */
export const RLE_SAMPLE_PART = 16;
/**
 * RLE_GAIN: Z_RLE is taken when the sample deflates to less than this fraction of level 4's size.
 * With 1/16 samples and 0.98 no fixture or Go/imaging test image (75 filtered) came out larger
 * than at level 4 alone, 21 took Z_RLE, and all together were 4.1% smaller.
 */
export const RLE_GAIN = 0.98;

/**
 * FEW_COLOURS is the colour count at or below which rows go unfiltered: flat graphics compress
 * better unfiltered, as libpng's advice for palette images says.
 */
export const FEW_COLOURS = 256;

/** PngEncodeOptions tune encodePngFast; the defaults are what the proxy uses. */
export interface PngEncodeOptions {
  /** zlib level 0..9 (default PNG_ZLIB_LEVEL). */
  level?: number;
  /**
   * 'adaptive' picks a filter per row (minimum sum of absolute differences); 'none' never filters;
   * 'auto' (default) is 'none' for images of at most FEW_COLOURS colours, else 'adaptive'.
   */
  filter?: 'auto' | 'adaptive' | 'none';
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * encodePngFast writes bitmap as an 8-bit, non-interlaced PNG: colour type 6 (RGBA) when hasAlpha,
 * else 2 (RGB), with a single IDAT chunk.
 */
export function encodePngFast(bitmap: Bitmap, hasAlpha: boolean, opts: PngEncodeOptions = {}): Uint8Array {
  const { width: w, height: h, data } = bitmap;
  if (w <= 0 || h <= 0 || data.length < w * h * 4) throw new RangeError(`bitmap ${w}x${h} has ${data.length} bytes`);
  const ch = hasAlpha ? 4 : 3;
  const level = opts.level ?? PNG_ZLIB_LEVEL;
  const filter = opts.filter ?? 'auto';
  const adaptive = filter === 'adaptive' || (filter === 'auto' && !fewColours(data, w * h, FEW_COLOURS));
  const idat = (adaptive && wasmPngReady() ? withFilteredRowsWasm(data, w, h, ch, (rows) => deflateRows(rows, h, level, adaptive)) : undefined)
    ?? deflateRows(filterRows(data, w, h, ch, adaptive), h, level, adaptive);
  const out = new Uint8Array(8 + 25 + 12 + idat.length + 12);
  const dv = new DataView(out.buffer);
  out.set(SIGNATURE, 0);
  let p = 8;
  const chunk = (type: string, body: Uint8Array | null, len: number): void => {
    dv.setUint32(p, len);
    for (let i = 0; i < 4; i++) out[p + 4 + i] = type.charCodeAt(i);
    if (body) out.set(body, p + 8);
    dv.setUint32(p + 8 + len, crc32(out.subarray(p + 4, p + 8 + len)));
    p += 12 + len;
  };
  dv.setUint32(16, w); dv.setUint32(20, h);
  out[24] = 8; out[25] = hasAlpha ? 6 : 2; // depth 8; compression, filter method, interlace all 0
  chunk('IHDR', null, 13);
  chunk('IDAT', idat, idat.length);
  chunk('IEND', null, 0);
  return out;
}

/**
 * deflateRows compresses h filtered scanlines for the IDAT chunk: with Z_RLE when they were
 * filtered adaptively, are at least RLE_MIN_BYTES and a sample of them says it pays, else with
 * the default strategy.
 */
function deflateRows(rows: Uint8Array, h: number, level: number, adaptive: boolean): Buffer {
  const rle = adaptive && level > 0 && rows.length >= RLE_MIN_BYTES && rleWins(rows, h, level);
  return deflateSync(rows, { level, strategy: rle ? zlibConstants.Z_RLE : zlibConstants.Z_DEFAULT_STRATEGY });
}

/** rleWins deflates the middle 1/RLE_SAMPLE_PART of the rows both ways and reports whether Z_RLE wins by RLE_GAIN. */
function rleWins(rows: Uint8Array, h: number, level: number): boolean {
  const stride = rows.length / h;
  const k = Math.min(h, Math.max(4, Math.ceil(h / RLE_SAMPLE_PART))), start = (h - k) >> 1;
  const sample = rows.subarray(start * stride, (start + k) * stride);
  const rle = deflateSync(sample, { level, strategy: zlibConstants.Z_RLE }).length;
  return rle < RLE_GAIN * deflateSync(sample, { level, strategy: zlibConstants.Z_DEFAULT_STRATEGY }).length;
}

/**
 * filterRows writes the rows of the w x h RGBA bitmap data as PNG scanlines of ch bytes per pixel
 * (3 drops alpha), each with filterRow's choice when adaptive, else unfiltered: the JavaScript
 * twin of withFilteredRowsWasm.
 */
function filterRows(data: Uint8Array, w: number, h: number, ch: number, adaptive: boolean): Uint8Array {
  const stride = w * ch;
  const filtered = new Uint8Array((stride + 1) * h);
  // Rows carry ch leading zero bytes so that the left neighbours of the first pixel read as 0.
  let prev = new Uint8Array(stride + ch), cur = new Uint8Array(stride + ch);
  const scratch: Scratch = { sub: new Uint8Array(stride), up: new Uint8Array(stride), avg: new Uint8Array(stride), paeth: new Uint8Array(stride) };
  for (let y = 0; y < h; y++) {
    const src = y * w * 4;
    if (ch === 4) cur.set(data.subarray(src, src + stride), ch);
    else for (let x = 0, s = src, d = ch; x < w; x++, s += 4, d += 3) { cur[d] = data[s]; cur[d + 1] = data[s + 1]; cur[d + 2] = data[s + 2]; }
    const o = y * (stride + 1);
    if (adaptive) filterRow(cur, prev, stride, ch, filtered, o, scratch);
    else filtered.set(cur.subarray(ch), o + 1); // filter byte stays 0 (None)
    const t = prev; prev = cur; cur = t;
  }
  return filtered;
}

/** Scratch holds the four filtered candidates of filterRow (None is the row itself). */
interface Scratch { sub: Uint8Array; up: Uint8Array; avg: Uint8Array; paeth: Uint8Array }

/**
 * filterRow writes the filter byte and the filtered row cur (previous row prev; both start with bpp
 * zero bytes) at out[o..]: of the
 * five filters it keeps the one whose bytes, read as signed, have the smallest absolute sum, the
 * heuristic libpng and Go's image/png use. One pass computes every candidate and its sum.
 */
function filterRow(cur: Uint8Array, prev: Uint8Array, n: number, bpp: number, out: Uint8Array, o: number, t: Scratch): void {
  const fSub = t.sub, fUp = t.up, fAvg = t.avg, fPaeth = t.paeth;
  let sNone = 0, sSub = 0, sUp = 0, sAvg = 0, sPaeth = 0;
  // |signed byte| without branches: v = (d << 24) >> 24 is the byte as int8, then abs via the sign mask.
  for (let i = 0; i < n; i++) {
    const x = cur[i + bpp], b = prev[i + bpp], a = cur[i], c = prev[i];
    let v = (x << 24) >> 24; sNone += (v ^ (v >> 31)) - (v >> 31);
    v = ((x - a) << 24) >> 24; fSub[i] = v; sSub += (v ^ (v >> 31)) - (v >> 31);
    v = ((x - b) << 24) >> 24; fUp[i] = v; sUp += (v ^ (v >> 31)) - (v >> 31);
    v = ((x - ((a + b) >> 1)) << 24) >> 24; fAvg[i] = v; sAvg += (v ^ (v >> 31)) - (v >> 31);
    let pa = b - c, pb = a - c, pc = pa + pb;
    pa = (pa ^ (pa >> 31)) - (pa >> 31); pb = (pb ^ (pb >> 31)) - (pb >> 31); pc = (pc ^ (pc >> 31)) - (pc >> 31);
    const notA = ((pb - pa) | (pc - pa)) >> 31, useC = (pc - pb) >> 31;
    v = ((x - ((a & ~notA) | (((b & ~useC) | (c & useC)) & notA))) << 24) >> 24; fPaeth[i] = v; sPaeth += (v ^ (v >> 31)) - (v >> 31);
  }
  let ft = 0, best = sNone, row = cur.subarray(bpp);
  if (sSub < best) { ft = 1; best = sSub; row = fSub; }
  if (sUp < best) { ft = 2; best = sUp; row = fUp; }
  if (sAvg < best) { ft = 3; best = sAvg; row = fAvg; }
  if (sPaeth < best) { ft = 4; row = fPaeth; }
  out[o] = ft;
  out.set(row.subarray(0, n), o + 1);
}

/** fewColours reports whether the first n RGBA pixels of data hold at most limit distinct values. */
function fewColours(data: Uint8Array, n: number, limit: number): boolean {
  const seen = new Set<number>();
  let last = -1;
  for (let i = 0, o = 0; i < n; i++, o += 4) {
    const v = data[o] | (data[o + 1] << 8) | (data[o + 2] << 16) | (data[o + 3] << 24);
    if (v === last) continue; // flat images repeat; skip the set
    last = v;
    seen.add(v);
    if (seen.size > limit) return false;
  }
  return true;
}
