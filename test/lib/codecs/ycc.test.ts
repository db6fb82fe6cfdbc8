// YCbCr 4:2:0 planes (1/16 units) back to RGBA, for WebP and AVIF written from the planar path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rgbaOfYcc } from '../../../lib/codecs/ycc.js';
import { encodeYccPlanes, decode, detectFormat } from '../../../lib/codecs/index.js';
import type { YccPlanes } from '../../../lib/codecs/index.js';

/** planesOf is a 2x2 block of one colour as JFIF YCbCr planes in 1/16 units. */
function planesOf([r, g, b]: [number, number, number], w = 2, h = 2): YccPlanes {
  const y = 0.299 * r + 0.587 * g + 0.114 * b;
  const cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
  const cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
  const cw = (w + 1) >> 1, ch = (h + 1) >> 1;
  return {
    width: w, height: h,
    y: new Uint16Array(w * h).fill(Math.round(y * 16)),
    cb: new Uint16Array(cw * ch).fill(Math.round(cb * 16)),
    cr: new Uint16Array(cw * ch).fill(Math.round(cr * 16)),
  };
}

test('rgbaOfYcc inverts the JFIF conversion to within one step', () => {
  const colours: Array<[number, number, number]> = [
    [0, 0, 0], [255, 255, 255], [128, 128, 128], [255, 0, 0], [0, 255, 0], [0, 0, 255], [12, 200, 77], [250, 240, 5],
  ];
  for (const c of colours) {
    const bm = rgbaOfYcc(planesOf(c, 3, 3));
    for (let i = 0; i < bm.data.length; i += 4) {
      const got = [...bm.data.subarray(i, i + 4)];
      const off = Math.max(...c.map((v, k) => Math.abs(v - got[k])));
      assert.ok(off <= 1 && got[3] === 255, `rgbaOfYcc(${c}) pixel ${i / 4} = ${got}, want ${c},255 within 1`);
    }
  }
});

test('rgbaOfYcc repeats each chroma sample over its 2x2 block, odd sizes included', () => {
  const p: YccPlanes = {
    width: 3, height: 3, y: new Uint16Array(9).fill(128 * 16),
    cb: new Uint16Array([128 * 16, 128 * 16, 128 * 16, 128 * 16]), cr: new Uint16Array([128 * 16, 200 * 16, 60 * 16, 128 * 16]),
  };
  const bm = rgbaOfYcc(p);
  const red = (x: number, y: number): number => bm.data[(y * 3 + x) * 4];
  const got = [red(0, 0), red(1, 1), red(2, 0), red(2, 1), red(0, 2), red(2, 2)];
  const want = [128, 128, 229, 229, 33, 128]; // 128 + 1.402 (Cr - 128), rounded
  assert.deepEqual(got, want, `rgbaOfYcc red channel at block corners = ${got}, want ${want}`);
});

test('encodeYccPlanes writes JPEG, WebP and AVIF from planes', async () => {
  for (const format of ['jpeg', 'webp', 'avif'] as const) {
    const bytes = await encodeYccPlanes(planesOf([200, 40, 90], 16, 16), { format, quality: 90 });
    assert.equal(detectFormat(bytes), format, `encodeYccPlanes(${format}) wrote ${detectFormat(bytes)}`);
    const px = (await decode(bytes, { maxPixels: 1e6 })).frames[0].bitmap.data.subarray(0, 3);
    const off = Math.max(Math.abs(px[0] - 200), Math.abs(px[1] - 40), Math.abs(px[2] - 90));
    assert.ok(off <= 6, `encodeYccPlanes(${format}) decodes to ${[...px]}, want about 200,40,90`);
  }
});
