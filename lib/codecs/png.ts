/**
 * PNG codec. Decoding is ours (pngfast.ts: node:zlib and our own unfiltering, every colour type,
 * depth and interlace method) behind a bounded inflate, because a zlib bomb would otherwise
 * exhaust memory; it is as strict as libpng about critical chunks and image data and as lenient
 * about ancillary ones. fast-png stays as decodePngGeneral, the reference the tests compare
 * valid files against. Encoding filters rows and deflates with node:zlib (pngfast-encode.ts).
 */
import { decode as pngDecode, type DecodedPng } from 'fast-png';
import { badImage, hasTransparency, type Bitmap } from './types.js';
import { decodePngFast, inflateBounded, type PngHeader } from './pngfast.js';
import { encodePngFast } from './pngfast-encode.js';
import { pngHeader } from './png-header.js';

export { pngHeader };

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** expectedRawBytes is the size of the filtered scanlines the header implies (Adam7 passes included). */
function expectedRawBytes(width: number, height: number, bitsPerPixel: number, interlace: number): number {
  const rowBytes = (w: number): number => (w === 0 ? 0 : 1 + Math.ceil((w * bitsPerPixel) / 8));
  if (interlace !== 1) return height * rowBytes(width);
  const passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
  let total = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const pw = Math.ceil((width - x0) / dx), ph = Math.ceil((height - y0) / dy);
    if (pw > 0 && ph > 0) total += ph * rowBytes(pw);
  }
  return total;
}

/** INFLATE_SLACK is how far past the header's size IDAT may inflate: some encoders pad the stream, and a bomb needs far more. */
const INFLATE_SLACK = 1024;

/** PngChunk is one chunk as laid out in the file: its type, its data and where the next one starts. */
interface PngChunk {
  type: number;
  at: number;
  data: Uint8Array;
  next: number;
}

const IDAT_TYPE = 0x49444154;
const IEND_TYPE = 0x49454e44;

/** chunks walks the chunks after the signature; one that runs past the end is cut short there. */
function* chunks(bytes: Uint8Array): Generator<PngChunk> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let p = 8; p + 8 <= bytes.length;) {
    const len = dv.getUint32(p);
    const next = Math.min(bytes.length, p + 12 + len);
    yield { type: dv.getUint32(p + 4), at: p, data: bytes.subarray(p + 8, Math.min(bytes.length, p + 8 + len)), next };
    p = next;
  }
}

/** checkInflatedSize refuses a PNG whose image data inflates to more than its header allows. */
function checkInflatedSize(bytes: Uint8Array, expected: number): void {
  const parts: Uint8Array[] = [];
  for (const c of chunks(bytes)) {
    if (c.type === IDAT_TYPE) parts.push(c.data);
    if (c.type === IEND_TYPE) break;
  }
  if (parts.length === 0) throw badImage('The PNG file has no image data');
  try {
    inflateBounded(Buffer.concat(parts), expected + INFLATE_SLACK, true);
  } catch (err) {
    if ((err as { status?: number }).status === 422) throw err;
    throw badImage('The PNG image data is not valid');
  }
}

/** checkedHeader reads IHDR and refuses colour types and depths PNG does not define. */
function checkedHeader(bytes: Uint8Array): PngHeader & { expected: number } {
  const h = pngHeader(bytes);
  const channels = CHANNELS[h.colorType];
  if (!channels || ![1, 2, 4, 8, 16].includes(h.depth)) throw badImage('The PNG header is not valid');
  return { ...h, expected: expectedRawBytes(h.width, h.height, channels * h.depth, h.interlace) };
}

/** decodePng decodes a PNG (any depth, palette, tRNS, Adam7) to RGBA8; APNG gives its default image. */
export function decodePng(bytes: Uint8Array): { bitmap: Bitmap; hasAlpha: boolean } {
  const h = checkedHeader(bytes);
  return decodePngFast(bytes, h, h.expected, h.expected + INFLATE_SLACK);
}

/**
 * decodePngGeneral decodes with fast-png only; it is exported so that tests can hold our decoder
 * to the same pixels on valid files.
 */
export function decodePngGeneral(bytes: Uint8Array): { bitmap: Bitmap; hasAlpha: boolean } {
  return decodeWithFastPng(bytes, checkedHeader(bytes));
}

/** ICCP_TYPE is the iCCP chunk type: a compressed colour profile, which we never use. */
const ICCP_TYPE = 0x69434350;

/**
 * withoutIccProfiles returns bytes without their iCCP chunks (bytes itself when there are none).
 * fast-png inflates an iCCP profile with no bound, so a small chunk could inflate to gigabytes;
 * the proxy does not colour-manage, so the profile is dropped instead of read.
 */
function withoutIccProfiles(bytes: Uint8Array): Uint8Array {
  const keep: Uint8Array[] = [bytes.subarray(0, 8)];
  let dropped = false;
  let end = 8;
  for (const c of chunks(bytes)) {
    if (c.type === ICCP_TYPE) dropped = true;
    else keep.push(bytes.subarray(c.at, c.next));
    end = c.next;
  }
  if (!dropped) return bytes;
  keep.push(bytes.subarray(end));
  return Buffer.concat(keep);
}

