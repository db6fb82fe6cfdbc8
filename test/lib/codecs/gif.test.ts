import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeGif, encodeGif, quantize, readGifInfo } from '../../../lib/codecs/gif.js';
import { decodePng } from '../../../lib/codecs/png.js';
import { UnprocessableImageError } from '../../../lib/errors.js';
import omggif from 'omggif';
import type { Frame } from '../../../lib/codecs/types.js';
import { F, fixture, makeAnimatedGif, px } from '../../helpers/codec-fixtures.js';

const T = '0,0,0,0', R = '255,0,0,255', G = '0,255,0,255', B = '0,0,255,255';

test('decodeGif composites frames with disposal, transparency and local palettes', () => {
  const d = decodeGif(makeAnimatedGif());
  assert.equal(d.frames.length, 3, `decodeGif(makeAnimatedGif()).frames.length = ${d.frames.length}, want 3`);
  assert.equal(d.loopCount, 3, `decodeGif(makeAnimatedGif()).loopCount = ${d.loopCount}, want 3`);
  assert.equal(d.hasAlpha, true, 'decodeGif(makeAnimatedGif()).hasAlpha = false, want true');
  assert.deepEqual(d.frames.map((f) => f.delayMs), [100, 200, 300], 'delays differ');
  // [frame, x, y, want]: frame 0 is cleared (disposal 2) before frame 1; frame 1 is undone (disposal 3) before frame 2.
  const cases: [number, number, number, string][] = [
    [0, 0, 0, R], [0, 5, 3, R],
    [1, 2, 1, T], [1, 3, 1, G], [1, 2, 2, G], [1, 3, 2, G], [1, 0, 0, T], [1, 5, 3, T],
    [2, 0, 0, B], [2, 1, 0, B], [2, 0, 1, B], [2, 1, 1, T], [2, 3, 1, T], [2, 3, 2, T],
  ];
  for (const [f, x, y, want] of cases) {
    const got = px(d.frames[f].bitmap, x, y);
    assert.equal(got, want, `decodeGif frame ${f} pixel(${x},${y}) = ${got}, want ${want}`);
  }
});

test('decodeGif reads an ImageMagick animation with its delays and loop count', () => {
  const d = decodeGif(fixture(F.animImGif));
  assert.deepEqual(d.frames.map((f) => f.delayMs), [100, 200, 300], `delays = ${d.frames.map((f) => f.delayMs)}, want 100,200,300`);
  // ImageMagick writes -loop 2 as a NETSCAPE value of 1; we report the stored value.
  assert.equal(d.loopCount, 1, `loopCount = ${d.loopCount}, want 1`);
  const cases: [number, number, number, string][] = [[0, 0, 0, R], [1, 7, 7, G], [2, 0, 0, T], [2, 7, 7, B]];
  for (const [f, x, y, want] of cases) {
    const got = px(d.frames[f].bitmap, x, y);
    assert.equal(got, want, `decodeGif(${F.animImGif}) frame ${f} pixel(${x},${y}) = ${got}, want ${want}`);
  }
});

test('encodeGif round-trips frames, delays and loop count exactly when colours fit', () => {
  const src = decodeGif(makeAnimatedGif());
  for (const loop of [0, 3]) {
    const back = decodeGif(encodeGif(src.frames, loop, src.hasAlpha));
    assert.equal(back.loopCount, loop, `loopCount after encodeGif(loop ${loop}) = ${back.loopCount}, want ${loop}`);
    assert.deepEqual(back.frames.map((f) => f.delayMs), [100, 200, 300], 'delays differ after round trip');
    back.frames.forEach((f, i) => assert.deepEqual(f.bitmap.data, src.frames[i].bitmap.data, `frame ${i} differs after round trip`));
  }
  const once = decodeGif(encodeGif(src.frames, -1, true));
  assert.equal(once.loopCount, -1, `loopCount after encodeGif(loop -1) = ${once.loopCount}, want -1 (no loop extension)`);
  const still = readGifInfo(encodeGif([src.frames[0]], 0, false));
  assert.equal(still.frames.length, 1, `frames of a still = ${still.frames.length}, want 1`);
});

test('encodeGif quantizes a photo to 256 colours with small error', () => {
  const bm = decodePng(fixture(F.flowersPng)).bitmap;
  const frames: Frame[] = [{ bitmap: bm, delayMs: 0 }];
  const back = decodeGif(encodeGif(frames, 0, false)).frames[0].bitmap;
  let sum = 0;
  for (let i = 0; i < bm.data.length; i++) sum += Math.abs(bm.data[i] - back.data[i]);
  const mean = sum / bm.data.length;
  assert.ok(mean < 2.5, `mean abs error of quantized ${F.flowersPng} = ${mean.toFixed(2)}, want < 2.5`);
  const q = quantize(bm.data, true);
  const n = q.palette.length;
  assert.ok(n <= 256 && (n & (n - 1)) === 0 && q.transparent !== undefined && q.transparent < n,
    `quantize(flowers, keepAlpha) palette size ${n}, transparent index ${q.transparent}; want a power of two <= 256 holding the transparent slot`);
});

