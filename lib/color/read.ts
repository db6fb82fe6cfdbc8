/**
 * Colour metadata readers: the embedded ICC profile of JPEG (APP2 `ICC_PROFILE`, reassembled
 * from its segments), PNG (`iCCP`, inflated under a bound, plus `sRGB`, `gAMA` and `cHRM`),
 * WebP (`ICCP` in a VP8X file) and TIFF (tag 34675), and JPEG's Adobe APP14 transform.
 *
 * Readers never throw: anything malformed becomes a warning and the part is left out, so that
 * a broken profile costs the request nothing (the pixels are then taken as sRGB).
 */
import { inflateSync } from 'node:zlib';
import type { ImageFormat } from '../codecs/types.js';
import { DEFAULT_MAX_COLOR_PROFILE_SIZE } from '../config.js';

/** PngColour is what a PNG's colour chunks say besides a profile. */
export interface PngColour {
  /** An `sRGB` chunk is present. */
  srgb: boolean;
  /** The `gAMA` value (encoding gamma, e.g. 0.45455), when present and sane. */
  gamma?: number;
  /** `cHRM` chromaticities: white x, y, then red, green, blue x, y. */
  chrm?: number[];
  /** Bit depth from IHDR. */
  depth: number;
}

/** ColourSource is the colour metadata of a source image. */
export interface ColourSource {
  /** The embedded ICC profile, whole. */
  icc?: Uint8Array;
  png?: PngColour;
  /** JPEG APP14 Adobe transform flag (0 none, 1 YCbCr, 2 YCCK), when present. */
  adobeTransform?: number;
  /** Colour channels the image stores (1 gray, 3 RGB, 4 CMYK), when the header says. */
  channels?: number;
  /** What was ignored and why, for the log. */
  warnings: string[];
}

const ICC_SIG = 'ICC_PROFILE\0';

/** ascii reads n bytes at p as Latin-1. */
function ascii(b: Uint8Array, p: number, n: number): string {
  return String.fromCharCode(...b.subarray(p, Math.min(b.length, p + n)));
}

function be32(b: Uint8Array, p: number): number {
  return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}

/** readJpegColour walks a JPEG's segments up to the first scan for APP2 ICC_PROFILE and APP14 Adobe. */
function readJpegColour(b: Uint8Array, maxBytes: number, out: ColourSource): void {
  const parts = new Map<number, Uint8Array>();
  let count = 0, total = 0, bad = '';
  for (let p = 2; p + 4 <= b.length;) {
    if (b[p] !== 0xff) { p++; continue; }
    const m = b[p + 1];
    if (m === 0xff || m === 0x01 || (m >= 0xd0 && m <= 0xd8)) { p += m === 0xff ? 1 : 2; continue; }
    if (m === 0xda || m === 0xd9) break;
    const len = (b[p + 2] << 8) | b[p + 3];
    const start = p + 4, end = Math.min(b.length, p + 2 + len);
    if (m === 0xe2 && end - start >= 14 && ascii(b, start, 12) === ICC_SIG) {
      const seq = b[start + 12], n = b[start + 13];
      if (count === 0) count = n;
      if (n !== count || seq < 1 || seq > n || parts.has(seq)) bad ||= 'its ICC_PROFILE segments are numbered inconsistently';
      total += end - start - 14;
      if (total > maxBytes) bad ||= `it is larger than the ${maxBytes}-byte limit`;
      else parts.set(seq, b.subarray(start + 14, end));
    } else if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc && end - start >= 6) {
      out.channels ??= b[start + 5];
    } else if (m === 0xee && end - start >= 12 && ascii(b, start, 5) === 'Adobe') {
      out.adobeTransform = b[start + 11];
    }
    p += 2 + Math.max(2, len);
  }
  if (count === 0) return;
  if (!bad && parts.size !== count) bad = `${count - parts.size} of its ${count} ICC_PROFILE segments are missing`;
  if (bad) { out.warnings.push(`colour profile ignored: ${bad}`); return; }
  const icc = new Uint8Array(total);
  for (let i = 1, at = 0; i <= count; i++) { const s = parts.get(i) as Uint8Array; icc.set(s, at); at += s.length; }
  out.icc = icc;
}

