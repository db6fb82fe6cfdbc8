import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { decodePng, encodePng } from '../../../lib/codecs/png.js';
import { UnprocessableImageError } from '../../../lib/errors.js';
import { crc32 } from '../../../lib/codecs/pngfast-chunks.js';
import { F, fixture, px } from '../../helpers/codec-fixtures.js';

// quad fixtures: red / green / blue / white quadrants; the alpha ones ramp alpha on the right half.
// Expected values are ImageMagick's own reading of the files.
const QUAD = ['255,0,0,255', '0,255,0,255', '0,0,255,255', '255,255,255,255'];
const POINTS: [number, number][] = [[4, 4], [28, 4], [4, 28], [28, 28], [24, 16]];

test('decodePng decodes every colour type, depth, tRNS and Adam7 to RGBA', () => {
  const cases: Array<{ name: string; want: string[]; wantAlpha: boolean }> = [
    { name: F.quadPalettePng, want: [...QUAD, '255,255,255,255'], wantAlpha: false },
    { name: F.quadPaletteTrnsPng, want: ['255,0,0,255', '0,255,0,255', '0,0,255,0', '255,255,255,255', '255,255,255,255'], wantAlpha: true },
    { name: F.quadGrayPng, want: ['54,54,54,255', '182,182,182,255', '18,18,18,255', '255,255,255,255', '255,255,255,255'], wantAlpha: false },
    { name: F.quadGray1Png, want: ['0,0,0,255', '255,255,255,255', '0,0,0,255', '255,255,255,255', '255,255,255,255'], wantAlpha: false },
    { name: F.quadGrayAlphaPng, want: ['54,54,54,255', '182,182,182,223', '18,18,18,255', '255,255,255,25', '255,255,255,124'], wantAlpha: true },
    { name: F.quadRgba16Png, want: ['255,0,0,255', '0,255,0,223', '0,0,255,255', '255,255,255,25', '255,255,255,124'], wantAlpha: true },
    { name: F.quadInterlacedPng, want: [...QUAD, '255,255,255,255'], wantAlpha: false },
  ];
  for (const { name, want, wantAlpha } of cases) {
    const { bitmap, hasAlpha } = decodePng(fixture(name));
    assert.equal(`${bitmap.width}x${bitmap.height}`, '32x32', `decodePng(${name}) size = ${bitmap.width}x${bitmap.height}, want 32x32`);
    assert.equal(hasAlpha, wantAlpha, `decodePng(${name}).hasAlpha = ${hasAlpha}, want ${wantAlpha}`);
    POINTS.forEach(([x, y], i) => {
      const got = px(bitmap, x, y);
      assert.equal(got, want[i], `decodePng(${name}) pixel(${x},${y}) = ${got}, want ${want[i]}`);
    });
  }
});

test('encodePng round-trips exactly, as RGB without alpha and RGBA with it', () => {
  const cases: Array<{ name: string; alpha: boolean; colorType: number }> = [{ name: F.flowersPng, alpha: false, colorType: 2 }, { name: F.quadRgba16Png, alpha: true, colorType: 6 }, { name: F.roseSmallV5Png, alpha: true, colorType: 6 }];
  for (const { name, alpha, colorType } of cases) {
    const src = decodePng(fixture(name)).bitmap;
    const out = encodePng(src, alpha);
    assert.equal(out[25], colorType, `encodePng(${name}, ${alpha}) colour type = ${out[25]}, want ${colorType}`);
    const back = decodePng(out).bitmap;
    assert.deepEqual(back.data, src.data, `decodePng(encodePng(${name})) differs from the source`);
  }
});

/** pngWith builds a PNG from IHDR fields and a raw (already filtered) IDAT payload. */
function pngWith(w: number, h: number, idatPayload: Uint8Array, colorType = 2, depth = 8): Uint8Array {
  const chunk = (type: string, data: Uint8Array): Uint8Array => {
    const b = new Uint8Array(12 + data.length);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, data.length);
    b.set(new TextEncoder().encode(type), 4);
    b.set(data, 8);
    dv.setUint32(8 + data.length, crc32(b.subarray(4, 8 + data.length)));
    return b;
  };
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, w); dv.setUint32(4, h);
  ihdr[8] = depth; ihdr[9] = colorType;
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idatPayload), chunk('IEND', new Uint8Array())];
  return new Uint8Array(Buffer.concat(parts));
}

test('decodePng refuses a zlib bomb and corrupt data quickly with 422', () => {
  const bomb = deflateSync(new Uint8Array(50 * 1024 * 1024)); // 50 MB of zeros for a 10x10 image
  const cases: Array<{ name: string; bytes: Uint8Array }> = [
    { name: 'zlib bomb', bytes: pngWith(10, 10, bomb) },
    { name: 'IDAT not zlib', bytes: pngWith(10, 10, new Uint8Array([1, 2, 3, 4, 5, 6])) },
    { name: 'no IDAT', bytes: fixture(F.flowersPng).subarray(0, 33) },
    { name: 'bad colour type', bytes: pngWith(10, 10, deflateSync(new Uint8Array(310)), 5) },
    { name: 'truncated', bytes: fixture(F.flowersPng).subarray(0, 2000) },
  ];
  for (const { name, bytes } of cases) {
    const t = Date.now();
    assert.throws(() => decodePng(bytes), (e: unknown) => e instanceof UnprocessableImageError && e.status === 422,
      `decodePng(${name}) did not throw a 422`);
    assert.ok(Date.now() - t < 2000, `decodePng(${name}) took ${Date.now() - t} ms`);
  }
  const ok = decodePng(pngWith(10, 10, deflateSync(new Uint8Array(10 * 31).fill(0)))).bitmap;
  assert.equal(px(ok, 9, 9), '0,0,0,255', `decodePng(crafted 10x10 black) pixel(9,9) = ${px(ok, 9, 9)}, want 0,0,0,255`);
});
