import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTENT_TYPES, decode, detectFormat, encode, probe } from '../../../lib/codecs/index.js';
import { avifMemory, avifQuality, decodeAvif, DEFAULT_AVIF_QUALITY, encodeAvif, isAvif, MAX_AVIF_PIXELS, readAvifSize } from '../../../lib/codecs/avif.js';
import { encodeWebp } from '../../../lib/codecs/webp-encode.js';
import { CODEC_KEEP_BYTES } from '../../../lib/codecs/wasm/loader.js';
import { UnprocessableImageError } from '../../../lib/errors.js';
import type { Bitmap } from '../../../lib/codecs/types.js';
import { F, fixture, makeAnimatedGif } from '../../helpers/codec-fixtures.js';
import { alphaRange, halfTransparent, psnr } from '../../helpers/psnr.js';

const MAX = 50_000_000;
const is422 = (e: unknown): boolean => e instanceof UnprocessableImageError && e.status === 422;
/** avifenc (libavif 0.11.1 with aom 3.6.0) files, so the decoder meets files we did not write. */
const VIDEO_AVIF = 'codecs/video-001.avif';
const QUAD_ALPHA_AVIF = 'codecs/quad-alpha.avif';

async function pixels(bytes: Uint8Array): Promise<Bitmap> {
  return (await decode(bytes, { maxPixels: MAX })).frames[0].bitmap;
}

test('AVIF files from avifenc are detected, probed and decoded', async () => {
  const cases: Array<{ name: string; ref: string; size: string; minDb: number }> = [
    { name: VIDEO_AVIF, ref: F.videoPng, size: '150x103', minDb: 33 },
    { name: QUAD_ALPHA_AVIF, ref: F.quad32AlphaBmp, size: '32x32', minDb: 25 }, // 4:2:0 across saturated quadrant edges
  ];
  for (const { name, ref, size, minDb } of cases) {
    const bytes = fixture(name);
    assert.equal(detectFormat(bytes), 'avif', `detectFormat(${name}) = ${detectFormat(bytes)}, want avif`);
    const p = probe(bytes);
    assert.equal(`${p.width}x${p.height} ${p.frames}`, `${size} 1`, `probe(${name}) = ${JSON.stringify(p)}`);
    const got = await pixels(bytes);
    assert.equal(`${got.width}x${got.height}`, size, `decode(${name}) size = ${got.width}x${got.height}, want ${size}`);
    const db = psnr(await pixels(fixture(ref)), got);
    assert.ok(db >= minDb, `psnr(decode(${name}), ${ref}) = ${db.toFixed(2)} dB, want >= ${minDb}`);
  }
  const alpha = await decodeAvif(fixture(QUAD_ALPHA_AVIF));
  assert.equal(alpha.hasAlpha, true, `decodeAvif(${QUAD_ALPHA_AVIF}).hasAlpha = false, want true`);
  assert.deepEqual(alphaRange(alpha.bitmap, 0, 0, 16, 32), [255, 255], `alpha of the opaque left half of ${QUAD_ALPHA_AVIF}`);
  assert.equal(CONTENT_TYPES.avif, 'image/avif', `CONTENT_TYPES.avif = ${CONTENT_TYPES.avif}`);
});

test('isAvif takes the avif and avis brands, major or compatible, and nothing else', () => {
  const ftyp = (major: string, ...compat: string[]): Uint8Array => {
    const s = `${major}\0\0\0\0${compat.join('')}`;
    const b = new Uint8Array(8 + s.length);
    new DataView(b.buffer).setUint32(0, b.length);
    b.set(new TextEncoder().encode(`ftyp${s}`), 4);
    return b;
  };
  const cases: Array<{ name: string; bytes: Uint8Array; want: boolean }> = [
    { name: 'major avif', bytes: ftyp('avif', 'mif1'), want: true },
    { name: 'major avis', bytes: ftyp('avis', 'msf1'), want: true },
    { name: 'mif1 with compatible avif', bytes: ftyp('mif1', 'miaf', 'avif'), want: true },
    { name: 'heic', bytes: ftyp('heic', 'mif1', 'heic'), want: false },
    { name: 'mp4', bytes: ftyp('isom', 'iso2', 'mp41'), want: false },
    { name: 'short', bytes: new TextEncoder().encode('\0\0\0\x10ftypavif'), want: false },
  ];
  for (const { name, bytes, want } of cases) assert.equal(isAvif(bytes), want, `isAvif(${name}) = ${isAvif(bytes)}, want ${want}`);
});

