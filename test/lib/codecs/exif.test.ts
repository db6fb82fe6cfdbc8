import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readOrientation } from '../../../lib/codecs/exif.js';
import { F, fixture } from '../../helpers/codec-fixtures.js';

/** tiffWithOrientation builds a little-endian TIFF header whose IFD0 holds only Orientation. */
function tiffWithOrientation(v: number, type = 3): Uint8Array {
  const b = new Uint8Array(26);
  const dv = new DataView(b.buffer);
  b.set([0x49, 0x49, 42, 0]);
  dv.setUint32(4, 8, true);
  dv.setUint16(8, 1, true);
  dv.setUint16(10, 0x0112, true);
  dv.setUint16(12, type, true);
  dv.setUint32(14, 1, true);
  dv.setUint16(18, v, true);
  return b;
}

/** jpegWithApp1 wraps a TIFF structure in a JPEG APP1 Exif segment (segment length as given). */
function jpegWithApp1(tiff: Uint8Array, declaredLen?: number): Uint8Array {
  const len = declaredLen ?? tiff.length + 8;
  return new Uint8Array([0xff, 0xd8, 0xff, 0xe1, len >> 8, len & 255, 0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff, 0xff, 0xd9]);
}

test('readOrientation reads orientation_N.jpg as N (0 has no tag: 1)', () => {
  for (let n = 0; n <= 8; n++) {
    const got = readOrientation(fixture(F.orientation(n)));
    const want = n === 0 ? 1 : n;
    assert.equal(got, want, `readOrientation(orientation_${n}.jpg) = ${got}, want ${want}`);
  }
});

test('readOrientation handles TIFF, crafted and malformed input', () => {
  const cases: Array<{ name: string; bytes: Uint8Array; want: number }> = [
    { name: 'tiff orientation 6', bytes: tiffWithOrientation(6), want: 6 },
    { name: 'tiff orientation 0 is invalid', bytes: tiffWithOrientation(0), want: 1 },
    { name: 'tiff orientation 9 is invalid', bytes: tiffWithOrientation(9), want: 1 },
    { name: 'tiff orientation with wrong type', bytes: tiffWithOrientation(6, 4), want: 1 },
    { name: 'jpeg app1 orientation 3', bytes: jpegWithApp1(tiffWithOrientation(3)), want: 3 },
    { name: 'jpeg app1 length past end', bytes: jpegWithApp1(tiffWithOrientation(3), 60000), want: 3 },
    { name: 'jpeg app1 truncated tiff', bytes: jpegWithApp1(tiffWithOrientation(5).subarray(0, 12)), want: 1 },
    { name: 'jpeg with zero-length segment', bytes: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0xff, 0xd9]), want: 1 },
    { name: 'jpeg soi only', bytes: new Uint8Array([0xff, 0xd8]), want: 1 },
    { name: 'tiff ifd offset past end', bytes: new Uint8Array([0x4d, 0x4d, 0, 42, 0xff, 0xff, 0xff, 0xff]), want: 1 },
    { name: 'video tiff without orientation', bytes: fixture(F.videoTiff), want: 1 },
    { name: 'png', bytes: fixture(F.flowersPng), want: 1 },
    { name: 'empty', bytes: new Uint8Array(0), want: 1 },
  ];
  for (const { name, bytes, want } of cases) {
    const got = readOrientation(bytes);
    assert.equal(got, want, `readOrientation(${name}) = ${got}, want ${want}`);
  }
});

test('readOrientation never throws on random bytes after a JPEG or TIFF signature', () => {
  let seed = 7;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) & 255;
  for (let i = 0; i < 500; i++) {
    const b = new Uint8Array(64).map(rnd);
    b.set(i % 2 ? [0xff, 0xd8] : [0x49, 0x49, 42, 0]);
    const got = readOrientation(b);
    assert.ok(got >= 1 && got <= 8, `readOrientation(random #${i}) = ${got}, want 1..8`);
  }
});
