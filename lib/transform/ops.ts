/**
 * Pixel operations on RGBA bitmaps: crop, rotations, flips, EXIF orientation and trim detection,
 * each matching what the Go server's imaging calls produce.
 *
 * Pixels are moved as 32-bit words, which is endian-neutral because every word is copied whole.
 */
import type { Bitmap } from '../codecs/types.js';
import type { Rect, Rotation, ResizeStep } from './geometry.js';
import { exifOrientation, isIdentity, rotation, transformSamples, type Dihedral } from './dihedral.js';
import { resize } from './resample.js';

/** flattenForJpeg is the codecs' alpha flattening (JPEG output does it itself; kept here for callers of ops). */
export { flattenForJpeg } from '../codecs/index.js';

/** words views the pixels of b as one 32-bit word per pixel (copying if b is misaligned). */
function words(b: Bitmap): Uint32Array {
  const d = b.data;
  if (d.byteOffset % 4 === 0) return new Uint32Array(d.buffer, d.byteOffset, b.width * b.height);
  return new Uint32Array(d.slice(0, b.width * b.height * 4).buffer);
}

/** crop copies the half-open rectangle r (which must lie inside b) into a new bitmap. */
export function crop(b: Bitmap, r: Rect): Bitmap {
  const w = r.x1 - r.x0;
  const h = r.y1 - r.y0;
  const data = new Uint8Array(w * h * 4);
  const rowBytes = w * 4;
  for (let y = 0; y < h; y++) {
    const from = ((r.y0 + y) * b.width + r.x0) * 4;
    data.set(b.data.subarray(from, from + rowBytes), y * rowBytes);
  }
  return { width: w, height: h, data };
}

/** turned moves b's pixels by the dihedral transform d (one pass, whole 32-bit pixels). */
export function turned(b: Bitmap, d: Dihedral): Bitmap {
  if (isIdentity(d)) return b;
  const t = transformSamples(words(b), 0, b.width, b.width, b.height, d);
  return { width: t.width, height: t.height, data: new Uint8Array(t.data.buffer) };
}

/** rotate90 rotates b 90 degrees counter-clockwise (imaging.Rotate90). */
export function rotate90(b: Bitmap): Bitmap {
  return turned(b, rotation(90));
}

/** rotate270 rotates b 270 degrees counter-clockwise, i.e. 90 clockwise (imaging.Rotate270). */
export function rotate270(b: Bitmap): Bitmap {
  return turned(b, rotation(270));
}

/** rotate180 turns b upside down (imaging.Rotate180). */
export function rotate180(b: Bitmap): Bitmap {
  return turned(b, rotation(180));
}

/** flipH mirrors b left to right (imaging.FlipH). */
export function flipH(b: Bitmap): Bitmap {
  return turned(b, { swap: false, flipX: true, flipY: false });
}

/** flipV mirrors b top to bottom (imaging.FlipV). */
export function flipV(b: Bitmap): Bitmap {
  return turned(b, { swap: false, flipX: false, flipY: true });
}

/** rotate applies a counter-clockwise rotation of 0, 90, 180 or 270 degrees. */
export function rotate(b: Bitmap, r: Rotation): Bitmap {
  return turned(b, rotation(r));
}

/** orient displays an image with EXIF orientation n (1..8) upright: rotation, then flips, in one pass. */
export function orient(b: Bitmap, n: number): Bitmap {
  return turned(b, exifOrientation(n));
}

/**
 * findTrim returns the smallest rectangle holding every pixel whose RGBA differs from the
 * top-left pixel's, or undefined when the whole image is that colour (nothing to trim away).
 */
export function findTrim(b: Bitmap): Rect | undefined {
  const { width: W, height: H } = b;
  if (W === 0 || H === 0) return undefined;
  const px = words(b);
  const bg = px[0];
  let minX = W;
  let minY = H;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < H; y++) {
    const row = y * W;
    // Only the parts of the row outside the current box can widen it horizontally.
    let x = 0;
    while (x < W && px[row + x] === bg) x++;
    if (x === W) continue;
    if (y < minY) minY = y;
    maxY = y;
    if (x < minX) minX = x;
    let r = W - 1;
    while (r > maxX && px[row + r] === bg) r--;
    if (r > maxX) maxX = r;
  }
  if (maxY < 0) return undefined;
  return { x0: minX, y0: minY, x1: maxX + 1, y1: maxY + 1 };
}

/** Resizer is resample.ts's resize or a stand-in with its signature. */
export type Resizer = typeof resize;

/**
 * applySteps runs primitive resize steps (from geometry.resizeSteps) on b, resizing with
 * `resizer` (resample.ts's resize unless told). Crops inside the steps are already clamped to the
 * image they apply to.
 */
export function applySteps(b: Bitmap, steps: readonly ResizeStep[], resizer: Resizer = resize): Bitmap {
  let m = b;
  for (const st of steps) m = st.kind === 'crop' ? crop(m, st.rect) : resizer(m, st.width, st.height, st.window);
  return m;
}