test('every source format encodes to AVIF that decodes back close to the source pixels', async () => {
  const sources: Array<{ name: string; bytes: () => Promise<Uint8Array> | Uint8Array }> = [
    { name: 'JPEG ' + F.orientation(1), bytes: () => fixture(F.orientation(1)) },
    { name: 'PNG ' + F.videoPng, bytes: () => fixture(F.videoPng) },
    { name: 'GIF ' + F.flowersInterlacedGif, bytes: () => fixture(F.flowersInterlacedGif) },
    { name: 'TIFF ' + F.videoTiff, bytes: () => fixture(F.videoTiff) },
    { name: 'BMP ' + F.videoBmp, bytes: () => fixture(F.videoBmp) },
    { name: 'WebP ' + F.bppLossyWebp, bytes: () => fixture(F.bppLossyWebp) },
    { name: 'AVIF ' + VIDEO_AVIF, bytes: () => fixture(VIDEO_AVIF) },
  ];
  for (const { name, bytes } of sources) {
    const src = await decode(await bytes(), { maxPixels: MAX });
    const out = await encode(src, 'avif', 0);
    assert.equal(detectFormat(out), 'avif', `detectFormat(encode(${name}, avif)) = ${detectFormat(out)}, want avif`);
    const db = psnr(src.frames[0].bitmap, await pixels(out));
    assert.ok(db >= 33, `psnr(encode(${name}, avif) decoded, source) = ${db.toFixed(2)} dB, want >= 33`);
  }
});

test('encodeAvif keeps alpha, drops it when told, and follows quality', async () => {
  const bm = halfTransparent(64, 48);
  const back = await decodeAvif(await encodeAvif(bm, { hasAlpha: true }));
  assert.deepEqual(alphaRange(back.bitmap, 0, 0, 30, 48), [0, 0], 'alpha of the transparent half after encodeAvif');
  assert.deepEqual(alphaRange(back.bitmap, 34, 0, 30, 48), [255, 255], 'alpha of the opaque half after encodeAvif');
  const flat = await decodeAvif(await encodeAvif(bm, { hasAlpha: false }));
  assert.deepEqual(alphaRange(flat.bitmap, 0, 0, 64, 48), [255, 255], 'encodeAvif(hasAlpha false) left transparent pixels');
  const photo = await pixels(fixture(F.videoPng));
  const low = await encodeAvif(photo, { hasAlpha: false, quality: 20 });
  const dflt = await encodeAvif(photo, { hasAlpha: false });
  const lowDb = psnr(photo, await pixels(low)), dfltDb = psnr(photo, await pixels(dflt));
  assert.ok(low.length < dflt.length && lowDb < dfltDb,
    `encodeAvif q20 = ${low.length} B ${lowDb.toFixed(2)} dB, default q${DEFAULT_AVIF_QUALITY} = ${dflt.length} B ${dfltDb.toFixed(2)} dB: want q20 smaller and worse`);
  const clamp: Array<{ q: number; want: number }> = [{ q: 0, want: DEFAULT_AVIF_QUALITY }, { q: -3, want: 1 }, { q: 101, want: 100 }, { q: 50.9, want: 50 }];
  for (const { q, want } of clamp) assert.equal(avifQuality(q), want, `avifQuality(${q}) = ${avifQuality(q)}, want ${want}`);
});

test('encodeAvif refuses output past MAX_AVIF_PIXELS (or opts.maxPixels) with a 422 before encoding', async () => {
  const w = 2000, h = Math.floor(MAX_AVIF_PIXELS / w) + 1;
  const big: Bitmap = { width: w, height: h, data: new Uint8Array(w * h * 4) };
  const cases: Array<{ name: string; run: () => Promise<Uint8Array> }> = [
    { name: `encodeAvif(${w}x${h})`, run: () => encodeAvif(big, { hasAlpha: false }) },
    { name: `encode(${w}x${h}, avif)`, run: () => encode({ frames: [{ bitmap: big, delayMs: 0 }], loopCount: 0, hasAlpha: false }, 'avif', 0) },
    { name: 'encodeAvif(11x10, maxPixels 100)', run: () => encodeAvif(halfTransparent(11, 10), { hasAlpha: true, maxPixels: 100 }) },
  ];
  for (const { name, run } of cases) {
    const t = Date.now();
    await assert.rejects(run(), (e: unknown) => is422(e) && /too large to encode as AVIF \(\d+x\d+ is more than \d+ pixels\)\.$/.test((e as Error).message),
      `${name} did not reject with the AVIF size 422`);
    assert.ok(Date.now() - t < 1000, `${name} took ${Date.now() - t} ms to refuse, want no encoding work`);
  }
  const ok = await encodeAvif(halfTransparent(10, 10), { hasAlpha: true, maxPixels: 100 });
  assert.equal(detectFormat(ok), 'avif', 'encodeAvif(10x10, maxPixels 100) was refused');
});

test('an animation asked for as AVIF is a still of its first frame', async () => {
  const src = await decode(makeAnimatedGif(), { maxPixels: MAX });
  const out = await pixels(await encode(src, 'avif', 0));
  const db = psnr(src.frames[0].bitmap, out);
  assert.ok(db > 30, `psnr(avif of animation, first frame) = ${db.toFixed(2)} dB, want > 30`);
});

