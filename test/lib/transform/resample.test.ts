import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Bitmap } from '../../../lib/codecs/types.js';
import { emptyOptions, type Options } from '../../../lib/request/options.js';
import { planFor, stepsFor } from '../../../lib/transform/geometry.js';
import { applySteps, flipH, flipV, rotate } from '../../../lib/transform/ops.js';
import { goSin, lanczos, lanczosOneSine, precomputeWeights, resize, resizeHorizontal, resizeVertical, type Span } from '../../../lib/transform/resample.js';
import { BLUE, GREEN, RED, YELLOW, fromRows, pattern, quarters, rgby, show, solid, toRows, type RGBA } from './bitmaps.js';

const opts = (o: Partial<Options>): Options => ({ ...emptyOptions(), ...o });

/** referenceResize is a straightforward 2-D Lanczos3 (float throughout, no 8-bit middle step). */
function referenceResize(src: Bitmap, W: number, H: number): Float64Array {
  const weights = (dst: number, n: number): Array<Array<[number, number]>> => {
    const scale = Math.max(1, n / dst);
    return Array.from({ length: dst }, (_, v) => {
      const centre = (v + 0.5) * (n / dst) - 0.5;
      const taps: Array<[number, number]> = [];
      let sum = 0;
      for (let u = 0; u < n; u++) {
        const x = Math.abs((u - centre) / scale);
        const sinc = (t: number): number => (t === 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t));
        const w = x < 3 ? sinc(x) * sinc(x / 3) : 0;
        if (w !== 0) taps.push([u, w]);
        sum += w;
      }
      return taps.map(([u, w]) => [u, w / sum] as [number, number]);
    });
  };
  const wx = weights(W, src.width);
  const wy = weights(H, src.height);
  const out = new Float64Array(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < 3; c++) {
        let v = 0;
        for (const [sy, ky] of wy[y]) {
          for (const [sx, kx] of wx[x]) v += src.data[(sy * src.width + sx) * 4 + c] * ky * kx;
        }
        out[(y * W + x) * 4 + c] = v;
      }
    }
  }
  return out;
}

/**
 * imagingPass is imaging's resizeHorizontal/resizeVertical written plainly: one output pixel at
 * a time, alpha-weighted taps summed in order, clamp(x) = int(x + 0.5) limited to 0..255. The
 * fast passes must reproduce it bit for bit.
 */
function imagingPass(src: Bitmap, size: number, horizontal: boolean, span?: Span): Bitmap {
  const w = precomputeWeights(size, horizontal ? src.width : src.height, span);
  const width = horizontal ? size : src.width;
  const height = horizontal ? src.height : size;
  const out = new Uint8Array(width * height * 4);
  const clamp = (v: number): number => Math.min(255, Math.max(0, Math.trunc(v + 0.5)));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = horizontal ? x : y;
      let r = 0, g = 0, b = 0, a = 0;
      for (let k = w.start[i]; k < w.start[i + 1]; k++) {
        const s = (horizontal ? y * src.width + w.index[k] : w.index[k] * src.width + x) * 4;
        const aw = src.data[s + 3] * w.weight[k];
        r += src.data[s] * aw;
        g += src.data[s + 1] * aw;
        b += src.data[s + 2] * aw;
        a += aw;
      }
      if (a === 0) continue;
      const j = (y * width + x) * 4;
      out[j] = clamp(r * (1 / a));
      out[j + 1] = clamp(g * (1 / a));
      out[j + 2] = clamp(b * (1 / a));
      out[j + 3] = clamp(a);
    }
  }
  return { width, height, data: out };
}

/** noise builds a deterministic width x height bitmap of hard-edged random colour (and alpha). */
function noise(width: number, height: number, alpha: 'opaque' | 'mixed', seed: number): Bitmap {
  let s = seed >>> 0;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 24;
  };
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) {
    // Blocks of full-range colour give overshoot that the clamp has to catch.
    const v = next();
    data[i] = v & 1 ? 255 : v;
    data[i + 1] = v & 2 ? 0 : next();
    data[i + 2] = next();
    data[i + 3] = alpha === 'opaque' ? 255 : (v & 4 ? 255 : next() & 0xf0);
  }
  return { width, height, data };
}

function firstDiff(got: Bitmap, want: Bitmap): string {
  if (got.width !== want.width || got.height !== want.height) return `size ${got.width}x${got.height}, want ${want.width}x${want.height}`;
  const i = got.data.findIndex((v, j) => v !== want.data[j]);
  if (i < 0) return '';
  const p = i >> 2;
  return `pixel (${p % got.width}, ${Math.floor(p / got.width)}) channel ${i & 3} = ${got.data[i]}, want ${want.data[i]}`;
}

