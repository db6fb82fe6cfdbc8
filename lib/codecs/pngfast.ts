/**
 * Fast PNG decode path: the chunk walk of pngfast-chunks.ts, one bounded node:zlib inflate, then
 * unfiltering and expansion to RGBA8 in tight loops, for every colour type, depth and both
 * interlace methods (Adam7 passes are unfiltered and expanded one by one, then scattered).
 * Corrupt critical chunks and truncated or corrupt image data are a 422, as in Go and libpng.
 */
import { inflateSync, constants as zlibConstants } from 'node:zlib';
import { badImage, hasTransparency, type Bitmap } from './types.js';
import { PNG_SIGNATURE, readPngChunks, type PngHeader, type PngLayout } from './pngfast-chunks.js';
import { unfilterToRgbaWasm, wasmPngReady } from './pngwasm/pngwasm.js';

export type { PngHeader } from './pngfast-chunks.js';

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
export function inflateBounded(data: Uint8Array, maxBytes: number, tolerant: boolean, expected = 0): Buffer {
  try {
    return inflateSync(data, {
      maxOutputLength: Math.max(1, maxBytes),
      // One output chunk of the size the header implies: with zlib's 16 KiB default the inflate
      // took 2.7x as long (9.4 vs 3.5 ms for a 1024x683 photo), mostly growing and joining chunks.
      ...(expected > 0 ? { chunkSize: Math.max(MIN_CHUNK, Math.min(maxBytes, expected + 1)) } : {}),
      finishFlush: tolerant ? zlibConstants.Z_SYNC_FLUSH : zlibConstants.Z_FINISH,
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw badImage('The PNG image data inflates beyond the image size');
    throw err;
  }
}

/** MIN_CHUNK is the smallest chunkSize node:zlib accepts. */
const MIN_CHUNK = 64;

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const VALID_DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };

/** ADAM7 lists the interlace passes: first column, first row, column step, row step. */
const ADAM7: readonly (readonly [number, number, number, number])[] = [
  [0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2],
];

/**
 * decodePngFast decodes a PNG to RGBA8 with node:zlib and its own unfiltering. `expected` is the
 * size of the filtered scanlines the header implies and maxInflated the bomb bound (over it: a
 * 422). A corrupt critical chunk, a zlib stream that is corrupt, cut short or holds fewer bytes
 * than the image needs, and an unknown row filter are 422s.
 */
export function decodePngFast(bytes: Uint8Array, h: PngHeader, expected: number, maxInflated: number): DecodedPngFast {
  for (let i = 0; i < 8; i++) if (bytes[i] !== PNG_SIGNATURE[i]) throw badImage('The file is not a PNG');
  if (h.width === 0 || h.height === 0) throw badImage('The PNG image has no pixels');
  if (!VALID_DEPTHS[h.colorType]?.includes(h.depth) || h.interlace > 1) throw badImage('The PNG header is not valid');
  const layout = readPngChunks(bytes, h);
  let raw: Buffer;
  try {
    raw = inflateBounded(layout.idat.length === 1 ? layout.idat[0] : Buffer.concat(layout.idat), maxInflated, false, expected);
  } catch (err) {
    if ((err as { status?: number }).status === 422) throw err;
    const truncated = (err as { code?: string }).code === 'Z_BUF_ERROR';
    throw badImage(truncated ? 'The PNG image data is truncated' : 'The PNG image data is not valid');
  }
  if (raw.length < expected) throw badImage('The PNG image data is truncated');
  const pixels = new Uint8Array(raw.buffer, raw.byteOffset, raw.length);
  return h.interlace === 1 ? unfilterAdam7(pixels, h, layout) : unfilterToRGBA(pixels, h, layout);
}

/** opaqueByLayout reports whether the image cannot have alpha below 255, from its colour type and tables alone. */
function opaqueByLayout(h: PngHeader, layout: PngLayout): boolean {
  if (h.colorType === 4 || h.colorType === 6 || layout.trns) return false;
  if (h.colorType === 3 && layout.palette) {
    for (let i = 0; i < layout.paletteSize; i++) if (layout.palette[i * 4 + 3] !== 255) return false;
  }
  return true;
}

/** unfilterAdam7 reverses the row filters of each Adam7 pass in raw and scatters its pixels to RGBA8. */
function unfilterAdam7(raw: Uint8Array, h: PngHeader, layout: PngLayout): DecodedPngFast {
  const { width: w, height: ht, depth, colorType } = h;
  const ch = CHANNELS[colorType];
  const bpp = Math.max(1, (ch * depth) >> 3);
  const out = new Uint8Array(w * ht * 4);
  const row = new Uint8Array(w * 4);
  const zero = new Uint8Array(Math.ceil((w * ch * depth) / 8) + 1);
  let off = 0;
  for (const [x0, y0, dx, dy] of ADAM7) {
    const pw = Math.ceil((w - x0) / dx), ph = Math.ceil((ht - y0) / dy);
    if (pw <= 0 || ph <= 0) continue;
    const stride = Math.ceil((pw * ch * depth) / 8);
    for (let j = 0; j < ph; j++, off += stride + 1) {
      const ft = raw[off];
      if (j === 0) unfilterRow(raw, off + 1, zero, 1, stride, bpp, ft);
      else unfilterRow(raw, off + 1, raw, off - stride, stride, bpp, ft);
      expandRow(raw, off + 1, row, 0, pw, h, layout);
      let q = ((y0 + j * dy) * w + x0) * 4;
      for (let i = 0; i < pw; i++, q += dx * 4) {
        const r = i * 4;
        out[q] = row[r]; out[q + 1] = row[r + 1]; out[q + 2] = row[r + 2]; out[q + 3] = row[r + 3];
      }
    }
  }
  return { bitmap: { width: w, height: ht, data: out }, hasAlpha: opaqueByLayout(h, layout) ? false : hasTransparency(out) };
}

/**
 * unfilterWasm is unfilterToRGBA in WebAssembly for 8-bit grey, grey+alpha, RGB and RGBA images,
 * or undefined where it does not apply (another depth or type, no WebAssembly, too large).
 */
function unfilterWasm(raw: Uint8Array, h: PngHeader, layout: PngLayout): DecodedPngFast | undefined {
  const { width: w, height: ht, depth, colorType } = h;
  if (depth !== 8 || colorType === 3 || !wasmPngReady()) return undefined;
  const trns = layout.trns;
  // The colour key as expandRow compares it: grey against trns[0], RGB against trns[0..2]; a
  // 16-bit key above 255 matches no 8-bit sample.
  let key = -1;
  if (colorType === 0 && trns && trns.length >= 1 && trns[0] <= 255) key = trns[0] * 0x010101;
  if (colorType === 2 && trns && trns.length >= 3 && trns[0] <= 255 && trns[1] <= 255 && trns[2] <= 255) key = trns[0] | (trns[1] << 8) | (trns[2] << 16);
  const r = unfilterToRgbaWasm(raw, w, ht, CHANNELS[colorType], key, !opaqueByLayout(h, layout));
  if (r === null) throw badImage('The PNG image data uses an unknown row filter');
  return r && { bitmap: { width: w, height: ht, data: r.data }, hasAlpha: r.hasAlpha };
}

/** unfilterToRGBA reverses the row filters in place in raw and expands each row to RGBA8. */
function unfilterToRGBA(raw: Uint8Array, h: PngHeader, layout: PngLayout): DecodedPngFast {
  const fast = unfilterWasm(raw, h, layout);
  if (fast) return fast;
  const { width: w, height: ht, depth, colorType } = h;
  const ch = CHANNELS[colorType];
  const bpp = Math.max(1, (ch * depth) >> 3);
  const stride = Math.ceil((w * ch * depth) / 8);
  const out = new Uint8Array(w * ht * 4);
  const zero = new Uint8Array(stride + 1);
  const opaque = opaqueByLayout(h, layout);
  for (let y = 0; y < ht; y++) {
    const off = y * (stride + 1) + 1;
    const ft = raw[off - 1];
    if (y === 0) unfilterRow(raw, off, zero, 1, stride, bpp, ft);
    else unfilterRow(raw, off, raw, off - stride - 1, stride, bpp, ft);
    expandRow(raw, off, out, y * w * 4, w, h, layout);
  }
  return { bitmap: { width: w, height: ht, data: out }, hasAlpha: opaque ? false : hasTransparency(out) };
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
function expandRow(s: Uint8Array, o: number, out: Uint8Array, q: number, w: number, h: PngHeader, layout: PngLayout): void {
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
