import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBmp, encodeBmp, readBmpHeader } from '../../../lib/codecs/bmp.js';
import { decodePng } from '../../../lib/codecs/png.js';
import { UnprocessableImageError } from '../../../lib/errors.js';
import { F, fixture, px } from '../../helpers/codec-fixtures.js';

const POINTS: [number, number][] = [[4, 4], [28, 4], [4, 28], [28, 28], [24, 16]];

test('decodeBmp matches the reference PNG of each golang.org/x/image sample exactly', () => {
  const cases: Array<{ bmp: string; png: string }> = [
    { bmp: F.videoBmp, png: F.videoPng }, { bmp: F.colormapBmp, png: F.colormapPng }, { bmp: F.roseSmallBmp, png: F.roseSmallPng }, { bmp: F.roseSmallV5Bmp, png: F.roseSmallV5Png },
  ];
  for (const { bmp, png } of cases) {
    const got = decodeBmp(fixture(bmp)).bitmap, want = decodePng(fixture(png)).bitmap;
    assert.equal(`${got.width}x${got.height}`, `${want.width}x${want.height}`, `decodeBmp(${bmp}) size differs from ${png}`);
    assert.deepEqual(got.data, want.data, `decodeBmp(${bmp}) pixels differ from ${png}`);
  }
});

test('decodeBmp decodes 1, 4, 8, 16 and 32-bit variants', () => {
  // Expected values are ImageMagick's reading of the same files.
  const cases: Array<{ name: string; want: string[]; wantAlpha: boolean }> = [
    { name: F.quad1Bmp, want: ['0,0,0,255', '255,255,255,255', '0,0,0,255', '255,255,255,255', '255,255,255,255'], wantAlpha: false },
    { name: F.quad4Bmp, want: ['255,0,0,255', '0,255,0,255', '0,0,255,255', '255,255,255,255', '255,255,255,255'], wantAlpha: false },
    { name: F.ramp8Bmp, want: ['222,0,33,255', '222,0,33,255', '25,0,230,255', '25,0,230,255', '123,0,132,255'], wantAlpha: false },
    { name: F.quad16Bmp, want: ['255,0,0,255', '0,255,0,255', '0,0,255,255', '255,255,255,255', '255,255,255,255'], wantAlpha: false },
    { name: F.quad32AlphaBmp, want: ['255,0,0,255', '0,255,0,223', '0,0,255,255', '255,255,255,25', '255,255,255,124'], wantAlpha: true },
  ];
  for (const { name, want, wantAlpha } of cases) {
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
  const cases: Array<{ name: string; alpha: boolean; bpp: number }> = [{ name: F.flowersPng, alpha: false, bpp: 24 }, { name: F.quadRgba16Png, alpha: true, bpp: 32 }];
  for (const { name, alpha, bpp } of cases) {
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
  const cases: Array<{ name: string; bytes: Uint8Array }> = [
    { name: '65535x65535 claim', bytes: mutate((dv) => { dv.setInt32(18, 65535, true); dv.setInt32(22, 65535, true); }) },
    { name: 'zero width', bytes: mutate((dv) => dv.setInt32(18, 0, true)) },
    { name: 'bpp 7', bytes: mutate((dv) => dv.setUint16(28, 7, true)) },
    { name: 'RLE8', bytes: mutate((dv) => dv.setUint32(30, 1, true)) },
    { name: 'header size 9999', bytes: mutate((dv) => dv.setUint32(14, 9999, true)) },
    { name: 'truncated pixels', bytes: base.subarray(0, 1000) },
    { name: 'data offset past end', bytes: mutate((dv) => dv.setUint32(10, 0x7fffffff, true)) },
  ];
  for (const { name, bytes } of cases) {
    assert.throws(() => decodeBmp(bytes), (e: unknown) => e instanceof UnprocessableImageError && e.status === 422,
      `decodeBmp(${name}) did not throw a 422`);
  }
});
