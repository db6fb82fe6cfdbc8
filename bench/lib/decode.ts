/**
 * decodeImage turns JPEG, PNG or GIF bytes into 8-bit RGBA for quality measurement, with the
 * same pure-JS decoders the project depends on (jpeg-js, fast-png, omggif).
 */
import jpeg from 'jpeg-js';
import { decode as decodePng, convertIndexedToRgb } from 'fast-png';
import omggif from 'omggif';
import type { Pixels } from './psnr.js';

/** sniffFormat names the format of bytes from their signature: jpeg, png, gif or unknown. */
export function sniffFormat(bytes: Uint8Array): 'jpeg' | 'png' | 'gif' | 'unknown' {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpeg';
  if (bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes[0] === 0x47 && bytes[1] === 0x49 && bytes[2] === 0x46) return 'gif';
  return 'unknown';
}

/** gifFrameCount returns the number of frames of a GIF (0 when bytes are not a GIF). */
export function gifFrameCount(bytes: Uint8Array): number {
  if (sniffFormat(bytes) !== 'gif') return 0;
  return new omggif.GifReader(bytes).numFrames();
}

function pngToRgba(bytes: Uint8Array): Pixels {
  const png = decodePng(bytes);
  const { width, height } = png;
  let src: ArrayLike<number> = png.data;
  let channels = png.channels;
  if (png.palette) {
    src = convertIndexedToRgb(png);
    channels = png.palette[0]?.length ?? 3;
  }
  const shift = png.depth === 16 ? 8 : 0;
  const out = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const s = i * channels;
    const v = (k: number) => (src[s + k] >> shift) & 0xff;
    let r: number, g: number, b: number, a = 255;
    if (channels <= 2) {
      r = g = b = v(0);
      if (channels === 2) a = v(1);
    } else {
      r = v(0);
      g = v(1);
      b = v(2);
      if (channels === 4) a = v(3);
    }
    out.set([r, g, b, a], i * 4);
  }
  return { width, height, data: out };
}

/** decodeImage decodes the first frame of a JPEG, PNG or GIF into RGBA; it throws on anything else. */
export function decodeImage(bytes: Uint8Array): Pixels {
  switch (sniffFormat(bytes)) {
    case 'jpeg': {
      const d = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 2048 });
      return { width: d.width, height: d.height, data: d.data };
    }
    case 'png':
      return pngToRgba(bytes);
    case 'gif': {
      const reader = new omggif.GifReader(bytes);
      const data = new Uint8Array(reader.width * reader.height * 4);
      reader.decodeAndBlitFrameRGBA(0, data);
      return { width: reader.width, height: reader.height, data };
    }
    default:
      throw new Error('decodeImage: not a JPEG, PNG or GIF');
  }
}
