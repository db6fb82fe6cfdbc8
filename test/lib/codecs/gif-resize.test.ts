/**
 * The integer Lanczos resize for GIF output (lib/codecs/gif-resize.ts): its WebAssembly passes
 * (gif.wat vresize, hresize) give exactly the pixels of its JavaScript twin on random and photo
 * frames of many sizes, windows and odd row counts, and the twin's byte-at-a-time reading (for
 * misaligned pixels) those of its word-at-a-time one; both stay close to the float resampler
 * (resample.ts: above 40 dB PSNR, which clamps its horizontal pass's overshoot first) and flat
 * areas stay flat; frames with transparency and resizes that keep
 * a side are left to the float resampler.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gifResizeTaps, resizeForGif, resizeOpaqueJs } from '../../../lib/codecs/gif-resize.js';
import { decodeGif } from '../../../lib/codecs/gif.js';
import { resizeOpaqueWasm, setWasmGif, wasmGifReady } from '../../../lib/codecs/gifwasm/gifwasm.js';
import { resize } from '../../../lib/transform/resample.js';
import type { Bitmap } from '../../../lib/codecs/types.js';
import { seededRandom } from '../../helpers/prng.js';
import { bothWays } from '../../helpers/twins.js';
import { ROOT } from '../../helpers/paths.js';

/** noise is an opaque w x h bitmap of random colours (the worst case for overshoot and clamping). */
function noise(w: number, h: number, seed: number): Bitmap {
  const rnd = seededRandom(seed);
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = rnd() * 256; data[i + 1] = rnd() * 256; data[i + 2] = rnd() * 256; data[i + 3] = 255;
  }
  return { width: w, height: h, data };
}

/** maxDiff is the largest per-channel difference between two same-sized bitmaps. */
function maxDiff(a: Uint8Array, b: Uint8Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** psnr is the RGB PSNR of b against a (Infinity when equal). */
function psnr(a: Uint8Array, b: Uint8Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i += 4) se += (a[i] - b[i]) ** 2 + (a[i + 1] - b[i + 1]) ** 2 + (a[i + 2] - b[i + 2]) ** 2;
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255) / (se / ((a.length / 4) * 3)));
}

/** photo is the bench animation's first frame (640x427, opaque). */
function photo(): Bitmap {
  return decodeGif(new Uint8Array(readFileSync(path.join(ROOT, 'bench/images/anim640.gif')))).frames[0].bitmap;
}

const CASES: Array<{ name: string; src: () => Bitmap; w: number; h: number; window?: { x: { offset: number; length: number }; y: { offset: number; length: number } } }> = [
  { name: 'photo 640x427 -> 500x334', src: photo, w: 500, h: 334 },
  { name: 'photo 640x427 -> 100x67', src: photo, w: 100, h: 67 },
  { name: 'photo 640x427 -> 999x611 (enlarge)', src: photo, w: 999, h: 611 },
  { name: 'noise 37x23 -> 16x9', src: () => noise(37, 23, 1), w: 16, h: 9 },
  { name: 'noise 37x23 -> 61x40 (enlarge)', src: () => noise(37, 23, 2), w: 61, h: 40 },
  { name: 'noise 5x3 -> 2x1', src: () => noise(5, 3, 3), w: 2, h: 1 },
  { name: 'noise 1x1 -> 3x2', src: () => noise(1, 1, 4), w: 3, h: 2 },
  { name: 'noise 200x7 -> 3x201', src: () => noise(200, 7, 5), w: 3, h: 201 },
  { name: 'noise 90x60 -> 45x31, windowed', src: () => noise(90, 60, 6), w: 45, h: 31, window: { x: { offset: 3.5, length: 80.25 }, y: { offset: 0, length: 59.5 } } },
];

