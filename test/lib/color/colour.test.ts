import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES } from '../../helpers/paths.js';
import assert from 'node:assert/strict';
import { decode, encode } from '../../../lib/codecs/index.js';
import type { Limits } from '../../../lib/config.js';
import { parseOptions } from '../../../lib/request/options.js';
import { transform } from '../../../lib/transform/transform.js';
import {
  ciede2000, colourFixture, fromSrgb, iccpChunk, lab, lightnessToY, patches, patchImage, patchMeans, pngChunk,
  SPACES, srgbDecode01, srgbEncode8, withApp2, withIccp, writePng, writeTiff, type Patches, type Space,
} from '../../helpers/colour.js';

const LIMITS: Limits = { maxPixels: 10_000_000, maxOutputSide: 4096 };
const P = patches();
/** BIG is the patch grid at twice the size, for resizes that take the JPEG YCbCr path. */
const BIG: Patches = { ...P, patchSize: 2 * P.patchSize };
const cmyk = JSON.parse(new TextDecoder().decode(colourFixture('cmyk-expected.json'))) as { ink: number[][]; srgb: number[][] };

/** jpegOf encodes 8-bit RGB patch values (device values of some space) as a quality-100 JPEG. */
async function jpegOf(values: number[][], grid = P): Promise<Uint8Array> {
  const img = patchImage(grid, values.map((v) => [...v, 255]), 4, (n) => new Uint8Array(n));
  return encode({ frames: [{ bitmap: img, delayMs: 0 }], loopCount: 0, hasAlpha: false }, 'jpeg', 100);
}

/** device8 is an sRGB patch in space s, as 8-bit device values. */
const device8 = (s: Space) => P.patches.map((rgb) => fromSrgb(rgb, s).map((v) => Math.round(v * 255)));
const device16 = (s: Space) => P.patches.map((rgb) => fromSrgb(rgb, s).map((v) => Math.round(v * 65535)));

interface Case {
  name: string;
  bytes: () => Promise<Uint8Array>;
  options: string;
  /** The sRGB colours the output's patches must show. */
  want: number[][];
  grid?: Patches;
}

const grayValues = [20, 60, 100, 128, 160, 200, 230, 250, 5, 90];
const linear8 = P.patches.map((rgb) => rgb.map((v) => Math.round(255 * srgbDecode01(v / 255))));

const CASES: Case[] = [
  { name: 'Display P3 JPEG (matrix/TRC) to PNG', bytes: async () => withApp2(await jpegOf(device8(SPACES.p3)), colourFixture('display-p3.icc')), options: 'png', want: P.patches },
  {
    name: 'Display P3 JPEG resized on the YCbCr path', grid: BIG,
    bytes: async () => withApp2(await jpegOf(device8(SPACES.p3), BIG), colourFixture('display-p3.icc')), options: `${BIG.perRow * BIG.patchSize / 2}x`, want: P.patches,
  },
  { name: 'Adobe RGB JPEG (colord profile, 3 APP2 segments)', bytes: async () => withApp2(await jpegOf(device8(SPACES.adobe)), colourFixture('AdobeRGB1998.icc'), 3), options: 'png', want: P.patches },
  { name: 'Adobe RGB JPEG, lut16 (mft2) profile', bytes: async () => withApp2(await jpegOf(device8(SPACES.adobe)), colourFixture('adobergb-mft2.icc')), options: 'png', want: P.patches },
  { name: 'Adobe RGB JPEG to JPEG', bytes: async () => withApp2(await jpegOf(device8(SPACES.adobe)), colourFixture('AdobeRGB1998.icc')), options: 'q100', want: P.patches },
  {
    name: 'ProPhoto 16-bit PNG (iCCP)', options: 'jpeg',
    bytes: async () => writePng(patchImage(P, device16(SPACES.prophoto), 3, (n) => new Uint16Array(n)), 2, 16, [iccpChunk(colourFixture('ProPhotoRGB.icc'))]), want: P.patches,
  },
  {
    name: 'ProPhoto 16-bit TIFF (tag 34675)', options: 'png',
    bytes: async () => writeTiff(patchImage(P, device16(SPACES.prophoto), 3, (n) => new Uint16Array(n)), 16, colourFixture('ProPhotoRGB.icc')), want: P.patches,
  },
  {
    name: 'Adobe RGB 8-bit TIFF (tag 34675)', options: 'png',
    bytes: async () => writeTiff(patchImage(P, device8(SPACES.adobe), 3, (n) => new Uint8Array(n)), 8, colourFixture('AdobeRGB1998.icc')), want: P.patches,
  },
  {
    name: 'ProPhoto 8-bit PNG, lut8 (mft1) profile', options: 'jpeg',
    bytes: async () => writePng(patchImage(P, device8(SPACES.prophoto), 3, (n) => new Uint8Array(n)), 2, 8, [iccpChunk(colourFixture('prophoto-mft1.icc'))]), want: P.patches,
  },
  {
    name: 'Rec. 2020 WebP (VP8X ICCP)', options: 'png',
    bytes: async () => {
      const img = patchImage(P, device8(SPACES.rec2020).map((v) => [...v, 255]), 4, (n) => new Uint8Array(n));
      return withIccp(await encode({ frames: [{ bitmap: img, delayMs: 0 }], loopCount: 0, hasAlpha: false }, 'webp', 100), colourFixture('rec2020.icc'), img.width, img.height);
    },
    want: P.patches,
  },
  {
    name: 'gray PNG with a Lab gray profile (Gray-CIE_L)', options: 'jpeg',
    bytes: async () => writePng(patchImage(P, grayValues.map((v) => [v]), 1, (n) => new Uint8Array(n)), 0, 8, [iccpChunk(colourFixture('Gray-CIE_L.icc'))]),
    want: grayValues.map((v) => { const s = srgbEncode8(lightnessToY((v / 255) * 100)); return [s, s, s]; }),
  },
  {
    name: 'PNG with gAMA 1.0 and no profile', options: 'jpeg',
    bytes: async () => writePng(patchImage(P, linear8, 3, (n) => new Uint8Array(n)), 2, 8, [pngChunk('gAMA', Uint8Array.of(0, 1, 0x86, 0xa0))]),
    want: linear8.map((v) => v.map((x) => srgbEncode8(x / 255))),
  },
  {
    name: '16-bit PNG with gAMA 1.0', options: 'png',
    bytes: async () => writePng(patchImage(P, P.patches.map((rgb) => rgb.map((v) => Math.round(65535 * srgbDecode01(v / 255)))), 3, (n) => new Uint16Array(n)), 2, 16,
      [pngChunk('gAMA', Uint8Array.of(0, 1, 0x86, 0xa0))]),
    want: P.patches,
  },
  { name: 'CMYK JPEG with a FOGRA39 profile (4 APP2 segments)', bytes: async () => colourFixture('cmyk-profile.jpg'), options: 'png', want: cmyk.srgb },
  { name: 'CMYK JPEG without a profile (default CMYK profile)', bytes: async () => colourFixture('cmyk-noprofile.jpg'), options: 'png', want: cmyk.srgb },
  { name: 'YCCK JPEG without a profile (default CMYK profile)', bytes: async () => colourFixture('ycck-noprofile.jpg'), options: 'png', want: cmyk.srgb },
  {
    name: 'CMYK 8-bit TIFF with the FOGRA39 profile (tag 34675)', options: 'png', want: cmyk.srgb,
    bytes: async () => writeTiff(patchImage(P, cmyk.ink, 4, (n) => new Uint8Array(n)), 8, colourFixture('fogra39l.icc'), 4),
  },
  {
    name: 'CMYK 16-bit TIFF without a profile (default CMYK profile)', options: 'jpeg', want: cmyk.srgb,
    bytes: async () => writeTiff(patchImage(P, cmyk.ink.map((k) => k.map((v) => v * 257)), 4, (n) => new Uint16Array(n)), 16, undefined, 4),
  },
];