/** patchIspe returns a copy of an AVIF with its first ispe property set to w x h. */
function patchIspe(b: Uint8Array, w: number, h: number): Uint8Array {
  const out = b.slice();
  const at = Buffer.from(out).indexOf('ispe');
  assert.ok(at > 0, 'the AVIF fixture has no ispe box');
  const dv = new DataView(out.buffer);
  dv.setUint32(at + 8, w); dv.setUint32(at + 12, h);
  return out;
}

test('hostile AVIF is a 422, never a crash or a hang', async () => {
  const good = fixture(VIDEO_AVIF);
  const mdat = Buffer.from(good).indexOf('mdat');
  const garbage = good.slice(); garbage.fill(0x5a, mdat + 4);
  const wrongBox = good.slice(); new DataView(wrongBox.buffer).setUint32(0, 0x7fffffff); // ftyp size past the end
  const cases: Array<{ name: string; bytes: Uint8Array; reason: RegExp }> = [
    { name: 'ispe 100000x100000', bytes: patchIspe(good, 100_000, 100_000), reason: /too large/ },
    { name: 'ispe 4294967295x4294967295', bytes: patchIspe(good, 0xffffffff, 0xffffffff), reason: /too large/ },
    { name: 'ispe 0x0', bytes: patchIspe(good, 0, 0), reason: /no size/ },
    { name: 'ispe 10x10 over a 150x103 bitstream', bytes: patchIspe(good, 10, 10), reason: /does not match|corrupt/ },
    { name: 'ftyp size past the end', bytes: wrongBox, reason: /truncated|wrong size/ },
    { name: 'only the ftyp box', bytes: good.subarray(0, 32), reason: /does not say how large/ },
    { name: 'garbage in mdat', bytes: garbage, reason: /corrupt/ },
    { name: 'truncated mid-data', bytes: good.subarray(0, good.length - 1000), reason: /truncated|corrupt/ },
  ];
  for (const { name, bytes, reason } of cases) {
    await assert.rejects(decode(bytes, { maxPixels: MAX }), (e: unknown) => is422(e) && reason.test((e as Error).message),
      `decode(${name}) did not reject with a 422 matching ${reason}`);
  }
  let seed = 4242;
  const rnd = (n: number): number => { seed = (seed * 1103515245 + 12345) >>> 0; return seed % n; };
  for (let i = 0; i < 40; i++) {
    const b = i % 2 ? good.slice() : good.slice(0, 16 + rnd(good.length - 16));
    for (let k = 0; k < rnd(6); k++) b[16 + rnd(b.length - 16)] = rnd(256);
    try {
      await decode(b, { maxPixels: 1_000_000 });
    } catch (e) {
      assert.ok(is422(e), `decode(AVIF mutation ${i}) threw ${String(e)}, want a 422`);
    }
  }
  assert.deepEqual(readAvifSize(good), { width: 150, height: 103 }, 'readAvifSize(fixture) after hostile inputs');
});

test('WebP and AVIF of the same picture both beat JPEG q95 bytes at the default qualities', async () => {
  const photo = await pixels(fixture(F.videoPng));
  const jpeg = await encode({ frames: [{ bitmap: photo, delayMs: 0 }], loopCount: 0, hasAlpha: false }, 'jpeg', 95);
  const webp = await encodeWebp(photo, { hasAlpha: false });
  const avif = await encodeAvif(photo, { hasAlpha: false });
  for (const [name, b] of [['webp', webp], ['avif', avif]] as const) {
    assert.ok(b.length < jpeg.length, `${name} default = ${b.length} B, want fewer than JPEG q95's ${jpeg.length} B`);
  }
});

test('the AVIF encoder drops a wasm instance that grew large and keeps a small one', async () => {
  await encodeAvif(halfTransparent(32, 32), { hasAlpha: true });
  const small = (await avifMemory()).encoder;
  assert.ok(small > 0 && small <= CODEC_KEEP_BYTES, `encoder memory after a 32x32 encode = ${small}, want kept (0 < m <= ${CODEC_KEEP_BYTES})`);
  // 1.5 MP grows aom's heap past the keep size; a smooth picture at low quality keeps it quick.
  const w = 1400, h = 1100;
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([x & 255, y & 255, 128, 255], (y * w + x) * 4);
  await encodeAvif({ width: w, height: h, data }, { hasAlpha: false, quality: 30 });
  assert.equal((await avifMemory()).encoder, 0, `encoder memory after a ${w}x${h} encode is still kept, want released`);
  const again = await decodeAvif(await encodeAvif(halfTransparent(16, 16), { hasAlpha: true }));
  assert.equal(again.bitmap.width, 16, 'encodeAvif after a released instance failed');
});
