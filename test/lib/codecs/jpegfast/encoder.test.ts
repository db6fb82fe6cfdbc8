/**
 * Tests of encodeJpegFast: quality tables, round trips through jpeg-js, sizes, odd dimensions,
 * grayscale input and the Huffman table choice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { FIXTURES } from '../../../helpers/paths.js';
import { YCC_FRACTION_BITS, encodeJpegFast, encodeJpegPlanes, type YccPlanes } from '../../../../lib/codecs/jpegfast/encoder.js';
import { UnprocessableImageError } from '../../../../lib/errors.js';
import { decodeJpegFast } from '../../../../lib/codecs/jpegfast/decoder.js';
import { STD_AC_LUMA, STD_CHROMA_QUANT, STD_DC_LUMA, STD_LUMA_QUANT, ZIGZAG, scaleQuantTable } from '../../../../lib/codecs/jpegfast/tables.js';

/** PHOTO is branches.jpg (MIT, disintegration/imaging) re-encoded by cjpeg at q85 4:2:0; see fixtures/SOURCES.md. */
const PHOTO = path.join(FIXTURES, 'jpeg', 'photo-420.jpg');

interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

function photo(): Rgba {
  const r = jpeg.decode(readFileSync(PHOTO), { useTArray: true, formatAsRGBA: true });
  return { width: r.width, height: r.height, data: r.data };
}

function psnr(a: Uint8Array, b: Uint8Array): number {
  let se = 0, n = 0;
  for (let i = 0; i < a.length; i++) {
    if ((i & 3) === 3) continue;
    const d = a[i] - b[i];
    se += d * d;
    n++;
  }
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255 * n) / se);
}

/** segments lists the marker segments before the scan data: marker -> payloads. */
function segments(b: Uint8Array): Map<number, Uint8Array[]> {
  const out = new Map<number, Uint8Array[]>();
  let p = 2;
  while (p + 4 <= b.length && b[p] === 0xff) {
    const m = b[p + 1];
    const len = (b[p + 2] << 8) | b[p + 3];
    const list = out.get(m) ?? [];
    list.push(b.subarray(p + 4, p + 2 + len));
    out.set(m, list);
    if (m === 0xda) break;
    p += 2 + len;
  }
  return out;
}

/** gradient makes a smooth RGBA test image. */
function gradient(w: number, h: number): Rgba {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      data[i] = Math.round((255 * x) / Math.max(1, w - 1));
      data[i + 1] = Math.round((255 * y) / Math.max(1, h - 1));
      data[i + 2] = 128;
      data[i + 3] = 255;
    }
  }
  return { width: w, height: h, data };
}

test('encodeJpegFast: writes the Annex K tables unscaled at quality 50', () => {
  const out = encodeJpegFast(gradient(16, 16), { quality: 50 });
  const dqt = segments(out).get(0xdb);
  assert.ok(dqt && dqt.length === 1, 'encodeJpegFast output has one DQT segment');
  const p = dqt[0];
  assert.equal(p.length, 130, `DQT length = ${p.length}, want 2 tables of 65 bytes`);
  for (const [t, base] of [[0, STD_LUMA_QUANT], [1, STD_CHROMA_QUANT]] as const) {
    assert.equal(p[t * 65], t, `DQT table ${t} id byte`);
    for (let k = 0; k < 64; k++) {
      const got = p[t * 65 + 1 + k];
      const want = base[ZIGZAG[k]];
      assert.equal(got, want, `q50 table ${t}[zigzag ${k}] = ${got}, want ${want}`);
    }
  }
});

const SCALING: [number, number, number][] = [
  // quality, luma[0] (base 16), chroma[63] (base 99): (base*scale+50)/100, clamped 1..255.
  [1, 255, 255],
  [10, 80, 255],
  [75, 8, 50],
  [95, 2, 10],
  [100, 1, 1],
];
for (const [q, l0, c63] of SCALING) {
  test(`encodeJpegFast: scales the quantization tables like libjpeg at quality ${q}`, () => {
    const l = scaleQuantTable(STD_LUMA_QUANT, q)[0];
    const c = scaleQuantTable(STD_CHROMA_QUANT, q)[63];
    assert.deepEqual([l, c], [l0, c63], `scaleQuantTable(q${q}) = [${l}, ${c}], want [${l0}, ${c63}]`);
  });
}

