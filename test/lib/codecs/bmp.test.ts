import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBmp, encodeBmp, readBmpHeader } from '../../../lib/codecs/bmp.js';
import { decodePng } from '../../../lib/codecs/png.js';
import { UnprocessableImageError } from '../../../lib/errors.js';
import { F, fixture, px } from '../../helpers/codec-fixtures.js';

const POINTS: [number, number][] = [[4, 4], [28, 4], [4, 28], [28, 28], [24, 16]];

test('decodeBmp matches the reference PNG of each golang.org/x/image sample exactly', () => {
  const cases: [string, string][] = [
    [F.videoBmp, F.videoPng], [F.colormapBmp, F.colormapPng], [F.roseSmallBmp, F.roseSmallPng], [F.roseSmallV5Bmp, F.roseSmallV5Png],
  ];
  for (const [bmp, png] of cases) {
    const got = decodeBmp(fixture(bmp)).bitmap, want = decodePng(fixture(png)).bitmap;
    assert.equal(`${got.width}x${got.height}`, `${want.width}x${want.height}`, `decodeBmp(${bmp}) size differs from ${png}`);
    assert.deepEqual(got.data, want.data, `decodeBmp(${bmp}) pixels differ from ${png}`);
  }
});

test('decodeBmp decodes 1, 4, 8, 16 and 32-bit variants', () => {
  // Expected values are ImageMagick's reading of the same files.
  const cases: [string, string[], boolean][] = [
    [F.quad1Bmp, ['0,0,0,255', '255,255,255,255', '0,0,0,255', '255,255,255,255', '255,255,255,255'], false],
    [F.quad4Bmp, ['255,0,0,255', '0,255,0,255', '0,0,255,255', '255,255,255,255', '255,255,255,255'], false],
    [F.ramp8Bmp, ['222,0,33,255', '222,0,33,255', '25,0,230,255', '25,0,230,255', '123,0,132,255'], false],
    [F.quad16Bmp, ['255,0,0,255', '0,255,0,255', '0,0,255,255', '255,255,255,255', '255,255,255,255'], false],
    [F.quad32AlphaBmp, ['255,0,0,255', '0,255,0,223', '0,0,255,255', '255,255,255,25', '255,255,255,124'], true],
  ];
  for (const [name, want, wantAlpha] of cases) {
    const { bitmap, hasAlpha } = decodeBmp(fixture(name));
    assert.equal(hasAlpha, wantAlpha, `decodeBmp(${name}).hasAlpha = ${hasAlpha}, want ${wantAlpha}`);
    POINTS.forEach(([x, y], i) => {
      const got = px(bitmap, x, y);
      assert.equal(got, want[i], `decodeBmp(${name}) pixel(${x},${y}) = ${got}, want ${want[i]}`);
    });
  }
});

/** flipToTopDown rewrites a bottom-up BMP as top-down (negative height, rows reversed). */
function flipToTopDown(b: Uint8Array): Uint8Array {
  const h = readBmpHeader(b);
  const out = b.slice();
  const dv = new DataView(out.buffer);
  dv.setInt32(22, -h.height, true);
  const stride = Math.ceil((h.width * h.bpp) / 32) * 4;
  for (let y = 0; y < h.height; y++) {
    out.set(b.subarray(h.dataOffset + y * stride, h.dataOffset + (y + 1) * stride), h.dataOffset + (h.height - 1 - y) * stride);
  }
  return out;
}

test('decodeBmp reads top-down BMPs the same as bottom-up ones', () => {
  for (const name of [F.videoBmp, F.quad4Bmp, F.quad32AlphaBmp]) {
    const up = decodeBmp(fixture(name)).bitmap;
    const down = decodeBmp(flipToTopDown(fixture(name))).bitmap;
    assert.deepEqual(down.data, up.data, `decodeBmp(top-down ${name}) differs from bottom-up`);
  }
});

test('encodeBmp round-trips exactly: 24-bit without alpha, 32-bit with alpha', () => {
  const cases: [string, boolean, number][] = [[F.flowersPng, false, 24], [F.quadRgba16Png, true, 32]];
  for (const [name, alpha, bpp] of cases) {
    const src = decodePng(fixture(name)).bitmap;
    const out = encodeBmp(src, alpha);
    const hd = readBmpHeader(out);
    assert.equal(hd.bpp, bpp, `encodeBmp(${name}) bpp = ${hd.bpp}, want ${bpp}`);
    const back = decodeBmp(out);
    assert.deepEqual(back.bitmap.data, src.data, `decodeBmp(encodeBmp(${name})) differs from the source`);
    assert.equal(back.hasAlpha, alpha, `decodeBmp(encodeBmp(${name})).hasAlpha = ${back.hasAlpha}, want ${alpha}`);
  }
});

test('decodeBmp refuses hostile headers with 422', () => {
  const base = fixture(F.videoBmp);
  const mutate = (f: (dv: DataView) => void): Uint8Array => {
    const b = base.slice();
    f(new DataView(b.buffer));
    return b;
  };
  const cases: [string, Uint8Array][] = [
    ['65535x65535 claim', mutate((dv) => { dv.setInt32(18, 65535, true); dv.setInt32(22, 65535, true); })],
    ['zero width', mutate((dv) => dv.setInt32(18, 0, true))],
    ['bpp 7', mutate((dv) => dv.setUint16(28, 7, true))],
    ['RLE8', mutate((dv) => dv.setUint32(30, 1, true))],
    ['header size 9999', mutate((dv) => dv.setUint32(14, 9999, true))],
    ['truncated pixels', base.subarray(0, 1000)],
    ['data offset past end', mutate((dv) => dv.setUint32(10, 0x7fffffff, true))],
  ];
  for (const [name, bytes] of cases) {
    assert.throws(() => decodeBmp(bytes), (e: unknown) => e instanceof UnprocessableImageError && e.status === 422,
      `decodeBmp(${name}) did not throw a 422`);
  }
});
