/**
 * Tests of the fixed-point plane passes: weights, agreement of the JavaScript and WebAssembly
 * passes (they must be identical), flat areas, and closeness to an unrounded float resample.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SAMPLE_BITS, SAMPLE_MAX, WEIGHT_BITS, horizontalTaps, resizePlane, verticalTaps, type PlaneView,
} from '../../../lib/transform/planepass.js';
import { precomputeWeights, type Span, type Weights } from '../../../lib/transform/resample.js';
import { wasmPlanes } from '../../../lib/transform/wasm/planes.js';
import { seededRandom } from '../../helpers/prng.js';

/** randomView makes a w x h view with a random offset and row padding over random bytes. */
function randomView(w: number, h: number, next: () => number): PlaneView {
  const offset = Math.floor(next() * 7);
  const stride = w + Math.floor(next() * 5);
  const data = new Uint8Array(offset + stride * h + 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(next() * 256);
  return { data, offset, stride, width: w, height: h };
}

interface SizeCase { src: [number, number]; dst: [number, number]; x?: Span; y?: Span }

const SIZES: SizeCase[] = [
  { src: [1, 1], dst: [1, 1] },
  { src: [2, 2], dst: [1, 1] },
  { src: [2, 2], dst: [5, 3] },
  { src: [15, 9], dst: [7, 4] },
  { src: [16, 16], dst: [16, 16] },
  { src: [17, 33], dst: [9, 40] },
  { src: [100, 61], dst: [37, 23] },
  { src: [1024, 40], dst: [500, 19] },
  { src: [64, 64], dst: [20, 20], x: { offset: 10.5, length: 31.25 }, y: { offset: 3, length: 50.5 } },
  { src: [33, 20], dst: [34, 11], x: { offset: 0, length: 33.6 } },
];

test('fixed-point taps of every output sum to exactly one', () => {
  for (const c of SIZES) {
    const wx = precomputeWeights(c.dst[0], c.src[0], c.x);
    const v = verticalTaps(wx);
    const h = horizontalTaps(wx);
    assert.equal(h.taps % 8, 0, `horizontalTaps(${c.src[0]}->${c.dst[0]}).taps = ${h.taps}, want a multiple of 8`);
    for (let i = 0; i < c.dst[0]; i++) {
      let sv = 0;
      for (let k = v.start[i]; k < v.start[i + 1]; k++) sv += v.weight[k];
      let sh = 0;
      for (let t = 0; t < h.taps; t++) sh += h.weight[i * h.taps + t];
      assert.equal(sv, 1 << WEIGHT_BITS, `verticalTaps(${c.src[0]}->${c.dst[0]}) output ${i} sums to ${sv}, want ${1 << WEIGHT_BITS}`);
      assert.equal(sh, 1 << WEIGHT_BITS, `horizontalTaps(${c.src[0]}->${c.dst[0]}) output ${i} sums to ${sh}, want ${1 << WEIGHT_BITS}`);
      assert.ok(h.first[i] >= 0 && h.first[i] < c.src[0], `horizontalTaps output ${i} starts at ${h.first[i]}, outside 0..${c.src[0] - 1}`);
    }
  }
});

test('the WebAssembly module loads on this runtime', () => {
  assert.ok(wasmPlanes(), 'wasmPlanes() = undefined, want the SIMD passes (Node 20 has WebAssembly SIMD)');
});

test('JavaScript and WebAssembly passes give identical samples', () => {
  const next = seededRandom(7);
  const cases: SizeCase[] = [...SIZES];
  for (let i = 0; i < 60; i++) {
    const sw = 1 + Math.floor(next() * 80), sh = 1 + Math.floor(next() * 60);
    cases.push({
      src: [sw, sh], dst: [1 + Math.floor(next() * 90), 1 + Math.floor(next() * 70)],
      x: next() < 0.5 ? undefined : { offset: next() * sw / 3, length: sw * (0.3 + next() * 0.7) },
    });
  }
  for (const c of cases) {
    const view = randomView(c.src[0], c.src[1], next);
    const wx = precomputeWeights(c.dst[0], c.src[0], c.x);
    const wy = precomputeWeights(c.dst[1], c.src[1], c.y);
    const js = resizePlane(view, wx, wy, false);
    const wa = resizePlane(view, wx, wy, true);
    const name = `resizePlane(${c.src.join('x')} -> ${c.dst.join('x')})`;
    assert.equal(wa.length, c.dst[0] * c.dst[1], `${name} length = ${wa.length}, want ${c.dst[0] * c.dst[1]}`);
    const at = js.findIndex((v, i) => v !== wa[i]);
    assert.equal(at, -1, `${name} wasm[${at}] = ${wa[at]}, want ${js[at]} (the JavaScript pass)`);
  }
});

test('a flat plane stays exactly flat at any size', () => {
  for (const value of [0, 1, 128, 254, 255]) {
    for (const c of SIZES) {
      const data = new Uint8Array(c.src[0] * c.src[1]).fill(value);
      const view: PlaneView = { data, offset: 0, stride: c.src[0], width: c.src[0], height: c.src[1] };
      for (const useWasm of [false, true]) {
        const out = resizePlane(view, precomputeWeights(c.dst[0], c.src[0], c.x), precomputeWeights(c.dst[1], c.src[1], c.y), useWasm);
        const bad = out.findIndex((v) => v !== value << SAMPLE_BITS);
        assert.equal(bad, -1, `resizePlane(flat ${value}, ${c.src.join('x')} -> ${c.dst.join('x')}, wasm ${useWasm})[${bad}] = ${out[bad]}, want ${value << SAMPLE_BITS}`);
      }
    }
  }
});

/** floatResize is the same separable resample in double precision without any rounding. */
function floatResize(view: PlaneView, wx: Weights, wy: Weights): Float64Array {
  const ow = wx.start.length - 1, oh = wy.start.length - 1;
  const mid = new Float64Array(view.width * oh);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < view.width; x++) {
      let s = 0;
      for (let k = wy.start[y]; k < wy.start[y + 1]; k++) s += view.data[view.offset + wy.index[k] * view.stride + x] * wy.weight[k];
      mid[y * view.width + x] = s;
    }
  }
  const out = new Float64Array(ow * oh);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let k = wx.start[x]; k < wx.start[x + 1]; k++) s += mid[y * view.width + wx.index[k]] * wx.weight[k];
      out[y * ow + x] = Math.min(255, Math.max(0, s));
    }
  }
  return out;
}