test('encodeJpegFast: round-trips the photo at q95 with PSNR > 38 dB', () => {
  const img = photo();
  const out = encodeJpegFast(img, { quality: 95 });
  const back = jpeg.decode(out, { useTArray: true, formatAsRGBA: true });
  const p = psnr(img.data, back.data);
  assert.ok(p > 38, `PSNR(q95 round trip) = ${p.toFixed(2)} dB, want > 38`);
});

test('encodeJpegFast: writes 4:2:0 files smaller than jpeg-js 4:4:4 at the same quality', () => {
  const img = photo();
  for (const q of [75, 95]) {
    const ours = encodeJpegFast(img, { quality: q }).length;
    const theirs = jpeg.encode({ width: img.width, height: img.height, data: Buffer.from(img.data) }, q).data.length;
    assert.ok(ours < theirs, `encodeJpegFast(q${q}) = ${ours} bytes, want < jpeg-js ${theirs}`);
  }
});

test('encodeJpegFast: optimised tables are no larger than the standard tables and decode the same', () => {
  const img = photo();
  const opt = encodeJpegFast(img, { quality: 90 });
  const std = encodeJpegFast(img, { quality: 90, optimizeHuffman: false });
  assert.ok(opt.length < std.length, `optimised ${opt.length} bytes, want < standard ${std.length}`);
  const a = jpeg.decode(opt, { useTArray: true }).data;
  const b = jpeg.decode(std, { useTArray: true }).data;
  assert.deepEqual(Buffer.from(a).equals(Buffer.from(b)), true, 'optimised and standard tables decode to different pixels');
});

test('encodeJpegFast: uses the Annex K Huffman tables when optimisation is off', () => {
  const out = encodeJpegFast(gradient(16, 16), { quality: 80, optimizeHuffman: false });
  const dht = segments(out).get(0xc4)![0];
  const want = [0x00, ...STD_DC_LUMA.counts, ...STD_DC_LUMA.symbols, 0x10, ...STD_AC_LUMA.counts, ...STD_AC_LUMA.symbols];
  assert.deepEqual(Array.from(dht.subarray(0, want.length)), want, 'DHT does not start with the Annex K luminance tables');
});

const SIZES: [number, number, '420' | '444'][] = [
  [1, 1, '420'], [7, 9, '420'], [37, 23, '420'], [16, 16, '420'], [17, 33, '444'], [1, 1, '444'], [37, 23, '444'],
];
for (const [w, h, sub] of SIZES) {
  test(`encodeJpegFast: encodes ${w}x${h} ${sub} so jpeg-js decodes it`, () => {
    const img = gradient(w, h);
    const out = encodeJpegFast(img, { quality: 90, subsampling: sub });
    const back = jpeg.decode(out, { useTArray: true, formatAsRGBA: true });
    assert.deepEqual([back.width, back.height], [w, h], `decoded size = ${back.width}x${back.height}, want ${w}x${h}`);
    let max = 0;
    for (let i = 0; i < img.data.length; i++) max = Math.max(max, Math.abs(img.data[i] - back.data[i]));
    assert.ok(max <= 40, `max pixel error ${max}, want <= 40`);
    const sof = segments(out).get(0xc0)![0];
    const factor = sof[7];
    assert.equal(factor, sub === '420' ? 0x22 : 0x11, `luma sampling byte = 0x${factor.toString(16)}`);
  });
}

test('encodeJpegFast: encodes one byte per pixel as a grayscale JPEG', () => {
  const w = 40, h = 30;
  const g = new Uint8Array(w * h);
  for (let i = 0; i < g.length; i++) g[i] = (i * 7) & 255;
  const out = encodeJpegFast({ width: w, height: h, data: g }, { quality: 95 });
  const sof = segments(out).get(0xc0)![0];
  assert.equal(sof[5], 1, `component count = ${sof[5]}, want 1`);
  const back = decodeJpegFast(out, { scale: 1, maxPixels: 1e6 })!;
  let max = 0;
  for (let i = 0; i < g.length; i++) {
    max = Math.max(max, Math.abs(back.data[i * 4] - g[i]));
    assert.equal(back.data[i * 4], back.data[i * 4 + 1]);
  }
  assert.ok(max <= 60, `grayscale max error ${max}`);
});

test('encodeJpegFast: starts with SOI and a JFIF APP0 and ends with EOI', () => {
  const out = encodeJpegFast(gradient(8, 8), { quality: 75 });
  assert.deepEqual(Array.from(out.subarray(0, 11)), [0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]);
  assert.deepEqual(Array.from(out.subarray(out.length - 2)), [0xff, 0xd9]);
});

