/**
 * Tests of the WebAssembly RGBA passes (rgba.wat): resizes through them give byte for byte the
 * bitmaps of the JavaScript passes. (embedded.test.ts checks the module is a fresh compile.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Bitmap } from '../../../../lib/codecs/types.js';
import { RGBA_WASM_KEEP_BYTES, wasmRgba, wasmRgbaMemoryBytes } from '../../../../lib/transform/wasm/rgba.js';
import { resize, resizeHorizontal, resizeVertical, type Span } from '../../../../lib/transform/resample.js';
import { seededUint32 } from '../../../helpers/prng.js';

test('the module compiles here (Node 20 has WebAssembly SIMD)', () => {
  assert.notEqual(wasmRgba(), undefined, 'wasmRgba() = undefined, want the WebAssembly passes');
});

type Content = 'noise' | 'smooth' | 'alpha' | 'holes';

/**
 * image builds a seeded width x height bitmap: 'noise' is hard-edged full-range opaque colour
 * (overshoot the clamps must catch), 'smooth' opaque gradients (sums near rounding ties),
 * 'alpha' noise with alpha 0, 255 or anything between, 'holes' smooth colour that is
 * transparent (alpha 0) in wide bands, so that whole alpha sums are 0. With misalign, the
 * pixels start one byte into their buffer.
 */
function image(width: number, height: number, content: Content, seed: number, misalign = false): Bitmap {
  const next = seededUint32(seed);
  const n = width * height * 4;
  const data = new Uint8Array(n + (misalign ? 1 : 0)).subarray(misalign ? 1 : 0);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const r = next();
      if (content === 'noise' || content === 'alpha') {
        data[i] = r & 1 ? 255 : r >>> 8;
        data[i + 1] = r & 2 ? 0 : r >>> 16;
        data[i + 2] = r >>> 24;
      } else {
        data[i] = (x * 3 + y) & 255;
        data[i + 1] = Math.round(127.5 + 127.5 * Math.sin((x + y) / 9));
        data[i + 2] = (x * y + (r & 3)) & 255;
      }
      if (content === 'alpha') data[i + 3] = r & 4 ? 0 : r & 8 ? 255 : (r >>> 12) & 255;
      else if (content === 'holes') data[i + 3] = ((x >> 3) + (y >> 3)) % 3 === 0 ? 255 : ((x >> 2) + y) % 5 === 0 ? 90 : 0;
      else data[i + 3] = 255;
    }
  }
  return { width, height, data };
}

/** firstDiff describes the first byte where got and want differ, '' when they are equal. */
function firstDiff(got: Bitmap, want: Bitmap): string {
  if (got.width !== want.width || got.height !== want.height) return `size ${got.width}x${got.height}, want ${want.width}x${want.height}`;
  if (got.data.length !== want.data.length) return `${got.data.length} bytes, want ${want.data.length}`;
  const i = got.data.findIndex((v, j) => v !== want.data[j]);
  if (i < 0) return '';
  const p = i >> 2;
  return `pixel (${p % got.width}, ${Math.floor(p / got.width)}) channel ${i & 3} = ${got.data[i]}, want ${want.data[i]}`;
}

interface Case {
  sw: number;
  sh: number;
  w: number;
  h: number;
  content: Content;
  window?: { x: Span; y: Span };
  misalign?: boolean;
}

const span = (offset: number, length: number): Span => ({ offset, length });

/** CASES are chosen shapes: extremes of scale, single axes, odd sizes, windows, tiny images. */
const CASES: Case[] = [
  { sw: 1, sh: 1, w: 1, h: 2, content: 'noise' },
  { sw: 1, sh: 1, w: 3, h: 2, content: 'noise' },
  { sw: 2, sh: 2, w: 1, h: 1, content: 'noise' },
  { sw: 1024, sh: 683, w: 500, h: 333, content: 'smooth' },
  { sw: 300, sh: 300, w: 1, h: 1, content: 'noise' },
  { sw: 300, sh: 7, w: 3, h: 7, content: 'noise' },
  { sw: 7, sh: 300, w: 7, h: 2, content: 'noise' },
  { sw: 3, sh: 2, w: 297, h: 301, content: 'smooth' },
  { sw: 5, sh: 300, w: 3, h: 299, content: 'noise' },
  { sw: 64, sh: 300, w: 64, h: 17, content: 'noise' },
  { sw: 300, sh: 5, w: 31, h: 5, content: 'noise' },
  { sw: 37, sh: 23, w: 11, h: 50, content: 'noise', misalign: true },
  { sw: 101, sh: 77, w: 40, h: 30, content: 'smooth', window: { x: span(0, 100.5), y: span(0.25, 76.25) } },
  { sw: 101, sh: 77, w: 101, h: 77, content: 'noise', window: { x: span(0, 100.5), y: span(0, 76.5) } },
  { sw: 64, sh: 48, w: 64, h: 20, content: 'noise', window: { x: span(0, 64), y: span(1.5, 40) } },
  { sw: 99, sh: 13, w: 45, h: 13, content: 'smooth', window: { x: span(2.25, 90.5), y: span(0, 13) } },
  { sw: 1, sh: 1, w: 2, h: 3, content: 'alpha' },
  { sw: 300, sh: 200, w: 100, h: 100, content: 'alpha' },
  { sw: 80, sh: 60, w: 33, h: 17, content: 'holes' },
  { sw: 50, sh: 40, w: 120, h: 96, content: 'holes' },
  { sw: 64, sh: 48, w: 7, h: 300, content: 'alpha', misalign: true },
  { sw: 80, sh: 60, w: 40, h: 30, content: 'holes', window: { x: span(0, 79.5), y: span(0, 59.75) } },
  { sw: 300, sh: 9, w: 41, h: 9, content: 'holes' },
  { sw: 9, sh: 300, w: 9, h: 41, content: 'alpha' },
];

