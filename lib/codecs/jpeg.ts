/**
 * JPEG codec: our fast decoder (with decode-time DCT scaling) and 4:2:0 encoder, with jpeg-js
 * as the general decoder for the streams the fast path does not handle.
 */
import jpeg from 'jpeg-js';
import { badImage, hasTransparency, type Bitmap } from './types.js';
import { decodeJpegFast, decodeJpegPlanes, type JpegPlanes } from './jpegfast/decoder.js';
import { encodeJpegFast, encodeJpegPlanes, type YccPlanes } from './jpegfast/encoder.js';
import { planesToRGBA } from './jpegfast/color.js';
import type { Scratch } from './scratch.js';

/** JPEG_BYTES_PER_PIXEL estimates jpeg-js's peak memory per pixel (coefficients, planes, output). */
export const JPEG_BYTES_PER_PIXEL = 16;

/** DecodedJpeg is a decoded JPEG bitmap and the factor it was already scaled down by. */
export interface DecodedJpeg { bitmap: Bitmap; shrink: number }

/** fastScale maps a shrink hint to the largest DCT scale the fast decoder offers. */
function fastScale(shrink: number | undefined): 1 | 2 | 4 | 8 {
  const s = shrink ?? 1;
  return s >= 8 ? 8 : s >= 4 ? 4 : s >= 2 ? 2 : 1;
}

/**
 * decodeJpeg decodes baseline, progressive and arithmetic-coded, grayscale and Adobe CMYK/YCCK JPEGs to RGBA.
 *
 * `shrink` is a power-of-two reduction the caller can use; the fast decoder applies it while
 * decoding (from the DCT coefficients) and reports it back. Streams the fast decoder does not
 * handle (lossless, hierarchical, two components...) go to jpeg-js at full size. A stream the fast
 * decoder refuses as corrupt is refused: it is not handed to a second parser to try again.
 */
export function decodeJpeg(bytes: Uint8Array, opts: { maxPixels: number; shrink?: number; maxScans?: number }): DecodedJpeg {
  const fast = decodeJpegFast(bytes, { scale: fastScale(opts.shrink), maxPixels: opts.maxPixels, maxScans: opts.maxScans });
  if (fast) return { bitmap: { width: fast.width, height: fast.height, data: fast.data }, shrink: fast.scale };
  return decodeJpegGeneral(bytes, opts.maxPixels);
}

/**
 * decodeJpegToPlanes decodes with the fast decoder, applying `shrink` as decodeJpeg does, and
 * stops before colour conversion; undefined means the fast decoder does not handle the stream.
 */
export function decodeJpegToPlanes(
  bytes: Uint8Array, opts: { maxPixels: number; shrink?: number; maxScans?: number; subsampledChroma?: boolean; scratch?: Scratch },
): JpegPlanes | undefined {
  const { maxPixels, maxScans, subsampledChroma, scratch } = opts;
  return decodeJpegPlanes(bytes, { scale: fastScale(opts.shrink), maxPixels, maxScans, subsampledChroma, scratch });
}

/** bitmapOfPlanes converts planes from decodeJpegToPlanes to the RGBA bitmap decodeJpeg gives. */
export function bitmapOfPlanes(p: JpegPlanes): DecodedJpeg {
  return { bitmap: { width: p.width, height: p.height, data: planesToRGBA(p.planes, p.colorSpace, p.width, p.height) }, shrink: p.scale };
}

/** decodeJpegGeneral decodes with jpeg-js at full size, with its memory limits set. */
export function decodeJpegGeneral(bytes: Uint8Array, maxPixels: number): DecodedJpeg {
  let img: { width: number; height: number; data: Uint8Array };
  try {
    img = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      tolerantDecoding: true, // a truncated scan decodes as far as it goes, as browsers show it
      maxResolutionInMP: Math.max(maxPixels / 1e6, 0.000001),
      maxMemoryUsageInMB: Math.ceil((maxPixels * JPEG_BYTES_PER_PIXEL) / (1024 * 1024)) + 64,
    });
  } catch (err) {
    throw badImage('The JPEG image is corrupt or uses a feature we cannot decode', err);
  }
  if (!img.width || !img.height || img.data.length !== img.width * img.height * 4) {
    throw badImage('The JPEG image has no decodable frame');
  }
  return { bitmap: { width: img.width, height: img.height, data: img.data }, shrink: 1 };
}

/**
 * flattenForJpeg composites b over black in place of alpha, the way Go's jpeg.Encode reads an
 * NRGBA image: each channel becomes ((c*257*a/255) >> 8) and alpha becomes 255. An opaque b is
 * returned as it is.
 */
export function flattenForJpeg(b: Bitmap): Bitmap {
  const s = b.data;
  if (!hasTransparency(s)) return b;
  const d = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i += 4) {
    const a = s[i + 3];
    d[i] = Math.floor((s[i] * 257 * a) / 255) >>> 8;
    d[i + 1] = Math.floor((s[i + 1] * 257 * a) / 255) >>> 8;
    d[i + 2] = Math.floor((s[i + 2] * 257 * a) / 255) >>> 8;
    d[i + 3] = 255;
  }
  return { width: b.width, height: b.height, data: d };
}

/**
 * encodeJpeg writes a baseline 4:2:0 JPEG at quality 1..100 (Go's table scaling, so a quality
 * means what it means there) with optimised Huffman tables; alpha is flattened onto black first
 * (flattenForJpeg), as Go's encoder sees it.
 */
export function encodeJpeg(bitmap: Bitmap, quality: number): Uint8Array {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  try {
    return encodeJpegFast(flattenForJpeg(bitmap), { quality: q, subsampling: '420', optimizeHuffman: true });
  } catch (err) {
    throw badImage('The image could not be encoded as JPEG', err);
  }
}

/** encodeJpegYcc writes YCbCr 4:2:0 planes as encodeJpeg writes a bitmap, without colour conversion. */
export function encodeJpegYcc(planes: YccPlanes, quality: number): Uint8Array {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  try {
    return encodeJpegPlanes(planes, { quality: q });
  } catch (err) {
    throw badImage('The image could not be encoded as JPEG', err);
  }
}
