/**
 * Codec layer entry point, the one door every format goes through: detect, probe, decode (to
 * RGBA frames, or for JPEG to YCbCr planes) and encode (frames, or YCbCr planes to JPEG).
 *
 * SVG is detected but never decoded: callers serve it unchanged (check detectFormat first);
 * decode() throws NotTransformableError (422) for it as a safety net.
 */
import { isProxyError } from '../errors.js';
import { probe } from './probe.js';
import { bitmapOfPlanes, decodeJpeg, decodeJpegGeneral, decodeJpegToPlanes, encodeJpeg, encodeJpegYcc } from './jpeg.js';
import { decodePng, encodePng } from './png.js';
import { decodeGif, encodeGif } from './gif.js';
import { decodeTiff, encodeTiff } from './tiff.js';
import { decodeBmp, encodeBmp } from './bmp.js';
import { decodeWebp } from './webp.js';
import { encodeWebp } from './webp-encode.js';
import { decodeAvif, encodeAvif } from './avif.js';
import { asBytes, type ImageBytes } from './bytes.js';
import { rgbaOfYcc } from './ycc.js';
import type { JpegPlanes } from './jpegfast/decoder.js';
import type { YccPlanes } from './jpegfast/encoder.js';
import type { Scratch } from './scratch.js';
import {
  badImage, NotTransformableError,
  type Bitmap, type DecodedImage, type EncodableFormat, type EncodeInput, type EncoderSettings, type ImageFormat,
  type ProbeResult,
} from './types.js';

export { CONTENT_TYPES, detectFormat, sniffMediaType } from './detect.js';
export { Scratch } from './scratch.js';
export { probe, type ProbeOptions } from './probe.js';
export { readOrientation } from './exif.js';
export { flattenForJpeg } from './jpeg.js';
export { NotTransformableError } from './types.js';
export { asBytes } from './bytes.js';
export type { ImageBytes } from './bytes.js';
export type {
  Bitmap, DecodedImage, EncodableFormat, EncodeInput, EncoderSettings, Frame, ImageFormat, ProbeResult,
} from './types.js';
/** The planar model: a JPEG's components before colour conversion, and 4:2:0 planes to encode. */
export type { JpegPlanes } from './jpegfast/decoder.js';
export type { Plane } from './jpegfast/color.js';
export type { YccPlanes } from './jpegfast/encoder.js';
/** YCC_FRACTION_BITS is the fraction below the 8-bit sample that YccPlanes carry (1/16 units). */
export { YCC_FRACTION_BITS } from './jpegfast/encoder.js';

export { DEFAULT_MAX_FRAMES } from './gif.js';

/** REDUCING_FORMATS are the formats whose decoder applies DecodeOptions.shrink (from the DCT). */
export const REDUCING_FORMATS: ReadonlySet<ImageFormat> = new Set<ImageFormat>(['jpeg']);

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
  /**
   * decodePlanar only: keep subsampled JPEG chroma at its own resolution at reduced scales too,
   * for a caller that resamples each plane at its own size (the YCbCr path).
   */
  subsampledChroma?: boolean;
  /** decodePlanar only: where the JPEG decoder takes its sample planes from (lib/codecs/scratch.ts). */
  scratch?: Scratch;
}

/**
 * decode decodes bytes into RGBA frames after checking the header against opts.maxPixels;
 * every failure is an UnprocessableImageError (422) with a one-sentence reason.
 */
export async function decode(input: ImageBytes, opts: DecodeOptions): Promise<DecodedImage> {
  const bytes = asBytes(input);
  const source = probe(bytes, { maxFrames: opts.maxFrames });
  notSvg(source);
  if (source.pixels > opts.maxPixels) {
    const frames = source.frames > 1 ? ` in ${source.frames} frames` : '';
    throw badImage(`The image is too large to decode (${source.width}x${source.height}${frames} exceeds ${opts.maxPixels} pixels)`);
  }
  return decodeProbed(bytes, source, opts);
}

/** notSvg throws NotTransformableError for an SVG source. */
function notSvg(source: ProbeResult): asserts source is ProbeResult & { format: Exclude<ImageFormat, 'svg'> } {
  if (source.format === 'svg') throw new NotTransformableError('SVG images are served unchanged and cannot be transformed.');
}

/** still is a one-frame DecodedImage of source, with the orientation its header declares. */
function still(source: ProbeResult, bitmap: Bitmap, hasAlpha: boolean, shrink = 1): DecodedImage {
  return { format: source.format, frames: [{ bitmap, delayMs: 0 }], loopCount: 0, orientation: source.orientation, hasAlpha, shrink };
}

/** corrupt is the 422 for a decoder failure that is not already one. */
function corrupt(source: ProbeResult, err: unknown): unknown {
  if (isProxyError(err)) return err;
  return badImage(`The ${source.format.toUpperCase()} image is corrupt or uses a feature we cannot decode`, err);
}

/**
 * decodeProbed decodes bytes into RGBA frames given their probe, which the caller has already
 * judged against its pixel limit (the header is neither read nor checked again); every failure
 * is an UnprocessableImageError (422).
 */
