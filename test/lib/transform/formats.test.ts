// WebP and AVIF output through the transform plan (#11): every source format, alpha, animation,
// the AVIF output limit, and the formats a WebP source keeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, detectFormat, encode } from '../../../lib/codecs/index.js';
import { decodeGif } from '../../../lib/codecs/gif.js';
import { decodeWebp } from '../../../lib/codecs/webp.js';
import type { Bitmap, EncodableFormat } from '../../../lib/codecs/types.js';
import type { Limits } from '../../../lib/config.js';
import { isProxyError } from '../../../lib/errors.js';
import { parseOptions } from '../../../lib/request/options.js';
import { renderFrames, transform } from '../../../lib/transform/transform.js';
import { F, fixture, makeAnimatedGif, maxDiff } from '../../helpers/codec-fixtures.js';
import { alphaRange, halfTransparent, psnr } from '../../helpers/psnr.js';

const LIMITS: Limits = { maxPixels: 10_000_000, maxOutputSide: 4096 };

/** decoded is the first frame of an image's bytes. */
async function decoded(bytes: Uint8Array): Promise<Bitmap> {
  return (await decode(bytes, { maxPixels: 1e8 })).frames[0].bitmap;
}

/** source writes the photo in a source format, as losslessly as the format allows. */
async function source(photo: Bitmap, format: EncodableFormat): Promise<Uint8Array> {
  return encode({ frames: [{ bitmap: photo, delayMs: 0 }], loopCount: 0, hasAlpha: false }, format, 100);
}

/** rejects422 asserts a 422 with `code` and a one-sentence message matching `message`. */
async function rejects422(p: Promise<unknown>, name: string, code: string, message: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isProxyError(err), `${name}: threw ${String(err)}, want a ProxyError`);
    assert.equal(`${err.status} ${err.code}`, `422 ${code}`, `${name}: error = ${err.status} ${err.code}, want 422 ${code}`);
    assert.match(err.message, message, `${name}: message ${JSON.stringify(err.message)} does not match ${message}`);
    return true;
  });
}

test('every source format to webp and avif: decoded back, as close to the PNG path as the JPEG path is', async () => {
  const photo = await decoded(fixture(F.flowersPng));
  const formats: EncodableFormat[] = ['jpeg', 'png', 'gif', 'tiff', 'bmp', 'webp', 'avif'];
  for (const src of formats) {
    const bytes = await source(photo, src);
    const ref = await decoded((await transform(bytes, parseOptions('120x,png'), LIMITS)).bytes);
    const jpeg = psnr(ref, await decoded((await transform(bytes, parseOptions('120x,jpeg'), LIMITS)).bytes));
    for (const out of ['webp', 'avif'] as const) {
      const r = await transform(bytes, parseOptions(`120x,${out}`), LIMITS);
      const got = { format: detectFormat(r.bytes), type: r.contentType };
      assert.deepEqual(got, { format: out, type: `image/${out}` }, `transform(${src}, 120x,${out}) = ${JSON.stringify(got)}`);
      const bm = await decoded(r.bytes);
      assert.equal(`${bm.width}x${bm.height}`, `${ref.width}x${ref.height}`, `transform(${src}, 120x,${out}) size`);
      const p = psnr(ref, bm);
      assert.ok(p >= 32 && p >= jpeg - 3, `transform(${src}, 120x,${out}) PSNR vs the PNG path = ${p.toFixed(1)} dB, want >= 32 and >= JPEG's ${jpeg.toFixed(1)} - 3`);
    }
  }
});

test('q sets the WebP and AVIF quality: lower q, fewer bytes and lower PSNR', async () => {
  const bytes = fixture(F.branchesJpg);
  for (const out of ['webp', 'avif'] as const) {
    const ref = await decoded((await transform(bytes, parseOptions('200x,png'), LIMITS)).bytes);
    const hi = await transform(bytes, parseOptions(`200x,${out}`), LIMITS);
    const lo = await transform(bytes, parseOptions(`200x,${out},q30`), LIMITS);
    const [pHi, pLo] = [psnr(ref, await decoded(hi.bytes)), psnr(ref, await decoded(lo.bytes))];
    assert.ok(lo.bytes.length < hi.bytes.length && pLo < pHi,
      `transform(200x,${out},q30) = ${lo.bytes.length} B at ${pLo.toFixed(1)} dB, want fewer bytes and dB than the default's ${hi.bytes.length} B at ${pHi.toFixed(1)} dB`);
  }
});

test('alpha survives into webp and avif', async () => {
  const png = await encode({ frames: [{ bitmap: halfTransparent(64, 48), delayMs: 0 }], loopCount: 0, hasAlpha: true }, 'png', 0);
  for (const opts of ['webp', 'avif', '32x,webp', '32x,avif', 'r90,avif']) {
    const bm = await decoded((await transform(png, parseOptions(opts), LIMITS)).bytes);
    const w = bm.width, h = bm.height;
    const clear = opts.startsWith('r90') ? alphaRange(bm, 0, h / 2 + 2, w, h / 2 - 2) : alphaRange(bm, 0, 0, w / 2 - 2, h);
    const solid = opts.startsWith('r90') ? alphaRange(bm, 0, 0, w, h / 2 - 2) : alphaRange(bm, w / 2 + 2, 0, w / 2 - 2, h);
    // Lossy alpha may stray a step or two next to the edge a resize softened.
    assert.ok(clear[1] <= 2 && solid[0] >= 253,
      `transform(half transparent, ${opts}) alpha ranges = ${JSON.stringify({ clear, solid })}, want a transparent and an opaque half`);
  }
});

