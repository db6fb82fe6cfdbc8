import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJpegFast } from '../../../../lib/codecs/jpegfast/decoder.js';
import { newArithConditioning, parseDAC } from '../../../../lib/codecs/jpegfast/arith.js';
import { decode } from '../../../../lib/codecs/index.js';
import { UnprocessableImageError } from '../../../../lib/errors.js';
import { fixture } from '../../../helpers/codec-fixtures.js';

// libjpeg-turbo 2.1.5 testimages (Debian source package libjpeg-turbo), IJG licence: testimgari.jpg
// is arithmetic-coded and libjpeg-turbo's own tests require it to decode exactly as testimgint.jpg
// (same coefficients, Huffman-coded). The testorig-*.jpg files are lossless jpegtran transcodes
// of testorig.jpg, so they too must decode to exactly its pixels.
const PAIRS: Array<{ name: string; file: string; twin: string }> = [
  { name: 'sequential (SOF9), libjpeg-turbo\'s golden pair', file: 'testimgari.jpg', twin: 'testimgint.jpg' },
  { name: 'progressive (SOF10)', file: 'testorig-progari.jpg', twin: 'testorig.jpg' },
  { name: 'sequential with a restart every MCU row', file: 'testorig-ari-restart1.jpg', twin: 'testorig.jpg' },
  { name: 'progressive with a restart every 2 MCUs', file: 'testorig-progari-restart2b.jpg', twin: 'testorig.jpg' },
  { name: 'grayscale', file: 'testorig-gray-ari.jpg', twin: 'testorig-gray.jpg' },
];

test('arithmetic-coded JPEGs decode exactly to their Huffman-coded twins, at every scale', () => {
  for (const p of PAIRS) {
    for (const scale of [1, 2, 4, 8] as const) {
      const got = decodeJpegFast(fixture(`libjpeg-turbo/${p.file}`), { scale, maxPixels: 1e8 });
      const want = decodeJpegFast(fixture(`libjpeg-turbo/${p.twin}`), { scale, maxPixels: 1e8 });
      assert.ok(got && want, `decodeJpegFast(${p.file}, 1/${scale}) = undefined`);
      assert.equal(`${got.width}x${got.height}`, `${want.width}x${want.height}`, `${p.name}: size at 1/${scale}`);
      assert.ok(Buffer.from(got.data).equals(Buffer.from(want.data)), `${p.name}: decodeJpegFast(${p.file}, 1/${scale}) differs from ${p.twin}`);
    }
  }
});

test('decode() takes arithmetic-coded JPEGs through the fast decoder', async () => {
  const got = await decode(fixture('libjpeg-turbo/testimgari.jpg'), { maxPixels: 1e8 });
  const want = await decode(fixture('libjpeg-turbo/testimgint.jpg'), { maxPixels: 1e8 });
  assert.ok(Buffer.from(got.frames[0].bitmap.data).equals(Buffer.from(want.frames[0].bitmap.data)), 'decode(testimgari.jpg) differs from decode(testimgint.jpg)');
});

test('parseDAC reads conditioning values and refuses impossible ones', () => {
  const cases: Array<{ name: string; dac: number[]; want: string | RegExp }> = [
    { name: 'defaults', dac: [], want: 'L 0,0,0,0 U 1,1,1,1 K 5,5,5,5' },
    { name: 'DC table 1 L=2 U=5, AC table 0 K=12', dac: [0x01, 0x52, 0x10, 12], want: 'L 0,2,0,0 U 1,5,1,1 K 12,5,5,5' },
    { name: 'L above U', dac: [0x00, 0x14], want: /malformed arithmetic conditioning/ },
    { name: 'K of 0', dac: [0x10, 0], want: /malformed arithmetic conditioning/ },
    { name: 'table 4', dac: [0x04, 0x10], want: /malformed arithmetic conditioning/ },
  ];
  for (const c of cases) {
    const t = newArithConditioning();
    const bytes = Uint8Array.from(c.dac);
    if (c.want instanceof RegExp) {
      assert.throws(() => parseDAC(bytes, 0, bytes.length, t), (e: unknown) => e instanceof UnprocessableImageError && (c.want as RegExp).test(e.message),
        `parseDAC(${c.name}) did not refuse`);
      continue;
    }
    parseDAC(bytes, 0, bytes.length, t);
    const got = `L ${[...t.dcL]} U ${[...t.dcU]} K ${[...t.acK]}`;
    assert.equal(got, c.want, `parseDAC(${c.name}) = ${got}, want ${c.want}`);
  }
});

/** sof builds SOI, a frame header of the given type and EOI, with no scan. */
function sof(marker: number, precision: number): Uint8Array {
  const body = [precision, 0, 16, 0, 16, 1, 1, 0x11, 0];
  return Uint8Array.from([0xff, 0xd8, 0xff, marker, 0, body.length + 2, ...body, 0xff, 0xd9]);
}

test('broken arithmetic-coded JPEGs and 12-bit JPEGs are a 422', () => {
  const ari = fixture('libjpeg-turbo/testimgari.jpg');
  const cases: Array<{ name: string; bytes: Uint8Array; want: RegExp }> = [
    { name: 'SOF9 header without a scan', bytes: sof(0xc9, 8), want: /no image data/ },
    { name: 'SOF10 header without a scan', bytes: sof(0xca, 8), want: /no image data/ },
    { name: 'testimgari.jpg cut in its scan', bytes: ari.subarray(0, 3000), want: /truncated/ },
    { name: 'testorig12.jpg (12-bit samples, which jpeg-js decoded as garbage)', bytes: fixture('libjpeg-turbo/testorig12.jpg'), want: /12-bit samples are not supported/ },
    { name: '12-bit SOF1 header', bytes: sof(0xc1, 12), want: /12-bit samples are not supported/ },
  ];
  for (const c of cases) {
    assert.throws(() => decodeJpegFast(c.bytes, { scale: 1, maxPixels: 1e8 }), (e: unknown) => {
      assert.ok(e instanceof UnprocessableImageError, `decodeJpegFast(${c.name}) threw ${String(e)}, want a 422`);
      assert.match(e.message, c.want, `decodeJpegFast(${c.name}) message = ${e.message}`);
      return true;
    });
  }
});

test('corrupted arithmetic-coded data gives pixels or a 422, never another error', () => {
  const src = fixture('libjpeg-turbo/testorig-progari-restart2b.jpg');
  let seed = 11;
  const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  for (let i = 0; i < 150; i++) {
    const b = src.slice();
    for (let k = 0; k < 3; k++) b[rnd(b.length)] = rnd(256);
    try {
      decodeJpegFast(b, { scale: 1, maxPixels: 1e8 });
    } catch (e) {
      assert.ok(e instanceof UnprocessableImageError, `decodeJpegFast(mutant ${i}) threw ${String(e)}, want pixels or a 422`);
    }
  }
});
