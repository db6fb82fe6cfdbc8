import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTENT_TYPES, DEFAULT_MAX_FRAMES, decode, detectFormat, encode, NotTransformableError } from '../../../lib/codecs/index.js';
import { decodePlanar, decodeProbed, encodePlanes, imageOfPlanes, probe } from '../../../lib/codecs/index.js';
import { UnprocessableImageError } from '../../../lib/errors.js';
import type { Bitmap, EncodableFormat } from '../../../lib/codecs/types.js';
import { F, fixture, makeAnimatedGif, px } from '../../helpers/codec-fixtures.js';
import { flattenForJpeg } from '../../../lib/codecs/jpeg.js';

const MAX = 50_000_000;
const is422 = (e: unknown): boolean => e instanceof UnprocessableImageError && e.status === 422;

test('decode dispatches every format and reports orientation, frames and alpha', async () => {
  const cases: Array<{ name: string; bytes: Uint8Array; want: string }> = [
    { name: F.orientation(6), bytes: fixture(F.orientation(6)), want: 'jpeg 70x50 f1 o6 a=false' },
    { name: F.flowersPng, bytes: fixture(F.flowersPng), want: 'png 240x160 f1 o1 a=false' },
    { name: F.quadRgba16Png, bytes: fixture(F.quadRgba16Png), want: 'png 32x32 f1 o1 a=true' },
    { name: 'makeAnimatedGif()', bytes: makeAnimatedGif(), want: 'gif 6x4 f3 o1 a=true' },
    { name: F.videoTiff, bytes: fixture(F.videoTiff), want: 'tiff 150x103 f1 o1 a=false' },
    { name: F.videoBmp, bytes: fixture(F.videoBmp), want: 'bmp 150x103 f1 o1 a=false' },
    { name: F.roseAlphaWebp, bytes: fixture(F.roseAlphaWebp), want: 'webp 400x301 f1 o1 a=true' },
  ];
  for (const { name, bytes, want } of cases) {
    const d = await decode(bytes, { maxPixels: MAX });
    const bm = d.frames[0].bitmap;
    const got = `${d.format} ${bm.width}x${bm.height} f${d.frames.length} o${d.orientation} a=${d.hasAlpha}`;
    assert.equal(got, want, `decode(${name}) = ${got}, want ${want}`);
    assert.equal(d.shrink, 1, `decode(${name}).shrink = ${d.shrink}, want 1`);
  }
});

test('decode refuses SVG with NotTransformableError (422)', async () => {
  await assert.rejects(decode(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'), { maxPixels: MAX }),
    (e: unknown) => e instanceof NotTransformableError && e.status === 422 && e.code === 'not_transformable',
    'decode(svg) did not reject with NotTransformableError');
});

/** Pixel-flood headers: a few bytes that claim enormous images. */
function jpegFlood(): Uint8Array {
  // SOI, SOF0 64250x64250 3 components, DHT-less garbage scan: the header alone must be refused.
  return new Uint8Array([0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0xfa, 0xfa, 0xfa, 0xfa, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,
    0xff, 0xda, 0, 12, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 0x3f, 0, ...new Array<number>(4000).fill(0x55), 0xff, 0xd9]);
}
function pngFlood(): Uint8Array {
  const b = new Uint8Array(8 + 25 + 12);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0xff, 0xff, 0, 0, 0xff, 0xff, 8, 6, 0, 0, 0]);
  return b;
}
function gifFlood(w: number, h: number, frames: number): Uint8Array {
  const head = [0x47, 0x49, 0x46, 0x38, 0x39, 0x61, w & 255, w >> 8, h & 255, h >> 8, 0x80, 0, 0, 0, 0, 0, 255, 255, 255];
  const frame = [0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4c, 0x01, 0];
  return new Uint8Array([...head, ...new Array<number[]>(frames).fill(frame).flat(), 0x3b]);
}
function tiffFlood(): Uint8Array {
  const b = new Uint8Array(8 + 2 + 2 * 12 + 4);
  const dv = new DataView(b.buffer);
  b.set([0x49, 0x49, 42, 0]); dv.setUint32(4, 8, true); dv.setUint16(8, 2, true);
  dv.setUint16(10, 256, true); dv.setUint16(12, 3, true); dv.setUint32(14, 1, true); dv.setUint16(18, 65535, true);
  dv.setUint16(22, 257, true); dv.setUint16(24, 3, true); dv.setUint32(26, 1, true); dv.setUint16(30, 65535, true);
  return b;
}
function bmpFlood(): Uint8Array {
  const b = new Uint8Array(54);
  const dv = new DataView(b.buffer);
  b.set([0x42, 0x4d]); dv.setUint32(10, 54, true); dv.setUint32(14, 40, true);
  dv.setInt32(18, 65535, true); dv.setInt32(22, 65535, true); dv.setUint16(26, 1, true); dv.setUint16(28, 24, true);
  return b;
}
function webpFlood(): Uint8Array {
  const b = new Uint8Array(30);
  b.set(new TextEncoder().encode('RIFF\x16\0\0\0WEBPVP8X\x0a\0\0\0'));
  b.set([0xfe, 0x3f, 0x00, 0xfe, 0x3f, 0x00], 24); // 16383 x 16383
  return b;
}