/**
 * randomCases draws n more cases from a seeded generator: sizes 1..300, up and down, single
 * axes, windows, opaque and transparent content.
 */
function randomCases(n: number, seed: number): Case[] {
  const next = seededUint32(seed);
  const size = (): number => 1 + (next() % (next() % 4 === 0 ? 300 : 60));
  const out: Case[] = [];
  for (let i = 0; i < n; i++) {
    const sw = size(), sh = size();
    // A third of the cases keep one axis (one-pass resizes).
    const keep = next() % 6;
    const w = keep === 0 ? sw : size();
    const h = keep === 1 ? sh : size();
    let window: Case['window'];
    if (next() % 4 === 0) {
      const cut = (s: number): Span => {
        const offset = (next() % 4) / 4 * Math.min(1, s / 4);
        return span(offset, Math.max(0.25, s - offset - (next() % 4) / 4));
      };
      window = { x: cut(sw), y: cut(sh) };
    }
    const content = (['noise', 'smooth', 'alpha', 'holes'] as const)[next() % 4];
    out.push({ sw, sh, w, h, content, window, misalign: next() % 5 === 0 });
  }
  return out;
}

function label(c: Case, seed: number): string {
  const win = c.window ? `, window x ${c.window.x.offset}+${c.window.x.length} y ${c.window.y.offset}+${c.window.y.length}` : '';
  return `${c.content} ${c.sw}x${c.sh} seed ${seed}${c.misalign ? ' misaligned' : ''}, ${c.w}, ${c.h}${win}`;
}

test('resize with WebAssembly gives the JavaScript bitmap byte for byte (opaque and transparent images)', () => {
  const cases = [...CASES, ...randomCases(200, 20261128)];
  cases.forEach((c, i) => {
    const seed = 1000 + i;
    const src = image(c.sw, c.sh, c.content, seed, c.misalign);
    const name = label(c, seed);
    const want = resize(src, c.w, c.h, c.window, false);
    const got = resize(src, c.w, c.h, c.window, true);
    const d = firstDiff(got, want);
    assert.equal(d, '', `resize(${name}) = ${d}`);
    const hWant = resizeHorizontal(src, c.w, c.window?.x, false);
    const hd = firstDiff(resizeHorizontal(src, c.w, c.window?.x, true), hWant);
    assert.equal(hd, '', `resizeHorizontal(${name}) = ${hd}`);
    const vWant = resizeVertical(src, c.h, c.window?.y, false);
    const vd = firstDiff(resizeVertical(src, c.h, c.window?.y, true), vWant);
    assert.equal(vd, '', `resizeVertical(${name}) = ${vd}`);
  });
  assert.ok(wasmRgbaMemoryBytes() > 0, `wasmRgbaMemoryBytes() after the resizes = ${wasmRgbaMemoryBytes()}, want > 0 (module used)`);
});

test('a resize that grows memory past RGBA_WASM_KEEP_BYTES still gives the JavaScript result, and so does the next', () => {
  // A horizontal doubling holds the source and an output twice its size in the module's
  // memory: a source of a third of the cap (and a little more) needs more than the cap.
  const w = 1024, h = Math.ceil(RGBA_WASM_KEEP_BYTES / (3 * 4 * w)) + 8;
  const colour = [200, 17, 90, 255];
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < data.length; i += 4) data.set(colour, i);
  const big = resizeHorizontal({ width: w, height: h, data }, 2 * w);
  const bad = big.data.findIndex((v, i) => v !== colour[i & 3]);
  assert.equal(bad, -1, `resizeHorizontal(flat ${w}x${h}, ${2 * w}) byte ${bad} = ${big.data[bad]}, want ${colour[bad & 3]}`);
  assert.equal(wasmRgbaMemoryBytes(), 0, `wasmRgbaMemoryBytes() after a ${w}x${h} resize = ${wasmRgbaMemoryBytes()}, want 0 (instance dropped)`);
  const src = image(40, 30, 'noise', 7);
  const d = firstDiff(resize(src, 17, 11, undefined, true), resize(src, 17, 11, undefined, false));
  assert.equal(d, '', `resize(opaque noise 40x30 seed 7, 17, 11) after a large resize = ${d}`);
  const kept = wasmRgbaMemoryBytes();
  assert.ok(kept > 0 && kept <= RGBA_WASM_KEEP_BYTES, `wasmRgbaMemoryBytes() after a small resize = ${kept}, want 1..${RGBA_WASM_KEEP_BYTES}`);
});
