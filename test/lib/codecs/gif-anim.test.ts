/**
 * The animated GIF writer (lib/codecs/gif-anim.ts through encodeGif): frame count, delays, loop
 * count and pixels survive (composed frames compared with the input frames, by our decoder and by
 * omggif), one global palette, changed-area sub-rectangles, and a photographic animation that
 * comes out smaller than its source at a stated PSNR.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import omggif from 'omggif';
import { decodeGif, encodeGif, readGifInfo } from '../../../lib/codecs/gif.js';
import { quantizeFrames } from '../../../lib/codecs/quantize.js';
import { GIF_PHOTO_COLOURS } from '../../../lib/codecs/gif-anim.js';
import { resize } from '../../../lib/transform/resample.js';
import type { Frame } from '../../../lib/codecs/types.js';
import { ROOT } from '../../helpers/paths.js';

/** psnr is the RGB PSNR of b against a (Infinity when equal). */
function psnr(a: Uint8Array, b: Uint8Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i += 4) se += (a[i] - b[i]) ** 2 + (a[i + 1] - b[i + 1]) ** 2 + (a[i + 2] - b[i + 2]) ** 2;
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255) / (se / ((a.length / 4) * 3)));
}

/** omggifFrames composes an opaque GIF's frames with omggif (disposal "keep": one canvas). */
function omggifFrames(bytes: Uint8Array): { frames: Uint8Array[]; delays: number[]; loop: number } {
  const r = new omggif.GifReader(bytes);
  const canvas = new Uint8Array(r.width * r.height * 4);
  const frames: Uint8Array[] = [], delays: number[] = [];
  for (let i = 0; i < r.numFrames(); i++) {
    r.decodeAndBlitFrameRGBA(i, canvas);
    frames.push(canvas.slice());
    delays.push(r.frameInfo(i).delay * 10);
  }
  return { frames, delays, loop: r.loopCount() };
}

/** sprite makes an opaque animation: a grey background with a coloured square moving right. */
function sprite(n: number, w = 40, h = 30): Frame[] {
  return Array.from({ length: n }, (_, f) => {
    const data = new Uint8Array(w * h * 4);
    for (let y = 0, o = 0; y < h; y++) {
      for (let x = 0; x < w; x++, o += 4) {
        const inside = x >= 5 + f * 3 && x < 13 + f * 3 && y >= 10 && y < 18;
        data.set(inside ? [200, 30 + f * 40, 40, 255] : [90, 90, 90 + (x & 1) * 10, 255], o);
      }
    }
    return { bitmap: { width: w, height: h, data }, delayMs: 40 + 10 * f };
  });
}

/** benchFrames are the bench's animation resized to 500 px wide, as the proxy resizes it. */
function benchFrames(): { frames: Frame[]; sourceBytes: number } {
  const src = new Uint8Array(readFileSync(path.join(ROOT, 'bench/images/anim640.gif')));
  const d = decodeGif(src);
  return { frames: d.frames.map((f) => ({ bitmap: resize(f.bitmap, 500, 334), delayMs: f.delayMs })), sourceBytes: src.length };
}

test('encodeGif keeps frames, delays and loop count of an exact-colour animation, read by decodeGif and omggif', () => {
  const cases: Array<{ name: string; frames: Frame[]; loop: number }> = [
    { name: 'moving square, 4 frames', frames: sprite(4), loop: 0 },
    { name: 'moving square, 2 frames, loop 3', frames: sprite(2), loop: 3 },
    { name: 'a repeated frame', frames: [...sprite(2), sprite(2)[1]], loop: 0 },
  ];
  for (const c of cases) {
    const bytes = encodeGif(c.frames, c.loop, false);
    const ours = decodeGif(bytes);
    const theirs = omggifFrames(bytes);
    assert.equal(ours.frames.length, c.frames.length, `${c.name}: decodeGif(encodeGif()).frames.length = ${ours.frames.length}, want ${c.frames.length}`);
    assert.equal(theirs.frames.length, c.frames.length, `${c.name}: omggif frames = ${theirs.frames.length}, want ${c.frames.length}`);
    assert.equal(ours.loopCount, c.loop, `${c.name}: loopCount = ${ours.loopCount}, want ${c.loop}`);
    assert.equal(theirs.loop, c.loop, `${c.name}: omggif loopCount = ${theirs.loop}, want ${c.loop}`);
    c.frames.forEach((f, i) => {
      assert.equal(ours.frames[i].delayMs, f.delayMs, `${c.name}: frame ${i} delay = ${ours.frames[i].delayMs}, want ${f.delayMs}`);
      assert.equal(theirs.delays[i], f.delayMs, `${c.name}: omggif frame ${i} delay = ${theirs.delays[i]}, want ${f.delayMs}`);
      const p1 = psnr(f.bitmap.data, ours.frames[i].bitmap.data), p2 = psnr(f.bitmap.data, theirs.frames[i]);
      assert.equal(p1, Infinity, `${c.name}: decodeGif frame ${i} PSNR = ${p1} dB, want identical pixels`);
      assert.equal(p2, Infinity, `${c.name}: omggif frame ${i} PSNR = ${p2} dB, want identical pixels`);
    });
  }
});

