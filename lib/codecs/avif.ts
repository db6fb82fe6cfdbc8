/**
 * AVIF encoding and decoding through @jsquash/avif's wasm builds of libavif (aom to encode,
 * dav1d to decode): 8-bit 4:2:0 output, alpha kept. The wasm comes from bytes embedded in the
 * package (see wasm/loader.ts), never from a file path or a fetch.
 */
import { defaultOptions } from '@jsquash/avif/meta.js';
import { UnprocessableImageError } from '../errors.js';
import { badImage, hasTransparency, type Bitmap } from './types.js';
import { CODEC_KEEP_BYTES, CodecInstance, type EmscriptenModule, type GlueFactory } from './wasm/loader.js';
import { encoderQuality, opaque } from './wasm/input.js';
import { readAvifSize } from './avif-box.js';
import { DEFAULT_AVIF_QUALITY, MAX_AVIF_PIXELS } from './encoder-defaults.js';

export { isAvif, readAvifSize } from './avif-box.js';
export { DEFAULT_AVIF_QUALITY, MAX_AVIF_PIXELS } from './encoder-defaults.js';

/**
 * AVIF_SPEED is aom's speed (0 slowest .. 10 fastest): 6, libavif's default, takes about half
 * the CPU of sharp's default (effort 4) for ~4% more bytes at equal PSNR; 5 costs 4x the time
 * for 0.4 dB, 7 halves the time for ~3% more bytes at equal quality.
 */
export const AVIF_SPEED = 6;

/** AVIF_MAX_SIDE is the largest side libavif's encoder takes (AV1's 16-bit frame dimensions). */
const AVIF_MAX_SIDE = 65536;

/** AvifEncodeOptions are what encodeAvif needs besides the pixels. */
export interface AvifEncodeOptions {
  /** 1..100 (clamped); DEFAULT_AVIF_QUALITY when absent or 0. */
  quality?: number;
  /** Whether some pixel is not opaque; false drops alpha (pixels are then made opaque). */
  hasAlpha: boolean;
  /** Largest width*height to encode; MAX_AVIF_PIXELS when absent (the flag's value goes here). */
  maxPixels?: number;
}

interface AvifEncModule extends EmscriptenModule {
  encode(data: Uint8Array, width: number, height: number, options: typeof defaultOptions): Uint8Array | null;
}

interface AvifDecModule extends EmscriptenModule {
  decode(data: Uint8Array, bitDepth: 8): { width: number; height: number; data: Uint8ClampedArray } | null;
}

const encoder = new CodecInstance<AvifEncModule>('avif_enc',
  async () => (await import('@jsquash/avif/codec/enc/avif_enc.js')).default as unknown as GlueFactory<AvifEncModule>,
  CODEC_KEEP_BYTES);

const decoder = new CodecInstance<AvifDecModule>('avif_dec',
  async () => (await import('@jsquash/avif/codec/dec/avif_dec.js')).default as unknown as GlueFactory<AvifDecModule>,
  CODEC_KEEP_BYTES);

/** avifQuality clamps a requested quality to 1..100, DEFAULT_AVIF_QUALITY for 0 or none. */
export function avifQuality(q: number | undefined): number {
  return encoderQuality(q, DEFAULT_AVIF_QUALITY);
}

/**
 * encodeAvif encodes a bitmap as an 8-bit 4:2:0 AVIF at opts.quality, alpha kept when
 * opts.hasAlpha. An image larger than opts.maxPixels (MAX_AVIF_PIXELS) is a 422, before any work.
 */
export async function encodeAvif(bm: Bitmap, opts: AvifEncodeOptions): Promise<Uint8Array> {
  const max = opts.maxPixels ?? MAX_AVIF_PIXELS;
  if (bm.width * bm.height > max) {
    throw new UnprocessableImageError(
      `The image is too large to encode as AVIF (${bm.width}x${bm.height} is more than ${max} pixels).`, 'avif_too_large');
  }
  if (bm.width > AVIF_MAX_SIDE || bm.height > AVIF_MAX_SIDE) throw badImage('The image is too large to encode as AVIF');
  const px = opts.hasAlpha ? bm : opaque(bm);
  const options = { ...defaultOptions, quality: avifQuality(opts.quality), speed: AVIF_SPEED, subsample: 1, bitDepth: 8 };
  let out: Uint8Array | null;
  try {
    out = await encoder.use((m) => m.encode(px.data, px.width, px.height, options));
  } catch (err) {
    throw badImage('The image could not be encoded as AVIF', err);
  }
  if (!out || out.length === 0) throw badImage('The image could not be encoded as AVIF');
  return out;
}

/**
 * decodeAvif decodes the primary image of an AVIF still (or the first frame of a sequence) to
 * 8-bit RGBA. Callers check readAvifSize against their pixel limit first (probe does); a decoded
 * image larger than its header says is refused.
 */
export async function decodeAvif(bytes: Uint8Array): Promise<{ bitmap: Bitmap; hasAlpha: boolean }> {
  const size = readAvifSize(bytes);
  let img: { width: number; height: number; data: Uint8ClampedArray } | null;
  try {
    img = await decoder.use((m) => m.decode(bytes, 8));
  } catch (err) {
    throw badImage('The AVIF image is corrupt or uses a feature we cannot decode', err);
  }
  if (!img) throw badImage('The AVIF image is corrupt or uses a feature we cannot decode');
  if (img.data.length !== img.width * img.height * 4 || img.width * img.height > size.width * size.height) {
    throw badImage('The AVIF image does not match the size its header gives');
  }
  const data = new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.length);
  return { bitmap: { width: img.width, height: img.height, data }, hasAlpha: hasTransparency(data) };
}

/** avifMemory is the live encoder and decoder instances' wasm memory in bytes, for tests. */
export async function avifMemory(): Promise<{ encoder: number; decoder: number }> {
  return { encoder: await encoder.memoryBytes(), decoder: await decoder.memoryBytes() };
}