test('samples stay within a quarter level of an unrounded resample (away from clipping)', () => {
  const next = seededRandom(11);
  for (const c of SIZES) {
    // Mid-range values keep Lanczos overshoot away from 0 and 255, where rounding clamps.
    const view = randomView(c.src[0], c.src[1], () => 0.25 + next() / 2);
    const wx = precomputeWeights(c.dst[0], c.src[0], c.x);
    const wy = precomputeWeights(c.dst[1], c.src[1], c.y);
    const got = resizePlane(view, wx, wy);
    const want = floatResize(view, wx, wy);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] / (1 << SAMPLE_BITS) - want[i]));
    assert.ok(worst <= 0.25, `resizePlane(${c.src.join('x')} -> ${c.dst.join('x')}) is off by ${worst.toFixed(3)} levels, want <= 0.25`);
    assert.ok(got.every((v) => v <= SAMPLE_MAX), `resizePlane(${c.src.join('x')}) has a sample above ${SAMPLE_MAX}`);
  }
});

test('overshoot past black and white is clamped the same way by both passes', () => {
  // A hard edge rings under Lanczos: sums fall below 0 and rise above 255 before clamping.
  const w = 24, h = 6;
  const data = new Uint8Array(w * h);
  for (let i = 0; i < data.length; i++) data[i] = (i % w) < w / 2 ? 0 : 255;
  const view: PlaneView = { data, offset: 0, stride: w, width: w, height: h };
  const wx = precomputeWeights(61, w), wy = precomputeWeights(h, h);
  const js = resizePlane(view, wx, wy, false);
  const wa = resizePlane(view, wx, wy, true);
  assert.deepEqual(Array.from(wa), Array.from(js), 'resizePlane(edge, 24 -> 61) wasm differs from JavaScript');
  assert.equal(Math.min(...js), 0, `resizePlane(edge) min = ${Math.min(...js)}, want 0 (clamped undershoot)`);
  assert.equal(Math.max(...js), SAMPLE_MAX, `resizePlane(edge) max = ${Math.max(...js)}, want ${SAMPLE_MAX} (clamped overshoot)`);
});