function decodeWithFastPng(bytes: Uint8Array, h: PngHeader & { expected: number }): { bitmap: Bitmap; hasAlpha: boolean } {
  checkInflatedSize(bytes, h.expected);
  let png: DecodedPng;
  try {
    png = pngDecode(withoutIccProfiles(bytes), { checkCrc: false });
  } catch (err) {
    throw badImage('The PNG image is corrupt or uses a feature we cannot decode', err);
  }
  const rgba = toRGBA(png, h.colorType);
  return { bitmap: { width: png.width, height: png.height, data: rgba }, hasAlpha: hasTransparency(rgba) };
}

/** toRGBA expands any fast-png result to 8-bit RGBA. */
function toRGBA(png: DecodedPng, colorType: number): Uint8Array {
  const { width: w, height: h, depth } = png;
  const ch = CHANNELS[colorType];
  const out = new Uint8Array(w * h * 4);
  const data = png.data;
  const need = depth < 8 ? Math.ceil((w * depth) / 8) * h : w * h * ch;
  if (data.length < need) throw badImage('The PNG image data is truncated');
  const maxv = (1 << depth) - 1;
  // value(i, c) reads channel c of pixel i at the source depth, unscaled.
  const rowBytes = Math.ceil((w * depth) / 8);
  const raw = (x: number, y: number, c: number): number => {
    if (depth >= 8) return data[(y * w + x) * ch + c];
    const bit = x * depth;
    return (data[y * rowBytes + (bit >> 3)] >> (8 - depth - (bit & 7))) & maxv;
  };
  const to8 = (v: number): number => (depth === 16 ? v >> 8 : depth === 8 ? v : Math.round((v * 255) / maxv));
  const trns = png.transparency;
  const palette = png.palette;
  if (colorType === 3 && !palette) throw badImage('The PNG palette is missing');
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 4;
      switch (colorType) {
        case 0: {
          const v = raw(x, y, 0), g = to8(v);
          out[o] = out[o + 1] = out[o + 2] = g;
          out[o + 3] = trns && trns.length >= 1 && trns[0] === v ? 0 : 255;
          break;
        }
        case 2: {
          const r = raw(x, y, 0), g = raw(x, y, 1), b = raw(x, y, 2);
          out[o] = to8(r); out[o + 1] = to8(g); out[o + 2] = to8(b);
          out[o + 3] = trns && trns.length >= 3 && trns[0] === r && trns[1] === g && trns[2] === b ? 0 : 255;
          break;
        }
        case 3: {
          const i = raw(x, y, 0);
          const c = (palette as number[][])[i];
          if (c) { out[o] = c[0]; out[o + 1] = c[1]; out[o + 2] = c[2]; out[o + 3] = c.length > 3 ? c[3] : 255; }
          else out[o + 3] = 255; // out-of-range index: black, as libpng does
          if (trns && c && c.length <= 3) out[o + 3] = i < trns.length ? trns[i] : 255;
          break;
        }
        case 4: {
          const g = to8(raw(x, y, 0));
          out[o] = out[o + 1] = out[o + 2] = g; out[o + 3] = to8(raw(x, y, 1));
          break;
        }
        default:
          out[o] = to8(raw(x, y, 0)); out[o + 1] = to8(raw(x, y, 1)); out[o + 2] = to8(raw(x, y, 2)); out[o + 3] = to8(raw(x, y, 3));
      }
    }
  }
  return out;
}

/** encodePng writes an 8-bit PNG: RGBA when the image has alpha, RGB otherwise. */
export function encodePng(bitmap: Bitmap, hasAlpha: boolean): Uint8Array {
  try {
    return encodePngFast(bitmap, hasAlpha);
  } catch (err) {
    throw badImage('The image could not be encoded as PNG', err);
  }
}

/**
 * decodePng16 decodes a 16-bit PNG (gray, gray+alpha, RGB, RGBA) to RGBA16 samples, for a
 * colour conversion that must see all 16 bits before its tone curves (lib/color); the image
 * data is bounded as decodePng bounds it and iCCP is not inflated here. tRNS is not applied.
 */
export function decodePng16(bytes: Uint8Array): { width: number; height: number; data: Uint16Array } {
  const h = checkedHeader(bytes);
  if (h.depth !== 16 || h.colorType === 3) throw badImage('The PNG image is not 16-bit');
  checkInflatedSize(bytes, h.expected);
  let png: DecodedPng;
  try {
    png = pngDecode(withoutIccProfiles(bytes), { checkCrc: false });
  } catch (err) {
    throw badImage('The PNG image is corrupt or uses a feature we cannot decode', err);
  }
  const ch = CHANNELS[h.colorType], n = png.width * png.height, src = png.data;
  if (src.length < n * ch) throw badImage('The PNG image data is truncated');
  const out = new Uint16Array(n * 4);
  for (let i = 0; i < n; i++) {
    const s = i * ch, o = i * 4;
    if (ch <= 2) {
      out[o] = out[o + 1] = out[o + 2] = src[s];
      out[o + 3] = ch === 2 ? src[s + 1] : 65535;
    } else {
      out[o] = src[s]; out[o + 1] = src[s + 1]; out[o + 2] = src[s + 2];
      out[o + 3] = ch === 4 ? src[s + 3] : 65535;
    }
  }
  return { width: png.width, height: png.height, data: out };
}
