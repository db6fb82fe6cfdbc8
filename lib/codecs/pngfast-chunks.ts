/**
 * PNG chunk reading for the fast decoder, with libpng's strictness: a critical chunk (IHDR,
 * PLTE, IDAT, IEND) that is corrupt, missing or out of place is a 422, while an ancillary chunk
 * that is empty, malformed or fails its CRC is skipped, as libpng skips it with a warning.
 */
import * as zlib from 'node:zlib';
import { badImage } from './types.js';

/** PngHeader is the IHDR fields the decoders need. */
export interface PngHeader {
  width: number;
  height: number;
  depth: number;
  colorType: number;
  interlace: number;
}

/** PngLayout is what the chunk walk found: the image data and the colour tables that apply. */
export interface PngLayout {
  idat: Uint8Array[];
  /** RGBA per entry (256 entries), alpha from tRNS (255 when absent); null without PLTE. */
  palette: Uint8Array | null;
  paletteSize: number;
  /** Grey or RGB transparent key at the source depth, or null. */
  trns: number[] | null;
}

/** PNG_SIGNATURE is the 8 bytes every PNG file starts with. */
export const PNG_SIGNATURE: readonly number[] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const IHDR = 0x49484452, PLTE = 0x504c5445, IDAT = 0x49444154, IEND = 0x49454e44, TRNS = 0x74524e53;

/** MAX_CHUNK_LENGTH is the largest length PNG allows (2^31 - 1). */
const MAX_CHUNK_LENGTH = 0x7fffffff;

/** chunkName spells a chunk type for a message. */
function chunkName(type: number): string {
  return String.fromCharCode(type >>> 24, (type >>> 16) & 255, (type >>> 8) & 255, type & 255).replace(/[^A-Za-z]/g, '?');
}

/** isCritical reports whether a chunk type is critical (upper-case first letter). */
function isCritical(type: number): boolean {
  return ((type >>> 24) & 0x20) === 0;
}

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** crc32 is the PNG (ISO 3309) CRC of b: node:zlib's where it has one (Node 20.15+), else ours. */
export const crc32: (b: Uint8Array) => number = typeof (zlib as { crc32?: unknown }).crc32 === 'function'
  ? (b) => zlib.crc32(b) >>> 0
  : (b) => {
    let c = -1;
    for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]) & 255] ^ (c >>> 8);
    return (c ^ -1) >>> 0;
  };

/**
 * readPngChunks walks the chunks from IHDR to IEND. It throws a 422 for a file that ends before
 * IEND, a critical chunk whose CRC is wrong, a missing or malformed IHDR or (palette images)
 * PLTE, a PLTE after the image data or twice, and a file without IDAT. Ancillary chunks other
 * than tRNS are skipped unread; a tRNS that does not fit the image is ignored, as libpng does.
 */
export function readPngChunks(bytes: Uint8Array, h: PngHeader): PngLayout {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idat: Uint8Array[] = [];
  let palette: Uint8Array | null = null, paletteSize = 0, trns: number[] | null = null, trnsSeen = false;
  for (let p = 8; ;) {
    if (p + 12 > bytes.length) throw badImage('The PNG file is truncated (it ends before its IEND chunk)');
    const len = dv.getUint32(p), type = dv.getUint32(p + 4);
    if (len > MAX_CHUNK_LENGTH) throw badImage('The PNG file has a chunk with an invalid length');
    const start = p + 8, end = start + len;
    if (end + 4 > bytes.length) throw badImage('The PNG file is truncated (it ends inside a chunk)');
    const data = bytes.subarray(start, end);
    if (isCritical(type) && crc32(bytes.subarray(p + 4, end)) !== dv.getUint32(end)) {
      throw badImage(`The PNG file is corrupt (its ${chunkName(type)} chunk fails its CRC check)`);
    }
    if (p === 8 && (type !== IHDR || len !== 13)) throw badImage('The PNG file does not start with a valid IHDR chunk');
    switch (type) {
      case IHDR:
        if (p !== 8) throw badImage('The PNG file has more than one IHDR chunk');
        if (data[10] !== 0 || data[11] !== 0) throw badImage('The PNG header is not valid');
        break;
      case PLTE:
        if (h.colorType !== 3) break; // a suggested palette for true-colour images, or invalid for grey: unused
        if (palette) throw badImage('The PNG file has more than one PLTE chunk');
        if (idat.length > 0) throw badImage('The PNG file has its PLTE chunk after the image data');
        if (len === 0 || len % 3 !== 0 || len > 768) throw badImage('The PNG palette is not valid');
        paletteSize = len / 3;
        palette = new Uint8Array(256 * 4);
        for (let i = 0; i < paletteSize; i++) {
          palette[i * 4] = data[i * 3]; palette[i * 4 + 1] = data[i * 3 + 1]; palette[i * 4 + 2] = data[i * 3 + 2]; palette[i * 4 + 3] = 255;
        }
        break;
      case TRNS:
        // Only the first intact tRNS before the image data, of the size the colour type calls for, counts.
        if (trnsSeen || idat.length > 0 || crc32(bytes.subarray(p + 4, end)) !== dv.getUint32(end)) break;
        trnsSeen = true;
        if (h.colorType === 3) {
          if (!palette || len === 0 || len > paletteSize) break;
          for (let i = 0; i < len; i++) palette[i * 4 + 3] = data[i];
        } else if ((h.colorType === 0 && len === 2) || (h.colorType === 2 && len === 6)) {
          trns = [];
          for (let i = 0; i < len; i += 2) trns.push((data[i] << 8) | data[i + 1]);
        }
        break;
      case IDAT:
        idat.push(data);
        break;
      case IEND:
        if (idat.length === 0) throw badImage('The PNG file has no image data');
        if (h.colorType === 3 && !palette) throw badImage('The PNG palette is missing');
        return { idat, palette, paletteSize, trns };
      default:
        break; // every other chunk, APNG's fcTL and fdAT included, is skipped as Go and fast-png skip it
    }
    p = end + 4;
  }
}
