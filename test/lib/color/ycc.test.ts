import { test } from 'node:test';
import assert from 'node:assert/strict';
import { converterFor, convertYccPlanes } from '../../../lib/color/index.js';
import type { Converter } from '../../../lib/color/index.js';
import { colourFixture, fromSrgb, SPACES } from '../../helpers/colour.js';
import { seededRandom } from '../../helpers/prng.js';
import { bothWays } from '../../helpers/twins.js';
import { setWasmColour } from '../../../lib/color/wasm/ycc.js';

type V3 = [number, number, number];

/** inv3 inverts a row-major 3x3 matrix. */
function inv3(m: number[][]): number[][] {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [
    [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
    [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
    [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
  ];
}

/**
 * P3_TO_SRGB is linear Display P3 to linear sRGB, from the test's own space definitions: the
 * columns of its inverse are the sRGB primaries in P3 (inside P3, so fromSrgb clamps nothing).
 */
const P3_TO_SRGB = (() => {
  const cols = [[255, 0, 0], [0, 255, 0], [0, 0, 255]].map((rgb) => fromSrgb(rgb, SPACES.p3).map((v) => SPACES.p3.decode(v)));
  return inv3([0, 1, 2].map((r) => cols.map((c) => c[r])));
})();

/** referenceRgb is the exact sRGB (0..255) of a P3 pixel given as JFIF YCbCr on 0..255. */
function referenceRgb(y: number, cb: number, cr: number): V3 {
  const clamp = (v: number): number => Math.min(255, Math.max(0, v));
  const p3 = [clamp(y + 1.402 * (cr - 128)), clamp(y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128)), clamp(y + 1.772 * (cb - 128))];
  const lin = p3.map((v) => SPACES.p3.decode(v / 255));
  return P3_TO_SRGB.map((row) => 255 * SPACES.srgb.encode(Math.min(1, Math.max(0, row[0] * lin[0] + row[1] * lin[1] + row[2] * lin[2])))) as V3;
}

/** reference converts 4:2:0 planes (1/16 units) exactly, as convertYccPlanes should: new luma per pixel, mean chroma per block. */
function reference(w: number, h: number, Y: Uint16Array, CB: Uint16Array, CR: Uint16Array): { y: number[]; cb: number[]; cr: number[] } {
  const cw = (w + 1) >> 1, ch = (h + 1) >> 1;
  const y = new Array<number>(w * h), cb = new Array<number>(cw * ch), cr = new Array<number>(cw * ch);
  for (let j = 0; j < ch; j++) {
    for (let i = 0; i < cw; i++) {
      const ci = j * cw + i;
      const sum = [0, 0, 0];
      let n = 0;
      for (let yy = 2 * j; yy < Math.min(h, 2 * j + 2); yy++) {
        for (let xx = 2 * i; xx < Math.min(w, 2 * i + 2); xx++, n++) {
          const [r, g, b] = referenceRgb(Y[yy * w + xx] / 16, CB[ci] / 16, CR[ci] / 16);
          y[yy * w + xx] = 16 * (0.299 * r + 0.587 * g + 0.114 * b);
          sum[0] += r / 4; sum[1] += g / 4; sum[2] += b / 4;
        }
      }
      const [r, g, b] = sum.map((v) => (v * 4) / n);
      cb[ci] = 16 * (128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
      cr[ci] = 16 * (128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
    }
  }
  return { y, cb, cr };
}

/** TOLERANCE is the largest difference allowed from the exact result, in 1/16 units: a third of an 8-bit step. */
const TOLERANCE = 6;

const SIZES = [
  { name: 'even sides', width: 24, height: 16 },
  { name: 'odd width', width: 23, height: 16 },
  { name: 'odd height', width: 24, height: 15 },
  { name: 'odd both', width: 23, height: 15 },
  { name: 'one pixel', width: 1, height: 1 },
  { name: 'one column', width: 1, height: 9 },
];

for (const s of SIZES) {
  test(`convertYccPlanes: Display P3 planes (${s.name}, ${s.width}x${s.height}) match the exact conversion`, () => {
    const c = converterFor(colourFixture('display-p3.icc')) as Converter;
    assert.equal(typeof c, 'object', 'converterFor(display-p3.icc) is not a converter');
    const rand = seededRandom(s.width * 1000 + s.height);
    const cw = (s.width + 1) >> 1, ch = (s.height + 1) >> 1;
    const sample = (n: number, lo: number, hi: number) => Uint16Array.from({ length: n }, () => Math.round(16 * (lo + (hi - lo) * rand())));
    // Chroma within reach of real photos, and a few saturated samples.
    const img = {
      width: s.width, height: s.height,
      y: sample(s.width * s.height, 0, 255), cb: sample(cw * ch, 40, 216), cr: sample(cw * ch, 40, 216),
    };
    img.cb[0] = 0; img.cr[ch * cw - 1] = 4080;
    const want = reference(s.width, s.height, img.y, img.cb, img.cr);
    // Both twins: the WebAssembly loop (with the JavaScript for what it leaves) and the JavaScript alone.
    const both = bothWays(setWasmColour, () => {
      const out = { ...img, y: img.y.slice(), cb: img.cb.slice(), cr: img.cr.slice() };
      convertYccPlanes(c, out);
      return out;
    });
    for (const [mode, out] of Object.entries(both)) {
      for (const [plane, got, exp] of [['y', out.y, want.y], ['cb', out.cb, want.cb], ['cr', out.cr, want.cr]] as const) {
        exp.forEach((v, i) => {
          assert.ok(Math.abs(got[i] - v) <= TOLERANCE, `convertYccPlanes(${s.name}, ${mode}).${plane}[${i}] = ${got[i]}, want ${v.toFixed(1)} ± ${TOLERANCE}`);
        });
      }
    }
  });
}
