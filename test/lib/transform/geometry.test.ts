import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyOptions, type Options } from '../../../lib/request/options.js';
import {
  chooseShrink, cropRect, evaluateFloat, fitSteps, normalizeRotation, orientationFor, orientedSize,
  outputSize, planFor, resizeSize, resizeSteps, resizeTarget, scaleSteps, sizeAfter, stepsFor,
  thumbnailSteps, type Size,
} from '../../../lib/transform/geometry.js';

const opts = (o: Partial<Options>): Options => ({ ...emptyOptions(), ...o });
const size = (width: number, height: number): Size => ({ width, height });
const show = (v: unknown): string => JSON.stringify(v);

test('evaluateFloat: pixels, fractions, unset', () => {
  const cases: Array<[number, number, number]> = [
    [100, 500, 100], [100.9, 500, 100], [0.5, 500, 250], [0.999, 3, 2], [0.25, 3, 0],
    [0, 500, 0], [-5, 500, 0], [-0.5, 500, 0], [1, 500, 1], [NaN, 500, 0],
  ];
  for (const [f, max, want] of cases) {
    const got = evaluateFloat(f, max);
    assert.equal(got, want, `evaluateFloat(${f}, ${max}) = ${got}, want ${want}`);
  }
});

test('normalizeRotation: modulo 360, only right angles', () => {
  const cases: Array<[number, number]> = [
    [0, 0], [90, 90], [180, 180], [270, 270], [360, 0], [-90, 270], [630, 270], [-180, 180],
    [450, 90], [45, 0], [-45, 0], [720, 0], [-270, 90],
  ];
  for (const [deg, want] of cases) {
    const got = normalizeRotation(deg);
    assert.equal(got, want, `normalizeRotation(${deg}) = ${got}, want ${want}`);
  }
});

test('resizeTarget: sizes, fractions, scaleUp, no-op detection', () => {
  const src = size(100, 50);
  const cases: Array<[Partial<Options>, Size | undefined]> = [
    [{}, undefined],
    [{ width: 50 }, size(50, 0)],
    [{ height: 25 }, size(0, 25)],
    [{ width: 0.5 }, size(50, 0)],
    [{ width: 0.5, height: 0.5 }, size(50, 25)],
    [{ width: 100 }, undefined],
    [{ width: 100, height: 50 }, undefined],
    [{ width: 200 }, undefined], // capped to the source width: no resize
    [{ width: 200, height: 20 }, size(100, 20)],
    [{ width: 200, scaleUp: true }, size(200, 0)],
    [{ width: 200, height: 200, scaleUp: true }, size(200, 200)],
    [{ width: -10, height: 10 }, size(0, 10)],
    [{ width: 40, height: 40 }, size(40, 40)],
  ];
  for (const [o, want] of cases) {
    const got = resizeTarget(src, opts(o));
    assert.deepEqual(got, want, `resizeTarget(100x50, ${show(o)}) = ${show(got)}, want ${show(want)}`);
  }
});

test('resizeSize: the other side follows the aspect ratio, rounded half up, at least 1', () => {
  const cases: Array<[Size, number, number, Size]> = [
    [size(100, 50), 50, 0, size(50, 25)],
    [size(100, 50), 0, 10, size(20, 10)],
    [size(3, 2), 2, 0, size(2, 1)], // 1.333 -> 1
    [size(3, 2), 0, 3, size(5, 3)], // 4.5 -> 5
    [size(1000, 1), 10, 0, size(10, 1)], // 0.01 -> at least 1
    [size(1024, 683), 500, 0, size(500, 333)],
  ];
  for (const [src, w, h, want] of cases) {
    const got = resizeSize(src, w, h);
    assert.deepEqual(got, want, `resizeSize(${show(src)}, ${w}, ${h}) = ${show(got)}, want ${show(want)}`);
  }
});

test('fit vs cover (thumbnail) sizes', () => {
  const cases: Array<[string, Size, Size, boolean, Size]> = [
    ['fit wide into square', size(300, 200), size(120, 120), true, size(120, 80)],
    ['fit tall into square', size(200, 300), size(120, 120), true, size(80, 120)],
    ['fit truncates like imaging', size(300, 200), size(100, 100), true, size(100, 66)],
    ['fit never enlarges', size(50, 40), size(120, 120), true, size(50, 40)],
    ['cover wide into square', size(300, 200), size(100, 100), false, size(100, 100)],
    ['cover small source', size(80, 60), size(50, 50), false, size(50, 50)],
    ['one side only ignores fit', size(300, 200), size(150, 0), true, size(150, 100)],
  ];
  for (const [name, src, target, fit, want] of cases) {
    const got = sizeAfter(src, resizeSteps(src, target, fit));
    assert.deepEqual(got, want, `${name}: resizeSteps(${show(src)}, ${show(target)}, fit=${fit}) -> ${show(got)}, want ${show(want)}`);
  }
});

