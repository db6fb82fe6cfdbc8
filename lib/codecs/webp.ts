/**
 * WebP decoding: stills through @jsquash/webp's wasm build of libwebp, animations demuxed and
 * composed here (the wasm decoder handles stills only).
 *
 * The wasm comes from bytes embedded in the package (see wasm/loader.ts), never from a file
 * path or a fetch.
 */
import { badImage, hasTransparency, type Bitmap, type Frame } from './types.js';
import { CODEC_KEEP_BYTES, CodecInstance, type EmscriptenModule, type GlueFactory } from './wasm/loader.js';
import { demuxAnimation, riffChunks, stillFile, VP8X_ALPHA, VP8X_ANIMATION } from './webpmux.js';
import { composeAnimation } from './webp-anim.js';
import { DEFAULT_MAX_FRAMES } from '../config.js';

/** WebpHeader is what the RIFF container and first chunk say about the image. */
export interface WebpHeader {
  width: number;
  height: number;
  animated: boolean;
  alpha: boolean;
  /** ANMF frames in an animation (0 when it has none), 1 for a still. */
  frames: number;
}

/**
 * readWebpHeader reads the canvas size from a VP8, VP8L or VP8X first chunk and, for an
 * animation, counts its frames (a walk over chunk headers only).
 */
export function readWebpHeader(b: Uint8Array, maxFrames = DEFAULT_MAX_FRAMES): WebpHeader {
  if (b.length < 30) throw badImage('The WebP file is truncated');
  const fourcc = String.fromCharCode(b[12], b[13], b[14], b[15]);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (fourcc === 'VP8 ') {
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) throw badImage('The WebP VP8 header is not valid');
    return { width: dv.getUint16(26, true) & 0x3fff, height: dv.getUint16(28, true) & 0x3fff, animated: false, alpha: false, frames: 1 };
  }
  if (fourcc === 'VP8L') {
    if (b[20] !== 0x2f) throw badImage('The WebP VP8L header is not valid');
    const v = dv.getUint32(21, true);
    return { width: (v & 0x3fff) + 1, height: ((v >>> 14) & 0x3fff) + 1, animated: false, alpha: ((v >>> 28) & 1) === 1, frames: 1 };
  }
  if (fourcc === 'VP8X') {
    const flags = b[20];
    const w = 1 + (b[24] | (b[25] << 8) | (b[26] << 16));
    const h = 1 + (b[27] | (b[28] << 8) | (b[29] << 16));
    const animated = (flags & VP8X_ANIMATION) !== 0;
    const frames = animated ? riffChunks(b, maxFrames + 64).filter((c) => c.fourcc === 'ANMF').length : 1;
    if (frames > maxFrames) throw badImage(`The animated WebP has more than ${maxFrames} frames`);
    return { width: w, height: h, animated, alpha: (flags & VP8X_ALPHA) !== 0, frames };
  }
  throw badImage('The WebP file has an unknown first chunk');
}

/** WebpDecModule is the jsquash decoder glue once instantiated. */
interface WebpDecModule extends EmscriptenModule {
  decode(data: Uint8Array): { width: number; height: number; data: Uint8ClampedArray } | null;
}

const decoder = new CodecInstance<WebpDecModule>('webp_dec',
  async () => (await import('@jsquash/webp/codec/dec/webp_dec.js')).default as unknown as GlueFactory<WebpDecModule>,
  CODEC_KEEP_BYTES);

/**
 * decodeStill decodes one still WebP file (lossy, lossless, with or without alpha) to RGBA;
 * libwebp failing is a 422.
 */
export async function decodeStill(bytes: Uint8Array): Promise<Bitmap> {
  let img: { width: number; height: number; data: Uint8ClampedArray } | null;
  try {
    // The glue copies the view's own bytes (byteOffset honoured): a pooled Buffer is safe here.
    img = await decoder.use((m) => m.decode(bytes));
  } catch (err) {
    throw badImage('The WebP image is corrupt or uses a feature we cannot decode', err);
  }
  if (!img) throw badImage('The WebP image is corrupt or uses a feature we cannot decode');
  if (img.data.length !== img.width * img.height * 4) throw badImage('The WebP image could not be decoded');
  return { width: img.width, height: img.height, data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.length) };
}

/** DecodedWebp is a decoded WebP: its frames (one for a still), loop count and alpha. */
export interface DecodedWebp {
  /** The first frame (the whole image for a still). */
  bitmap: Bitmap;
  frames: Frame[];
  /** GIF-style loop count: 0 forever, -1 play once, n repeats (see webpLoopToGif). */
  loopCount: number;
  hasAlpha: boolean;
}

/**
 * webpLoopToGif maps an ANIM loop count (times to play, 0 forever) to the GIF-style count the
 * decoded model uses (repeats after the first play, -1 for play once), inverse of gifLoopToWebp.
 */
export function webpLoopToGif(n: number): number {
  return n === 0 ? 0 : n === 1 ? -1 : n - 1;
}

/**
 * decodeWebp decodes a still or animated WebP to composed RGBA frames; every failure is a 422.
 * Callers check the canvas times the frame count against their pixel limit first (probe does).
 */
export async function decodeWebp(bytes: Uint8Array, opts: { maxFrames?: number } = {}): Promise<DecodedWebp> {
  const maxFrames = opts.maxFrames ?? DEFAULT_MAX_FRAMES;
  const hd = readWebpHeader(bytes, maxFrames);
  if (!hd.animated) {
    const bitmap = await decodeStill(bytes);
    return { bitmap, frames: [{ bitmap, delayMs: 0 }], loopCount: 0, hasAlpha: hasTransparency(bitmap.data) };
  }
  const anim = demuxAnimation(bytes, maxFrames);
  const frames = await composeAnimation(anim, (f) => decodeStill(stillFile(f.parts, f.width, f.height)));
  return {
    bitmap: frames[0].bitmap, frames, loopCount: webpLoopToGif(anim.loopCount),
    hasAlpha: frames.some((f) => hasTransparency(f.bitmap.data)),
  };
}

/** webpDecoderMemory is the live decoder instance's wasm memory in bytes (0 when none is kept), for tests. */
export function webpDecoderMemory(): Promise<number> {
  return decoder.memoryBytes();
}
