import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJpeg, decodeJpegGeneral, encodeJpeg } from '../../../lib/codecs/jpeg.js';
import { UnprocessableImageError } from '../../../lib/errors.js';
import type { Bitmap } from '../../../lib/codecs/types.js';
import { F, fixture } from '../../helpers/codec-fixtures.js';

const MAX = 50_000_000;

/** near reports whether two RGBA strings differ by at most tol per channel. */
function near(got: string, want: string, tol: number): boolean {
  const a = got.split(',').map(Number), b = want.split(',').map(Number);
  return a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= tol);
}

function pixel(bm: Bitmap, x: number, y: number): string {
  const o = (y * bm.width + x) * 4;
  return [...bm.data.subarray(o, o + 4)].join(',');
}

/** quad is a 32x32 bitmap with red, green, blue and white 16x16 quadrants. */
function quad(): Bitmap {
  const data = new Uint8Array(32 * 32 * 4);
  const colors = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]];
  for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) {
    const c = colors[(y >> 4) * 2 + (x >> 4)];
    data.set([...c, 255], (y * 32 + x) * 4);
  }
  return { width: 32, height: 32, data };
}

test('decodeJpeg decodes baseline, progressive, grayscale and CMYK JPEGs', () => {
  // Expected colours are ImageMagick's decode of the same files; jpeg-js upsamples slightly differently.
  const cases: Array<{ name: string; w: number; h: number; pixels: [number, number, string][] }> = [
    { name: F.branchesJpg, w: 600, h: 400, pixels: [[100, 100, '180,167,123,255'], [300, 200, '40,59,29,255'], [599, 399, '208,185,144,255']] },
    { name: F.quadProgressiveJpg, w: 32, h: 32, pixels: [[4, 4, '255,0,0,255'], [28, 4, '0,255,0,255'], [4, 28, '0,0,255,255'], [28, 28, '255,255,255,255']] },
    { name: F.quadGrayJpg, w: 32, h: 32, pixels: [[4, 4, '76,76,76,255'], [28, 4, '150,150,150,255'], [4, 28, '29,29,29,255'], [28, 28, '255,255,255,255']] },
    { name: F.quadCmykJpg, w: 32, h: 32, pixels: [[4, 4, '255,0,0,255'], [28, 4, '0,255,0,255'], [4, 28, '0,0,255,255'], [28, 28, '255,255,255,255']] },
    { name: F.orientation(6), w: 70, h: 50, pixels: [] },
  ];
  for (const { name, w, h, pixels } of cases) {
    const { bitmap, shrink } = decodeJpeg(fixture(name), { maxPixels: MAX });
    assert.equal(`${bitmap.width}x${bitmap.height}`, `${w}x${h}`, `decodeJpeg(${name}) size = ${bitmap.width}x${bitmap.height}, want ${w}x${h}`);
    assert.equal(shrink, 1, `decodeJpeg(${name}).shrink = ${shrink}, want 1`);
    for (const [x, y, want] of pixels) {
      const got = pixel(bitmap, x, y);
      assert.ok(near(got, want, 6), `decodeJpeg(${name}) pixel(${x},${y}) = ${got}, want ${want} ±6`);
    }
  }
});

test('encodeJpeg round-trips within tolerance and honours quality', () => {
  const src = quad();
  const hi = encodeJpeg(src, 95);
  const lo = encodeJpeg(src, 10);
  assert.ok(lo.length < hi.length, `encodeJpeg size at q10 = ${lo.length}, want < q95 size ${hi.length}`);
  const back = decodeJpeg(hi, { maxPixels: MAX }).bitmap;
  for (const [x, y] of [[4, 4], [28, 4], [4, 28], [28, 28], [8, 8], [24, 24]]) {
    const got = pixel(back, x, y), want = pixel(src, x, y);
    assert.ok(near(got, want, 8), `decode(encodeJpeg(quad, 95)) pixel(${x},${y}) = ${got}, want ${want} ±8`);
  }
  for (const q of [0, -5, 101, 1000]) {
    const out = encodeJpeg(src, q);
    assert.equal(out[0] === 0xff && out[1] === 0xd8, true, `encodeJpeg(quad, ${q}) does not start with SOI`);
  }
});

test('decodeJpeg refuses a corrupt JPEG and a size above maxPixels with 422', () => {
  const good = fixture(F.branchesJpg);
  const cases: Array<{ name: string; bytes: Uint8Array; maxPixels: number }> = [
    { name: 'truncated inside the header', bytes: good.subarray(0, 200), maxPixels: MAX },
    { name: 'garbage after SOI', bytes: new Uint8Array([0xff, 0xd8, 1, 2, 3, 4, 5, 6, 7, 8]), maxPixels: MAX },
    { name: 'maxPixels below the image', bytes: good, maxPixels: 1000 },
  ];
  for (const { name, bytes, maxPixels } of cases) {
    assert.throws(() => decodeJpeg(bytes, { maxPixels }), (e: unknown) => e instanceof UnprocessableImageError && e.status === 422,
      `decodeJpeg(${name}) did not throw a 422`);
  }
});

test('decodeJpeg applies the shrink hint while decoding', () => {
  // branches.jpg is 600x400; a shrink of s gives ceil(600/s) x ceil(400/s), and 3 rounds down to 2.
  const cases: Array<{ hint: number; want: number; size: string }> = [{ hint: 1, want: 1, size: '600x400' }, { hint: 2, want: 2, size: '300x200' }, { hint: 3, want: 2, size: '300x200' }, { hint: 4, want: 4, size: '150x100' }, { hint: 8, want: 8, size: '75x50' }, { hint: 16, want: 8, size: '75x50' }];
  for (const { hint, want, size } of cases) {
    const { bitmap, shrink } = decodeJpeg(fixture(F.branchesJpg), { maxPixels: MAX, shrink: hint });
    assert.equal(shrink, want, `decodeJpeg(branches, shrink ${hint}).shrink = ${shrink}, want ${want}`);
    assert.equal(`${bitmap.width}x${bitmap.height}`, size, `decodeJpeg(branches, shrink ${hint}) size = ${bitmap.width}x${bitmap.height}, want ${size}`);
  }
});

test('decodeJpeg and the general jpeg-js decoder agree at full size', () => {
  const fast = decodeJpeg(fixture(F.branchesJpg), { maxPixels: MAX }).bitmap;
  const general = decodeJpegGeneral(fixture(F.branchesJpg), MAX).bitmap;
  let sum = 0;
  for (let i = 0; i < fast.data.length; i++) sum += Math.abs(fast.data[i] - general.data[i]);
  const mean = sum / fast.data.length;
  assert.ok(mean < 1.5, `mean |decodeJpeg - decodeJpegGeneral| on branches = ${mean.toFixed(2)}, want < 1.5`);
});

test('encodeJpeg writes 4:2:0 (two chroma samples per 2x2 luma block)', () => {
  const out = encodeJpeg(quad(), 90);
  // SOF0: FF C0, length, precision, height, width, components, then id + sampling byte per component.
  let i = 2;
  while (i < out.length && !(out[i] === 0xff && out[i + 1] === 0xc0)) i++;
  const sampling = [out[i + 11], out[i + 14], out[i + 17]];
  assert.deepEqual(sampling, [0x22, 0x11, 0x11], `encodeJpeg sampling factors = ${sampling.map((v) => v.toString(16))}, want 22,11,11`);
});