test('encodeJpegFast: round-trips through decodeJpegFast as well', () => {
  const img = photo();
  const out = encodeJpegFast(img, { quality: 95 });
  const back = decodeJpegFast(out, { scale: 1, maxPixels: 1e7 })!;
  const p = psnr(img.data, back.data);
  assert.ok(p > 38, `PSNR via decodeJpegFast = ${p.toFixed(2)} dB, want > 38`);
});

/**
 * planesOf converts RGBA to the 4:2:0 planes encodeJpegPlanes takes: JFIF YCbCr in 1/16 units,
 * chroma averaged over each 2x2 block (the last row and column replicated).
 */
function planesOf(img: Rgba): YccPlanes {
  const { width: w, height: h, data } = img;
  const unit = 1 << YCC_FRACTION_BITS;
  const cw = Math.ceil(w / 2), ch = Math.ceil(h / 2);
  const y = new Uint16Array(w * h), cb = new Uint16Array(cw * ch), cr = new Uint16Array(cw * ch);
  const at = (px: number, py: number) => (Math.min(h - 1, py) * w + Math.min(w - 1, px)) * 4;
  for (let i = 0; i < w * h; i++) {
    y[i] = Math.round((0.299 * data[4 * i] + 0.587 * data[4 * i + 1] + 0.114 * data[4 * i + 2]) * unit);
  }
  for (let j = 0; j < ch; j++) {
    for (let i = 0; i < cw; i++) {
      let b = 0, r = 0;
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        const o = at(2 * i + dx, 2 * j + dy);
        b += -0.168735892 * data[o] - 0.331264108 * data[o + 1] + 0.5 * data[o + 2] + 128;
        r += 0.5 * data[o] - 0.418687589 * data[o + 1] - 0.081312411 * data[o + 2] + 128;
      }
      cb[j * cw + i] = Math.round((b / 4) * unit);
      cr[j * cw + i] = Math.round((r / 4) * unit);
    }
  }
  return { width: w, height: h, y, cb, cr };
}

test('encodeJpegPlanes: encodes planes as the RGBA encoder encodes the same pixels', () => {
  const cases: Array<{ name: string; img: Rgba; min: number }> = [
    { name: 'photo', img: photo(), min: 45 },
    { name: 'gradient 17x9', img: gradient(17, 9), min: 45 },
    { name: 'gradient 1x1', img: gradient(1, 1), min: 45 },
    { name: 'gradient 33x1', img: gradient(33, 1), min: 45 },
  ];
  for (const c of cases) {
    const fromPlanes = encodeJpegPlanes(planesOf(c.img), { quality: 95 });
    const fromRgba = encodeJpegFast(c.img, { quality: 95, subsampling: '420' });
    const a = jpeg.decode(fromPlanes, { useTArray: true, formatAsRGBA: true });
    const b = jpeg.decode(fromRgba, { useTArray: true, formatAsRGBA: true });
    assert.deepEqual([a.width, a.height], [c.img.width, c.img.height], `encodeJpegPlanes(${c.name}) size = ${a.width}x${a.height}, want ${c.img.width}x${c.img.height}`);
    const p = psnr(a.data, b.data);
    assert.ok(p >= c.min, `encodeJpegPlanes(${c.name}) vs encodeJpegFast: PSNR = ${p.toFixed(2)} dB, want >= ${c.min}`);
    const sof = segments(fromPlanes).get(0xc0)![0];
    assert.equal(sof[7], 0x22, `encodeJpegPlanes(${c.name}) luma sampling = 0x${sof[7].toString(16)}, want 0x22 (4:2:0)`);
  }
});

test('encodeJpegPlanes: refuses sizes a JPEG cannot state and planes shorter than their size', () => {
  const ok = planesOf(gradient(4, 4));
  const cases: Array<{ name: string; img: YccPlanes }> = [
    { name: 'zero width', img: { ...ok, width: 0 } },
    { name: 'too wide', img: { ...ok, width: 70000 } },
    { name: 'short luma', img: { ...ok, y: ok.y.subarray(0, 15) } },
    { name: 'short chroma', img: { ...ok, cr: ok.cr.subarray(0, 3) } },
  ];
  for (const c of cases) {
    assert.throws(() => encodeJpegPlanes(c.img, { quality: 90 }), UnprocessableImageError,
      `encodeJpegPlanes(${c.name}) did not throw UnprocessableImageError`);
  }
});