test('resize reproduces imaging per-pixel float sums bit for bit (opaque and alpha, spans, odd sizes)', () => {
  const x = (offset: number, length: number): Span => ({ offset, length });
  const cases: Array<[number, number, 'opaque' | 'mixed', number, number, { x: Span; y: Span } | undefined]> = [
    [200, 150, 'opaque', 63, 41, undefined], // 3x shrink: groups of 8 taps plus a tail
    [300, 90, 'opaque', 29, 13, undefined], // ~10x shrink: 60+ taps per pixel
    [37, 23, 'opaque', 11, 50, undefined], // shrink one way, enlarge the other
    [9, 7, 'opaque', 40, 33, undefined], // enlarge: few taps per pixel
    [64, 300, 'opaque', 64, 17, undefined], // vertical only, more rows than the ring
    [300, 5, 'opaque', 31, 5, undefined], // horizontal only
    [5, 300, 'opaque', 3, 299, undefined], // ring as tall as the image
    [1, 1, 'opaque', 3, 2, undefined],
    [101, 77, 'opaque', 40, 30, { x: x(0, 100.5), y: x(0.25, 76.25) }], // decode-time reduced region
    [80, 60, 'mixed', 33, 17, undefined],
    [80, 60, 'mixed', 40, 30, { x: x(0, 79.5), y: x(0, 59.75) }],
  ];
  // useWasm false checks the JavaScript passes, true the WebAssembly ones where available.
  for (const [sw, sh, alpha, w, h, win] of cases) {
    const src = noise(sw, sh, alpha, sw * 31 + sh);
    let want = src;
    if (w !== sw || win) want = imagingPass(want, w, true, win?.x);
    if (h !== sh || win) want = imagingPass(want, h, false, win?.y);
    for (const useWasm of [true, false]) {
      const name = `resize(${alpha} ${sw}x${sh}, ${w}, ${h}${win ? ', window' : ''}, useWasm ${useWasm})`;
      const diff = firstDiff(resize(src, w, h, win, useWasm), want);
      assert.equal(diff, '', `${name}: ${diff}`);
      const hOnly = firstDiff(resizeHorizontal(src, w, win?.x, useWasm), imagingPass(src, w, true, win?.x));
      assert.equal(hOnly, '', `resizeHorizontal(${alpha} ${sw}x${sh}, ${w}, useWasm ${useWasm}): ${hOnly}`);
      const vOnly = firstDiff(resizeVertical(src, h, win?.y, useWasm), imagingPass(src, h, false, win?.y));
      assert.equal(vOnly, '', `resizeVertical(${alpha} ${sw}x${sh}, ${h}, useWasm ${useWasm}): ${vOnly}`);
    }
  }
});

test('goSin agrees with Math.sin to within rounding', () => {
  for (let x = -10; x <= 10; x += 0.0371) {
    const d = Math.abs(goSin(x) - Math.sin(x));
    assert.ok(d < 1e-15, `goSin(${x}) = ${goSin(x)}, want about ${Math.sin(x)}`);
  }
  assert.equal(goSin(0), 0, 'goSin(0) = 0');
  assert.equal(lanczos(0), 1, 'lanczos(0) = 1');
  assert.equal(lanczos(3), 0, 'lanczos(3) = 0');
  assert.ok(Math.abs(lanczos(1)) < 1e-15, `lanczos(1) = ${lanczos(1)}, want 0`);
});

test('lanczosOneSine is lanczos to within rounding, and so are its taps', () => {
  const cases: Array<{ x: number; want: number }> = [
    { x: 0, want: 1 }, { x: 3, want: 0 }, { x: -3, want: 0 }, { x: 7.5, want: 0 },
    { x: 1, want: lanczos(1) }, { x: 2, want: lanczos(2) }, { x: -0.5, want: lanczos(0.5) }, { x: 2.999, want: lanczos(2.999) },
  ];
  for (let x = -3.2; x <= 3.2; x += 0.0173) cases.push({ x, want: lanczos(x) });
  for (const { x, want } of cases) {
    const got = lanczosOneSine(x);
    assert.ok(Math.abs(got - want) < 1e-15, `lanczosOneSine(${x}) = ${got}, want ${want}`);
  }
  for (const [dst, src] of [[500, 1024], [333, 683], [7, 3], [1, 100], [1024, 1000]] as const) {
    const a = precomputeWeights(dst, src), b = precomputeWeights(dst, src, undefined, lanczosOneSine);
    assert.deepEqual([...b.start], [...a.start], `precomputeWeights(${dst}, ${src}, lanczosOneSine).start differs from lanczos'`);
    const worst = Math.max(0, ...a.weight.map((w, k) => Math.abs(w - b.weight[k])));
    assert.ok(worst < 1e-14, `precomputeWeights(${dst}, ${src}, lanczosOneSine) weights off by ${worst}, want < 1e-14`);
  }
});

