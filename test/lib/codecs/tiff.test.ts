import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { decodeTiff, encodeTiff, readTiffIfd0 } from '../../../lib/codecs/tiff.js';
import { decodePng } from '../../../lib/codecs/png.js';
import { UnprocessableImageError } from '../../../lib/errors.js';
import { F, fixture, px } from '../../helpers/codec-fixtures.js';

test('decodeTiff matches the reference PNG for every compression and layout', () => {
  const cases: Array<{ tiff: string; png: string }> = [
    { tiff: F.bwUncompressedTiff, png: F.bwPng }, { tiff: F.bwDeflateTiff, png: F.bwPng }, { tiff: F.bwPackbitsTiff, png: F.bwPng },
    { tiff: F.bwG3Tiff, png: F.bwPng }, { tiff: F.bwG4Tiff, png: F.bwPng },
    { tiff: F.videoTiff, png: F.videoPng }, { tiff: F.video16Tiff, png: F.videoPng }, { tiff: F.videoTiledTiff, png: F.videoPng },
    { tiff: F.bppLzwTiff, png: F.bppPng },
  ];
  for (const { tiff, png } of cases) {
    const got = decodeTiff(fixture(tiff)).bitmap, want = decodePng(fixture(png)).bitmap;
    assert.equal(`${got.width}x${got.height}`, `${want.width}x${want.height}`, `decodeTiff(${tiff}) size differs from ${png}`);
    assert.deepEqual(got.data, want.data, `decodeTiff(${tiff}) pixels differ from ${png}`);
  }
});

test('decodeTiff decodes paletted, gray and 16-bit gray samples', () => {
  // Expected values are ImageMagick's reading of the same files.
  const cases: Array<{ name: string; pts: [number, number, string][] }> = [
    { name: F.videoPalettedTiff, pts: [[0, 0, '120,8,0,255'], [75, 50, '160,72,0,255']] },
    { name: F.videoGrayTiff, pts: [[0, 0, '46,46,46,255'], [75, 50, '95,95,95,255']] },
    { name: F.videoGray16Tiff, pts: [[0, 0, '46,46,46,255'], [75, 50, '95,95,95,255']] },
    { name: F.noCompressTiff, pts: [[0, 0, '255,255,255,0']] },
  ];
  for (const { name, pts } of cases) {
    const { bitmap } = decodeTiff(fixture(name));
    for (const [x, y, want] of pts) {
      const got = px(bitmap, x, y);
      assert.equal(got, want, `decodeTiff(${name}) pixel(${x},${y}) = ${got}, want ${want}`);
    }
  }
});

test('encodeTiff round-trips exactly, alpha included', () => {
  for (const name of [F.flowersPng, F.quadRgba16Png, F.roseSmallV5Png]) {
    const src = decodePng(fixture(name)).bitmap;
    const back = decodeTiff(encodeTiff(src)).bitmap;
    assert.deepEqual(back.data, src.data, `decodeTiff(encodeTiff(${name})) differs from the source`);
  }
});

/** tiff builds a little-endian TIFF from IFD entries [tag, type, values] and trailing data. */
function tiff(entries: [number, number, number[]][], tail: Uint8Array = new Uint8Array(0), next = 0): Uint8Array {
  const ifdSize = 2 + entries.length * 12 + 4;
  const dataStart = 8 + ifdSize;
  const b = new Uint8Array(dataStart + tail.length);
  const dv = new DataView(b.buffer);
  b.set([0x49, 0x49, 42, 0]);
  dv.setUint32(4, 8, true);
  dv.setUint16(8, entries.length, true);
  entries.forEach(([tag, type, vals], i) => {
    const e = 10 + i * 12;
    dv.setUint16(e, tag, true); dv.setUint16(e + 2, type, true); dv.setUint32(e + 4, vals.length, true);
    if (type === 3) dv.setUint16(e + 8, vals[0] ?? 0, true); else dv.setUint32(e + 8, vals[0] ?? 0, true);
  });
  dv.setUint32(10 + entries.length * 12, next, true);
  b.set(tail, dataStart);
  return b;
}

/** gray builds a one-strip grayscale TIFF (9 IFD entries; entry 5 is StripOffsets). */
function gray(w: number, h: number, compression: number, strip: Uint8Array, bps = 8): Uint8Array {
  const dataStart = 8 + 2 + 9 * 12 + 4;
  return tiff([
    [256, 4, [w]], [257, 4, [h]], [258, 3, [bps]], [259, 3, [compression]], [262, 3, [1]],
    [273, 4, [dataStart]], [277, 3, [1]], [278, 4, [h]], [279, 4, [strip.length]],
  ], strip);
}

