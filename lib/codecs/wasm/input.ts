/**
 * What the wasm encoders (libwebp, libavif) are handed: a quality in range and, when the caller
 * drops alpha, opaque pixels (both libraries would otherwise write an alpha channel).
 */
import { hasTransparency, type Bitmap } from '../types.js';

/** encoderQuality clamps a requested quality to 1..100, `fallback` for 0 or none. */
export function encoderQuality(q: number | undefined, fallback: number): number {
  if (!q) return fallback;
  return Math.min(100, Math.max(1, Math.trunc(q)));
}

/** opaque returns bm with every alpha set to 255 (bm itself when it has no transparency). */
export function opaque(bm: Bitmap): Bitmap {
  if (!hasTransparency(bm.data)) return bm;
  const data = bm.data.slice();
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  return { width: bm.width, height: bm.height, data };
}