export async function decodeProbed(bytes: Uint8Array, source: ProbeResult, opts: DecodeOptions): Promise<DecodedImage> {
  notSvg(source);
  try {
    switch (source.format) {
      case 'jpeg': {
        const r = decodeJpeg(bytes, { maxPixels: opts.maxPixels, shrink: opts.shrink, maxScans: opts.maxScans });
        return still(source, r.bitmap, false, r.shrink);
      }
      case 'png': { const r = decodePng(bytes); return still(source, r.bitmap, r.hasAlpha); }
      case 'tiff': { const r = decodeTiff(bytes); return still(source, r.bitmap, r.hasAlpha); }
      case 'bmp': { const r = decodeBmp(bytes); return still(source, r.bitmap, r.hasAlpha); }
      case 'webp': {
        const r = await decodeWebp(bytes, opts);
        return { ...still(source, r.bitmap, r.hasAlpha), frames: r.frames, loopCount: r.loopCount };
      }
      case 'avif': { const r = await decodeAvif(bytes); return still(source, r.bitmap, r.hasAlpha); }
      case 'gif': {
        const r = decodeGif(bytes);
        return { format: 'gif', frames: r.frames, loopCount: r.loopCount, orientation: 1, hasAlpha: r.hasAlpha, shrink: 1 };
      }
    }
  } catch (err) {
    throw corrupt(source, err);
  }
}

/**
 * PlanarDecode is what decodePlanar gives: a JPEG's planes, or RGBA frames for what has none
 * to give.
 */
export type PlanarDecode = { planes: JpegPlanes; image?: undefined } | { planes?: undefined; image: DecodedImage };

/**
 * decodePlanar decodes a probed, already judged source to its component planes before colour
 * conversion, applying opts.shrink as decodeProbed does, where the fast JPEG decoder takes the
 * stream; any other stream or format is decoded to RGBA frames, as decodeProbed would.
 */
export async function decodePlanar(bytes: Uint8Array, source: ProbeResult, opts: DecodeOptions): Promise<PlanarDecode> {
  if (source.format !== 'jpeg') return { image: await decodeProbed(bytes, source, opts) };
  try {
    const planes = decodeJpegToPlanes(bytes, opts);
    if (planes) return { planes };
    return { image: still(source, decodeJpegGeneral(bytes, opts.maxPixels).bitmap, false) };
  } catch (err) {
    throw corrupt(source, err);
  }
}

/** imageOfPlanes converts planes from decodePlanar to the RGBA image decodeProbed gives. */
export function imageOfPlanes(planes: JpegPlanes, source: ProbeResult): DecodedImage {
  const { bitmap, shrink } = bitmapOfPlanes(planes);
  return still(source, bitmap, false, shrink);
}

/**
 * encodeImage writes img as settings say: GIF keeps every frame, its delay and the loop count;
 * the other formats write the first frame (JPEG flattens alpha onto black; WebP keeps an
 * animation too). quality (1..100) applies to JPEG, WebP and AVIF; 0 means the format's default
 * for WebP and AVIF.
 */
export async function encodeImage(img: EncodeInput, settings: EncoderSettings): Promise<Uint8Array> {
  const { format, quality } = settings;
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
      case 'webp': return await encodeWebp(img.frames, { quality, hasAlpha: img.hasAlpha, loopCount: img.loopCount });
      case 'avif': return await encodeAvif(first, { quality, hasAlpha: img.hasAlpha, maxPixels: settings.maxPixels });
      default: throw badImage(`Encoding ${String(format)} is not supported`);
    }
  } catch (err) {
    if (isProxyError(err)) throw err;
    throw badImage(`The image could not be encoded as ${String(format).toUpperCase()}`, err);
  }
}

/**
 * encode writes img in format, as encodeImage does with { format, quality }; quality (1..100)
 * applies to JPEG, WebP and AVIF.
 */
export function encode(img: EncodeInput, format: EncodableFormat, quality: number): Promise<Uint8Array> {
  return encodeImage(img, { format, quality });
}

/**
 * encodePlanes writes YCbCr 4:2:0 planes as settings say, without colour conversion; only
 * JPEG is written from planes.
 */
export function encodePlanes(planes: YccPlanes, settings: EncoderSettings): Uint8Array {
  if (settings.format !== 'jpeg') throw badImage(`Encoding ${settings.format.toUpperCase()} from YCbCr planes is not supported`);
  return encodeJpegYcc(planes, settings.quality);
}

/** PLANAR_FORMATS are the formats written from YCbCr 4:2:0 planes (encodeYccPlanes). */
export const PLANAR_FORMATS: ReadonlySet<EncodableFormat> = new Set<EncodableFormat>(['jpeg', 'webp', 'avif']);

/**
 * encodeYccPlanes writes YCbCr 4:2:0 planes as settings say: JPEG straight from the planes, WebP
 * and AVIF (4:2:0 themselves) through opaque RGBA that carries the same chroma samples.
 */
export async function encodeYccPlanes(planes: YccPlanes, settings: EncoderSettings): Promise<Uint8Array> {
  if (settings.format === 'jpeg' || !PLANAR_FORMATS.has(settings.format)) return encodePlanes(planes, settings);
  return encodeImage({ frames: [{ bitmap: rgbaOfYcc(planes), delayMs: 0 }], loopCount: 0, hasAlpha: false }, settings);
}