test('decode refuses pixel floods from the header alone, quickly', async () => {
  const cases: Array<{ name: string; bytes: Uint8Array; maxPixels: number }> = [
    { name: 'jpeg 64250x64250', bytes: jpegFlood(), maxPixels: MAX },
    { name: 'png 65535x65535', bytes: pngFlood(), maxPixels: MAX },
    { name: 'gif 65535x65535', bytes: gifFlood(65535, 65535, 1), maxPixels: MAX },
    { name: 'gif 1000x1000 x 60 frames', bytes: gifFlood(1000, 1000, 60), maxPixels: MAX },
    { name: 'tiff 65535x65535', bytes: tiffFlood(), maxPixels: MAX },
    { name: 'bmp 65535x65535', bytes: bmpFlood(), maxPixels: MAX },
    { name: 'webp 16383x16383', bytes: webpFlood(), maxPixels: MAX },
    { name: 'branches.jpg over a 100k budget', bytes: fixture(F.branchesJpg), maxPixels: 100_000 },
  ];
  for (const { name, bytes, maxPixels } of cases) {
    const t = Date.now();
    await assert.rejects(decode(bytes, { maxPixels }), (e: unknown) => is422(e) && /too large/.test((e as Error).message),
      `decode(${name}) did not reject with a 422 "too large"`);
    assert.ok(Date.now() - t < 500, `decode(${name}) took ${Date.now() - t} ms`);
  }
  await assert.rejects(decode(gifFlood(2, 2, 30), { maxPixels: MAX, maxFrames: 20 }), (e: unknown) => is422(e) && /frames/.test((e as Error).message),
    'decode(30-frame gif, maxFrames 20) did not reject with a 422');
  await assert.rejects(decode(gifFlood(1, 1, DEFAULT_MAX_FRAMES + 1), { maxPixels: MAX }), (e: unknown) => is422(e) && /too many frames/.test((e as Error).message),
    `decode(gif with ${DEFAULT_MAX_FRAMES + 1} 1x1 frames) did not reject with a 422`);
});

test('decode answers truncated and mutated files with success or 422, never another error', async () => {
  const names = [F.branchesJpg, F.quadProgressiveJpg, F.quadCmykJpg, F.flowersPng, F.quadInterlacedPng, F.animImGif, F.videoTiff,
    F.bwG3Tiff, F.bwG4Tiff, F.bwPackbitsTiff, F.bppLzwTiff, F.videoTiledTiff, F.videoBmp, F.bppLossyWebp, F.bppLosslessWebp];
  let seed = 12345;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
  for (const name of names) {
    const good = fixture(name);
    const inputs: [string, Uint8Array][] = [0.05, 0.3, 0.6, 0.95].map((f) => [`${name} cut at ${f}`, good.subarray(0, Math.floor(good.length * f))]);
    for (let i = 0; i < 8; i++) {
      const b = good.slice();
      for (let k = 0; k < 1 + rnd(8); k++) b[8 + rnd(b.length - 8)] = rnd(256);
      inputs.push([`${name} mutation ${i}`, b]);
    }
    for (const [label, bytes] of inputs) {
      const t = Date.now();
      try {
        const d = await decode(bytes, { maxPixels: 4_000_000 });
        assert.ok(d.frames.length >= 1, `decode(${label}) returned no frames`);
      } catch (e) {
        assert.ok(is422(e), `decode(${label}) threw ${String(e)}, want a 422 UnprocessableImageError`);
      }
      assert.ok(Date.now() - t < 3000, `decode(${label}) took ${Date.now() - t} ms`);
    }
  }
});

function quadAlpha(): Bitmap {
  const data = new Uint8Array(16 * 16 * 4);
  for (let i = 0; i < 256; i++) data.set([(i * 7) & 255, (i * 13) & 255, (i * 29) & 255, i % 16 < 8 ? 255 : 0], i * 4);
  return { width: 16, height: 16, data };
}

