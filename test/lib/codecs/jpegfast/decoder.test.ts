/**
 * Tests of decodeJpegFast against jpeg-js (full size), box-downsampled jpeg-js (reduced sizes),
 * libjpeg-turbo's own output (exact), and on unsupported, truncated, garbage and huge inputs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { FIXTURES } from '../../../helpers/paths.js';
import { decodeJpegFast, pickScale, type FastDecoded } from '../../../../lib/codecs/jpegfast/decoder.js';
import { UnprocessableImageError } from '../../../../lib/errors.js';

const DIR = path.join(FIXTURES, 'jpeg');
// All fixtures below were made with libjpeg-turbo's cjpeg (or ImageMagick for cmyk.jpg) from
// imaging/testdata/branches.jpg (MIT, disintegration/imaging); see fixtures/SOURCES.md.
/** PHOTO is the 600x400 photo, baseline 4:2:0 q85 with optimised tables. */
const PHOTO = 'photo-420.jpg';
/** PHOTO_PROG is the 600x400 photo, progressive 4:2:0 q75. */
const PHOTO_PROG = 'photo-prog.jpg';
/** S420 is a 157x103 crop, baseline 4:2:0 q90; S420_REF is djpeg's (fancy upsampling) decode of it. */
const S420 = 's420.jpg';
const S420_REF = 's420.djpeg.ppm';
/** S422 and S422_REF: the crop at 4:2:2 and djpeg's decode of it. */
const S422 = 's422.jpg';
const S422_REF = 's422.djpeg.ppm';
/** GRAY and GRAY_REF: the crop as 8-bit grayscale and djpeg's decode of it. */
const GRAY = 'gray.jpg';
const GRAY_REF = 'gray.djpeg.pgm';
/** MULTISCAN is the crop as sequential 4:2:0 with one scan per component (cjpeg -scans). */
const MULTISCAN = 'multiscan.jpg';
/** RGB and RGB_REF: the crop coded as RGB (Adobe transform 0, cjpeg -rgb) and djpeg's decode of it. */
const RGB = 'rgb.jpg';
const RGB_REF = 'rgb.djpeg.ppm';

interface Case {
  file: string;
  width: number;
  height: number;
  /** tolerance of the mean absolute difference at full size (fancy vs jpeg-js's nearest upsampling). */
  mean1: number;
  max1: number;
  /** tolerance of the mean absolute difference at 1/2, 1/4, 1/8 against box-downsampled jpeg-js. */
  meanScaled: number;
}

const CASES: Case[] = [
  { file: PHOTO, width: 600, height: 400, mean1: 1.5, max1: 32, meanScaled: 1.5 },
  { file: PHOTO_PROG, width: 600, height: 400, mean1: 1.5, max1: 32, meanScaled: 1.5 },
  { file: 's444.jpg', width: 157, height: 103, mean1: 1, max1: 6, meanScaled: 1.5 },
  { file: S422, width: 157, height: 103, mean1: 1.5, max1: 20, meanScaled: 1.5 },
  { file: 's440.jpg', width: 157, height: 103, mean1: 1.5, max1: 20, meanScaled: 1.5 },
  { file: S420, width: 157, height: 103, mean1: 1.5, max1: 32, meanScaled: 1.5 },
  { file: 's411.jpg', width: 157, height: 103, mean1: 1, max1: 6, meanScaled: 3 },
  // 3:1 horizontal sampling is upsampled by replication: coarser at reduced scales.
  { file: 's311.jpg', width: 157, height: 103, mean1: 1, max1: 6, meanScaled: 4.5 },
  { file: 's-mixed.jpg', width: 157, height: 103, mean1: 1.5, max1: 20, meanScaled: 1.5 },
  { file: 'prog-420.jpg', width: 157, height: 103, mean1: 1.5, max1: 32, meanScaled: 1.5 },
  { file: 'prog-444.jpg', width: 157, height: 103, mean1: 1, max1: 6, meanScaled: 1.5 },
  { file: MULTISCAN, width: 157, height: 103, mean1: 1.5, max1: 32, meanScaled: 1.5 },
  { file: 'restart-420.jpg', width: 157, height: 103, mean1: 1.5, max1: 32, meanScaled: 1.5 },
  { file: 'restart-prog.jpg', width: 157, height: 103, mean1: 1.5, max1: 32, meanScaled: 1.5 },
  { file: GRAY, width: 157, height: 103, mean1: 0.5, max1: 20, meanScaled: 1 },
  { file: 'gray-prog.jpg', width: 157, height: 103, mean1: 0.5, max1: 20, meanScaled: 1 },
  { file: 'cmyk.jpg', width: 157, height: 103, mean1: 1, max1: 8, meanScaled: 2.5 },
  // Tiny images are mostly edge, where fancy and nearest upsampling differ most.
  { file: 'odd-37x23.jpg', width: 37, height: 23, mean1: 2.5, max1: 32, meanScaled: 2.5 },
  { file: 'tiny-1x1.jpg', width: 1, height: 1, mean1: 1, max1: 2, meanScaled: 1 },
  { file: 'tiny-8x8.jpg', width: 8, height: 8, mean1: 1, max1: 6, meanScaled: 1.5 },
];