test('resizeOpaqueWasm gives the very pixels of resizeOpaqueJs', () => {
  assert.ok(wasmGifReady(), 'wasmGifReady() = false, want true (this runtime has WebAssembly SIMD)');
  for (const c of CASES) {
    const src = c.src();
    const taps = gifResizeTaps(src.width, src.height, c.w, c.h, c.window);
    const js = resizeOpaqueJs(src, taps);
    const wasm = resizeOpaqueWasm(src, taps);
    assert.ok(wasm, `resizeOpaqueWasm(${c.name}) = ${wasm}, want a bitmap`);
    assert.deepEqual([wasm.width, wasm.height], [c.w, c.h], `resizeOpaqueWasm(${c.name}) size = ${wasm.width}x${wasm.height}, want ${c.w}x${c.h}`);
    const d = maxDiff(wasm.data, js.data);
    assert.equal(d, 0, `resizeOpaqueWasm(${c.name}) differs from resizeOpaqueJs by up to ${d}, want 0`);
  }
});

test('resizeOpaqueJs reads misaligned pixels a byte at a time to the same result', () => {
  for (const c of CASES) {
    const src = c.src();
    const shifted = new Uint8Array(src.data.length + 1);
    shifted.set(src.data, 1);
    const taps = gifResizeTaps(src.width, src.height, c.w, c.h, c.window);
    const aligned = resizeOpaqueJs(src, taps);
    const bytes = resizeOpaqueJs({ width: src.width, height: src.height, data: shifted.subarray(1) }, taps);
    const d = maxDiff(aligned.data, bytes.data);
    assert.equal(d, 0, `resizeOpaqueJs(${c.name}, misaligned) differs from the aligned result by up to ${d}, want 0`);
  }
});

test('resizeForGif is close to the float resampler, opaque, and flat where the source is flat', () => {
  for (const c of CASES) {
    const src = c.src();
    const { wasm, js } = bothWays(setWasmGif, () => resizeForGif(src, c.w, c.h, c.window));
    assert.ok(wasm && js, `resizeForGif(${c.name}) = undefined, want a bitmap`);
    assert.equal(maxDiff(wasm.data, js.data), 0, `resizeForGif(${c.name}) wasm and JavaScript differ`);
    const float = resize(src, c.w, c.h, c.window);
    const p = psnr(float.data, wasm.data);
    assert.ok(p > 40, `resizeForGif(${c.name}) PSNR against resize() = ${p.toFixed(2)} dB, want > 40`);
    for (let i = 3; i < wasm.data.length; i += 4) assert.equal(wasm.data[i], 255, `resizeForGif(${c.name}) alpha at ${i >> 2} = ${wasm.data[i]}, want 255`);
  }
  const flat: Bitmap = { width: 33, height: 21, data: new Uint8Array(33 * 21 * 4).map((_, i) => [17, 200, 255, 255][i & 3]) };
  const out = resizeForGif(flat, 12, 50)!;
  for (let i = 0; i < out.data.length; i += 4) {
    assert.deepEqual([...out.data.subarray(i, i + 4)], [17, 200, 255, 255], `resizeForGif(flat) pixel ${i >> 2} = ${out.data.subarray(i, i + 4)}, want 17,200,255,255`);
  }
});

test('resizeForGif leaves frames with transparency and one-axis resizes to the float resampler', () => {
  const seeThrough = noise(40, 30, 7);
  seeThrough.data[4 * 17 + 3] = 254;
  const cases: Array<{ name: string; src: Bitmap; w: number; h: number }> = [
    { name: 'one pixel not opaque', src: seeThrough, w: 20, h: 15 },
    { name: 'width kept', src: noise(40, 30, 8), w: 40, h: 15 },
    { name: 'height kept', src: noise(40, 30, 9), w: 20, h: 30 },
    { name: 'zero width', src: noise(40, 30, 10), w: 0, h: 15 },
  ];
  for (const c of cases) {
    const { wasm, js } = bothWays(setWasmGif, () => resizeForGif(c.src, c.w, c.h));
    assert.equal(wasm, undefined, `resizeForGif(${c.name}) with WebAssembly = a bitmap, want undefined`);
    assert.equal(js, undefined, `resizeForGif(${c.name}) in JavaScript = a bitmap, want undefined`);
  }
});