test('thumbnailSteps: crop first for large sources, resize first for small ones', () => {
  const big = thumbnailSteps(size(300, 200), 100, 100);
  assert.deepEqual(big, [
    { kind: 'crop', rect: { x0: 50, y0: 0, x1: 250, y1: 200 } },
    { kind: 'resize', width: 100, height: 100 },
  ], `thumbnailSteps(300x200, 100x100) = ${show(big)}`);
  const small = thumbnailSteps(size(80, 60), 50, 50);
  assert.deepEqual(small, [
    { kind: 'resize', width: 67, height: 50 },
    { kind: 'crop', rect: { x0: 8, y0: 0, x1: 58, y1: 50 } },
  ], `thumbnailSteps(80x60, 50x50) = ${show(small)}`);
  assert.deepEqual(thumbnailSteps(size(5, 5), 5, 5), [], 'thumbnailSteps of the same size is a no-op');
  const fit = fitSteps(size(300, 200), 120, 120);
  assert.deepEqual(fit, [{ kind: 'resize', width: 120, height: 80 }], `fitSteps(300x200, 120, 120) = ${show(fit)}`);
});

test('cropRect: offsets, negatives, fractions, defaults and clamping', () => {
  const src = size(100, 50);
  const cases: Array<[Partial<Options>, unknown]> = [
    [{}, undefined],
    [{ cropX: 10, cropY: 5 }, { x0: 10, y0: 5, x1: 100, y1: 50 }],
    [{ cropX: 10, cropY: 5, cropWidth: 20, cropHeight: 10 }, { x0: 10, y0: 5, x1: 30, y1: 15 }],
    [{ cropX: -30 }, { x0: 70, y0: 0, x1: 100, y1: 50 }],
    [{ cropY: -10, cropHeight: 5 }, { x0: 0, y0: 40, x1: 100, y1: 45 }],
    [{ cropX: 0.25, cropWidth: 0.5 }, { x0: 25, y0: 0, x1: 75, y1: 50 }],
    [{ cropX: -0.25 }, { x0: 75, y0: 0, x1: 100, y1: 50 }],
    [{ cropX: 90, cropWidth: 50 }, { x0: 90, y0: 0, x1: 100, y1: 50 }], // clamped on the right
    [{ cropWidth: 1000 }, undefined], // the whole image
    [{ cropX: 500 }, { x0: 99, y0: 0, x1: 100, y1: 50 }], // outside: nearest 1-px strip
    [{ cropX: -500 }, { x0: 0, y0: 0, x1: 1, y1: 50 }],
    [{ cropWidth: -5, cropHeight: 10 }, { x0: 0, y0: 0, x1: 100, y1: 10 }], // negative size = full
  ];
  for (const [o, want] of cases) {
    const got = cropRect(src, opts(o));
    assert.deepEqual(got, want, `cropRect(100x50, ${show(o)}) = ${show(got)}, want ${show(want)}`);
  }
});

test('planFor: percentages refer to the source, not the cropped image', () => {
  const src = size(200, 100);
  const plan = planFor(src, opts({ cropWidth: 0.5, width: 0.25 }));
  assert.deepEqual(plan.crop, { x0: 0, y0: 0, x1: 100, y1: 100 }, `crop = ${show(plan.crop)}`);
  assert.deepEqual(plan.resize, size(50, 0), `resize = ${show(plan.resize)}`);
  const out = outputSize(plan, src);
  assert.deepEqual(out, size(50, 50), `outputSize = ${show(out)}, want 50x50`);
  const smart = planFor(src, opts({ cropX: 5, smartCrop: true, width: 10, height: 10 }), { x0: 50, y0: 0, x1: 150, y1: 100 });
  assert.deepEqual(smart.crop, { x0: 50, y0: 0, x1: 150, y1: 100 }, 'a smart-crop rectangle overrides cx/cy');
  const rot = outputSize(planFor(src, opts({ width: 20, rotate: -90 })), src);
  assert.deepEqual(rot, size(10, 20), `rotated outputSize = ${show(rot)}, want 10x20`);
});

test('stepsFor: a crop in source coordinates is intersected with a smaller (trimmed) image', () => {
  const plan = planFor(size(100, 100), opts({ cropX: 10, cropY: 10, cropWidth: 50, cropHeight: 50 }));
  const steps = stepsFor(plan, size(30, 40));
  assert.deepEqual(steps, [{ kind: 'crop', rect: { x0: 10, y0: 10, x1: 30, y1: 40 } }], `stepsFor = ${show(steps)}`);
});