function load(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(DIR, name)));
}

interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/** boxDown averages s x s squares (clipped at the edges), the reference for reduced decodes. */
function boxDown(img: Rgba, s: number): Rgba {
  const w = Math.ceil(img.width / s), h = Math.ceil(img.height / s);
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 4; c++) {
        let sum = 0, n = 0;
        for (let yy = y * s; yy < Math.min(img.height, y * s + s); yy++) {
          for (let xx = x * s; xx < Math.min(img.width, x * s + s); xx++) {
            sum += img.data[(yy * img.width + xx) * 4 + c];
            n++;
          }
        }
        data[(y * w + x) * 4 + c] = Math.round(sum / n);
      }
    }
  }
  return { width: w, height: h, data };
}

function diff(a: Uint8Array, b: Uint8Array): { max: number; mean: number } {
  let max = 0, sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > max) max = d;
    sum += d;
  }
  return { max, mean: sum / a.length };
}

function refDecode(bytes: Uint8Array): Rgba {
  const r = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
  return { width: r.width, height: r.height, data: r.data };
}

/** readPnm parses a binary PPM/PGM as RGBA. */
function readPnm(name: string): Rgba {
  const b = readFileSync(path.join(DIR, name));
  const m = /^P([56])\s+(\d+)\s+(\d+)\s+255\s/.exec(b.subarray(0, 40).toString('latin1'));
  assert.ok(m, `readPnm(${name}) header`);
  const nc = m[1] === '6' ? 3 : 1;
  const width = Number(m[2]), height = Number(m[3]);
  const data = new Uint8Array(width * height * 4);
  for (let i = 0, o = m[0].length; i < width * height; i++, o += nc) {
    data[i * 4] = b[o];
    data[i * 4 + 1] = b[nc === 3 ? o + 1 : o];
    data[i * 4 + 2] = b[nc === 3 ? o + 2 : o];
    data[i * 4 + 3] = 255;
  }
  return { width, height, data };
}

function decode(bytes: Uint8Array, scale: 1 | 2 | 4 | 8, maxPixels = 50_000_000): FastDecoded {
  const out = decodeJpegFast(bytes, { scale, maxPixels });
  assert.ok(out, `decodeJpegFast(scale ${scale}) = undefined, want an image`);
  return out;
}

for (const tc of CASES) {
  test(`decodeJpegFast corpus: ${tc.file} at 1/1 matches jpeg-js`, () => {
    const bytes = load(tc.file);
    const got = decode(bytes, 1);
    const want = refDecode(bytes);
    assert.equal(got.width, tc.width, `decodeJpegFast(${tc.file}).width = ${got.width}, want ${tc.width}`);
    assert.equal(got.height, tc.height, `decodeJpegFast(${tc.file}).height = ${got.height}, want ${tc.height}`);
    assert.equal(got.scale, 1);
    const d = diff(got.data, want.data);
    assert.ok(d.mean < tc.mean1 && d.max <= tc.max1,
      `decodeJpegFast(${tc.file}) vs jpeg-js: mean ${d.mean.toFixed(3)} max ${d.max}, want mean < ${tc.mean1} max <= ${tc.max1}`);
  });
  for (const s of [2, 4, 8] as const) {
    test(`decodeJpegFast corpus: ${tc.file} at 1/${s} matches box-downsampled jpeg-js`, () => {
      const bytes = load(tc.file);
      const got = decode(bytes, s);
      const want = boxDown(refDecode(bytes), s);
      assert.equal(got.scale, s);
      assert.deepEqual([got.width, got.height], [Math.ceil(tc.width / s), Math.ceil(tc.height / s)],
        `decodeJpegFast(${tc.file}, 1/${s}) size = ${got.width}x${got.height}, want ceil(${tc.width}/${s}) x ceil(${tc.height}/${s})`);
      const d = diff(got.data, want.data);
      assert.ok(d.mean < tc.meanScaled,
        `decodeJpegFast(${tc.file}, 1/${s}) vs box(jpeg-js): mean ${d.mean.toFixed(3)} max ${d.max}, want mean < ${tc.meanScaled}`);
    });
  }
}

