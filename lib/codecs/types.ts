/**
 * Codec types: the decoded-image model shared by the codecs and the transform pipeline.
 */
import { UnprocessableImageError } from '../errors.js';

/** ImageFormat is a source or output image format the proxy recognises. */
export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'tiff' | 'bmp' | 'webp' | 'avif' | 'svg';

/** EncodableFormat is an ImageFormat the proxy can write. */
export type EncodableFormat = 'jpeg' | 'png' | 'gif' | 'tiff' | 'bmp' | 'webp' | 'avif';

/** Bitmap is 8-bit RGBA pixels, row-major, no padding, straight (not premultiplied) alpha. */
export interface Bitmap {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Frame is one fully composited animation frame (canvas-sized; disposal already applied). */
export interface Frame {
  bitmap: Bitmap;
  /** Time the frame is shown, in milliseconds (GIF delays are whole centiseconds). */
  delayMs: number;
}

/** DecodedImage is a decoded source: its frames plus what the encoder and orientation step need. */
export interface DecodedImage {
  format: ImageFormat;
  /** One entry for still images. */
  frames: Frame[];
  /**
   * GIF loop count as stored in the NETSCAPE2.0 extension (0 = forever); -1 when an animated GIF
   * has no loop extension (play once, as Go's gif.GIF.LoopCount); 0 for stills.
   */
  loopCount: number;
  /** EXIF orientation 1..8 (JPEG and TIFF sources), else 1. */
  orientation: number;
  /** Whether some pixel of some frame is not fully opaque. */
  hasAlpha: boolean;
  /** Factor the decoder already reduced by (1 unless a fast path used decode-time scaling). */
  shrink: number;
}

/** ProbeResult is what an image header says, read without decoding pixels. */
export interface ProbeResult {
  format: ImageFormat;
  width: number;
  height: number;
  frames: number;
  /** width*height summed over frames: the pixel budget decoding would spend. */
  pixels: number;
  /** EXIF orientation 1..8 the header declares (JPEG APP1 Exif, TIFF IFD0), else 1. */
  orientation: number;
}

/**
 * EncoderSettings say how an image is written: the format and what its encoder takes. A new
 * encoder's own settings (effort, chroma subsampling...) join as further fields.
 */
export interface EncoderSettings {
  format: EncodableFormat;
  /** Quality 1..100 of a lossy encoder (JPEG, WebP, AVIF); lossless formats ignore it. */
  quality: number;
  /** Largest width*height the encoder takes (AVIF: its limit's flag); past it the encode is a 422. */
  maxPixels?: number;
}

/** EncodeInput is what encode needs from a DecodedImage (after transformation). */
export interface EncodeInput {
  frames: Frame[];
  loopCount: number;
  hasAlpha: boolean;
}

/**
 * NotTransformableError is a recognised image the proxy serves unchanged but cannot decode (SVG);
 * it is a 422 so that a caller which forgets to check detectFormat still answers sensibly.
 */
export class NotTransformableError extends UnprocessableImageError {
  constructor(message = 'The image format cannot be transformed.') {
    super(message, 'not_transformable');
  }
}

/**
 * badImage returns the 422 error for an image we will not decode, with a one-sentence reason for
 * the client; `cause` (a library's error) is kept as the error's log-only detail.
 */
export function badImage(reason: string, cause?: unknown): UnprocessableImageError {
  const e = new UnprocessableImageError(reason.endsWith('.') ? reason : `${reason}.`);
  if (cause !== undefined) {
    e.detail = String(cause instanceof Error ? cause.message : cause).split('\n')[0].slice(0, 300);
  }
  return e;
}

/** LITTLE_ENDIAN: hasTransparency reads pixels as 32-bit words, alpha in the top byte on such platforms. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** hasTransparency reports whether any pixel of rgba has alpha below 255. */
export function hasTransparency(rgba: Uint8Array): boolean {
  if (LITTLE_ENDIAN && (rgba.byteOffset & 3) === 0) {
    // One word per pixel: a fully opaque pixel is at least 0xff000000.
    const words = new Uint32Array(rgba.buffer, rgba.byteOffset, rgba.length >> 2);
    for (let i = 0; i < words.length; i++) if (words[i] < 0xff000000) return true;
    return false;
  }
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 255) return true;
  return false;
}
