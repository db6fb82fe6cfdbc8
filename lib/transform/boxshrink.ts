/**
 * Box reduction: averaging the block of source pixels behind each output pixel, for cheap
 * analysis-sized previews (smart crop) of large images.
 */
import type { Bitmap } from '../codecs/types.js';

/**
 * boxShrink reduces src to width x height (each no larger than the source's) by averaging the
 * block of source pixels behind each output pixel, alpha-weighted like the Lanczos passes.
 * It reads every source pixel once, so it suits analysis-sized previews of large images.
 */
export function boxShrink(src: Bitmap, width: number, height: number): Bitmap {
  const W = src.width;
  const H = src.height;
  const s = src.data;
  const out = new Uint8Array(width * height * 4);
  const xs = new Int32Array(width + 1);
  for (let x = 0; x <= width; x++) xs[x] = Math.min(W, Math.floor((x * W) / width));
  const acc = new Float64Array(width * 4);
  const count = new Float64Array(width);
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor((y * H) / height);
    const y1 = Math.max(y0 + 1, Math.min(H, Math.floor(((y + 1) * H) / height)));
    acc.fill(0);
    count.fill(0);
    for (let sy = y0; sy < y1; sy++) {
      const row = sy * W * 4;
      for (let x = 0; x < width; x++) {
        const e = Math.max(xs[x] + 1, xs[x + 1]);
        let r = 0;
        let g = 0;
        let b = 0;
        let a = 0;
        for (let i = row + xs[x] * 4, end = row + e * 4; i < end; i += 4) {
          const al = s[i + 3];
          r += s[i] * al;
          g += s[i + 1] * al;
          b += s[i + 2] * al;
          a += al;
        }
        acc[x * 4] += r;
        acc[x * 4 + 1] += g;
        acc[x * 4 + 2] += b;
        acc[x * 4 + 3] += a;
        count[x] += e - xs[x];
      }
    }
    for (let x = 0; x < width; x++) {
      const a = acc[x * 4 + 3];
      if (a === 0) continue;
      const j = (y * width + x) * 4;
      out[j] = Math.round(acc[x * 4] / a);
      out[j + 1] = Math.round(acc[x * 4 + 1] / a);
      out[j + 2] = Math.round(acc[x * 4 + 2] / a);
      out[j + 3] = Math.round(a / count[x]);
    }
  }
  return { width, height, data: out };
}