test('encode writes each format that decodes back to the same picture', async () => {
  const bm = quadAlpha();
  const formats: Array<{ format: EncodableFormat; exact: boolean }> = [{ format: 'png', exact: true }, { format: 'gif', exact: true }, { format: 'tiff', exact: true }, { format: 'bmp', exact: true }, { format: 'jpeg', exact: false }];
  for (const { format, exact } of formats) {
    const out = await encode({ frames: [{ bitmap: bm, delayMs: 0 }], loopCount: 0, hasAlpha: true }, format, 90);
    assert.equal(detectFormat(out), format, `detectFormat(encode(.., ${format})) = ${detectFormat(out)}, want ${format}`);
    const back = (await decode(out, { maxPixels: MAX })).frames[0].bitmap;
    if (exact) {
      // Transparent pixels in GIF come back as 0,0,0,0; compare opaque ones everywhere and alpha always.
      for (let i = 0; i < 256; i++) {
        const x = i % 16, y = i >> 4;
        const want = bm.data[i * 4 + 3] === 0 && format === 'gif' ? '0,0,0,0' : px(bm, x, y);
        assert.equal(px(back, x, y), want, `decode(encode(quadAlpha, ${format})) pixel(${x},${y}) = ${px(back, x, y)}, want ${want}`);
      }
    } else {
      // JPEG has no alpha: transparent pixels are flattened onto black, as Go's encoder does.
      assert.equal(px(back, 12, 0).split(',').slice(0, 3).every((v) => Number(v) < 40), true,
        `decode(encode(quadAlpha, jpeg)) pixel(12,0) = ${px(back, 12, 0)}, want near black`);
    }
  }
  await assert.rejects(encode({ frames: [], loopCount: 0, hasAlpha: false }, 'png', 90), is422, 'encode(no frames) did not reject with 422');
});

