import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, detectFormat, encode, probe } from '../../../lib/codecs/index.js';
import { CODEC_KEEP_BYTES } from '../../../lib/codecs/wasm/loader.js';
import { changedRect, DEFAULT_WEBP_QUALITY, encodeWebp, gifLoopToWebp, webpEncoderMemory, webpQuality } from '../../../lib/codecs/webp-encode.js';
import { decodeWebp, webpLoopToGif } from '../../../lib/codecs/webp.js';
import { demuxAnimation } from '../../../lib/codecs/webpmux.js';
import { encodeAvif } from '../../../lib/codecs/avif.js';
import { UnprocessableImageError } from '../../../lib/errors.js';
import type { Bitmap, DecodedImage } from '../../../lib/codecs/types.js';
import { F, fixture, makeAnimatedGif, px } from '../../helpers/codec-fixtures.js';
import { alphaRange, halfTransparent, psnr } from '../../helpers/psnr.js';

const MAX = 50_000_000;
const is422 = (e: unknown): boolean => e instanceof UnprocessableImageError && e.status === 422;

/** SOURCES are one file per source format, each decoded and re-encoded in the round-trip tests. */
const SOURCES: { name: string; bytes: () => Uint8Array | Promise<Uint8Array> }[] = [
  { name: 'JPEG ' + F.orientation(1), bytes: () => fixture(F.orientation(1)) },
  { name: 'PNG ' + F.videoPng, bytes: () => fixture(F.videoPng) },
  { name: 'GIF ' + F.flowersInterlacedGif, bytes: () => fixture(F.flowersInterlacedGif) },
  { name: 'TIFF ' + F.videoTiff, bytes: () => fixture(F.videoTiff) },
  { name: 'BMP ' + F.videoBmp, bytes: () => fixture(F.videoBmp) },
  { name: 'WebP ' + F.bppLossyWebp, bytes: () => fixture(F.bppLossyWebp) },
  {
    name: 'AVIF (encodeAvif of ' + F.videoPng + ')',
    bytes: async () => encodeAvif((await decode(fixture(F.videoPng), { maxPixels: MAX })).frames[0].bitmap, { hasAlpha: false, quality: 95 }),
  },
];

test('every source format encodes to WebP that decodes back close to the source pixels', async () => {
  for (const s of SOURCES) {
    const src = await decode(await s.bytes(), { maxPixels: MAX });
    const out = await encode(src, 'webp', 0);
    assert.equal(detectFormat(out), 'webp', `detectFormat(encode(${s.name}, webp)) = ${detectFormat(out)}, want webp`);
    const back = await decode(out, { maxPixels: MAX });
    const got = psnr(src.frames[0].bitmap, back.frames[0].bitmap);
    assert.ok(got >= 33, `psnr(encode(${s.name}, webp) decoded, source) = ${got.toFixed(2)} dB, want >= 33`);
  }
});

test('encodeWebp quality trades bytes for fidelity, and 0 means the default', async () => {
  const bm = (await decode(fixture(F.videoPng), { maxPixels: MAX })).frames[0].bitmap;
  const rows: { q: number; bytes: number; db: number }[] = [];
  for (const q of [20, 60, DEFAULT_WEBP_QUALITY]) {
    const out = await encodeWebp(bm, { quality: q, hasAlpha: false });
    rows.push({ q, bytes: out.length, db: psnr(bm, (await decodeWebp(out)).bitmap) });
  }
  for (let i = 1; i < rows.length; i++) {
    assert.ok(rows[i].bytes > rows[i - 1].bytes && rows[i].db > rows[i - 1].db,
      `encodeWebp(q${rows[i].q}) = ${rows[i].bytes} B ${rows[i].db.toFixed(2)} dB, want more than q${rows[i - 1].q} (${rows[i - 1].bytes} B ${rows[i - 1].db.toFixed(2)} dB)`);
  }
  const byDefault = await encodeWebp(bm, { hasAlpha: false });
  const explicit = await encodeWebp(bm, { quality: DEFAULT_WEBP_QUALITY, hasAlpha: false });
  assert.deepEqual(byDefault, explicit, 'encodeWebp(no quality) differs from encodeWebp(DEFAULT_WEBP_QUALITY)');
  const clamp: Array<{ q: number; want: number }> = [{ q: 0, want: DEFAULT_WEBP_QUALITY }, { q: -5, want: 1 }, { q: 250, want: 100 }, { q: 80.7, want: 80 }];
  for (const { q, want } of clamp) assert.equal(webpQuality(q), want, `webpQuality(${q}) = ${webpQuality(q)}, want ${want}`);
});