test('precomputeWeights: normalised, inside the source, wider when shrinking', () => {
  for (const [dst, src] of [[500, 1024], [7, 3], [1, 1], [3, 2], [1, 100]] as const) {
    const w = precomputeWeights(dst, src);
    for (let i = 0; i < dst; i++) {
      let sum = 0;
      for (let k = w.start[i]; k < w.start[i + 1]; k++) {
        assert.ok(w.index[k] >= 0 && w.index[k] < src, `precomputeWeights(${dst}, ${src}) tap ${w.index[k]} outside 0..${src - 1}`);
        sum += w.weight[k];
      }
      assert.ok(Math.abs(sum - 1) < 1e-12, `precomputeWeights(${dst}, ${src}) output ${i} weights sum to ${sum}, want 1`);
    }
  }
  const down = precomputeWeights(500, 1024);
  const taps = down.start[251] - down.start[250];
  assert.ok(taps >= 12, `a 2x reduction uses ${taps} taps per output pixel, want >= 12`);
});

test('a solid image stays solid at any size', () => {
  const colour: RGBA = [12, 200, 77, 255];
  for (const [w, h] of [[37, 19], [230, 120], [1, 1], [100, 7], [3, 50]]) {
    const got = resize(solid(100, 50, colour), w, h);
    assert.equal(got.width, w, `resize(100x50, ${w}, ${h}).width = ${got.width}`);
    assert.equal(got.height, h, `resize(100x50, ${w}, ${h}).height = ${got.height}`);
    const bad = toRows(got).flat().find((p) => p.some((v, i) => v !== colour[i]));
    assert.equal(bad, undefined, `resize(solid 100x50, ${w}, ${h}) has pixel ${JSON.stringify(bad)}, want ${JSON.stringify(colour)}`);
  }
});

test('matches a plain reference Lanczos3 within one level (edges included)', () => {
  // Smooth content well inside 0..255, so imaging's 8-bit clamp between passes never bites.
  const rows: RGBA[][] = [];
  for (let y = 0; y < 17; y++) {
    rows.push(Array.from({ length: 23 }, (_, x): RGBA =>
      [40 + 7 * x, 200 - 8 * y, Math.round(128 + 60 * Math.sin(x / 3) * Math.cos(y / 4)), 255]));
  }
  const src = fromRows(rows);
  for (const [w, h] of [[11, 8], [40, 30], [23, 9], [5, 17], [1, 1]]) {
    const got = resize(src, w, h);
    const ref = referenceResize(src, w, h);
    for (let i = 0; i < got.data.length; i++) {
      if (i % 4 === 3) continue;
      const want = Math.min(255, Math.max(0, Math.round(ref[i])));
      assert.ok(Math.abs(got.data[i] - want) <= 1,
        `resize(smooth 23x17, ${w}, ${h}) byte ${i} (x=${(i >> 2) % w}, y=${Math.floor((i >> 2) / w)}) = ${got.data[i]}, want ${want} +-1`);
    }
  }
});

test('alpha: transparent pixels lend no colour', () => {
  // Green is fully transparent: the result mixes red and blue only (imaging gives 128,0,128,128).
  const half = fromRows([[RED, [0, 255, 0, 0]], [[0, 0, 255, 255], [255, 255, 0, 0]]]);
  const one = resize(half, 1, 1);
  assert.deepEqual(toRows(one), [[[128, 0, 128, 128]]], `resize(half-transparent 2x2, 1, 1) = ${show(one)}`);
  // Left half transparent bright green, right half opaque red: no visible pixel may turn green.
  const rows: RGBA[][] = [];
  for (let y = 0; y < 10; y++) rows.push(Array.from({ length: 10 }, (_, x) => (x < 5 ? [0, 255, 0, 0] : RED)));
  const got = resize(fromRows(rows), 5, 5);
  for (const p of toRows(got).flat()) {
    if (p[3] > 0) assert.equal(p[1], 0, `resize(transparent green | red) has visible pixel ${JSON.stringify(p)} with green`);
  }
  const all = resize(solid(4, 4, [9, 9, 9, 0]), 2, 2);
  assert.ok(all.data.every((v) => v === 0), `resize(fully transparent) = ${show(all)}, want all zero`);
});