test('CONTENT_TYPES names a media type for every format', () => {
  const want = { jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', tiff: 'image/tiff', bmp: 'image/bmp', webp: 'image/webp', avif: 'image/avif', svg: 'image/svg+xml' };
  assert.deepEqual(CONTENT_TYPES, want, `CONTENT_TYPES = ${JSON.stringify(CONTENT_TYPES)}, want ${JSON.stringify(want)}`);
});

test('encode to JPEG flattens alpha once, with Go\'s rounding (flattenForJpeg)', async () => {
  // Channel values and alphas where Go's (c*257*a/255)>>8 and rounding c*a/255 disagree.
  const data = new Uint8Array(8 * 8 * 4);
  for (let i = 0; i < 64; i++) data.set([1 + i, 255 - i, 3 * i, 128 + i], i * 4);
  const bm: Bitmap = { width: 8, height: 8, data };
  const flat = flattenForJpeg(bm);
  assert.deepEqual([...flat.data.subarray(0, 4)], [0, 128, 0, 255], `flattenForJpeg(first pixel) = ${[...flat.data.subarray(0, 4)]}, want 0,128,0,255 (rounding would give 1,128,0,255)`);
  const got = await encode({ frames: [{ bitmap: bm, delayMs: 0 }], loopCount: 0, hasAlpha: true }, 'jpeg', 90);
  const want = await encode({ frames: [{ bitmap: flat, delayMs: 0 }], loopCount: 0, hasAlpha: false }, 'jpeg', 90);
  assert.ok(Buffer.from(got).equals(Buffer.from(want)), 'encode(semi-transparent, jpeg) is not the JPEG of the flattenForJpeg bitmap');
});

test('decodePlanar with subsampledChroma keeps 4:2:0 chroma at half the luma size at a reduced scale', async () => {
  const bytes = fixture(F.branchesJpg);
  const cases: Array<{ shrink: number; sub: boolean; want: string }> = [
    { shrink: 4, sub: false, want: 'Y 150x100, Cb 150x100' },
    { shrink: 4, sub: true, want: 'Y 150x100, Cb 75x50' },
    { shrink: 1, sub: true, want: 'Y 600x400, Cb 300x200' },
  ];
  for (const { shrink, sub, want } of cases) {
    const d = await decodePlanar(bytes, probe(bytes), { maxPixels: MAX, shrink, subsampledChroma: sub });
    const [y, cb] = d.planes!.planes;
    const got = `Y ${y.width}x${y.height}, Cb ${cb.width}x${cb.height}`;
    assert.equal(got, want, `decodePlanar(branches.jpg, shrink ${shrink}, subsampledChroma ${sub}) = ${got}, want ${want}`);
  }
});

test('the planar entry: JPEG planes where the fast decoder takes the stream, RGBA otherwise', async () => {
  const cases: Array<{ name: string; bytes: Uint8Array; shrink?: number; want: string }> = [
    { name: F.branchesJpg, bytes: fixture(F.branchesJpg), want: 'planes ycc 3 600x400 /1' },
    { name: `${F.branchesJpg} at 1/4`, bytes: fixture(F.branchesJpg), shrink: 4, want: 'planes ycc 3 150x100 /4' },
    { name: F.quadGrayJpg, bytes: fixture(F.quadGrayJpg), want: 'planes gray 1 32x32 /1' },
    { name: F.flowersPng, bytes: fixture(F.flowersPng), want: 'image png 240x160 /1' },
    { name: F.orientation(6), bytes: fixture(F.orientation(6)), want: 'planes ycc 3 70x50 /1' },
  ];
  for (const c of cases) {
    const source = probe(c.bytes);
    const d = await decodePlanar(c.bytes, source, { maxPixels: MAX, shrink: c.shrink });
    const got = d.planes
      ? `planes ${d.planes.colorSpace} ${d.planes.planes.length} ${d.planes.width}x${d.planes.height} /${d.planes.scale}`
      : `image ${d.image.format} ${d.image.frames[0].bitmap.width}x${d.image.frames[0].bitmap.height} /${d.image.shrink}`;
    assert.equal(got, c.want, `decodePlanar(${c.name}) = ${got}, want ${c.want}`);
    if (!d.planes) continue;
    // The planes converted to RGBA are what decodeProbed gives.
    const viaPlanes = imageOfPlanes(d.planes, source);
    const direct = await decodeProbed(c.bytes, source, { maxPixels: MAX, shrink: c.shrink });
    const same = Buffer.from(viaPlanes.frames[0].bitmap.data).equals(Buffer.from(direct.frames[0].bitmap.data));
    assert.ok(same && viaPlanes.orientation === direct.orientation && viaPlanes.shrink === direct.shrink,
      `imageOfPlanes(decodePlanar(${c.name})) differs from decodeProbed (orientation ${viaPlanes.orientation} vs ${direct.orientation})`);
  }
  // Arithmetic coding is decoded by the fast decoder (jpegfast/arith.ts); 12-bit samples by none.
  const arith = await decodePlanar(fixture('jpeg/arith.jpg'), probe(fixture('jpeg/arith.jpg')), { maxPixels: MAX });
  assert.ok(arith.planes, 'decodePlanar(arithmetic-coded JPEG) gave no planes, want planes from the fast decoder');
  const twelve = fixture('libjpeg-turbo/testorig12.jpg');
  await assert.rejects(decodePlanar(twelve, probe(twelve), { maxPixels: MAX }), is422,
    'decodePlanar(12-bit JPEG, which no decoder takes) did not reject with a 422');
});

test('encodePlanes writes JPEG only', async () => {
  const bytes = fixture(F.branchesJpg);
  const planes = await decodePlanar(bytes, probe(bytes), { maxPixels: MAX });
  assert.ok(planes.planes, 'decodePlanar(branches.jpg) gave no planes');
  assert.throws(() => encodePlanes({ width: 2, height: 2, y: new Uint16Array(4), cb: new Uint16Array(1), cr: new Uint16Array(1) }, { format: 'png', quality: 90 }),
    is422, 'encodePlanes(..., png) did not throw a 422');
  const jpeg = encodePlanes({ width: 2, height: 2, y: new Uint16Array(4).fill(2000), cb: new Uint16Array(1).fill(2048), cr: new Uint16Array(1).fill(2048) }, { format: 'jpeg', quality: 90 });
  assert.equal(detectFormat(jpeg), 'jpeg', `detectFormat(encodePlanes(..., jpeg)) = ${detectFormat(jpeg)}, want jpeg`);
});

test('decodeProbed trusts the probe it is given: no second header read or pixel check', async () => {
  const bytes = fixture(F.flowersPng);
  const source = probe(bytes);
  // decode() refuses 240x160 under a 1000-pixel limit; decodeProbed leaves that to its caller.
  await assert.rejects(decode(bytes, { maxPixels: 1000 }), is422, 'decode(flowers, maxPixels 1000) did not reject');
  const d = await decodeProbed(bytes, source, { maxPixels: 1000 });
  assert.equal(d.frames[0].bitmap.width, 240, `decodeProbed(flowers).width = ${d.frames[0].bitmap.width}, want 240`);
  const oriented = await decodeProbed(fixture(F.orientation(6)), { ...probe(fixture(F.orientation(6))), orientation: 3 }, { maxPixels: MAX });
  assert.equal(oriented.orientation, 3, `decodeProbed(orientation_6.jpg, probe says 3).orientation = ${oriented.orientation}, want 3`);
});
