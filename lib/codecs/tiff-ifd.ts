/**
 * The TIFF header reader: the bounded walk over the IFD chain that probe (on the main thread) and
 * the decoder (in the workers) share, apart from tiff.ts so that reading a header loads no
 * decoder library (UTIF).
 */
import { badImage } from './types.js';

/** MAX_TIFF_IFDS bounds the IFD chain walk, so a long chain cannot stall the probe. */
export const MAX_TIFF_IFDS = 1024;

/** TYPE_SIZES are the byte sizes of the TIFF field types (TIFF 6.0 section 2, plus IFD type 13). */
const TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };

/** TiffIfd is the first IFD: numeric tags by number (values as arrays), plus the byte order. */
export interface TiffIfd {
  le: boolean;
  tags: Map<number, number[]>;
  width: number;
  height: number;
}

/** readTiffIfd0 parses and checks the IFD chain and returns the first IFD's numeric tags. */
export function readTiffIfd0(bytes: Uint8Array): TiffIfd {
  if (bytes.length < 8) throw badImage('The TIFF file is truncated');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = bytes[0] === 0x49;
  if (dv.getUint16(2, le) !== 42) throw badImage('The TIFF header is not valid (BigTIFF is not supported)');
  const ifd0 = dv.getUint32(4, le);
  const seen = new Set<number>();
  let tags: Map<number, number[]> | undefined;
  for (let off = ifd0, n = 0; off !== 0; n++) {
    if (seen.has(off)) throw badImage('The TIFF file has a circular IFD chain');
    if (n >= MAX_TIFF_IFDS) throw badImage('The TIFF file has too many IFDs');
    seen.add(off);
    if (off + 2 > bytes.length) {
      if (n === 0) throw badImage('The TIFF IFD offset is out of range');
      break; // a broken link after the first page does not matter: we decode page one only
    }
    const count = dv.getUint16(off, le);
    const next = off + 2 + count * 12;
    if (next > bytes.length) {
      if (n === 0) throw badImage('The TIFF IFD is truncated');
      break;
    }
    if (n === 0) tags = readEntries(bytes, dv, off + 2, count, le);
    off = next + 4 <= bytes.length ? dv.getUint32(next, le) : 0;
  }
  if (!tags) throw badImage('The TIFF file has no IFD');
  const width = tags.get(256)?.[0] ?? 0;
  const height = tags.get(257)?.[0] ?? 0;
  if (width <= 0 || height <= 0) throw badImage('The TIFF image has no size');
  return { le, tags, width, height };
}

/** readEntries reads an IFD's integer-typed entries; a tag whose values lie past the end is skipped. */
function readEntries(bytes: Uint8Array, dv: DataView, start: number, count: number, le: boolean): Map<number, number[]> {
  const tags = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const e = start + i * 12;
    const tag = dv.getUint16(e, le);
    const type = dv.getUint16(e + 2, le);
    const num = dv.getUint32(e + 4, le);
    const size = TYPE_SIZES[type];
    // Only integer types carry what decoding needs; rationals, strings and floats are skipped.
    if (!size || ![1, 3, 4, 6, 8, 9, 13].includes(type)) continue;
    const total = size * num;
    const at = total <= 4 ? e + 8 : dv.getUint32(e + 8, le);
    if (at + total > bytes.length) continue; // count or offset past the end: ignore the tag
    const vals = new Array<number>(num);
    for (let j = 0; j < num; j++) {
      const p = at + j * size;
      switch (type) {
        case 1: vals[j] = bytes[p]; break;
        case 6: vals[j] = dv.getInt8(p); break;
        case 3: vals[j] = dv.getUint16(p, le); break;
        case 8: vals[j] = dv.getInt16(p, le); break;
        case 9: vals[j] = dv.getInt32(p, le); break;
        default: vals[j] = dv.getUint32(p, le);
      }
    }
    tags.set(tag, vals);
  }
  return tags;
}
