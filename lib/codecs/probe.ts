/**
 * Header-only probing: format, size and frame count, read before any pixel is decoded so that
 * pixel floods are refused cheaply. It runs on the main thread, so it imports header readers only
 * (png-header.ts, tiff-ifd.ts, ...), never a decoder library: those load in the workers.
 */
import { detectFormat } from './detect.js';
import { badImage, type ProbeResult } from './types.js';
import { pngHeader } from './png-header.js';
import { readGifInfo } from './gif.js';
import { readTiffIfd0 } from './tiff-ifd.js';
import { readBmpHeader } from './bmp.js';
import { readWebpHeader } from './webp.js';
import { readAvifSize } from './avif-box.js';
import { readOrientation } from './exif.js';
import type { ImageFormat } from './types.js';

/** jpegSize finds the first start-of-frame marker and reads its dimensions. */
function jpegSize(b: Uint8Array): { width: number; height: number } {
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) throw badImage('The JPEG marker structure is not valid');
    const m = b[i + 1];
    if (m === 0xff) { i++; continue; }
    if ((m >= 0xd0 && m <= 0xd7) || m === 0x01) { i += 2; continue; }
    if (m === 0xd9 || m === 0xda) break;
    const len = (b[i + 2] << 8) | b[i + 3];
    if (len < 2) throw badImage('The JPEG marker structure is not valid');
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      if (i + 9 > b.length) break;
      const height = (b[i + 5] << 8) | b[i + 6];
      const width = (b[i + 7] << 8) | b[i + 8];
      if (width === 0 || height === 0) throw badImage('The JPEG image has no size');
      return { width, height };
    }
    i += 2 + len;
  }
  throw badImage('The JPEG file has no frame header');
}

/** ProbeOptions bound what probe accepts and pass on what the caller already knows. */
export interface ProbeOptions {
  /** Largest number of GIF frames (default DEFAULT_MAX_FRAMES). */
  maxFrames?: number;
  /** The format detectFormat already named for these bytes, so they are not sniffed again. */
  format?: ImageFormat;
}

/**
 * probe reads the format, size, frame count and EXIF orientation of bytes from headers only; it
 * throws an UnprocessableImageError (422) for unknown, truncated or malformed headers, and for
 * GIFs with more than opts.maxFrames (default DEFAULT_MAX_FRAMES) frames.
 */
export function probe(bytes: Uint8Array, opts: ProbeOptions = {}): ProbeResult {
  const format = opts.format ?? detectFormat(bytes);
  const one = (width: number, height: number, orientation = 1): ProbeResult => {
    if (!(width > 0 && height > 0)) throw badImage('The image has no size');
    return { format: format!, width, height, frames: 1, pixels: width * height, orientation };
  };
  try {
    switch (format) {
      case 'jpeg': { const s = jpegSize(bytes); return one(s.width, s.height, readOrientation(bytes)); }
      case 'png': { const h = pngHeader(bytes); return one(h.width, h.height); }
      case 'gif': {
        const g = readGifInfo(bytes, opts.maxFrames);
        return { format, width: g.width, height: g.height, frames: g.frames.length, pixels: g.width * g.height * g.frames.length, orientation: 1 };
      }
      case 'tiff': { const t = readTiffIfd0(bytes); return one(t.width, t.height, readOrientation(bytes)); }
      case 'bmp': { const h = readBmpHeader(bytes); return one(h.width, h.height); }
      case 'webp': {
        const h = readWebpHeader(bytes, opts.maxFrames);
        const r = one(h.width, h.height), n = Math.max(1, h.frames);
        return { ...r, frames: n, pixels: r.pixels * n };
      }
      case 'avif': { const s = readAvifSize(bytes); return one(s.width, s.height); }
      case 'svg': return { format, width: 0, height: 0, frames: 1, pixels: 0, orientation: 1 };
      default: throw badImage('The image format is not recognised');
    }
  } catch (err) {
    if (err instanceof Error && 'status' in err) throw err;
    // A DataView read past the end of a short file.
    throw badImage('The image header is truncated');
  }
}
