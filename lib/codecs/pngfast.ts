/**
 * Fast PNG decode path: one bounded node:zlib inflate, then unfiltering and expansion to RGBA8
 * in tight loops. It covers non-interlaced images of every standard colour type and depth, and
 * returns null for anything it does not handle exactly like fast-png (Adam7, unusual chunk
 * layouts, truncated zlib streams) so that the caller falls back to the general decoder.
 */
import { inflateSync, constants as zlibConstants } from 'node:zlib';
import { badImage, type Bitmap } from './types.js';

/** PngHeader is the IHDR fields the decoders need. */
export interface PngHeader {
  width: number;
  height: number;
  depth: number;
  colorType: number;
  interlace: number;
}

/** DecodedPngFast is the fast path's result: RGBA8 pixels and whether any pixel is not opaque. */
export interface DecodedPngFast {
  bitmap: Bitmap;
  hasAlpha: boolean;
}

/**
 * inflateBounded inflates zlib data into at most maxBytes, so that a zlib bomb costs no more memory
 * than the image its header declares; going over is a 422. `tolerant` accepts a stream cut short
 * (it returns what inflated); otherwise a short stream throws node's own error for the caller.
 */
export function inflateBounded(data: Uint8Array, maxBytes: number, tolerant: boolean): Buffer {
  try {
    return inflateSync(data, {
      maxOutputLength: Math.max(1, maxBytes),
      finishFlush: tolerant ? zlibConstants.Z_SYNC_FLUSH : zlibConstants.Z_FINISH,
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw badImage('The PNG image data inflates beyond the image size');
    throw err;
  }
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const IHDR = 0x49484452, PLTE = 0x504c5445, IDAT = 0x49444154, IEND = 0x49454e44;
const TRNS = 0x74524e53, PHYS = 0x70485973, TEXT = 0x74455874;

/** Layout is what the chunk scan found, or null when the file needs the general decoder. */
interface Layout {
  idat: Uint8Array[];
  palette: Uint8Array | null; // RGBA per entry, alpha from tRNS (255 when absent)
  paletteSize: number;
  trns: number[] | null; // grey or RGB transparent key, at the source depth
}

/** keywordEnd is the index of the NUL ending the 1-79 byte keyword that starts a tEXt chunk (fast-png's rule), or -1. */
function keywordEnd(data: Uint8Array): number {
  const k = data.indexOf(0);
  return k >= 1 && k <= 79 ? k : -1;
}

/**
 * scanChunks walks every chunk up to IEND. It accepts only what fast-png accepts without doubt
 * (the same chunk-length, PLTE and tRNS rules); anything else returns null, never an error, so that
 * the general decoder gives today's answer for odd files.
 */
function scanChunks(bytes: Uint8Array, h: PngHeader): Layout | null {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idat: Uint8Array[] = [];
  let palette: Uint8Array | null = null, paletteSize = 0, trns: number[] | null = null;
  let sawTrns = false;
  for (let p = 8; ;) {
    if (p + 12 > bytes.length) return null;
    const len = dv.getUint32(p), type = dv.getUint32(p + 4);
    const start = p + 8, end = start + len;
    if (end + 4 > bytes.length) return null;
    const data = bytes.subarray(start, end);
    switch (type) {
      case IHDR:
        if (p !== 8 || len !== 13 || data[10] !== 0 || data[11] !== 0) return null;
        break;
      case PLTE: {
        if (palette || sawTrns || len % 3 !== 0) return null;
        paletteSize = len / 3;
        palette = new Uint8Array(256 * 4);
        for (let i = 0; i < paletteSize && i < 256; i++) {
          palette[i * 4] = data[i * 3]; palette[i * 4 + 1] = data[i * 3 + 1]; palette[i * 4 + 2] = data[i * 3 + 2]; palette[i * 4 + 3] = 255;
        }
        break;
      }
      case IDAT:
        idat.push(data);
        break;
      case IEND:
        if (len !== 0 || idat.length === 0) return null;
        return { idat, palette, paletteSize, trns };
      case TRNS:
        if (sawTrns) return null;
        sawTrns = true;
        if (h.colorType === 3) {
          if (!palette || len > paletteSize) return null;
          for (let i = 0; i < len && i < 256; i++) palette[i * 4 + 3] = data[i];
        } else if (h.colorType === 0 || h.colorType === 2) {
          // fast-png refuses more key values than pixels, which wrongly rejects a 1x1 or 1x2 RGB
          // image with its 6-byte key; a key of exactly the spec's size is always accepted here.
          const exact = len === (h.colorType === 0 ? 2 : 6);
          if (len % 2 !== 0 || (!exact && len / 2 > h.width * h.height)) return null;
          trns = [];
          for (let i = 0; i + 1 < len; i += 2) trns.push((data[i] << 8) | data[i + 1]);
        } else return null;
        break;
      case PHYS:
        if (len !== 9) return null;
        break;
      case TEXT:
        if (keywordEnd(data) < 0) return null;
        break;
      default:
        break; // fast-png skips every other chunk, critical or not (APNG's fcTL/fdAT included)
    }
    p = end + 4;
  }
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const VALID_DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

/**
 * decodePngFast decodes a non-interlaced PNG to RGBA8 with node:zlib and its own unfiltering,
 * giving the same pixels as the fast-png path. maxInflated is the bomb bound (over it: a 422).
 * It returns null when the file needs the general decoder; a corrupt filter byte is a 422.
 */
export function decodePngFast(bytes: Uint8Array, h: PngHeader, expected: number, maxInflated: number): DecodedPngFast | null {
  if (h.interlace !== 0 || h.width === 0 || h.height === 0) return null;
  for (let i = 0; i < 8; i++) if (bytes[i] !== SIGNATURE[i]) return null;
  if (!VALID_DEPTHS[h.colorType]?.includes(h.depth)) return null;
  const layout = scanChunks(bytes, h);
  if (!layout) return null;
  if (h.colorType === 3 && !layout.palette) return null;
  let raw: Buffer;
  try {
    raw = inflateBounded(layout.idat.length === 1 ? layout.idat[0] : Buffer.concat(layout.idat), maxInflated, false);
  } catch (err) {
    if ((err as { status?: number }).status === 422) throw err;
    return null; // truncated or corrupt stream: the general decoder decides, exactly as before
  }
  if (raw.length < expected) return null;
  const pixels = new Uint8Array(raw.buffer, raw.byteOffset, raw.length);
  return unfilterToRGBA(pixels, h, layout);
}

/** unfilterToRGBA reverses the row filters in place in raw and expands each row to RGBA8. */
function unfilterToRGBA(raw: Uint8Array, h: PngHeader, layout: Layout): DecodedPngFast {
  const { width: w, height: ht, depth, colorType } = h;
  const ch = CHANNELS[colorType];
  const bpp = Math.max(1, (ch * depth) >> 3);
  const stride = Math.ceil((w * ch * depth) / 8);
  const out = new Uint8Array(w * ht * 4);
  const zero = new Uint8Array(stride + 1);
  let opaque = colorType !== 4 && colorType !== 6 && !layout.trns;
  if (colorType === 3 && layout.palette) {
    for (let i = 0; i < 256 && opaque; i++) if (layout.palette[i * 4 + 3] !== 255 && i < layout.paletteSize) opaque = false;
  }
  for (let y = 0; y < ht; y++) {
    const off = y * (stride + 1) + 1;
    const ft = raw[off - 1];
    if (y === 0) unfilterRow(raw, off, zero, 1, stride, bpp, ft);
    else unfilterRow(raw, off, raw, off - stride - 1, stride, bpp, ft);
    expandRow(raw, off, out, y * w * 4, w, h, layout);
  }
  return { bitmap: { width: w, height: ht, data: out }, hasAlpha: opaque ? false : hasAlphaBelow255(out) };
}

function hasAlphaBelow255(rgba: Uint8Array): boolean {
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 255) return true;
  return false;
}

/** unfilterRow undoes one PNG filter on d[o..o+n) given the reconstructed previous row p[q..q+n). */
function unfilterRow(d: Uint8Array, o: number, p: Uint8Array, q: number, n: number, bpp: number, ft: number): void {
  switch (ft) {
    case 0:
      return;
    case 1:
      for (let i = bpp; i < n; i++) d[o + i] = (d[o + i] + d[o + i - bpp]) & 255;
      return;
    case 2:
      for (let i = 0; i < n; i++) d[o + i] = (d[o + i] + p[q + i]) & 255;
      return;
    case 3: {
      let i = 0;
      for (; i < bpp && i < n; i++) d[o + i] = (d[o + i] + (p[q + i] >> 1)) & 255;
      for (; i < n; i++) d[o + i] = (d[o + i] + ((d[o + i - bpp] + p[q + i]) >> 1)) & 255;
      return;
    }
    case 4:
      // Per channel, carrying the left (a) and upper-left (c) bytes in locals; abs and the
      // predictor choice are branchless (sign masks), which is twice as fast on photos.
      for (let k = 0; k < bpp && k < n; k++) {
        let c = p[q + k], a = (d[o + k] + c) & 255;
        d[o + k] = a;
        for (let i = k + bpp; i < n; i += bpp) {
          const b = p[q + i];
          let pa = b - c, pb = a - c, pc = pa + pb;
          pa = (pa ^ (pa >> 31)) - (pa >> 31); pb = (pb ^ (pb >> 31)) - (pb >> 31); pc = (pc ^ (pc >> 31)) - (pc >> 31);
          const notA = ((pb - pa) | (pc - pa)) >> 31, useC = (pc - pb) >> 31;
          a = (d[o + i] + ((a & ~notA) | (((b & ~useC) | (c & useC)) & notA))) & 255;
          d[o + i] = a;
          c = b;
        }
      }
      return;
    default:
      throw badImage('The PNG image data uses an unknown row filter');
  }
}

/** SCALE[depth] maps a 1/2/4-bit sample to 8 bits as fast-png's path does (round(v*255/max)). */
const SCALE: Record<number, Uint8Array> = {
  1: Uint8Array.from([0, 255]),
  2: Uint8Array.from([0, 85, 170, 255]),
  4: Uint8Array.from({ length: 16 }, (_, v) => v * 17),
};

/** expandRow writes one unfiltered row s[o..] as RGBA8 at out[q..]. */
function expandRow(s: Uint8Array, o: number, out: Uint8Array, q: number, w: number, h: PngHeader, layout: Layout): void {
  const { depth, colorType } = h;
  const trns = layout.trns;
  if (depth === 8) {
    switch (colorType) {
      case 2: {
        if (trns && trns.length >= 3) {
          const tr = trns[0], tg = trns[1], tb = trns[2];
          for (let x = 0; x < w; x++, o += 3, q += 4) {
            const r = s[o], g = s[o + 1], b = s[o + 2];
            out[q] = r; out[q + 1] = g; out[q + 2] = b; out[q + 3] = r === tr && g === tg && b === tb ? 0 : 255;
          }
        } else {
          for (let x = 0; x < w; x++, o += 3, q += 4) {
            out[q] = s[o]; out[q + 1] = s[o + 1]; out[q + 2] = s[o + 2]; out[q + 3] = 255;
          }
        }
        return;
      }
      case 6:
        out.set(s.subarray(o, o + w * 4), q);
        return;
      case 0: {
        const key = trns && trns.length >= 1 ? trns[0] : -1;
        for (let x = 0; x < w; x++, o++, q += 4) {
          const g = s[o];
          out[q] = out[q + 1] = out[q + 2] = g; out[q + 3] = g === key ? 0 : 255;
        }
        return;
      }
      case 4:
        for (let x = 0; x < w; x++, o += 2, q += 4) {
          const g = s[o];
          out[q] = out[q + 1] = out[q + 2] = g; out[q + 3] = s[o + 1];
        }
        return;
      default: {
        const pal = layout.palette as Uint8Array, n = layout.paletteSize;
        for (let x = 0; x < w; x++, q += 4) {
          const i = s[o + x];
          if (i < n) { const c = i * 4; out[q] = pal[c]; out[q + 1] = pal[c + 1]; out[q + 2] = pal[c + 2]; out[q + 3] = pal[c + 3]; }
          else { out[q] = out[q + 1] = out[q + 2] = 0; out[q + 3] = 255; } // out-of-range index: opaque black
        }
        return;
      }
    }
  }
  if (depth === 16) {
    const ch = CHANNELS[colorType];
    for (let x = 0; x < w; x++, o += ch * 2, q += 4) {
      switch (colorType) {
        case 0: {
          const v = (s[o] << 8) | s[o + 1];
          out[q] = out[q + 1] = out[q + 2] = s[o];
          out[q + 3] = trns && trns.length >= 1 && trns[0] === v ? 0 : 255;
          break;
        }
        case 2: {
          const r = (s[o] << 8) | s[o + 1], g = (s[o + 2] << 8) | s[o + 3], b = (s[o + 4] << 8) | s[o + 5];
          out[q] = s[o]; out[q + 1] = s[o + 2]; out[q + 2] = s[o + 4];
          out[q + 3] = trns && trns.length >= 3 && trns[0] === r && trns[1] === g && trns[2] === b ? 0 : 255;
          break;
        }
        case 4:
          out[q] = out[q + 1] = out[q + 2] = s[o]; out[q + 3] = s[o + 2];
          break;
        default:
          out[q] = s[o]; out[q + 1] = s[o + 2]; out[q + 2] = s[o + 4]; out[q + 3] = s[o + 6];
      }
    }
    return;
  }
  // 1, 2 or 4 bits per sample: grey or palette indices, packed from the high bit.
  const mask = (1 << depth) - 1, perByte = 8 / depth;
  const scale = SCALE[depth];
  const key = colorType === 0 && trns && trns.length >= 1 ? trns[0] : -1;
  const pal = layout.palette, n = layout.paletteSize;
  for (let x = 0; x < w; x++, q += 4) {
    const v = (s[o + ((x / perByte) | 0)] >> (8 - depth - (x % perByte) * depth)) & mask;
    if (colorType === 0) {
      const g = scale[v];
      out[q] = out[q + 1] = out[q + 2] = g; out[q + 3] = v === key ? 0 : 255;
    } else if (pal && v < n) {
      const c = v * 4; out[q] = pal[c]; out[q + 1] = pal[c + 1]; out[q + 2] = pal[c + 2]; out[q + 3] = pal[c + 3];
    } else {
      out[q] = out[q + 1] = out[q + 2] = 0; out[q + 3] = 255;
    }
  }
}
