/**
 * YCbCr 4:2:0 planes (the planar path's output, in 1/16 units) to RGBA, for the encoders that
 * take RGBA (WebP, AVIF) after a JPEG was resized without leaving YCbCr.
 *
 * Chroma is repeated over each 2x2 block rather than interpolated: libwebp and libavif average
 * the same aligned 2x2 blocks back to 4:2:0, so they get the very chroma samples the planes hold.
 */
import { YCC_FRACTION_BITS, type YccPlanes } from './jpegfast/encoder.js';
import type { Bitmap } from './types.js';

/** FIX is the fixed-point precision of the conversion factors (16 bits, as libjpeg's). */
const FIX = 16;
const ONE = 1 << FIX;
/** JFIF's YCbCr to RGB factors (ITU-R BT.601, full range), in FIX fixed point. */
const CR_R = Math.round(1.402 * ONE);
const CB_G = Math.round(0.344136 * ONE);
const CR_G = Math.round(0.714136 * ONE);
const CB_B = Math.round(1.772 * ONE);
/** The planes' sample scale and chroma offset. */
const SCALE = 1 << YCC_FRACTION_BITS;
const HALF = 128 * SCALE;
/** SHIFT takes a product of a 1/16 sample and a FIX factor to whole 8-bit units. */
const SHIFT = FIX + YCC_FRACTION_BITS;
const ROUND = 1 << (SHIFT - 1);

/** clamp8 limits v to 0..255. */
const clamp8 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/** rgbaOfYcc converts 4:2:0 planes to an opaque RGBA bitmap of the same size. */
export function rgbaOfYcc(p: YccPlanes): Bitmap {
  const { width: w, height: h } = p;
  const cw = (w + 1) >> 1;
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    const yrow = y * w, crow = (y >> 1) * cw;
    let o = yrow * 4;
    for (let x = 0; x < w; x++, o += 4) {
      const yy = p.y[yrow + x] * ONE + ROUND;
      const cb = p.cb[crow + (x >> 1)] - HALF, cr = p.cr[crow + (x >> 1)] - HALF;
      data[o] = clamp8((yy + CR_R * cr) >> SHIFT);
      data[o + 1] = clamp8((yy - CB_G * cb - CR_G * cr) >> SHIFT);
      data[o + 2] = clamp8((yy + CB_B * cb) >> SHIFT);
      data[o + 3] = 255;
    }
  }
  return { width: w, height: h, data };
}
