/**
 * Tests of dihedral transforms: each one moves samples exactly as imaging's Rotate90/180/270,
 * FlipH and FlipV define it (written out per pixel below), EXIF orientations are those
 * operations in the Go server's order, and transforms compose.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exifOrientation, IDENTITY, isIdentity, rotation, then, transformSamples, turn, type Dihedral } from '../../../lib/transform/dihedral.js';
import { orientationFor, type Rotation } from '../../../lib/transform/geometry.js';

/** Grid is a w x h grid of numbered samples, row-major. */
interface Grid { width: number; height: number; samples: number[] }

/** refMove builds the grid whose sample (x, y) is src at from(x, y), for an ow x oh result. */
function refMove(src: Grid, ow: number, oh: number, from: (x: number, y: number) => [number, number]): Grid {
  const samples: number[] = [];
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const [sx, sy] = from(x, y);
      samples.push(src.samples[sy * src.width + sx]);
    }
  }
  return { width: ow, height: oh, samples };
}

// imaging's definitions, pixel by pixel.
const refRotate = (g: Grid, r: Rotation): Grid => {
  const W = g.width, H = g.height;
  switch (r) {
    case 90: return refMove(g, H, W, (x, y) => [W - 1 - y, x]);
    case 180: return refMove(g, W, H, (x, y) => [W - 1 - x, H - 1 - y]);
    case 270: return refMove(g, H, W, (x, y) => [y, H - 1 - x]);
    default: return g;
  }
};
const refFlipH = (g: Grid): Grid => refMove(g, g.width, g.height, (x, y) => [g.width - 1 - x, y]);
const refFlipV = (g: Grid): Grid => refMove(g, g.width, g.height, (x, y) => [x, g.height - 1 - y]);

/** numbered is a w x h grid whose samples number the positions row by row (1, 2, 3...). */
function numbered(w: number, h: number): Grid {
  return { width: w, height: h, samples: Array.from({ length: w * h }, (_, i) => i + 1) };
}

/** apply runs transformSamples on g. */
function apply(g: Grid, d: Dihedral): Grid {
  const t = transformSamples(Uint8Array.from(g.samples), 0, g.width, g.width, g.height, d);
  return { width: t.width, height: t.height, samples: Array.from(t.data) };
}

const ROTATIONS: Rotation[] = [0, 90, 180, 270];
const SIZES: Array<[number, number]> = [[3, 2], [1, 4], [5, 5]];

test("turn moves samples as imaging's rotate, then FlipV, then FlipH do", () => {
  for (const [w, h] of SIZES) {
    for (const r of ROTATIONS) {
      for (const fv of [false, true]) {
        for (const fh of [false, true]) {
          let want = refRotate(numbered(w, h), r);
          if (fv) want = refFlipV(want);
          if (fh) want = refFlipH(want);
          const got = apply(numbered(w, h), turn(r, fv, fh));
          const name = `turn(${r}, fv ${fv}, fh ${fh}) on ${w}x${h}`;
          assert.deepEqual([got.width, got.height], [want.width, want.height], `${name} size = ${got.width}x${got.height}, want ${want.width}x${want.height}`);
          assert.deepEqual(got.samples, want.samples, `${name} = ${got.samples}, want ${want.samples}`);
        }
      }
    }
  }
});

test("exifOrientation(n) is the Go server's rotation, then top-bottom, then left-right mirror", () => {
  for (const [w, h] of SIZES) {
    for (let n = 0; n <= 9; n++) {
      const o = orientationFor(n);
      let want = refRotate(numbered(w, h), o.rotate);
      if (o.flipVertical) want = refFlipV(want);
      if (o.flipHorizontal) want = refFlipH(want);
      const got = apply(numbered(w, h), exifOrientation(n));
      assert.deepEqual(got.samples, want.samples, `exifOrientation(${n}) on ${w}x${h} = ${got.samples}, want ${want.samples}`);
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

test('transformSamples moves 32-bit words whole', () => {
  const t = transformSamples(Uint32Array.from([0x11223344, 0x55667788, 0x99aabbcc]), 0, 3, 3, 1, rotation(270));
  assert.ok(t.data instanceof Uint32Array, `transformSamples(Uint32Array) returned ${t.data.constructor.name}, want Uint32Array`);
  assert.deepEqual([t.width, t.height, ...t.data], [1, 3, 0x11223344, 0x55667788, 0x99aabbcc],
    `transformSamples(words, rotation 270) = ${[t.width, t.height, ...t.data]}`);
});