test('animated GIF to animated WebP: frames, delays, loop count and composed pixels', async () => {
  const gif = makeAnimatedGif();
  const want = decodeGif(gif);
  const r = await transform(gif, parseOptions('webp'), LIMITS);
  assert.equal(detectFormat(r.bytes), 'webp', 'transform(animated GIF, webp) is not WebP');
  const got = await decodeWebp(r.bytes);
  const summary = { frames: got.frames.length, delays: got.frames.map((f) => f.delayMs), loop: got.loopCount };
  assert.deepEqual(summary, { frames: 3, delays: [100, 200, 300], loop: want.loopCount },
    `transform(animated GIF, webp) = ${JSON.stringify(summary)}, want 3 frames, 100/200/300 ms, loop ${want.loopCount}`);
  for (let i = 0; i < 3; i++) {
    const d = maxDiff(got.frames[i].bitmap, want.frames[i].bitmap);
    assert.equal(d, 0, `transform(animated GIF, webp) frame ${i} differs from the composed GIF frame by ${d}`);
  }
  // Resized, every frame stays, matching the composed frames resized (the RGBA the GIF path encodes).
  const big = await decodeWebp((await transform(gif, parseOptions('12x,scaleUp,webp'), LIMITS)).bytes);
  const rgba = await renderFrames(await decode(gif, { maxPixels: 1e8 }), { width: 6, height: 4 }, parseOptions('12x,scaleUp'), LIMITS, true);
  assert.equal(big.frames.length, rgba.length, `transform(animated GIF, 12x,scaleUp,webp) frames = ${big.frames.length}, want ${rgba.length}`);
  for (let i = 0; i < rgba.length; i++) {
    const p = psnr(rgba[i].bitmap, big.frames[i].bitmap);
    assert.ok(p >= 30, `transform(animated GIF, 12x,scaleUp,webp) frame ${i} PSNR vs the resized composed frame = ${p.toFixed(1)} dB, want >= 30`);
  }
  // An animated WebP source written as WebP keeps its frames too.
  const again = await decodeWebp((await transform(r.bytes, parseOptions('r180,webp'), LIMITS)).bytes);
  assert.equal(again.frames.length, 3, `transform(animated WebP, r180,webp) frames = ${again.frames.length}, want 3`);
});

test('avif of an animation is a still of its first frame', async () => {
  const gif = makeAnimatedGif();
  const r = await transform(gif, parseOptions('avif'), LIMITS);
  const d = await decode(r.bytes, { maxPixels: 1e8 });
  assert.equal(d.frames.length, 1, `transform(animated GIF, avif) frames = ${d.frames.length}, want 1`);
  const p = psnr(decodeGif(gif).frames[0].bitmap, d.frames[0].bitmap);
  assert.ok(p >= 30, `transform(animated GIF, avif) vs the first frame: PSNR ${p.toFixed(1)} dB, want >= 30`);
});

test('the pixel limit counts every frame of an animation written as WebP, one for AVIF', async () => {
  const gif = makeAnimatedGif(); // 6x4, 3 frames: 72 pixels to decode
  const limits: Limits = { ...LIMITS, maxPixels: 100 };
  // 8x5 is 40 pixels a frame: 120 for the three WebP frames, 40 for the AVIF still.
  await rejects422(transform(gif, parseOptions('8x,scaleUp,webp'), limits), 'animated webp over the limit', 'output_too_large', /pixels/);
  const avif = await transform(gif, parseOptions('8x,scaleUp,avif'), limits);
  assert.equal(detectFormat(avif.bytes), 'avif', 'transform(animated GIF, 8x,scaleUp,avif) under the limit is not AVIF');
});

test('the AVIF output limit is a 422 that says so; other formats are not held to it', async () => {
  const bytes = fixture(F.flowersPng); // 240x160
  const limits: Limits = { ...LIMITS, maxAvifPixels: 10_000 };
  const cases: Array<{ opts: string; message: RegExp }> = [
    { opts: 'avif', message: /^The output image would be 240x160, more than the 10000 pixels this server encodes as AVIF\.$/ },
    { opts: '200x,avif', message: /would be 200x133, more than the 10000 pixels/ },
    // Trim settles its size from the pixels: the encoder holds it to the limit.
    { opts: 'trim,avif', message: /^The image is too large to encode as AVIF \(240x160 is more than 10000 pixels\)\.$/ },
  ];
  for (const c of cases) {
    await rejects422(transform(bytes, parseOptions(c.opts), limits), `transform(240x160, ${c.opts}) with maxAvifPixels 10000`, 'avif_too_large', c.message);
  }
  for (const opts of ['100x,avif', 'webp', 'jpeg']) {
    const r = await transform(bytes, parseOptions(opts), limits);
    assert.ok(r.bytes.length > 0, `transform(240x160, ${opts}) with maxAvifPixels 10000 failed`);
  }
});

test('WebP sources keep the Go server\'s formats: JPEG when transformed, unchanged when not', async () => {
  const webp = fixture(F.roseAlphaWebp);
  const cases: Array<{ opts: string; want: string }> = [
    { opts: '50x', want: 'jpeg' }, { opts: '50x,webp', want: 'webp' }, { opts: '50x,avif', want: 'avif' }, { opts: '50x,png', want: 'png' },
  ];
  for (const c of cases) {
    const got = detectFormat((await transform(webp, parseOptions(c.opts), LIMITS)).bytes);
    assert.equal(got, c.want, `transform(WebP, ${c.opts}) format = ${got}, want ${c.want}`);
  }
  const same = await transform(webp, parseOptions(''), LIMITS);
  assert.equal(same.bytes, webp, 'transform(WebP, no options) did not pass the bytes through');
});
