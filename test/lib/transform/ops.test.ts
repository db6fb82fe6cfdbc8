import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bitmap } from '../../../lib/codecs/types.js';
import {
  applySteps, crop, findTrim, flattenForJpeg, flipH, flipV, orient, rotate, rotate180, rotate270,
  rotate90,
} from '../../../lib/transform/ops.js';
import {
  BLUE, GREEN, RED, WHITE, YELLOW, fromRows, quarters, rgby, show, solid, toRows, type RGBA,
} from './bitmaps.js';

test('rotations and flips of a 2x2 image', () => {
  const cases: Array<[string, (b: Bitmap) => Bitmap, RGBA[][]]> = [
    ['rotate90 (counter-clockwise)', rotate90, [[GREEN, YELLOW], [RED, BLUE]]],
    ['rotate180', rotate180, [[YELLOW, BLUE], [GREEN, RED]]],
    ['rotate270 (clockwise)', rotate270, [[BLUE, RED], [YELLOW, GREEN]]],
    ['flipH', flipH, [[GREEN, RED], [YELLOW, BLUE]]],
    ['flipV', flipV, [[BLUE, YELLOW], [RED, GREEN]]],
    ['rotate(0)', (b) => rotate(b, 0), [[RED, GREEN], [BLUE, YELLOW]]],
  ];
  for (const [name, fn, want] of cases) {
    const got = fn(rgby());
    assert.deepEqual(toRows(got), want, `${name}(rgby) = ${show(got)}, want ${JSON.stringify(want)}`);
  }
});

test('rotations of a non-square image swap the sides', () => {
  const b = fromRows([[RED, GREEN, BLUE]]); // 3x1
  const r90 = rotate90(b);
  assert.deepEqual(toRows(r90), [[BLUE], [GREEN], [RED]], `rotate90(3x1) = ${show(r90)}`);
  const r270 = rotate270(b);
  assert.deepEqual(toRows(r270), [[RED], [GREEN], [BLUE]], `rotate270(3x1) = ${show(r270)}`);
});

test('crop copies the rectangle', () => {
  const got = crop(quarters(), { x0: 1, y0: 1, x1: 3, y1: 3 });
  assert.deepEqual(toRows(got), [[RED, GREEN], [BLUE, YELLOW]], `crop(quarters, 1,1-3,3) = ${show(got)}`);
  const col = crop(quarters(), { x0: 3, y0: 0, x1: 4, y1: 4 });
  assert.deepEqual(toRows(col), [[GREEN], [GREEN], [YELLOW], [YELLOW]], `crop(quarters, last column) = ${show(col)}`);
});

test('orient undoes EXIF orientations 1-8 of a 2x3 image', () => {
  // The upright image U is 2 wide and 3 tall with six distinct colours.
  const U: RGBA[][] = [
    [[1, 0, 0, 255], [2, 0, 0, 255]],
    [[3, 0, 0, 255], [4, 0, 0, 255]],
    [[5, 0, 0, 255], [6, 0, 0, 255]],
  ];
  const W = 2;
  const H = 3;
  const u = (x: number, y: number): RGBA => U[y][x];
  // stored(n) is how a camera stores U under EXIF orientation n (the EXIF definition of where
  // the stored rows and columns go), built directly from the spec, not from the code under test.
  const stored: Record<number, [number, number, (x: number, y: number) => RGBA]> = {
    1: [W, H, (x, y) => u(x, y)],
    2: [W, H, (x, y) => u(W - 1 - x, y)],
    3: [W, H, (x, y) => u(W - 1 - x, H - 1 - y)],
    4: [W, H, (x, y) => u(x, H - 1 - y)],
    5: [H, W, (x, y) => u(y, x)],
    6: [H, W, (x, y) => u(W - 1 - y, x)],
    7: [H, W, (x, y) => u(W - 1 - y, H - 1 - x)],
    8: [H, W, (x, y) => u(y, H - 1 - x)],
  };
  for (let n = 1; n <= 8; n++) {
    const [sw, sh, at] = stored[n];
    const rows: RGBA[][] = [];
    for (let y = 0; y < sh; y++) rows.push(Array.from({ length: sw }, (_, x) => at(x, y)));
    const got = orient(fromRows(rows), n);
    assert.deepEqual(toRows(got), U, `orient(stored ${n}, ${n}) = ${show(got)}, want ${JSON.stringify(U)}`);
  }
});

test('findTrim: borders of the top-left colour', () => {
  const W = WHITE;
  const cases: Array<[string, Bitmap, unknown]> = [
    ['white frame around a 2x1 block', fromRows([
      [W, W, W, W, W],
      [W, RED, GREEN, W, W],
      [W, W, W, W, W],
      [W, W, W, W, W],
    ]), { x0: 1, y0: 1, x1: 3, y1: 2 }],
    ['scattered pixels define the box', fromRows([
      [W, W, W, W],
      [W, W, W, BLUE],
      [RED, W, W, W],
    ]), { x0: 0, y0: 1, x1: 4, y1: 3 }],
    ['one colour: nothing to trim', solid(5, 4, RED), undefined],
    ['no border', rgby(), { x0: 0, y0: 0, x1: 2, y1: 2 }],
    ['alpha counts: a transparent white is not white', fromRows([
      [W, W, W],
      [W, [255, 255, 255, 0], W],
    ]), { x0: 1, y0: 1, x1: 2, y1: 2 }],
  ];
  for (const [name, b, want] of cases) {
    const got = findTrim(b);
    assert.deepEqual(got, want, `${name}: findTrim = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
});

test('flattenForJpeg composites over black like Go\'s JPEG encoder', () => {
  const b = fromRows([[[255, 255, 255, 128], [1, 2, 3, 128], [200, 100, 50, 0], [10, 20, 30, 255]]]);
  const got = flattenForJpeg(b);
  const want: RGBA[][] = [[[128, 128, 128, 255], [0, 1, 1, 255], [0, 0, 0, 255], [10, 20, 30, 255]]];
  assert.deepEqual(toRows(got), want, `flattenForJpeg = ${show(got)}, want ${JSON.stringify(want)}`);
  const opaque = rgby();
  assert.equal(flattenForJpeg(opaque), opaque, 'an opaque bitmap is returned as is');
});

test('applySteps runs crops and resizes in order', () => {
  const got = applySteps(quarters(), [
    { kind: 'crop', rect: { x0: 0, y0: 0, x1: 2, y1: 4 } },
    { kind: 'resize', width: 1, height: 4 },
  ]);
  assert.deepEqual(toRows(got), [[RED], [RED], [BLUE], [BLUE]], `applySteps(left half, 1x4) = ${show(got)}`);
});
