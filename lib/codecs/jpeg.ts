/**
 * JPEG codec: thin wrappers over jpeg-js, kept small so a faster decoder/encoder (with
 * decode-time DCT scaling) can slot in behind the same two functions.
 */
import jpeg from 'jpeg-js';
import { badImage, type Bitmap } from './types.js';

/** JPEG_BYTES_PER_PIXEL estimates jpeg-js's peak memory per pixel (coefficients, planes, output). */
export const JPEG_BYTES_PER_PIXEL = 16;

/** DecodedJpeg is a decoded JPEG bitmap and the factor it was already scaled down by. */
export interface DecodedJpeg { bitmap: Bitmap; shrink: number }

/**
 * decodeJpeg decodes baseline, progressive, grayscale and Adobe CMYK/YCCK JPEGs to RGBA.
 * `shrink` is a hint a decoder with DCT scaling may honour; jpeg-js cannot, so it returns 1.
 */
export function decodeJpeg(bytes: Uint8Array, opts: { maxPixels: number; shrink?: number }): DecodedJpeg {
  let img: { width: number; height: number; data: Uint8Array };
  try {
    img = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      tolerantDecoding: true, // a truncated scan decodes as far as it goes, as browsers show it
      maxResolutionInMP: Math.max(opts.maxPixels / 1e6, 0.000001),
      maxMemoryUsageInMB: Math.ceil((opts.maxPixels * JPEG_BYTES_PER_PIXEL) / (1024 * 1024)) + 64,
    });
  } catch (err) {
    const msg = String(err instanceof Error ? err.message : err).split('\n')[0].slice(0, 160).replace(/\.$/, '');
    throw badImage(`The JPEG image could not be decoded (${msg})`);
  }
  if (!img.width || !img.height || img.data.length !== img.width * img.height * 4) {
    throw badImage('The JPEG image has no decodable frame');
  }
  return { bitmap: { width: img.width, height: img.height, data: img.data }, shrink: 1 };
}

/** encodeJpeg writes a baseline 4:2:0 JPEG at quality 1..100; alpha is ignored (flatten first). */
export function encodeJpeg(bitmap: Bitmap, quality: number): Uint8Array {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  try {
    const out = jpeg.encode({ width: bitmap.width, height: bitmap.height, data: bitmap.data }, q);
    return new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength);
  } catch (err) {
    throw badImage(`The image could not be encoded as JPEG (${err instanceof Error ? err.message : String(err)})`);
  }
}
