import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findSmartCrop } from '../../../lib/transform/smartcrop.js';
import { fromRows, solid, type RGBA } from './bitmaps.js';

/** busyRight is a flat grey w x h image with saturated stripes from column `from` on. */
function busyRight(w: number, h: number, from: number) {
  const rows: RGBA[][] = [];
  for (let y = 0; y < h; y++) {
    rows.push(Array.from({ length: w }, (_, x): RGBA =>
      (x >= from ? ((x + y) % 4 < 2 ? [250, 20, 20, 255] : [20, 20, 250, 255]) : [128, 128, 128, 255])));
  }
  return fromRows(rows);
}

test('findSmartCrop finds the detailed region at the requested aspect', async () => {
  const cases: Array<[string, number, number, number, number]> = [
    // name, image width, height, crop width, crop height
    ['square crop of a wide image', 120, 60, 30, 30],
    ['square crop of a large image (prescaled)', 600, 300, 100, 100],
  ];
  for (const [name, w, h, cw, ch] of cases) {
    const r = await findSmartCrop(busyRight(w, h, (w * 2) / 3), cw, ch);
    assert.ok(r, `${name}: findSmartCrop returned undefined`);
    const rw = r.x1 - r.x0;
    const rh = r.y1 - r.y0;
    assert.ok(Math.abs(rw / rh - cw / ch) < 0.05, `${name}: crop ${JSON.stringify(r)} has aspect ${rw / rh}, want ${cw / ch}`);
    assert.ok(r.x0 >= 0 && r.y0 >= 0 && r.x1 <= w && r.y1 <= h, `${name}: crop ${JSON.stringify(r)} leaves the ${w}x${h} image`);
    assert.ok(r.x1 > (w * 2) / 3 + rw / 2, `${name}: crop ${JSON.stringify(r)} does not cover the striped right side`);
  }
});

test('findSmartCrop needs both sides of a size', async () => {
  for (const [w, h] of [[0, 10], [10, 0], [-1, 5]]) {
    const r = await findSmartCrop(solid(20, 20, [1, 2, 3, 255]), w, h);
    assert.equal(r, undefined, `findSmartCrop(20x20, ${w}, ${h}) = ${JSON.stringify(r)}, want undefined`);
  }
});
