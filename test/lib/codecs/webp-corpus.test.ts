import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeWebp } from '../../../lib/codecs/webp.js';
import { decodePng } from '../../../lib/codecs/png.js';
import { fixture, maxDiff } from '../../helpers/codec-fixtures.js';

/** ppmPixels reads a binary (P6, 8-bit) PPM as RGBA. */
function ppmPixels(b: Uint8Array): { width: number; height: number; data: Uint8Array } {
  const m = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(Buffer.from(b.subarray(0, 40)).toString('latin1'));
  assert.ok(m, 'not an 8-bit P6 PPM');
  const width = Number(m[1]), height = Number(m[2]), rgb = b.subarray(m[0].length);
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    data.set(rgb.subarray(i * 3, i * 3 + 3), i * 4);
    data[i * 4 + 3] = 255;
  }
  return { width, height, data };
}

test('decodeWebp matches the corpora\'s reference decodes', async () => {
  const cases: Array<{ name: string; webp: string; ref: () => { width: number; height: number; data: Uint8Array }; tolerance: number }> = [
    // libwebp 1.2.4 examples/test_ref.ppm is dwebp's decode of test.webp; libwebp's YUV->RGB
    // rounding has changed by one step since it was made, hence a tolerance of 1.
    { name: 'libwebp test.webp (lossy)', webp: 'libwebp/test.webp', ref: () => ppmPixels(fixture('libwebp/test_ref.ppm')), tolerance: 1 },
    // golang.org/x/image: the lossless file and its PNG twin hold the very same pixels.
    { name: 'x/image gopher-doc.2bpp (lossless, colour-indexed)', webp: 'ximage/gopher-doc.2bpp.lossless.webp', ref: () => decodePng(fixture('ximage/gopher-doc.2bpp.png')).bitmap, tolerance: 0 },
  ];
  for (const c of cases) {
    const got = (await decodeWebp(fixture(c.webp))).bitmap;
    const d = maxDiff(got, c.ref());
    assert.ok(d <= c.tolerance, `${c.name}: decodeWebp(${c.webp}) differs from its reference by ${d}, want at most ${c.tolerance}`);
  }
});