test('encodeWebp keeps alpha: a transparent region stays transparent and an opaque one opaque', async () => {
  const bm = halfTransparent(64, 48);
  const out = await encodeWebp(bm, { hasAlpha: true });
  const back = await decodeWebp(out);
  const cases: Array<{ name: string; got: [number, number]; want: [number, number] }> = [
    { name: 'left half', got: alphaRange(back.bitmap, 0, 0, 32, 48), want: [0, 0] },
    { name: 'right half', got: alphaRange(back.bitmap, 32, 0, 32, 48), want: [255, 255] },
  ];
  for (const { name, got, want } of cases) assert.deepEqual(got, want, `alpha of ${name} after encodeWebp = ${got}, want ${want}`);
  assert.equal(back.hasAlpha, true, 'decodeWebp(encodeWebp(half transparent)).hasAlpha = false, want true');
  assert.ok(psnr(bm, back.bitmap) > 35, `psnr(half transparent round trip) = ${psnr(bm, back.bitmap).toFixed(2)}, want > 35`);
  const flat = await decodeWebp(await encodeWebp(bm, { hasAlpha: false }));
  assert.deepEqual(alphaRange(flat.bitmap, 0, 0, 64, 48), [255, 255], 'encodeWebp(hasAlpha false) left transparent pixels');
});

/** animated decodes a GIF and re-encodes it as WebP, returning both decoded forms. */
async function animated(gif: Uint8Array): Promise<{ src: DecodedImage; back: DecodedImage; bytes: Uint8Array }> {
  const src = await decode(gif, { maxPixels: MAX });
  const bytes = await encode(src, 'webp', 0);
  return { src, back: await decode(bytes, { maxPixels: MAX }), bytes };
}

test('an animated GIF becomes an animated WebP with the same frames, delays, loop count and composed pixels', async () => {
  for (const [name, gif] of [['makeAnimatedGif()', makeAnimatedGif()], [F.animImGif, fixture(F.animImGif)]] as const) {
    const { src, back, bytes } = await animated(gif);
    const p = probe(bytes);
    assert.equal(`${p.frames} ${p.width}x${p.height}`, `${src.frames.length} ${src.frames[0].bitmap.width}x${src.frames[0].bitmap.height}`,
      `probe(webp of ${name}) = ${p.frames} frames ${p.width}x${p.height}`);
    assert.equal(back.frames.length, src.frames.length, `frames of webp(${name}) = ${back.frames.length}, want ${src.frames.length}`);
    assert.deepEqual(back.frames.map((f) => f.delayMs), src.frames.map((f) => f.delayMs), `delays of webp(${name})`);
    assert.equal(back.loopCount, src.loopCount, `loopCount of webp(${name}) = ${back.loopCount}, want ${src.loopCount}`);
    for (let i = 0; i < src.frames.length; i++) {
      const got = psnr(src.frames[i].bitmap, back.frames[i].bitmap);
      assert.ok(got > 30, `psnr(frame ${i} of webp(${name})) = ${got.toFixed(2)} dB, want > 30`);
    }
  }
  // makeAnimatedGif: frame 2 is frame 0 cleared (disposal 2), then 2x2 blue at (0,0) with a transparent pixel.
  const { back } = await animated(makeAnimatedGif());
  const f2 = back.frames[2].bitmap;
  const near = (got: string, want: number[]): boolean => got.split(',').map(Number).every((v, k) => Math.abs(v - want[k]) <= 12);
  const cases: Array<{ x: number; y: number; want: number[] }> = [{ x: 0, y: 0, want: [0, 0, 255, 255] }, { x: 1, y: 1, want: [0, 0, 0, 0] }, { x: 4, y: 2, want: [0, 0, 0, 0] }];
  for (const { x, y, want } of cases) {
    const got = px(f2, x, y);
    const ok = want[3] === 0 ? got.endsWith(',0') : near(got, want);
    assert.ok(ok, `frame 2 of webp(makeAnimatedGif()) pixel (${x},${y}) = ${got}, want ${want}`);
  }
});

