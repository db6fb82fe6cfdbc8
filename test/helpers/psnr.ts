/**
 * Pixel comparison for lossy codec tests: PSNR over colour premultiplied by alpha plus the alpha
 * channel, so the colour an encoder keeps under fully transparent pixels (libwebp and libavif are
 * free to change it) does not count, while any visible difference does.
 */
import type { Bitmap } from '../../lib/codecs/types.js';

/** psnr is the peak signal-to-noise ratio of b against a in dB (Infinity when equal); sizes must match. */
export function psnr(a: Bitmap, b: Bitmap): number {
  if (a.width !== b.width || a.height !== b.height) return -Infinity;
  let se = 0;
  const d = a.data, e = b.data;
  for (let i = 0; i < d.length; i += 4) {
    const aa = d[i + 3], ba = e[i + 3];
    for (let c = 0; c < 3; c++) {
      const diff = (d[i + c] * aa - e[i + c] * ba) / 255;
      se += diff * diff;
    }
    se += (aa - ba) * (aa - ba);
  }
  if (se === 0) return Infinity;
  return 10 * Math.log10((255 * 255) / (se / d.length));
}

/** alphaRange returns the smallest and largest alpha within a rectangle of bm. */
export function alphaRange(bm: Bitmap, x0: number, y0: number, w: number, h: number): [min: number, max: number] {
  let lo = 255, hi = 0;
  for (let y = y0; y < y0 + h; y++) {
    for (let x = x0; x < x0 + w; x++) {
      const a = bm.data[(y * bm.width + x) * 4 + 3];
      lo = Math.min(lo, a); hi = Math.max(hi, a);
    }
  }
  return [lo, hi];
}

/** halfTransparent is a w x h test picture: smooth colour ramps, its left half fully transparent. */
export function halfTransparent(w: number, h: number): Bitmap {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 4;
      data[o] = (x * 255) / (w - 1); data[o + 1] = (y * 255) / (h - 1); data[o + 2] = 128;
      data[o + 3] = x < w / 2 ? 0 : 255;
    }
  }
  return { width: w, height: h, data };
}
