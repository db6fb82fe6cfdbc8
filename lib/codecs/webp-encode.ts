/**
 * WebP encoding through @jsquash/webp's wasm build of libwebp (lossy, alpha kept), and animated
 * WebP put together from still frames by our own muxer.
 */
import { defaultOptions } from '@jsquash/webp/meta.js';
import { badImage, type Bitmap, type Frame } from './types.js';
import { CODEC_KEEP_BYTES, CodecInstance, type EmscriptenModule, type GlueFactory } from './wasm/loader.js';
import { encoderQuality, opaque } from './wasm/input.js';
import { muxAnimation, stillParts, WEBP_MAX_SIDE, type AnimFrame } from './webpmux.js';
import { DEFAULT_WEBP_QUALITY } from './encoder-defaults.js';

export { DEFAULT_WEBP_QUALITY } from './encoder-defaults.js';

/**
 * WEBP_METHOD is libwebp's effort (0 fast .. 6 slow): 4 is libwebp's and sharp's default (the
 * same bytes as sharp's at the same quality, in about the same CPU time); 3 was no faster here
 * and 2 loses 0.3 dB at the same size.
 */
export const WEBP_METHOD = 4;

/**
 * LOSSLESS_OPTIONS are libwebp's lossless settings for animation frames of few colours (GIF
 * frames): effort 2 of 0..6 is within 2% of effort 4's bytes on the benchmark GIF in less time.
 */
const LOSSLESS_OPTIONS = { lossless: 1, quality: 50, method: 2 };

/** PALETTE_COLOURS is the colour count up to which a frame is also tried lossless (GIF's palette size). */
const PALETTE_COLOURS = 256;

/** WebpEncodeOptions are what encodeWebp needs besides the pixels. */
export interface WebpEncodeOptions {
  /** 1..100 (clamped); DEFAULT_WEBP_QUALITY when absent or 0. */
  quality?: number;
  /** Whether some pixel is not opaque; false lets the encoder drop alpha (pixels are then made opaque). */
  hasAlpha: boolean;
  /** GIF-style loop count of an animation: 0 forever, -1 play once (no loop extension), n repeats. */
  loopCount?: number;
}

/** WebpEncModule is the jsquash encoder glue once instantiated. */
interface WebpEncModule extends EmscriptenModule {
  encode(data: Uint8Array, width: number, height: number, options: typeof defaultOptions): Uint8Array | null;
}

const encoder = new CodecInstance<WebpEncModule>('webp_enc',
  async () => (await import('@jsquash/webp/codec/enc/webp_enc_simd.js')).default as unknown as GlueFactory<WebpEncModule>,
  CODEC_KEEP_BYTES);

/** webpQuality clamps a requested quality to libwebp's 1..100, DEFAULT_WEBP_QUALITY for 0 or none. */
export function webpQuality(q: number | undefined): number {
  return encoderQuality(q, DEFAULT_WEBP_QUALITY);
}

/** encodeStill encodes one bitmap as a still WebP file, lossy at quality unless lossless. */
async function encodeStill(bm: Bitmap, quality: number, lossless = false): Promise<Uint8Array> {
  if (bm.width > WEBP_MAX_SIDE || bm.height > WEBP_MAX_SIDE) {
    throw badImage(`The image is too large for WebP (${bm.width}x${bm.height}; WebP allows ${WEBP_MAX_SIDE} pixels on a side)`);
  }
  let out: Uint8Array | null;
  try {
    const options = lossless ? { ...defaultOptions, ...LOSSLESS_OPTIONS } : { ...defaultOptions, quality, method: WEBP_METHOD };
    out = await encoder.use((m) => m.encode(bm.data, bm.width, bm.height, options));
  } catch (err) {
    throw badImage('The image could not be encoded as WebP', err);
  }
  if (!out || out.length < 20) throw badImage('The image could not be encoded as WebP');
  return out;
}

/** Rect is a rectangle of the canvas. */
interface Rect { x: number; y: number; width: number; height: number }

/**
 * changedRect is the smallest rectangle holding every pixel where cur differs from prev, its
 * corner moved to even coordinates (ANMF stores half offsets); undefined when nothing changed.
 */