const EXACT: [string, string][] = [
  [S420, S420_REF],
  ['prog-420.jpg', S420_REF],
  ['restart-420.jpg', S420_REF],
  ['restart-prog.jpg', S420_REF],
  [S422, S422_REF],
  [GRAY, GRAY_REF],
  [MULTISCAN, S420_REF],
  [RGB, RGB_REF],
];
for (const [file, ref] of EXACT) {
  test(`decodeJpegFast corpus: ${file} at 1/1 equals libjpeg-turbo's decode (${ref})`, () => {
    const got = decode(load(file), 1);
    const want = readPnm(ref);
    const d = diff(got.data, want.data);
    assert.equal(d.max, 0, `decodeJpegFast(${file}) vs djpeg: max diff ${d.max}, want 0`);
  });
}

/** sof builds a minimal JPEG header: SOI then a frame header of the given type. */
function sof(marker: number, precision: number, width: number, height: number, comps = 3): Uint8Array {
  const body = [precision, height >> 8, height & 255, width >> 8, width & 255, comps];
  for (let i = 0; i < comps; i++) body.push(i + 1, i === 0 ? 0x22 : 0x11, 0);
  return Uint8Array.from([0xff, 0xd8, 0xff, marker, 0, body.length + 2, ...body, 0xff, 0xd9]);
}

function expectUnprocessable(fn: () => unknown, what: string): void {
  assert.throws(fn, (e: unknown) => e instanceof UnprocessableImageError, `${what} should throw UnprocessableImageError`);
}

// Arithmetic coding (SOF9, SOF10) is decoded now and 12-bit samples refused: see arith.test.ts.
const UNSUPPORTED: [string, Uint8Array][] = [
  ['lossless SOF3 header', sof(0xc3, 8, 16, 16)],
  ['hierarchical SOF5 header', sof(0xc5, 8, 16, 16)],
  ['two-component frame', sof(0xc0, 8, 16, 16, 2)],
  ['height defined by DNL (0)', sof(0xc0, 8, 16, 0)],
];
for (const [name, bytes] of UNSUPPORTED) {
  test(`decodeJpegFast unsupported and broken input: returns undefined for ${name}`, () => {
    const got = decodeJpegFast(bytes, { scale: 1, maxPixels: 50_000_000 });
    assert.equal(got, undefined, `decodeJpegFast(${name}) = ${typeof got}, want undefined`);
  });
}

test('decodeJpegFast unsupported and broken input: refuses a huge frame before allocating', () => {
  const bytes = sof(0xc0, 8, 65535, 65535);
  const before = process.memoryUsage().arrayBuffers;
  expectUnprocessable(() => decodeJpegFast(bytes, { scale: 8, maxPixels: 50_000_000 }), 'decodeJpegFast(65535x65535)');
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.ok(grown < 1_000_000, `refusing a huge header allocated ${grown} bytes, want < 1 MB`);
});

test('decodeJpegFast unsupported and broken input: refuses a frame just over maxPixels and accepts one at it', () => {
  const bytes = load(S420);
  expectUnprocessable(() => decodeJpegFast(bytes, { scale: 1, maxPixels: 157 * 103 - 1 }), 'decodeJpegFast(maxPixels-1)');
  assert.ok(decodeJpegFast(bytes, { scale: 1, maxPixels: 157 * 103 }), 'decodeJpegFast(maxPixels exact) = undefined');
});

test('decodeJpegFast unsupported and broken input: refuses more scans than maxScans', () => {
  const bytes = load('prog-420.jpg');
  expectUnprocessable(() => decodeJpegFast(bytes, { scale: 1, maxPixels: 1e6, maxScans: 3 }), 'decodeJpegFast(maxScans 3)');
  assert.ok(decodeJpegFast(bytes, { scale: 1, maxPixels: 1e6, maxScans: 64 }), 'decodeJpegFast(maxScans 64) = undefined');
});