test('encodeGif writes later frames of an opaque animation as the rectangle that changed, over one global palette', () => {
  const frames = sprite(4);
  const bytes = encodeGif(frames, 0, false);
  const info = readGifInfo(bytes);
  assert.ok((bytes[10] & 0x80) !== 0, 'encodeGif(sprite) has no global colour table, want one');
  info.frames.forEach((f, i) => {
    assert.equal(f.paletteOffset, 13, `frame ${i} paletteOffset = ${f.paletteOffset}, want 13 (the global table)`);
    if (i === 0) {
      assert.deepEqual([f.width, f.height], [40, 30], `frame 0 is ${f.width}x${f.height}, want the full 40x30`);
      return;
    }
    // The square moves 3 px right: columns 5+3(i-1) .. 12+3i, rows 10..17 change.
    const want = [5 + 3 * (i - 1), 10, 11, 8];
    assert.deepEqual([f.x, f.y, f.width, f.height], want, `frame ${i} rectangle = ${[f.x, f.y, f.width, f.height]}, want ${want}`);
    assert.equal(f.disposal, 1, `frame ${i} disposal = ${f.disposal}, want 1 (keep)`);
    assert.ok(f.transparent >= 0, `frame ${i} has no transparent index, want one for unchanged pixels`);
  });
  const repeated = readGifInfo(encodeGif([frames[0], frames[0]], 0, false)).frames[1];
  assert.deepEqual([repeated.width, repeated.height], [1, 1], `an unchanged frame is ${repeated.width}x${repeated.height}, want 1x1`);
});

test('encodeGif keeps transparency in animations with alpha (each frame whole, restored to background)', () => {
  const frames = sprite(3).map((f) => {
    const data = f.bitmap.data.slice();
    for (let i = 0; i < data.length; i += 4) if (data[i] === 90) data[i + 3] = 0; // the background becomes transparent
    return { ...f, bitmap: { ...f.bitmap, data } };
  });
  const d = decodeGif(encodeGif(frames, 0, true));
  frames.forEach((f, i) => {
    const got = d.frames[i].bitmap.data, want = f.bitmap.data;
    let bad = 0;
    for (let p = 0; p < want.length; p += 4) {
      if (want[p + 3] === 0 ? got[p + 3] !== 0 : got[p + 3] !== 255 || got[p] !== want[p] || got[p + 1] !== want[p + 1] || got[p + 2] !== want[p + 2]) bad++;
    }
    assert.equal(bad, 0, `decodeGif(encodeGif(alpha sprite)) frame ${i}: ${bad} pixels differ, want 0`);
  });
});

test('quantizeFrames gives one palette: a colour has the same index in every frame', () => {
  const frames = sprite(3).map((f) => f.bitmap.data);
  const q = quantizeFrames(frames, { keepAlpha: false, reserve: true, maxColours: 256, cutColours: 8 });
  assert.ok(q.exact, 'quantizeFrames(sprite) exact = false, want true (few colours)');
  assert.equal(q.transparent, q.colours, `transparent = ${q.transparent}, want the slot after the ${q.colours} colours`);
  const seen = new Map<number, number>();
  frames.forEach((f, fi) => {
    for (let i = 0; i < q.indices[fi].length; i++) {
      const rgb = (f[i * 4] << 16) | (f[i * 4 + 1] << 8) | f[i * 4 + 2], idx = q.indices[fi][i];
      assert.equal(q.palette[idx], rgb, `frame ${fi} pixel ${i}: palette[${idx}] = ${q.palette[idx]}, want ${rgb}`);
      if (seen.has(rgb)) assert.equal(idx, seen.get(rgb), `colour ${rgb} has index ${idx} in frame ${fi}, want ${seen.get(rgb)}`);
      seen.set(rgb, idx);
    }
  });
  const photo = benchFrames().frames.map((f) => f.bitmap.data);
  const cut = quantizeFrames(photo, { keepAlpha: false, reserve: true, maxColours: 256, cutColours: GIF_PHOTO_COLOURS });
  assert.equal(cut.exact, false, 'quantizeFrames(photo) exact = true, want a median cut');
  assert.ok(cut.colours <= GIF_PHOTO_COLOURS - 1, `quantizeFrames(photo) colours = ${cut.colours}, want <= ${GIF_PHOTO_COLOURS - 1} (plus the slot)`);
  assert.equal(cut.palette.length, GIF_PHOTO_COLOURS, `palette length = ${cut.palette.length}, want ${GIF_PHOTO_COLOURS}`);
});

test('a photographic animation resized to 500 px comes out smaller than its source with every frame above 27 dB', () => {
  const { frames, sourceBytes } = benchFrames();
  const bytes = encodeGif(frames, 0, false);
  assert.ok(bytes.length < sourceBytes, `encodeGif(anim640 at 500w) = ${bytes.length} B, want below the source's ${sourceBytes} B`);
  const ours = decodeGif(bytes), theirs = omggifFrames(bytes);
  assert.equal(ours.frames.length, 5, `frames = ${ours.frames.length}, want 5`);
  frames.forEach((f, i) => {
    assert.equal(ours.frames[i].delayMs, f.delayMs, `frame ${i} delay = ${ours.frames[i].delayMs}, want ${f.delayMs}`);
    const p = psnr(f.bitmap.data, ours.frames[i].bitmap.data);
    assert.ok(p > 27, `decodeGif(encodeGif(anim640 at 500w)) frame ${i} PSNR = ${p.toFixed(2)} dB, want > 27`);
    assert.deepEqual(theirs.frames[i], ours.frames[i].bitmap.data, `omggif's frame ${i} differs from decodeGif's`);
  });
});