/** readPngColour walks a PNG's chunks up to the image data for iCCP, sRGB, gAMA and cHRM. */
function readPngColour(b: Uint8Array, maxBytes: number, out: ColourSource): void {
  const png: PngColour = { srgb: false, depth: b.length > 24 ? b[24] : 8 };
  out.png = png;
  if (b.length > 25) out.channels = b[25] === 0 || b[25] === 4 ? 1 : 3;
  for (let p = 8; p + 12 <= b.length;) {
    const len = be32(b, p), type = ascii(b, p + 4, 4);
    const data = b.subarray(p + 8, Math.min(b.length, p + 8 + len));
    if (type === 'IDAT' || type === 'IEND') break;
    if (type === 'iCCP') readIccp(data, maxBytes, out);
    else if (type === 'sRGB') png.srgb = true;
    else if (type === 'gAMA' && data.length >= 4) {
      const g = be32(data, 0) / 100000;
      if (g > 0.01 && g < 10) png.gamma = g;
      else out.warnings.push(`PNG gAMA ${g} ignored: out of range`);
    } else if (type === 'cHRM' && data.length >= 32) {
      png.chrm = Array.from({ length: 8 }, (_, i) => be32(data, 4 * i) / 100000);
    }
    p += 12 + len;
  }
}

/** readIccp inflates an iCCP chunk's profile, refusing one that inflates past maxBytes. */
function readIccp(data: Uint8Array, maxBytes: number, out: ColourSource): void {
  const nul = data.indexOf(0);
  if (nul < 1 || nul > 79 || nul + 2 > data.length || data[nul + 1] !== 0) {
    out.warnings.push('colour profile ignored: the PNG iCCP chunk is malformed');
    return;
  }
  try {
    const icc = inflateSync(data.subarray(nul + 2), { maxOutputLength: maxBytes });
    out.icc = new Uint8Array(icc.buffer, icc.byteOffset, icc.length);
  } catch (err) {
    const big = (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    out.warnings.push(`colour profile ignored: the PNG iCCP chunk ${big ? `inflates past the ${maxBytes}-byte limit` : 'does not inflate'}`);
  }
}

/** readWebpColour reads the ICCP chunk of an extended (VP8X) WebP. */
function readWebpColour(b: Uint8Array, maxBytes: number, out: ColourSource): void {
  if (b.length < 30 || ascii(b, 12, 4) !== 'VP8X' || (b[20] & 0x20) === 0) return;
  const le32 = (p: number): number => (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  for (let p = 12; p + 8 <= b.length;) {
    const size = le32(p + 4);
    if (ascii(b, p, 4) === 'ICCP') {
      if (size > maxBytes) out.warnings.push(`colour profile ignored: it is larger than the ${maxBytes}-byte limit`);
      else if (p + 8 + size > b.length) out.warnings.push('colour profile ignored: the WebP ICCP chunk is truncated');
      else out.icc = b.subarray(p + 8, p + 8 + size);
      return;
    }
    p += 8 + size + (size & 1);
  }
}

/** readTiffColour reads tag 34675 (InterColorProfile) of the first IFD. */
function readTiffColour(b: Uint8Array, maxBytes: number, out: ColourSource): void {
  if (b.length < 8) return;
  const le = b[0] === 0x49;
  const r16 = (p: number): number => (le ? b[p] | (b[p + 1] << 8) : (b[p] << 8) | b[p + 1]);
  const r32 = (p: number): number => (le ? (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0 : be32(b, p));
  const ifd = r32(4);
  if (ifd + 2 > b.length) return;
  const n = r16(ifd);
  let icc: Uint8Array | undefined, warning = '';
  for (let i = 0; i < n && ifd + 2 + 12 * (i + 1) <= b.length; i++) {
    const e = ifd + 2 + 12 * i;
    const tag = r16(e);
    if (tag === 262) {
      const ph = r16(e + 8);
      out.channels = ph === 0 || ph === 1 ? 1 : ph === 5 ? 4 : 3;
    }
    if (tag !== 34675) continue;
    const count = r32(e + 4), at = count <= 4 ? e + 8 : r32(e + 8);
    if (count > maxBytes) warning = `colour profile ignored: it is larger than the ${maxBytes}-byte limit`;
    else if (at + count > b.length) warning = 'colour profile ignored: the TIFF profile tag points past the end of the file';
    else icc = b.subarray(at, at + count);
  }
  if (warning) out.warnings.push(warning);
  out.icc = icc;
}

/**
 * readColourSource reads the colour metadata of bytes in format; a profile larger than
 * maxProfileBytes, or malformed framing, is left out with a warning.
 */
export function readColourSource(bytes: Uint8Array, format: ImageFormat, maxProfileBytes = DEFAULT_MAX_COLOR_PROFILE_SIZE): ColourSource {
  const out: ColourSource = { warnings: [] };
  switch (format) {
    case 'jpeg': readJpegColour(bytes, maxProfileBytes, out); break;
    case 'png': readPngColour(bytes, maxProfileBytes, out); break;
    case 'webp': out.channels = 3; readWebpColour(bytes, maxProfileBytes, out); break;
    case 'tiff': readTiffColour(bytes, maxProfileBytes, out); break;
    default: break;
  }
  return out;
}