test('decodeTiff decodes a crafted deflate strip and refuses hostile files with 422', () => {
  const ok = decodeTiff(gray(4, 2, 8, deflateSync(new Uint8Array([0, 50, 100, 150, 200, 250, 255, 7])))).bitmap;
  assert.equal(px(ok, 1, 1), '250,250,250,255', `decodeTiff(crafted deflate) pixel(1,1) = ${px(ok, 1, 1)}, want 250,250,250,255`);
  const circular = (() => { const b = gray(4, 2, 1, new Uint8Array(8)); new DataView(b.buffer).setUint32(10 + 9 * 12, 8, true); return b; })();
  const hugeCount = (() => { const b = gray(4, 2, 1, new Uint8Array(8)); new DataView(b.buffer).setUint32(10 + 5 * 12 + 4, 0xffffffff, true); return b; })();
  const cases: Array<{ name: string; bytes: Uint8Array; reason: RegExp }> = [
    { name: 'circular IFD chain', bytes: circular, reason: /circular/ },
    { name: 'deflate bomb', bytes: gray(10, 10, 8, deflateSync(new Uint8Array(64 * 1024 * 1024))), reason: /inflates beyond/ },
    { name: 'JPEG compression', bytes: gray(4, 2, 7, new Uint8Array(8)), reason: /compression 7/ },
    { name: 'zero width', bytes: gray(0, 2, 1, new Uint8Array(8)), reason: /no size/ },
    { name: 'ifd offset past end', bytes: new Uint8Array([0x49, 0x49, 42, 0, 0xff, 0xff, 0, 0]), reason: /out of range/ },
    { name: 'strip offsets tag with 4 billion entries', bytes: hugeCount, reason: /no strips/ },
    { name: 'bits per sample 3', bytes: gray(4, 2, 1, new Uint8Array(8), 3), reason: /3 bits per sample/ },
  ];
  for (const { name, bytes, reason } of cases) {
    const t = Date.now();
    assert.throws(() => decodeTiff(bytes), (e: unknown) => e instanceof UnprocessableImageError && e.status === 422 && reason.test(e.message),
      `decodeTiff(${name}) did not throw a 422 matching ${reason}`);
    assert.ok(Date.now() - t < 2000, `decodeTiff(${name}) took ${Date.now() - t} ms`);
  }
});

test('readTiffIfd0 reads the size of the first IFD', () => {
  const got = readTiffIfd0(fixture(F.videoTiledTiff));
  assert.equal(`${got.width}x${got.height}`, '150x103', `readTiffIfd0(${F.videoTiledTiff}) = ${got.width}x${got.height}, want 150x103`);
});

test('decodeTiff finishes a corrupt LZW strip that sends UTIF\'s own decoder into an endless loop', () => {
  const b = fixture(F.bppLzwTiff).slice();
  b[60] = 1; // found by fuzzing: corrupts the code stream of the first strip
  const t = Date.now();
  try {
    const { bitmap } = decodeTiff(b);
    assert.equal(`${bitmap.width}x${bitmap.height}`, '150x100', `decodeTiff(corrupt LZW) size = ${bitmap.width}x${bitmap.height}, want 150x100`);
  } catch (e) {
    assert.ok(e instanceof UnprocessableImageError, `decodeTiff(corrupt LZW) threw ${String(e)}, want success or 422`);
  }
  assert.ok(Date.now() - t < 2000, `decodeTiff(corrupt LZW) took ${Date.now() - t} ms`);
});

test('decodeTiff refuses strips that all point at the same bytes', () => {
  const h = 1000, pixelBytes = 100_000;
  const entries = 9, ifdEnd = 8 + 2 + entries * 12 + 4;
  const offsAt = ifdEnd, cntsAt = offsAt + 4 * h, dataAt = cntsAt + 4 * h;
  const b = new Uint8Array(dataAt + pixelBytes);
  const dv = new DataView(b.buffer);
  b.set([0x49, 0x49, 42, 0]);
  dv.setUint32(4, 8, true);
  dv.setUint16(8, entries, true);
  const put = (i: number, tag: number, type: number, count: number, value: number): void => {
    const e = 10 + i * 12;
    dv.setUint16(e, tag, true); dv.setUint16(e + 2, type, true); dv.setUint32(e + 4, count, true); dv.setUint32(e + 8, value, true);
  };
  put(0, 256, 4, 1, 1000); put(1, 257, 4, 1, h); put(2, 258, 3, 1, 8); put(3, 259, 3, 1, 32773); put(4, 262, 3, 1, 1);
  put(5, 273, 4, h, offsAt); put(6, 277, 3, 1, 1); put(7, 278, 4, 1, 1); put(8, 279, 4, h, cntsAt);
  for (let i = 0; i < h; i++) { dv.setUint32(offsAt + 4 * i, dataAt, true); dv.setUint32(cntsAt + 4 * i, pixelBytes, true); }
  const t = Date.now();
  assert.throws(() => decodeTiff(b), (e: unknown) => e instanceof UnprocessableImageError && /overlap/.test(e.message),
    'decodeTiff(overlapping strips) did not throw a 422 about overlap');
  assert.ok(Date.now() - t < 2000, `decodeTiff(overlapping strips) took ${Date.now() - t} ms`);
});