test('animated WebP frames after the first are the changed rectangles, unchanged frames a blended transparent pixel', async () => {
  const a: Bitmap = { width: 8, height: 6, data: new Uint8Array(8 * 6 * 4).map((_, i) => (i % 4 === 3 ? 255 : 200)) };
  const b: Bitmap = { ...a, data: a.data.slice() };
  b.data.set([10, 10, 10, 255, 10, 10, 10, 255], (3 * 8 + 5) * 4); // pixels (5,3) and (6,3)
  const rect = changedRect(a, b);
  assert.deepEqual(rect, { x: 4, y: 2, width: 3, height: 2 }, `changedRect = ${JSON.stringify(rect)}, want the even-cornered box of (5..6, 3)`);
  assert.equal(changedRect(a, a), undefined, 'changedRect(a, a) is not undefined');
  const frames = [a, b, b].map((bitmap, i) => ({ bitmap, delayMs: 40 * (i + 1) }));
  const out = await encodeWebp(frames, { hasAlpha: false, loopCount: 0 });
  const anim = demuxAnimation(out, 10);
  const got = anim.frames.map((f) => `${f.x},${f.y} ${f.width}x${f.height} ${f.durationMs} blend=${f.blend} dispose=${f.dispose}`);
  const want = ['0,0 8x6 40 blend=false dispose=false', '4,2 3x2 80 blend=false dispose=false', '0,0 1x1 120 blend=true dispose=false'];
  assert.deepEqual(got, want, `ANMF frames of encodeWebp([a, b, b])`);
  assert.equal(anim.loopCount, 0, `ANIM loop count = ${anim.loopCount}, want 0 (forever)`);
  const back = await decodeWebp(out);
  for (const i of [1, 2]) {
    const got = psnr(b, back.frames[i].bitmap);
    assert.ok(got === Infinity, `psnr(frame ${i}) = ${got.toFixed(2)} dB, want exact (two colours: lossless wins)`);
  }
});

test('loop counts map GIF repeats to WebP plays and back', () => {
  const cases: Array<{ gif: number; webp: number }> = [{ gif: 0, webp: 0 }, { gif: -1, webp: 1 }, { gif: 1, webp: 2 }, { gif: 3, webp: 4 }, { gif: 70000, webp: 65535 }];
  for (const { gif, webp } of cases) {
    assert.equal(gifLoopToWebp(gif), webp, `gifLoopToWebp(${gif}) = ${gifLoopToWebp(gif)}, want ${webp}`);
    if (gif < 65535) assert.equal(webpLoopToGif(webp), gif, `webpLoopToGif(${webp}) = ${webpLoopToGif(webp)}, want ${gif}`);
  }
});

test('encodeWebp refuses what WebP cannot hold with a 422', async () => {
  const wide: Bitmap = { width: 16384, height: 1, data: new Uint8Array(16384 * 4) };
  await assert.rejects(encodeWebp(wide, { hasAlpha: false }), (e: unknown) => is422(e) && /too large for WebP/.test((e as Error).message),
    'encodeWebp(16384x1) did not reject with a 422');
  await assert.rejects(encodeWebp([], { hasAlpha: false }), is422, 'encodeWebp([]) did not reject with a 422');
  const odd = [{ bitmap: halfTransparent(4, 4), delayMs: 10 }, { bitmap: halfTransparent(6, 4), delayMs: 10 }];
  await assert.rejects(encodeWebp(odd, { hasAlpha: true }), is422, 'encodeWebp(frames of different sizes) did not reject with a 422');
});

test('the WebP encoder drops a wasm instance that grew large and keeps a small one', async () => {
  await encodeWebp(halfTransparent(32, 32), { hasAlpha: true });
  const small = await webpEncoderMemory();
  assert.ok(small > 0 && small <= CODEC_KEEP_BYTES, `encoder memory after a 32x32 encode = ${small}, want kept (0 < m <= ${CODEC_KEEP_BYTES})`);
  const big: Bitmap = { width: 3000, height: 3000, data: new Uint8Array(3000 * 3000 * 4).fill(255) };
  await encodeWebp(big, { hasAlpha: false });
  assert.equal(await webpEncoderMemory(), 0, 'encoder memory after a 3000x3000 encode is still kept, want released');
  const again = await decodeWebp(await encodeWebp(halfTransparent(16, 16), { hasAlpha: true }));
  assert.equal(again.bitmap.width, 16, 'encodeWebp after a released instance failed');
});