for (const c of CASES) {
  test(`colour: ${c.name}`, async () => {
    const r = await transform(await c.bytes(), parseOptions(c.options), LIMITS);
    assert.equal(r.warnings, undefined, `${c.name}: warnings = ${JSON.stringify(r.warnings)}, want none`);
    const out = (await decode(r.bytes, { maxPixels: 1e8 })).frames[0].bitmap;
    const got = patchMeans(P, out.data, out.width, out.height);
    got.forEach((g, i) => {
      const de = ciede2000(lab(g), lab(c.want[i]));
      assert.ok(de < 2, `${c.name}: patch ${i} = ${g.map((v) => v.toFixed(1))}, want ${c.want[i].map((v) => v.toFixed(1))} (CIEDE2000 ${de.toFixed(2)})`);
    });
  });
}

test('colour: an sRGB-tagged JPEG gives the same bytes as the untagged one (YCbCr path, no conversion)', async () => {
  const plain = await jpegOf(P.patches, BIG);
  const tagged = withApp2(plain, colourFixture('sRGB.icc'));
  const opts = parseOptions(`${BIG.perRow * BIG.patchSize / 2}x`);
  const [a, b] = [await transform(plain, opts, LIMITS), await transform(tagged, opts, LIMITS)];
  assert.deepEqual(Buffer.from(b.bytes), Buffer.from(a.bytes), 'transform(sRGB-tagged) differs from transform(untagged), want the same bytes');
  assert.equal(b.warnings, undefined);
});

test('colour: untouched values without any colour metadata', async () => {
  const r = await transform(await jpegOf(P.patches), parseOptions('png'), LIMITS);
  const out = (await decode(r.bytes, { maxPixels: 1e8 })).frames[0].bitmap;
  patchMeans(P, out.data, out.width, out.height).forEach((g, i) => {
    const de = ciede2000(lab(g), lab(P.patches[i]));
    assert.ok(de < 1, `untagged patch ${i} = ${g}, want ${P.patches[i]} (CIEDE2000 ${de.toFixed(2)})`);
  });
});

test('colour: a one-component JPEG with a gray Lab profile maps every pixel through L*', async () => {
  const gray = new Uint8Array(readFileSync(path.join(FIXTURES, 'libjpeg-turbo', 'testorig-gray.jpg')));
  const plain = (await decode(await (await transform(gray, parseOptions('png'), LIMITS)).bytes, { maxPixels: 1e8 })).frames[0].bitmap;
  const r = await transform(withApp2(gray, colourFixture('Gray-CIE_L.icc')), parseOptions('png'), LIMITS);
  const got = (await decode(r.bytes, { maxPixels: 1e8 })).frames[0].bitmap;
  let worst = 0;
  for (let i = 0; i < plain.data.length; i += 4 * 97) {
    const want = srgbEncode8(lightnessToY((plain.data[i] / 255) * 100));
    worst = Math.max(worst, Math.abs(got.data[i] - want), Math.abs(got.data[i + 1] - want));
  }
  assert.ok(worst <= 1, `gray JPEG with Gray-CIE_L: largest difference from L* mapping = ${worst}, want <= 1`);
});