test('orientationFor: EXIF 1-8 as the Go server maps them', () => {
  const cases: Array<[number, unknown]> = [
    [1, { rotate: 0, flipHorizontal: false, flipVertical: false }],
    [2, { rotate: 0, flipHorizontal: true, flipVertical: false }],
    [3, { rotate: 180, flipHorizontal: false, flipVertical: false }],
    [4, { rotate: 0, flipHorizontal: false, flipVertical: true }],
    [5, { rotate: 90, flipHorizontal: false, flipVertical: true }],
    [6, { rotate: 270, flipHorizontal: false, flipVertical: false }],
    [7, { rotate: 90, flipHorizontal: true, flipVertical: false }],
    [8, { rotate: 90, flipHorizontal: false, flipVertical: false }],
    [9, { rotate: 0, flipHorizontal: false, flipVertical: false }],
  ];
  for (const [n, want] of cases) {
    const got = orientationFor(n);
    assert.deepEqual(got, want, `orientationFor(${n}) = ${show(got)}, want ${show(want)}`);
  }
  assert.deepEqual(orientedSize(size(3, 2), 6), size(2, 3), 'orientation 6 swaps the sides');
  assert.deepEqual(orientedSize(size(3, 2), 3), size(3, 2), 'orientation 3 keeps the sides');
});

test('chooseShrink: largest power of two that still covers the output', () => {
  const cases: Array<[string, Size, Partial<Options>, boolean, number]> = [
    // The reduced image keeps at least SHRINK_MARGIN (3) times the output size.
    ['4000x2667 to 500 wide', size(4000, 2667), { width: 500 }, false, 2],
    ['4000x2667 to 333 wide', size(4000, 2667), { width: 333 }, false, 4],
    ['4000x2667 to 160 wide', size(4000, 2667), { width: 160 }, false, 8],
    ['4000x2667 to 170 wide (height 113 needs 339 rows, 1/8 has 333)', size(4000, 2667), { width: 170 }, false, 4],
    ['4000x2667 to 667 wide', size(4000, 2667), { width: 667 }, false, 1],
    ['3072x2048 to 500 wide', size(3072, 2048), { width: 500 }, false, 2],
    ['1024x683 to 500 wide', size(1024, 683), { width: 500 }, false, 1],
    ['1024x683 to 160 wide', size(1024, 683), { width: 160 }, false, 2],
    ['thumbnail crops first', size(4000, 3000), { width: 300, height: 300 }, false, 2],
    ['small thumbnail', size(4000, 3000), { width: 100, height: 100 }, false, 8],
    ['no resize', size(4000, 3000), { rotate: 90 }, false, 1],
    ['rectangle crop', size(4000, 3000), { width: 100, cropX: 10 }, false, 1],
    ['trim or smart crop', size(4000, 3000), { width: 100 }, true, 1],
    ['fit that does not shrink', size(400, 300), { width: 500, height: 500, fit: true }, false, 1],
  ];
  for (const [name, src, o, pixelDependent, want] of cases) {
    const got = chooseShrink(planFor(src, opts(o)), src, pixelDependent);
    assert.equal(got, want, `${name}: chooseShrink = ${got}, want ${want}`);
  }
});

test('scaleSteps: same output size from a reduced decode', () => {
  const full = size(4000, 3000);
  const steps = stepsFor(planFor(full, opts({ width: 300, height: 300 })), full);
  const reduced = size(500, 375);
  const got = scaleSteps(steps, full, reduced, 8);
  // The centre crop x 500..3500 is 62.5..437.5 at 1/8: the covering whole-pixel crop, and a window with the exact part.
  assert.deepEqual(got, [
    { kind: 'crop', rect: { x0: 62, y0: 0, x1: 438, y1: 375 } },
    { kind: 'resize', width: 300, height: 300, window: { x: { offset: 0.5, length: 375 }, y: { offset: 0, length: 375 } } },
  ], `scaleSteps = ${show(got)}`);
  assert.deepEqual(sizeAfter(reduced, got), sizeAfter(full, steps), 'output size is unchanged');
});

test('scaleSteps: a partial last block is sampled as the fraction it stands for', () => {
  const cases: Array<[Size, number, Size, Partial<Options>, { x: number; y: number }]> = [
    // full, shrink, reduced (rounded up by the decoder), options, want window lengths
    [size(1024, 683), 2, size(512, 342), { width: 500 }, { x: 512, y: 341.5 }],
    [size(4000, 2667), 4, size(1000, 667), { width: 500 }, { x: 1000, y: 666.75 }],
    [size(37, 23), 8, size(5, 3), { width: 4 }, { x: 4.625, y: 2.875 }],
  ];
  for (const [full, shrink, reduced, o, want] of cases) {
    const got = scaleSteps(stepsFor(planFor(full, opts(o)), full), full, reduced, shrink);
    const last = got[got.length - 1];
    const lengths = last.kind === 'resize' && last.window ? { x: last.window.x.length, y: last.window.y.length } : undefined;
    assert.deepEqual(lengths, want, `scaleSteps(${full.width}x${full.height} at 1/${shrink}) window = ${JSON.stringify(lengths)}, want ${JSON.stringify(want)}`);
  }
});
