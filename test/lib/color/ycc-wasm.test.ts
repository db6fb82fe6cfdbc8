/**
 * The WebAssembly twin of the YCbCr colour step (lib/color/wasm/ycc.wat via wasm/ycc.ts): the
 * embedded module is a fresh compile of its source, and it converts planes as the JavaScript
 * loop does, for profiles whose channels share a curve or not, at sizes that leave blocks past
 * its last group of four and odd edges to the JavaScript, one converter after another (the
 * module keeps the last one's tables), and on samples out of range.
 *
 * The twins' integers (R'G'B' offsets, luma, chroma) are the same; only the matrix runs in f32
 * in the module where the JavaScript uses f64, so a dot product that lands within f32 rounding
 * of a boundary between two output-table entries takes the other one: a unit or two, on a few
 * samples in ten thousand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import wabtInit from 'wabt';
import { ROOT } from '../../helpers/paths.js';
import { colourFixture } from '../../helpers/colour.js';
import { seededRandom } from '../../helpers/prng.js';
import { bothWays } from '../../helpers/twins.js';
import { converterFor, convertYccPlanes, type Converter } from '../../../lib/color/index.js';
import { matrixConverterOf } from '../../../lib/color/convert.js';
import { curveOfPower } from '../../../lib/color/curves.js';
import { setWasmColour, wasmColourReady } from '../../../lib/color/wasm/ycc.js';
import { YCC_WASM_BASE64 } from '../../../lib/color/wasm/ycc-bytes.js';
import type { YccPlanes } from '../../../lib/codecs/jpegfast/encoder.js';

/** MAX_DIFF is the largest difference between the twins, in 1/16 units: two output-table steps' worth. */
const MAX_DIFF = 2;
/** MAX_DIFFERING is the largest share of samples on which the twins may differ at all. */
const MAX_DIFFERING = 1 / 1000;

test('ycc-bytes.ts is the compiled ycc.wat', async () => {
  const wabt = await wabtInit();
  const mod = wabt.parseWat('ycc.wat', readFileSync(path.join(ROOT, 'lib/color/wasm/ycc.wat'), 'utf8'), { simd: true });
  mod.validate();
  const fresh = Buffer.from(mod.toBinary({}).buffer).toString('base64');
  assert.equal(YCC_WASM_BASE64, fresh, 'ycc-bytes.ts differs from a fresh compile of ycc.wat (run npm run build:wasm)');
});

test('the WebAssembly colour loop is ready in Node', () => {
  assert.equal(wasmColourReady(), true, 'wasmColourReady() = false, want true');
});

/** converter reads a fixture profile's converter. */
function converter(name: string): Converter {
  const c = converterFor(colourFixture(name));
  assert.equal(typeof c, 'object', `converterFor(${name}) = ${String(c)}, want a converter`);
  return c as Converter;
}

/** CONVERTERS: shared-curve profiles, and one whose three channels have three curves (three tables). */
const CONVERTERS: Array<[string, () => Converter]> = [
  ['Display P3', () => converter('display-p3.icc')],
  ['Adobe RGB', () => converter('AdobeRGB1998.icc')],
  ['ProPhoto', () => converter('ProPhotoRGB.icc')],
  ['Rec. 2020', () => converter('rec2020.icc')],
  ['gamma 1.8 / 2.2 / 2.6, P3 matrix', () => {
    const p3 = converter('display-p3.icc');
    return matrixConverterOf([curveOfPower(1.8), curveOfPower(2.2), curveOfPower(2.6)], p3.matrix!.m);
  }],
  // Back to the first: the module must not keep using the last converter's tables.
  ['Display P3 again', () => converter('display-p3.icc')],
];

/** SIZES: one group, whole groups, blocks past the last group, odd sides, too small for a group. */
const SIZES: Array<[number, number]> = [[8, 2], [16, 8], [23, 16], [24, 15], [37, 9], [200, 100], [7, 7], [1, 1]];

/** planes makes random 4:2:0 planes in 1/16 units, the full range of each. */
function planes(w: number, h: number, seed: number): YccPlanes {
  const rand = seededRandom(seed);
  const cw = (w + 1) >> 1, ch = (h + 1) >> 1;
  const sample = (n: number) => Uint16Array.from({ length: n }, () => Math.round(4080 * rand()));
  return { width: w, height: h, y: sample(w * h), cb: sample(cw * ch), cr: sample(cw * ch) };
}

/** converted is convertYccPlanes(c) of a copy of img. */
function converted(c: Converter, img: YccPlanes): YccPlanes {
  const out = { ...img, y: img.y.slice(), cb: img.cb.slice(), cr: img.cr.slice() };
  convertYccPlanes(c, out);
  return out;
}

for (const [name, make] of CONVERTERS) {
  test(`convertYccPlanes: the WebAssembly and JavaScript twins agree (${name})`, () => {
    const c = make();
    for (const [w, h] of SIZES) {
      const img = planes(w, h, w * 100 + h);
      const { wasm, js } = bothWays(setWasmColour, () => converted(c, img));
      let differing = 0, total = 0;
      for (const plane of ['y', 'cb', 'cr'] as const) {
        for (let i = 0; i < js[plane].length; i++, total++) {
          const d = Math.abs(wasm[plane][i] - js[plane][i]);
          if (d > 0) differing++;
          assert.ok(d <= MAX_DIFF, `convertYccPlanes(${name}, ${w}x${h}).${plane}[${i}] = ${wasm[plane][i]} (wasm), want ${js[plane][i]} ± ${MAX_DIFF} (js)`);
        }
      }
      assert.ok(differing <= Math.max(1, total * MAX_DIFFERING), `convertYccPlanes(${name}, ${w}x${h}): ${differing} of ${total} samples differ between the twins, want at most ${MAX_DIFFERING * 100}%`);
    }
  });
}

test('convertYccPlanes: samples above 4080 neither throw nor leave 0..4080, both ways', () => {
  const c = converter('display-p3.icc');
  for (const [w, h] of [[16, 8], [23, 15]]) {
    const cw = (w + 1) >> 1, ch = (h + 1) >> 1;
    const img: YccPlanes = { width: w, height: h, y: new Uint16Array(w * h).fill(65535), cb: new Uint16Array(cw * ch).fill(65535), cr: new Uint16Array(cw * ch) };
    const { wasm, js } = bothWays(setWasmColour, () => converted(c, img));
    for (const [mode, got] of [['wasm', wasm], ['js', js]] as const) {
      for (const plane of ['y', 'cb', 'cr'] as const) {
        const bad = got[plane].findIndex((v) => v > 4080);
        assert.equal(bad, -1, `convertYccPlanes(all 65535, ${w}x${h}, ${mode}).${plane}[${bad}] = ${got[plane][bad]}, want 0..4080`);
      }
    }
  }
});
