import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quantize, ALPHA_THRESHOLD, SAMPLE_TARGET } from '../../../lib/codecs/quantize.js';
import { decodePng } from '../../../lib/codecs/png.js';
import { F, fixture } from '../../helpers/codec-fixtures.js';

/** gradient is a w x h RGBA image whose colours run smoothly from black to white over all three channels. */
function gradient(w: number, h: number): Uint8Array {
  const d = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const o = (y * w + x) * 4;
    d[o] = (x * 255) / (w - 1); d[o + 1] = (y * 255) / (h - 1); d[o + 2] = ((x + y) * 255) / (w + h - 2); d[o + 3] = 255;
  }
  return d;
}

/** meanError is the mean absolute RGB difference between rgba and its quantized form. */
function meanError(rgba: Uint8Array, keepAlpha: boolean): number {
  const q = quantize(rgba, keepAlpha);
  let sum = 0, n = 0;
  for (let i = 0; i < q.indices.length; i++) {
    if (keepAlpha && rgba[i * 4 + 3] < ALPHA_THRESHOLD) continue;
    const c = q.palette[q.indices[i]];
    sum += Math.abs(rgba[i * 4] - (c >> 16)) + Math.abs(rgba[i * 4 + 1] - ((c >> 8) & 255)) + Math.abs(rgba[i * 4 + 2] - (c & 255));
    n += 3;
  }
  return sum / n;
}

test('quantize keeps up to 256 colours exactly (255 with a transparent slot)', () => {
  const cases: Array<{ name: string; colours: number; keepAlpha: boolean }> = [{ name: '2 colours', colours: 2, keepAlpha: false }, { name: '3 colours', colours: 3, keepAlpha: false }, { name: '256 colours', colours: 256, keepAlpha: false }, { name: '255 + alpha', colours: 255, keepAlpha: true }, { name: '17 + alpha', colours: 17, keepAlpha: true }];
  for (const { name, colours, keepAlpha } of cases) {
    const n = 4000, rgba = new Uint8Array(n * 4);
    for (let i = 0; i < n; i++) {
      const c = (i * 7) % colours;
      rgba.set([c, 255 - c, (c * 3) & 255, keepAlpha && i % 4 === 0 ? 0 : 255], i * 4);
    }
    const q = quantize(rgba, keepAlpha);
    const size = q.palette.length;
    assert.ok(size <= 256 && (size & (size - 1)) === 0, `quantize(${name}) palette size ${size}, want a power of two <= 256`);
    assert.equal(q.transparent, keepAlpha ? colours : undefined, `quantize(${name}).transparent = ${q.transparent}, want ${keepAlpha ? colours : undefined}`);
    for (let i = 0; i < n; i++) {
      const want = rgba[i * 4 + 3] < ALPHA_THRESHOLD ? 'transparent' : `${rgba[i * 4]},${rgba[i * 4 + 1]},${rgba[i * 4 + 2]}`;
      const c = q.palette[q.indices[i]];
      const got = q.indices[i] === q.transparent ? 'transparent' : `${c >> 16},${(c >> 8) & 255},${c & 255}`;
      if (got !== want) assert.fail(`quantize(${name}) pixel ${i} = ${got}, want ${want}`);
    }
  }
});

test('quantize reduces many colours to at most 256 with small error, keeping transparency', () => {
  const photo = decodePng(fixture(F.flowersPng)).bitmap.data;
  const grad = gradient(512, 320); // over 2 * SAMPLE_TARGET pixels, so the histogram samples and some cells are filled lazily
  assert.ok(grad.length / 4 >= 2 * SAMPLE_TARGET, `gradient has ${grad.length / 4} pixels, want >= ${2 * SAMPLE_TARGET} so the histogram samples`);
  const holes = grad.slice();
  for (let i = 0; i < holes.length; i += 4 * 3) holes[i + 3] = 0; // every third pixel transparent
  const cases: Array<{ name: string; rgba: Uint8Array; keepAlpha: boolean; bound: number }> = [
    { name: F.flowersPng, rgba: photo, keepAlpha: false, bound: 2.5 }, { name: `${F.flowersPng} keepAlpha`, rgba: photo, keepAlpha: true, bound: 2.5 },
    { name: 'gradient 512x320', rgba: grad, keepAlpha: false, bound: 4.5 }, { name: 'gradient with holes', rgba: holes, keepAlpha: true, bound: 4.5 },
  ];
  for (const { name, rgba, keepAlpha, bound } of cases) {
    const q = quantize(rgba, keepAlpha);
    const max = q.indices.reduce((m, v) => Math.max(m, v), 0);
    assert.ok(q.palette.length <= 256 && max < q.palette.length, `quantize(${name}) palette ${q.palette.length}, max index ${max}`);
    const err = meanError(rgba, keepAlpha);
    assert.ok(err < bound, `quantize(${name}) mean abs error = ${err.toFixed(2)}, want < ${bound}`);
    if (keepAlpha) {
      for (let i = 0; i < q.indices.length; i++) {
        const t = rgba[i * 4 + 3] < ALPHA_THRESHOLD;
        if ((q.indices[i] === q.transparent) !== t) assert.fail(`quantize(${name}) pixel ${i} transparent = ${!t}, want ${t}`);
      }
    }
  }
});
