/**
 * Codec layer entry point: detect, probe, decode and encode every format the proxy handles.
 *
 * SVG is detected but never decoded: callers serve it unchanged (check detectFormat first);
 * decode() throws NotTransformableError (422) for it as a safety net.
 */
import { isProxyError } from '../errors.js';
import { probe } from './probe.js';
import { decodeJpeg, encodeJpeg } from './jpeg.js';
import { decodePng, encodePng } from './png.js';
import { decodeGif, encodeGif } from './gif.js';
import { decodeTiff, encodeTiff } from './tiff.js';
import { decodeBmp, encodeBmp } from './bmp.js';
import { decodeWebp } from './webp.js';
import { readOrientation } from './exif.js';
import {
  badImage, NotTransformableError,
  type Bitmap, type DecodedImage, type EncodableFormat, type EncodeInput, type ImageFormat,
} from './types.js';

export { CONTENT_TYPES, detectFormat, sniffMediaType } from './detect.js';
export { probe } from './probe.js';
export { readOrientation } from './exif.js';
export { NotTransformableError } from './types.js';
export type { Bitmap, DecodedImage, EncodableFormat, EncodeInput, Frame, ImageFormat, ProbeResult } from './types.js';

export { DEFAULT_MAX_FRAMES } from './gif.js';

/** DecodeOptions bound what decode will spend. */
export interface DecodeOptions {
  /** Largest width*height (summed over GIF frames) that will be decoded. */
  maxPixels: number;
  /** Power-of-two reduction the decoder MAY apply while decoding (reported back in `shrink`). */
  shrink?: number;
  /** Largest number of GIF frames (default DEFAULT_MAX_FRAMES). */
  maxFrames?: number;
  /** Largest number of JPEG scans (default MAX_SCANS). */
  maxScans?: number;
}

/**
 * decode decodes bytes into RGBA frames after checking the header against opts.maxPixels;
 * every failure is an UnprocessableImageError (422) with a one-sentence reason.
 */
export async function decode(bytes: Uint8Array, opts: DecodeOptions): Promise<DecodedImage> {
  const info = probe(bytes, { maxFrames: opts.maxFrames });
  if (info.format === 'svg') throw new NotTransformableError('SVG images are served unchanged and cannot be transformed.');
  if (info.pixels > opts.maxPixels) {
    const frames = info.frames > 1 ? ` in ${info.frames} frames` : '';
    throw badImage(`The image is too large to decode (${info.width}x${info.height}${frames} exceeds ${opts.maxPixels} pixels)`);
  }
  const still = (bitmap: Bitmap, hasAlpha: boolean, orientation = 1, shrink = 1): DecodedImage => ({
    format: info.format, frames: [{ bitmap, delayMs: 0 }], loopCount: 0, orientation, hasAlpha, shrink,
  });
  try {
    switch (info.format) {
      case 'jpeg': {
        const r = decodeJpeg(bytes, { maxPixels: opts.maxPixels, shrink: opts.shrink, maxScans: opts.maxScans });
        return still(r.bitmap, false, readOrientation(bytes), r.shrink);
      }
      case 'png': { const r = decodePng(bytes); return still(r.bitmap, r.hasAlpha); }
      case 'tiff': { const r = decodeTiff(bytes); return still(r.bitmap, r.hasAlpha, readOrientation(bytes)); }
      case 'bmp': { const r = decodeBmp(bytes); return still(r.bitmap, r.hasAlpha); }
      case 'webp': { const r = await decodeWebp(bytes); return still(r.bitmap, r.hasAlpha); }
      case 'gif': {
        const r = decodeGif(bytes);
        return { format: 'gif', frames: r.frames, loopCount: r.loopCount, orientation: 1, hasAlpha: r.hasAlpha, shrink: 1 };
      }
    }
  } catch (err) {
    if (isProxyError(err)) throw err;
    throw badImage(`The ${info.format.toUpperCase()} image is corrupt or uses a feature we cannot decode`, err);
  }
}

/**
 * encode writes img in format: GIF keeps every frame, its delay and the loop count; the other
 * formats write the first frame. quality (1..100) applies to JPEG only.
 */
export async function encode(img: EncodeInput, format: EncodableFormat, quality: number): Promise<Uint8Array> {
  if (img.frames.length === 0) throw badImage('There is no frame to encode');
  const first = img.frames[0].bitmap;
  if (first.width <= 0 || first.height <= 0 || first.data.length !== first.width * first.height * 4) {
    throw badImage('The image to encode has an invalid size');
  }
  try {
    switch (format) {
      case 'jpeg': return encodeJpeg(first, quality);
      case 'png': return encodePng(first, img.hasAlpha);
      case 'gif': return encodeGif(img.frames, img.loopCount, img.hasAlpha);
      case 'tiff': return encodeTiff(first);
      case 'bmp': return encodeBmp(first, img.hasAlpha);
      default: throw badImage(`Encoding ${String(format)} is not supported`);
    }
  } catch (err) {
    if (isProxyError(err)) throw err;
    throw badImage(`The image could not be encoded as ${String(format).toUpperCase()}`, err);
  }
}
