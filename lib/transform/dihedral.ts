/**
 * Dihedral transforms: the eight ways to turn and mirror an image without resampling it (EXIF
 * orientations, 90-degree rotations, flips), as data that composes, so that a chain of them can
 * be applied in one step.
 */
import { orientationFor, type Rotation } from './geometry.js';

/**
 * Dihedral maps an image onto a grid: first transpose it when `swap` (x and y trade places),
 * then mirror left-right when `flipX` and top-bottom when `flipY`, both within the new grid.
 */
export interface Dihedral {
  swap: boolean;
  flipX: boolean;
  flipY: boolean;
}

/** IDENTITY leaves an image as it is. */
export const IDENTITY: Dihedral = { swap: false, flipX: false, flipY: false };

/** isIdentity reports whether d changes nothing. */
export function isIdentity(d: Dihedral): boolean {
  return !d.swap && !d.flipX && !d.flipY;
}

/** then returns the transform that applies a, then b. */
export function then(a: Dihedral, b: Dihedral): Dihedral {
  // b's transpose moves a's mirrors to the other axis.
  return {
    swap: a.swap !== b.swap,
    flipX: (b.swap ? a.flipY : a.flipX) !== b.flipX,
    flipY: (b.swap ? a.flipX : a.flipY) !== b.flipY,
  };
}

/** rotation is a counter-clockwise rotation as imaging.Rotate90/180/270 turn images. */
export function rotation(r: Rotation): Dihedral {
  switch (r) {
    // Rotate90: dst(x, y) = src(W-1-y, x), a transpose then a top-bottom mirror.
    case 90: return { swap: true, flipX: false, flipY: true };
    case 180: return { swap: false, flipX: true, flipY: true };
    // Rotate270: dst(x, y) = src(y, H-1-x), a transpose then a left-right mirror.
    case 270: return { swap: true, flipX: true, flipY: false };
    default: return IDENTITY;
  }
}

/** turn is a rotation followed by a top-bottom then a left-right mirror, in that order. */
export function turn(r: Rotation, flipVertical: boolean, flipHorizontal: boolean): Dihedral {
  let d = rotation(r);
  if (flipVertical) d = then(d, { swap: false, flipX: false, flipY: true });
  if (flipHorizontal) d = then(d, { swap: false, flipX: true, flipY: false });
  return d;
}

/** exifOrientation is what displays an image with EXIF orientation n upright (ops.orient). */
export function exifOrientation(n: number): Dihedral {
  const o = orientationFor(n);
  return turn(o.rotate, o.flipVertical, o.flipHorizontal);
}

/** Samples is a grid of one sample per element: plane bytes, or RGBA pixels as 32-bit words. */
export type Samples = Uint8Array | Uint32Array;

/**
 * transformSamples applies d to a w x h grid of samples (sample (x, y) at
 * data[offset + y * stride + x]) and returns the new grid, row-major without padding, in an
 * array of the same kind.
 */
export function transformSamples<T extends Samples>(
  data: T, offset: number, stride: number, w: number, h: number, d: Dihedral,
): { data: T; width: number; height: number } {
  const ow = d.swap ? h : w, oh = d.swap ? w : h;
  const out = new (data.constructor as new (n: number) => T)(ow * oh);
  for (let y = 0, o = 0; y < oh; y++) {
    const uy = d.flipY ? oh - 1 - y : y;
    if (!d.swap) {
      const row = offset + uy * stride;
      if (d.flipX) for (let x = ow - 1; x >= 0; x--, o++) out[o] = data[row + x];
      else {
        out.set(data.subarray(row, row + ow), o);
        o += ow;
      }
      continue;
    }
    // Transposed: output row uy is source column uy.
    for (let x = 0; x < ow; x++, o++) {
      const ux = d.flipX ? ow - 1 - x : x;
      out[o] = data[offset + ux * stride + uy];
    }
  }
  return { data: out, width: ow, height: oh };
}