test('small cases match imaging exactly', () => {
  // Expected pixels produced by github.com/disintegration/imaging v1.6.2 (Go 1.19, amd64).
  const cases: Array<[string, Bitmap, number, number, RGBA[][]]> = [
    ['quarters 4x4 -> 2x2', quarters(), 2, 2, [
      [[221, 18, 17, 255], [34, 237, 1, 255]],
      [[34, 18, 220, 255], [221, 237, 17, 255]],
    ]],
    ['rgby 2x2 -> 3x3', rgby(), 3, 3, [
      [[255, 0, 0, 255], [128, 128, 0, 255], [0, 255, 0, 255]],
      [[128, 0, 128, 255], [128, 128, 64, 255], [128, 255, 0, 255]],
      [[0, 0, 255, 255], [128, 128, 144, 255], [255, 255, 0, 255]],
    ]],
    ['rgby 2x2 -> 1x1', rgby(), 1, 1, [[[128, 128, 64, 255]]]],
  ];
  for (const [name, src, w, h, want] of cases) {
    const got = resize(src, w, h);
    assert.deepEqual(toRows(got), want, `${name}: resize = ${show(got)}, want ${JSON.stringify(want)}`);
  }
  assert.deepEqual(toRows(resize(rgby(), 2, 2)), toRows(rgby()), 'resize to the same size copies');
  assert.deepEqual(toRows(resize(fromRows([[RED, GREEN]]), 2, 1)), [[RED, GREEN]], 'no-op resize of 2x1');
});

test('pipeline output is byte-identical to the Go server (imaging reference hashes)', () => {
  // Each hash is SHA-256 of the NRGBA pixels the Go server's transformImage (imaging v1.6.2,
  // Go 1.19 amd64) produced for the same pattern() input and options.
  const cases: Array<[string, Bitmap, Partial<Options>, number, number, string]> = [
    ['resize 1024x683 opaque to 500x', pattern(1024, 683, false), { width: 500 }, 500, 333,
      '1e4d5dfbdcb9614e3337080c82ee38fcbca25297be26cb100c6d6aab4f7e4eae'],
    ['thumbnail 300x200 alpha to 100x100', pattern(300, 200, true), { width: 100, height: 100 }, 100, 100,
      '7d5178eaf1ce389e33be5be61bb85fe399ff2aa93b1431b3d56f845b58253eab'],
    ['thumbnail 80x60 alpha to 50x50', pattern(80, 60, true), { width: 50, height: 50 }, 50, 50,
      'a7012cf528858b2382ba9ba1bdf0cd8e67c87c8fa44862874249516900bac893'],
    ['fit 300x200 opaque in 120x120', pattern(300, 200, false), { width: 120, height: 120, fit: true }, 120, 80,
      'a74482b0e264cb2ef871de398cbd313889223ce4b62b8c2acdce591d9ae59880'],
    ['crop, half size, r90, fh on 64x48 alpha', pattern(64, 48, true),
      { width: 0.5, height: 0.5, rotate: 90, flipHorizontal: true, cropX: 0.25, cropY: -10, cropWidth: 0.5 }, 24, 32,
      '259364acda5c0dba0bfef1e58885e8272f36752a769bcb841a4141fcd99a9180'],
    ['upscale 50x40 alpha to 120x', pattern(50, 40, true), { width: 120, scaleUp: true }, 120, 96,
      '19650c0c87d30c8a1384af40bdbba3c15f4f607a37892462e512a7c3fa36c1a3'],
  ];
  for (const [name, src, o, w, h, want] of cases) {
    const size = { width: src.width, height: src.height };
    const plan = planFor(size, opts(o));
    let m = rotate(applySteps(src, stepsFor(plan, size)), plan.rotate);
    if (plan.flipVertical) m = flipV(m);
    if (plan.flipHorizontal) m = flipH(m);
    assert.equal(`${m.width}x${m.height}`, `${w}x${h}`, `${name}: size = ${m.width}x${m.height}, want ${w}x${h}`);
    const got = createHash('sha256').update(m.data).digest('hex');
    assert.equal(got, want, `${name}: pixel hash = ${got}, want ${want}`);
  }
});


test('resize alone matches the Go server hashes with and without WebAssembly', () => {
  // The pipeline cases above that are a single resize (same hashes, same inputs); the pipeline
  // takes the default passes, this checks both.
  const cases: Array<[string, Bitmap, number, number, string]> = [
    ['resize 1024x683 opaque to 500x333', pattern(1024, 683, false), 500, 333,
      '1e4d5dfbdcb9614e3337080c82ee38fcbca25297be26cb100c6d6aab4f7e4eae'],
    ['fit 300x200 opaque in 120x80', pattern(300, 200, false), 120, 80,
      'a74482b0e264cb2ef871de398cbd313889223ce4b62b8c2acdce591d9ae59880'],
    ['upscale 50x40 alpha to 120x96', pattern(50, 40, true), 120, 96,
      '19650c0c87d30c8a1384af40bdbba3c15f4f607a37892462e512a7c3fa36c1a3'],
  ];
  for (const [name, src, w, h, want] of cases) {
    for (const useWasm of [true, false]) {
      const got = createHash('sha256').update(resize(src, w, h, undefined, useWasm).data).digest('hex');
      assert.equal(got, want, `resize(${name}, useWasm ${useWasm}): pixel hash = ${got}, want ${want}`);
    }
  }
});
