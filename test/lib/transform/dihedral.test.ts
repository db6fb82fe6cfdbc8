/**
 * Tests of dihedral transforms: each one moves samples exactly as the bitmap operations it
 * stands for (ops.ts, imaging's Rotate/Flip and EXIF orientation), and they compose.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exifOrientation, IDENTITY, isIdentity, rotation, then, transformSamples, turn, type Dihedral } from '../../../lib/transform/dihedral.js';
import { flipH, flipV, orient, rotate } from '../../../lib/transform/ops.js';
import type { Bitmap } from '../../../lib/codecs/types.js';
import type { Rotation } from '../../../lib/transform/geometry.js';

/** numbered is a w x h bitmap whose red channel numbers its pixels row by row (1, 2, 3...). */
function numbered(w: number, h: number): Bitmap {
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([i + 1, 0, 0, 255], i * 4);
  return { width: w, height: h, data };
}

/** red returns the red channel of b as one sample per pixel. */
function red(b: Bitmap): number[] {
  return Array.from({ length: b.width * b.height }, (_, i) => b.data[i * 4]);
}

/** apply runs transformSamples on the red channel of b. */
function apply(b: Bitmap, d: Dihedral): { width: number; height: number; samples: number[] } {
  const t = transformSamples(Uint8Array.from(red(b)), 0, b.width, b.width, b.height, d);
  return { width: t.width, height: t.height, samples: Array.from(t.data) };
}

const ROTATIONS: Rotation[] = [0, 90, 180, 270];
const SIZES: Array<[number, number]> = [[3, 2], [1, 4], [5, 5]];

test('turn moves samples as rotate, then flipV, then flipH do', () => {
  for (const [w, h] of SIZES) {
    for (const r of ROTATIONS) {
      for (const fv of [false, true]) {
        for (const fh of [false, true]) {
          let want = rotate(numbered(w, h), r);
          if (fv) want = flipV(want);
          if (fh) want = flipH(want);
          const got = apply(numbered(w, h), turn(r, fv, fh));
          const name = `turn(${r}, fv ${fv}, fh ${fh}) on ${w}x${h}`;
          assert.deepEqual([got.width, got.height], [want.width, want.height], `${name} size = ${got.width}x${got.height}, want ${want.width}x${want.height}`);
          assert.deepEqual(got.samples, red(want), `${name} = ${got.samples}, want ${red(want)}`);
        }
      }
    }
  }
});

test('exifOrientation(n) moves samples as orient(n) does', () => {
  for (const [w, h] of SIZES) {
    for (let n = 0; n <= 9; n++) {
      const got = apply(numbered(w, h), exifOrientation(n));
      const want = orient(numbered(w, h), n);
      assert.deepEqual(got.samples, red(want), `exifOrientation(${n}) on ${w}x${h} = ${got.samples}, want ${red(want)}`);
    }
  }
});

test('then(a, b) is a followed by b, for all 64 pairs', () => {
  const all: Dihedral[] = [];
  for (const swap of [false, true]) for (const flipX of [false, true]) for (const flipY of [false, true]) all.push({ swap, flipX, flipY });
  const src = numbered(3, 2);
  for (const a of all) {
    for (const b of all) {
      const once = apply(src, then(a, b));
      const first = apply(src, a);
      const t = transformSamples(Uint8Array.from(first.samples), 0, first.width, first.width, first.height, b);
      assert.deepEqual(once.samples, Array.from(t.data), `then(${JSON.stringify(a)}, ${JSON.stringify(b)}) differs from applying them in turn`);
    }
  }
});

test('identity and rotations', () => {
  assert.ok(isIdentity(IDENTITY), 'isIdentity(IDENTITY) = false');
  assert.ok(isIdentity(rotation(0)), 'isIdentity(rotation(0)) = false');
  assert.ok(isIdentity(then(rotation(90), rotation(270))), 'rotation(90) then rotation(270) is not the identity');
  assert.deepEqual(then(rotation(90), rotation(90)), rotation(180), 'rotation(90) twice is not rotation(180)');
  // A stride wider than the row and an offset: only the w x h samples are read.
  const t = transformSamples(Uint8Array.from([9, 1, 2, 9, 3, 4, 9]), 1, 3, 2, 2, rotation(90));
  assert.deepEqual(Array.from(t.data), [2, 4, 1, 3], `transformSamples(rotation 90, stride 3, offset 1) = ${Array.from(t.data)}, want 2,4,1,3`);
});