test('decodeGif refuses truncated and malformed GIFs with 422', () => {
  const good = makeAnimatedGif();
  const noPalette = good.slice();
  noPalette[10] &= 0x7f; // drop the global colour table flag; frame 0 has no local one
  const outside = good.slice();
  const cases: [string, Uint8Array, RegExp][] = [
    ['no trailer', good.subarray(0, good.length - 1), /trailer/],
    ['truncated mid-frame', good.subarray(0, 40), /truncated|trailer/],
    ['no colour table', noPalette, /colour table|unknown block|truncated|trailer/],
    ['unknown block', new Uint8Array([...good.subarray(0, 13 + 12), 0x99]), /unknown block/],
    ['zero size', new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0, 0, 0, 0, 0, 0, 0, 0x3b]), /no size/],
    ['no frames', new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0, 0, 0, 0, 0x3b]), /no frames/],
  ];
  // Frame 0 of makeAnimatedGif starts right after the header, palette (12 bytes), NETSCAPE (19) and GCE (8).
  outside[13 + 12 + 19 + 8 + 5] = 200; // frame 0 width low byte: 200 > canvas width 6
  cases.push(['frame outside canvas', outside, /outside/]);
  for (const [name, bytes, reason] of cases) {
    assert.throws(() => decodeGif(bytes), (e: unknown) => e instanceof UnprocessableImageError && e.status === 422 && reason.test(e.message),
      `decodeGif(${name}) did not throw a 422 matching ${reason}`);
  }
});

test('decodeGif matches omggif on a 256-colour interlaced GIF', () => {
  const bytes = fixture(F.flowersInterlacedGif);
  const got = decodeGif(bytes).frames[0].bitmap;
  const reader = new omggif.GifReader(bytes);
  const want = new Uint8Array(reader.width * reader.height * 4);
  reader.decodeAndBlitFrameRGBA(0, want);
  assert.equal(`${got.width}x${got.height}`, '240x160', `decodeGif(${F.flowersInterlacedGif}) size = ${got.width}x${got.height}, want 240x160`);
  assert.deepEqual(got.data, want, `decodeGif(${F.flowersInterlacedGif}) differs from omggif's decode`);
});

test('decodeGif finishes corrupt LZW data that sends omggif into an endless loop', () => {
  const b = fixture(F.animImGif).slice();
  b[92] = 0xff; // found by fuzzing: the first LZW byte of frame 1
  const t = Date.now();
  const d = decodeGif(b);
  assert.equal(d.frames.length, 3, `decodeGif(corrupt LZW).frames.length = ${d.frames.length}, want 3`);
  assert.ok(Date.now() - t < 1000, `decodeGif(corrupt LZW) took ${Date.now() - t} ms`);
});

test('omggif reads what encodeGif writes: frames, palette, transparency, delays and loop count', () => {
  const src = decodeGif(makeAnimatedGif());
  const photo = decodePng(fixture(F.flowersPng)).bitmap;
  const cases: [string, Frame[], number, boolean][] = [
    ['animation with alpha', src.frames, 3, true],
    ['photo still', [{ bitmap: photo, delayMs: 50 }], 0, false],
  ];
  for (const [name, frames, loop, alpha] of cases) {
    const bytes = encodeGif(frames, loop, alpha);
    const reader = new omggif.GifReader(bytes);
    const ours = decodeGif(bytes);
    assert.equal(reader.numFrames(), frames.length, `omggif numFrames of encodeGif(${name}) = ${reader.numFrames()}, want ${frames.length}`);
    if (frames.length > 1) assert.equal(reader.loopCount(), loop, `omggif loopCount of encodeGif(${name}) = ${reader.loopCount()}, want ${loop}`);
    for (let i = 0; i < frames.length; i++) {
      const info = reader.frameInfo(i);
      assert.equal(info.delay * 10, frames[i].delayMs, `omggif delay of encodeGif(${name}) frame ${i} = ${info.delay * 10} ms, want ${frames[i].delayMs}`);
      // Every frame is full-canvas and (with alpha) disposes to background, so each decodes alone.
      const rgba = new Uint8Array(reader.width * reader.height * 4);
      reader.decodeAndBlitFrameRGBA(i, rgba);
      assert.deepEqual(rgba, ours.frames[i].bitmap.data, `omggif's decode of encodeGif(${name}) frame ${i} differs from decodeGif's`);
    }
  }
});
