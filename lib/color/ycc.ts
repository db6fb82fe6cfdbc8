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
import { fineTables, rgbFloat } from './apply.js';
import type { Converter } from './convert.js';
import { OETF_BITS, OETF_F } from './pcs.js';

/** convertYccPlanes converts 4:2:0 planes from the converter's profile to sRGB, in place. */
export function convertYccPlanes(c: Converter, img: YccPlanes): void {
  if (c.matrix && c.channels === 3) {
    matrixYcc(fineTables(c), c.matrix.m, img);
    return;
  }
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

/** FINE_MAX is the largest 1/16-step sample (255 * 16). */
const FINE_MAX = 255 << YCC_FRACTION_BITS;

/** fine clamps and rounds a 1/16-unit sample to an index of the fine linear tables. */
function fine(v: number): number {
  return v > 0 ? (v < FINE_MAX ? (v + 0.5) | 0 : FINE_MAX) : 0;
}

/** OETF_LAST is the last index of the 12-bit linear-to-sRGB table. */
const OETF_LAST = (1 << OETF_BITS) - 1;

/** OETF_16 is the linear-to-sRGB table in 1/16 units (YccPlanes' own). */
const OETF_16 = Float64Array.from(OETF_F, (v) => v * 16);

/** oetf16 is sRGB (in 1/16 units) of a linear value, from the 12-bit table. */
function oetf16(v: number): number {
  return OETF_16[v > 0 ? (v < 1 ? (v * OETF_LAST + 0.5) | 0 : OETF_LAST) : 0];
}

/**
 * matrixYcc is convertYccPlanes for a matrix/TRC profile, in 1/16 units throughout: the samples
 * index the fine linear tables directly and the loop calls nothing but table reads.
 */
function matrixYcc(lin: Float64Array[], m: readonly number[], img: YccPlanes): void {
  const [lr, lg, lb] = lin;
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = m;
  const { width: w, height: h, y: Y, cb: CB, cr: CR } = img;
  const cw = (w + 1) >> 1, ch = (h + 1) >> 1, mid = 128 << YCC_FRACTION_BITS;
  for (let j = 0; j < ch; j++) {
    for (let i = 0; i < cw; i++) {
      const ci = j * cw + i;
      const cb = CB[ci] - mid, cr = CR[ci] - mid;
      const dr = 1.402 * cr, dg = -0.344136 * cb - 0.714136 * cr, db = 1.772 * cb;
      // Chroma is linear in R'G'B', so the mean chroma is the chroma of the mean colour.
      let sR = 0, sG = 0, sB = 0, n = 0;
      const y1 = Math.min(h, 2 * j + 2), x1 = Math.min(w, 2 * i + 2);
      for (let yy = 2 * j; yy < y1; yy++) {
        for (let xx = 2 * i, yi = yy * w + xx; xx < x1; xx++, yi++) {
          const l = Y[yi];
          const R = lr[fine(l + dr)], G = lg[fine(l + dg)], B = lb[fine(l + db)];
          const r = oetf16(m0 * R + m1 * G + m2 * B), g = oetf16(m3 * R + m4 * G + m5 * B), b = oetf16(m6 * R + m7 * G + m8 * B);
          Y[yi] = fine(0.299 * r + 0.587 * g + 0.114 * b);
          sR += r; sG += g; sB += b;
          n++;
        }
      }
      CB[ci] = fine((-0.168736 * sR - 0.331264 * sG + 0.5 * sB) / n + mid);
      CR[ci] = fine((0.5 * sR - 0.418688 * sG - 0.081312 * sB) / n + mid);
    }
  }
}