const BROKEN: [string, Uint8Array][] = [
  ['empty input', new Uint8Array(0)],
  ['a PNG signature', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
  ['SOI only', Uint8Array.from([0xff, 0xd8])],
  ['header with no scan', sof(0xc0, 8, 16, 16)],
  ['photo cut in the middle of its image data', load(PHOTO).slice(0, 40_000)],
  ['progressive photo cut in its first scan', load(PHOTO_PROG).slice(0, 3_000)],
  ['photo cut inside its headers', load(PHOTO).slice(0, 300)],
];
for (const [name, bytes] of BROKEN) {
  test(`decodeJpegFast unsupported and broken input: throws UnprocessableImageError for ${name}`, () => {
    expectUnprocessable(() => decodeJpegFast(bytes, { scale: 1, maxPixels: 50_000_000 }), `decodeJpegFast(${name})`);
  });
}

test('decodeJpegFast unsupported and broken input: ignores junk after the last scan of a sequential image', () => {
  const src = load(S420);
  const junk = Uint8Array.from([0xff, 0xc4, 0x00, 0x05, 0x99, 0x42, 0x17, 0xff, 0xd9]);
  const bytes = new Uint8Array(src.length - 2 + junk.length);
  bytes.set(src.subarray(0, src.length - 2));
  bytes.set(junk, src.length - 2);
  const d = diff(decode(bytes, 1).data, readPnm(S420_REF).data);
  assert.equal(d.max, 0, `decodeJpegFast(${S420} + junk) max diff ${d.max}, want 0`);
});

test('decodeJpegFast unsupported and broken input: decodes a progressive file that stops after complete scans', () => {
  const src = load('prog-420.jpg');
  const sos: number[] = [];
  for (let i = 0; i + 1 < src.length; i++) if (src[i] === 0xff && src[i + 1] === 0xda) sos.push(i);
  assert.ok(sos.length > 5, `prog-420.jpg has ${sos.length} scans, want > 5`);
  const got = decode(src.slice(0, sos[5]), 1);
  const d = diff(got.data, readPnm(S420_REF).data);
  assert.ok(d.mean < 12, `first 5 scans vs full decode: mean ${d.mean.toFixed(2)}, want < 12`);
});

test('decodeJpegFast unsupported and broken input: decodes correctly after a decode that failed midway', () => {
  // The decoder keeps scratch buffers between calls; a throw must not leave them dirty.
  expectUnprocessable(() => decodeJpegFast(load(PHOTO).slice(0, 40_000), { scale: 1, maxPixels: 1e7 }), 'truncated photo');
  const got = decode(load(S420), 1);
  const d = diff(got.data, readPnm(S420_REF).data);
  assert.equal(d.max, 0, `decodeJpegFast(${S420}) after a failure: max diff ${d.max}, want 0`);
});

test('decodeJpegFast unsupported and broken input: never hangs or throws anything but UnprocessableImageError on corrupted files', () => {
  // Deterministic mutations (xorshift) of baseline, progressive and restart-marker files.
  let seed = 0x2545f491;
  const rand = (n: number): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const sources = [load(S420), load('prog-420.jpg'), load('restart-prog.jpg'), load(GRAY)];
  let decoded = 0, refused = 0, fellBack = 0;
  for (let i = 0; i < 300; i++) {
    const src = sources[i % sources.length];
    const b = src.slice();
    const edits = 1 + rand(8);
    for (let e = 0; e < edits; e++) b[rand(b.length)] = rand(256);
    try {
      const out = decodeJpegFast(b, { scale: ([1, 2, 4, 8] as const)[rand(4)], maxPixels: 1_000_000 });
      if (out) {
        assert.equal(out.data.length, out.width * out.height * 4);
        decoded++;
      } else fellBack++;
    } catch (e) {
      assert.ok(e instanceof UnprocessableImageError, `mutation ${i}: threw ${String(e)}, want UnprocessableImageError`);
      refused++;
    }
  }
  assert.equal(decoded + refused + fellBack, 300);
});

const PICK_CASES: [number, number, number, number, number][] = [
  // width, height, needWidth, needHeight, want
  [4000, 2667, 500, 0, 8],
  [4000, 2667, 501, 0, 4],
  [1024, 683, 500, 0, 2],
  [1024, 683, 512, 342, 2],
  [1024, 683, 512, 343, 1],
  [1024, 683, 0, 100, 4],
  [1024, 683, 2000, 0, 1],
  [1024, 683, 0, 0, 1],
  [17, 9, 3, 2, 8],
  [17, 9, 4, 2, 4],
];
for (const [w, h, nw, nh, want] of PICK_CASES) {
  test(`pickScale: pickScale(${w}, ${h}, ${nw}, ${nh}) = ${want}`, () => {
    const got = pickScale(w, h, nw, nh);
    assert.equal(got, want, `pickScale(${w}, ${h}, ${nw}, ${nh}) = ${got}, want ${want}`);
  });
}
