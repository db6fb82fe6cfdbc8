/**
 * The colour step on the JPEG YCbCr path: output 4:2:0 planes (already cropped and resized)
 * converted from a source RGB profile to sRGB without leaving the planar model.
 *
 * Each luma pixel is converted with the chroma sample it shares (YCbCr to RGB as JFIF defines
 * it, the profile, RGB back to YCbCr); its new luma is kept and the new chroma of the (up to)
 * four pixels that share a chroma sample is averaged, which is what the encoder would do after
 * a full-resolution conversion. It runs on the output size, so it costs little next to decoding.
 */
import { YCC_FRACTION_BITS, type YccPlanes } from '../codecs/jpegfast/encoder.js';
import { rgbFloat } from './apply.js';
import type { Converter } from './convert.js';

/** convertYccPlanes converts 4:2:0 planes from the converter's profile to sRGB, in place. */
export function convertYccPlanes(c: Converter, img: YccPlanes): void {
  const f = rgbFloat(c);
  const { width: w, height: h, y: Y, cb: CB, cr: CR } = img;
  const unit = 1 / (1 << YCC_FRACTION_BITS), scale = 1 << YCC_FRACTION_BITS, max = 255 * scale;
  const cw = (w + 1) >> 1, ch = (h + 1) >> 1;
  const out = new Float64Array(3);
  const q = (v: number): number => { const s = Math.round(v * scale); return s < 0 ? 0 : s > max ? max : s; };
  for (let j = 0; j < ch; j++) {
    for (let i = 0; i < cw; i++) {
      const ci = j * cw + i;
      const cb = CB[ci] * unit - 128, cr = CR[ci] * unit - 128;
      let sb = 0, sr = 0, n = 0;
      for (let dy = 0; dy < 2; dy++) {
        const yy = 2 * j + dy;
        if (yy >= h) break;
        for (let dx = 0; dx < 2; dx++) {
          const xx = 2 * i + dx;
          if (xx >= w) break;
          const yi = yy * w + xx, l = Y[yi] * unit;
          f(l + 1.402 * cr, l - 0.344136 * cb - 0.714136 * cr, l + 1.772 * cb, out);
          const r = out[0], g = out[1], b = out[2];
          Y[yi] = q(0.299 * r + 0.587 * g + 0.114 * b);
          sb += -0.168736 * r - 0.331264 * g + 0.5 * b;
          sr += 0.5 * r - 0.418688 * g - 0.081312 * b;
          n++;
        }
      }
      CB[ci] = q(sb / n + 128);
      CR[ci] = q(sr / n + 128);
    }
  }
}