export function changedRect(prev: Bitmap, cur: Bitmap): Rect | undefined {
  const w = cur.width, a = prev.data, b = cur.data;
  let x0 = w, x1 = -1, y0 = -1, y1 = -1;
  for (let y = 0; y < cur.height; y++) {
    const row = y * w * 4;
    let first = -1, last = -1;
    for (let i = 0; i < w * 4; i++) {
      if (a[row + i] !== b[row + i]) { if (first < 0) first = i; last = i; }
    }
    if (first < 0) continue;
    if (y0 < 0) y0 = y;
    y1 = y;
    x0 = Math.min(x0, first >> 2); x1 = Math.max(x1, last >> 2);
  }
  if (y0 < 0) return undefined;
  x0 &= ~1; y0 &= ~1;
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

function cut(bm: Bitmap, r: Rect): Bitmap {
  const data = new Uint8Array(r.width * r.height * 4);
  for (let y = 0; y < r.height; y++) {
    const at = ((r.y + y) * bm.width + r.x) * 4;
    data.set(bm.data.subarray(at, at + r.width * 4), y * r.width * 4);
  }
  return { width: r.width, height: r.height, data };
}

/** fewColours reports whether bm has at most PALETTE_COLOURS distinct RGBA values. */
export function fewColours(bm: Bitmap): boolean {
  const seen = new Set<number>();
  const d = bm.data;
  for (let i = 0; i < d.length; i += 4) {
    seen.add(((d[i] << 24) | (d[i + 1] << 16) | (d[i + 2] << 8) | d[i + 3]) >>> 0);
    if (seen.size > PALETTE_COLOURS) return false;
  }
  return true;
}

/**
 * encodeFrame encodes one animation frame lossy and, when it has few colours (as GIF frames
 * do), lossless too, keeping the smaller (libwebp's "mixed" mode): dithered GIF frames cost ~25%
 * more lossy at high quality than lossless, which is also exact.
 */
async function encodeFrame(bm: Bitmap, quality: number): Promise<Uint8Array> {
  const lossy = await encodeStill(bm, quality);
  if (!fewColours(bm)) return lossy;
  const lossless = await encodeStill(bm, quality, true);
  return lossless.length < lossy.length ? lossless : lossy;
}

/** TRANSPARENT_PIXEL is drawn, blended, for a frame identical to the one before it (it changes nothing). */
const TRANSPARENT_PIXEL: Bitmap = { width: 1, height: 1, data: new Uint8Array(4) };

/**
 * encodeAnimation encodes composed, canvas-sized frames as an animated WebP: the first frame
 * whole, each later frame as the rectangle that changed, drawn without blending and never
 * disposed, so each displayed canvas is the source frame (see encodeFrame for lossy or lossless).
 */
async function encodeAnimation(frames: readonly Frame[], quality: number, hasAlpha: boolean, loopCount: number): Promise<Uint8Array> {
  const { width, height } = frames[0].bitmap;
  const out: AnimFrame[] = [];
  for (let i = 0; i < frames.length; i++) {
    const bm = hasAlpha ? frames[i].bitmap : opaque(frames[i].bitmap);
    if (bm.width !== width || bm.height !== height) throw badImage('The animation frames differ in size');
    const r = i === 0 ? { x: 0, y: 0, width, height } : changedRect(frames[i - 1].bitmap, frames[i].bitmap);
    const px = r ? (i === 0 ? bm : cut(bm, r)) : TRANSPARENT_PIXEL;
    const parts = stillParts(await encodeFrame(px, quality));
    out.push({
      x: r?.x ?? 0, y: r?.y ?? 0, width: px.width, height: px.height,
      durationMs: frames[i].delayMs, blend: !r, dispose: false, parts,
    });
  }
  return muxAnimation({
    width, height, loopCount: gifLoopToWebp(loopCount), background: [0, 0, 0, 0],
    hasAlpha: hasAlpha || out.some((f) => f.parts.alph !== undefined), frames: out,
  });
}

/**
 * gifLoopToWebp maps the decoded model's GIF-style loop count to ANIM's times-to-play so that
 * playback stays the same: browsers play a GIF with loop count n (repeats) n + 1 times, and one
 * without a loop extension (-1) once; 0 is forever in both.
 */
export function gifLoopToWebp(n: number): number {
  if (n < 0) return 1;
  return n === 0 ? 0 : Math.min(0xffff, n + 1);
}

/**
 * encodeWebp encodes a bitmap, or composed animation frames, as lossy WebP at opts.quality;
 * alpha is kept when opts.hasAlpha. Two or more frames give an animated WebP with the frames'
 * delays and loop count. Failures are 422s.
 */
export async function encodeWebp(input: Bitmap | readonly Frame[], opts: WebpEncodeOptions): Promise<Uint8Array> {
  const quality = webpQuality(opts.quality);
  const frames = Array.isArray(input) ? input as readonly Frame[] : [{ bitmap: input as Bitmap, delayMs: 0 }];
  if (frames.length === 0) throw badImage('There is no frame to encode');
  if (frames.length === 1) return encodeStill(opts.hasAlpha ? frames[0].bitmap : opaque(frames[0].bitmap), quality);
  return encodeAnimation(frames, quality, opts.hasAlpha, opts.loopCount ?? 0);
}

/** webpEncoderMemory is the live encoder instance's wasm memory in bytes (0 when none is kept), for tests. */
export function webpEncoderMemory(): Promise<number> {
  return encoder.memoryBytes();
}
