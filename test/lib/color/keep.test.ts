import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { decode, encode } from '../../../lib/codecs/index.js';
import type { Limits } from '../../../lib/config.js';
import { parseOptions } from '../../../lib/request/options.js';
import { transform } from '../../../lib/transform/transform.js';
import { embedProfile, readColourSource } from '../../../lib/color/index.js';
import {
  app2Profile, ciede2000, colourFixture, fromSrgb, lab, patches, patchImage, patchMeans, SPACES, withApp2,
} from '../../helpers/colour.js';

const KEEP: Limits = { maxPixels: 10_000_000, maxOutputSide: 4096, keepColorProfile: true };
const P = patches();
const p3 = P.patches.map((rgb) => fromSrgb(rgb, SPACES.p3).map((v) => Math.round(v * 255)));

/** BIG is the patch grid at twice the size, for the half-size resize on the YCbCr path. */
const BIG = { ...P, patchSize: 2 * P.patchSize };

async function p3Jpeg(grid = P): Promise<{ bytes: Uint8Array; icc: Uint8Array }> {
  const img = patchImage(grid, p3.map((v) => [...v, 255]), 4, (n) => new Uint8Array(n));
  const icc = colourFixture('display-p3.icc');
  return { bytes: withApp2(await encode({ frames: [{ bitmap: img, delayMs: 0 }], loopCount: 0, hasAlpha: false }, 'jpeg', 100), icc), icc };
}

/** pngProfile inflates the iCCP chunk of a PNG. */
function pngProfile(png: Uint8Array): Uint8Array | undefined {
  const b = Buffer.from(png);
  for (let p = 8; p + 12 <= b.length; p += 12 + b.readUInt32BE(p)) {
    if (b.toString('latin1', p + 4, p + 8) !== 'iCCP') continue;
    const data = b.subarray(p + 8, p + 8 + b.readUInt32BE(p));
    return new Uint8Array(inflateSync(data.subarray(data.indexOf(0) + 2)));
  }
  return undefined;
}

const CASES = [
  { name: 'JPEG to JPEG', options: 'q100', profile: app2Profile },
  { name: 'JPEG to JPEG on the YCbCr path', options: `${(BIG.perRow * BIG.patchSize) / 2}x`, profile: app2Profile, grid: BIG },
  { name: 'JPEG to PNG', options: 'png', profile: pngProfile },
];

for (const c of CASES) {
  test(`keepColorProfile: ${c.name} keeps the profile bytes and the pixels`, async () => {
    const src = await p3Jpeg(c.grid);
    const r = await transform(src.bytes, parseOptions(c.options), KEEP);
    const got = c.profile(r.bytes);
    assert.ok(got, `${c.name}: output has no profile, want the source's`);
    assert.deepEqual(Buffer.from(got), Buffer.from(src.icc), `${c.name}: profile bytes differ from the source's`);
    const out = (await decode(r.bytes, { maxPixels: 1e8 })).frames[0].bitmap;
    patchMeans(P, out.data, out.width, out.height).forEach((g, i) => {
      const de = ciede2000(lab(g), lab(p3[i]));
      assert.ok(de < 2, `${c.name}: patch ${i} = ${g}, want the unconverted ${p3[i]} (CIEDE2000 ${de.toFixed(2)})`);
    });
  });
}

test('keepColorProfile: a CMYK source is still converted (its profile cannot describe RGB output)', async () => {
  const r = await transform(colourFixture('cmyk-profile.jpg'), parseOptions('png'), KEEP);
  assert.equal(pngProfile(r.bytes), undefined, 'CMYK source: output has a profile, want none');
});

test('keepColorProfile off: the output is untagged sRGB', async () => {
  const r = await transform((await p3Jpeg()).bytes, parseOptions('q100'), { ...KEEP, keepColorProfile: false });
  assert.equal(app2Profile(r.bytes), undefined, 'default: output has a profile, want untagged sRGB');
});

test('embedProfile: WebP output carries the profile in a VP8X ICCP chunk and still decodes', async () => {
  const icc = colourFixture('display-p3.icc');
  for (const hasAlpha of [false, true]) {
    const img = patchImage(P, p3.map((v) => [...v, hasAlpha ? 128 : 255]), 4, (n) => new Uint8Array(n));
    const webp = await encode({ frames: [{ bitmap: img, delayMs: 0 }], loopCount: 0, hasAlpha }, 'webp', 90);
    const out = embedProfile(webp, 'webp', icc);
    assert.ok(out, `embedProfile(webp, alpha ${hasAlpha}) = undefined, want a file`);
    const read = readColourSource(out, 'webp');
    assert.deepEqual(Buffer.from(read.icc ?? []), Buffer.from(icc), `readColourSource(embedProfile(webp)).icc differs from the profile (alpha ${hasAlpha})`);
    const d = await decode(out, { maxPixels: 1e8 });
    assert.equal(d.frames[0].bitmap.width, img.width, `decode(embedProfile(webp)).width = ${d.frames[0].bitmap.width}, want ${img.width}`);
    assert.equal(d.hasAlpha, hasAlpha, `decode(embedProfile(webp)).hasAlpha = ${d.hasAlpha}, want ${hasAlpha}`);
  }
});

test('embedProfile: a JPEG profile larger than one segment is split and reassembles', async () => {
  const icc = colourFixture('fogra39l.icc');
  const jpeg = await encode({ frames: [{ bitmap: patchImage(P, p3.map((v) => [...v, 255]), 4, (n) => new Uint8Array(n)), delayMs: 0 }], loopCount: 0, hasAlpha: false }, 'jpeg', 90);
  const out = embedProfile(jpeg, 'jpeg', icc) as Uint8Array;
  assert.deepEqual(Buffer.from(app2Profile(out) ?? []), Buffer.from(icc), 'app2Profile(embedProfile(jpeg, 247 KB profile)) differs');
  assert.ok((await decode(out, { maxPixels: 1e8 })).frames.length === 1, 'the JPEG with a split profile does not decode');
});
