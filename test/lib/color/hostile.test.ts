import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { encode } from '../../../lib/codecs/index.js';
import type { Limits } from '../../../lib/config.js';
import { parseOptions } from '../../../lib/request/options.js';
import { transform } from '../../../lib/transform/transform.js';
import { converterFor, planColour } from '../../../lib/color/index.js';
import { colourFixture, iccpChunk, patches, patchImage, withApp2, withIccp, writePng } from '../../helpers/colour.js';

const LIMITS: Limits = { maxPixels: 10_000_000, maxOutputSide: 4096 };
const P = patches();
const RGBA = patchImage(P, P.patches.map((v) => [...v, 255]), 4, (n) => new Uint8Array(n));
const RGB = patchImage(P, P.patches, 3, (n) => new Uint8Array(n));
const p3 = colourFixture('display-p3.icc');
const mft2 = colourFixture('adobergb-mft2.icc');

/** patched is a copy of b with `at` overwritten by `bytes`. */
function patched(b: Uint8Array, at: number, bytes: number[]): Uint8Array {
  const c = new Uint8Array(b);
  c.set(bytes, at);
  return c;
}

/** tagAt is the tag table position of tag `name` in profile b. */
function tagAt(b: Uint8Array, name: string): number {
  const n = Buffer.from(b).readUInt32BE(128);
  for (let i = 0; i < n; i++) if (Buffer.from(b).toString('latin1', 132 + 12 * i, 136 + 12 * i) === name) return 132 + 12 * i;
  throw new Error(`no tag ${name}`);
}

const be32 = (v: number): number[] => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const rTRC = Buffer.from(p3).readUInt32BE(tagAt(p3, 'rTRC') + 4);
const a2b0 = Buffer.from(mft2).readUInt32BE(tagAt(mft2, 'A2B0') + 4);

/** BAD_PROFILES are profiles that must be ignored, each with what is wrong with it. */
const BAD_PROFILES: { name: string; icc: Uint8Array }[] = [
  { name: 'truncated to 100 bytes', icc: p3.subarray(0, 100) },
  { name: 'truncated inside the tag data', icc: patched(p3.subarray(0, 400), 0, be32(400)) },
  { name: 'size field larger than the data', icc: patched(p3, 0, be32(p3.length + 1000)) },
  { name: 'size field smaller than the header', icc: patched(p3, 0, be32(64)) },
  { name: 'no acsp signature', icc: patched(p3, 36, [0x78, 0x78, 0x78, 0x78]) },
  { name: 'tag offset past the end', icc: patched(p3, tagAt(p3, 'rXYZ') + 4, be32(0xffffff00)) },
  { name: 'tag size past the end', icc: patched(p3, tagAt(p3, 'gXYZ') + 8, be32(0x7fffffff)) },
  { name: 'tag count of four billion', icc: patched(p3, 128, be32(0xffffffff)) },
  { name: 'unknown parametric curve type', icc: patched(p3, rTRC + 8, [0, 9]) },
  { name: 'curve table longer than its tag', icc: patched(patched(p3, rTRC, [0x63, 0x75, 0x72, 0x76]), rTRC + 8, be32(0x00ffffff)) },
  { name: 'unsupported data colour space (Lab)', icc: patched(p3, 16, [0x4c, 0x61, 0x62, 0x20]) },
  { name: 'device link class', icc: patched(p3, 12, [0x6c, 0x69, 0x6e, 0x6b]) },
  { name: 'lut16 CLUT truncated (tag size cut)', icc: patched(mft2, tagAt(mft2, 'A2B0') + 8, be32(200)) },
  { name: 'lut16 CLUT of 255 grid points', icc: patched(mft2, a2b0 + 10, [255]) },
  { name: 'lut16 table sizes of 65535', icc: patched(mft2, a2b0 + 48, [255, 255, 255, 255]) },
  { name: 'gray profile on an RGB image', icc: colourFixture('Gray-CIE_L.icc') },
  { name: 'random bytes', icc: Uint8Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) & 255) },
];

/** CONTAINERS wrap a profile (or bad framing) around the patches. */
const CONTAINERS: { name: string; wrap: (icc: Uint8Array) => Promise<Uint8Array>; plain: () => Promise<Uint8Array> }[] = [
  {
    name: 'JPEG APP2',
    wrap: async (icc) => withApp2(await encode({ frames: [{ bitmap: RGBA, delayMs: 0 }], loopCount: 0, hasAlpha: false }, 'jpeg', 90), icc),
    plain: async () => encode({ frames: [{ bitmap: RGBA, delayMs: 0 }], loopCount: 0, hasAlpha: false }, 'jpeg', 90),
  },
  { name: 'PNG iCCP', wrap: async (icc) => writePng(RGB, 2, 8, [iccpChunk(icc)]), plain: async () => writePng(RGB, 2, 8) },
];

for (const c of CONTAINERS) {
  for (const bad of BAD_PROFILES) {
    test(`hostile profile in ${c.name}: ${bad.name} is ignored, pixels taken as sRGB`, async () => {
      const opts = parseOptions('png');
      const got = await transform(await c.wrap(bad.icc), opts, LIMITS);
      const want = await transform(await c.plain(), opts, LIMITS);
      assert.deepEqual(Buffer.from(got.bytes), Buffer.from(want.bytes), `transform(${bad.name}) differs from the untagged image's, want the same pixels`);
      assert.ok(got.warnings?.some((w) => /colour profile/.test(w)), `transform(${bad.name}).warnings = ${JSON.stringify(got.warnings)}, want a colour profile warning`);
    });
  }
}

/** BAD_FRAMING are containers whose profile framing itself is broken. */
const BAD_FRAMING: { name: string; bytes: () => Promise<Uint8Array>; plain: () => Promise<Uint8Array>; limits?: Partial<Limits> }[] = [
  {
    name: 'PNG iCCP bomb (50 MB of zeros)', bytes: async () => writePng(RGB, 2, 8, [iccpChunk(p3, deflateSync(Buffer.alloc(50 * 1024 * 1024)))]),
    plain: async () => writePng(RGB, 2, 8),
  },
  { name: 'PNG iCCP that does not inflate', bytes: async () => writePng(RGB, 2, 8, [iccpChunk(p3, Uint8Array.of(1, 2, 3, 4))]), plain: async () => writePng(RGB, 2, 8) },
  {
    name: 'JPEG APP2 with a missing segment',
    bytes: async () => {
      const j = withApp2(await CONTAINERS[0].plain(), p3, 3);
      // Drop the second of three segments.
      const first = 2, len1 = (j[first + 2] << 8) | j[first + 3], second = first + 2 + len1, len2 = (j[second + 2] << 8) | j[second + 3];
      return Buffer.concat([j.subarray(0, second), j.subarray(second + 2 + len2)]);
    },
    plain: CONTAINERS[0].plain,
  },
  {
    name: 'JPEG profile over -maxColorProfileSize', bytes: async () => withApp2(await CONTAINERS[0].plain(), p3),
    plain: CONTAINERS[0].plain, limits: { maxColorProfileSize: 500 },
  },
  {
    name: 'WebP ICCP chunk larger than the file',
    bytes: async () => {
      const w = Buffer.from(withIccp(await encode({ frames: [{ bitmap: RGBA, delayMs: 0 }], loopCount: 0, hasAlpha: false }, 'webp', 90), p3, RGBA.width, RGBA.height));
      w.writeUInt32LE(0x7fff0000, 30 + 4);
      return w;
    },
    plain: async () => encode({ frames: [{ bitmap: RGBA, delayMs: 0 }], loopCount: 0, hasAlpha: false }, 'webp', 90),
  },
];

for (const c of BAD_FRAMING) {
  test(`hostile framing: ${c.name} is ignored without failing the request`, async () => {
    const limits = { ...LIMITS, ...c.limits };
    const src = await c.bytes();
    const plan = planColour(src, src[0] === 0xff ? 'jpeg' : src[0] === 0x89 ? 'png' : 'webp', { maxProfileBytes: limits.maxColorProfileSize });
    assert.equal(plan.converter, undefined, `planColour(${c.name}).converter is set, want none`);
    assert.ok(plan.warnings.length > 0, `planColour(${c.name}).warnings is empty, want a line`);
    if (src[0] === 0x52) return; // the WebP container itself is refused by the decoder: only the reader is under test
    const got = await transform(src, parseOptions('png'), limits);
    const want = await transform(await c.plain(), parseOptions('png'), limits);
    assert.deepEqual(Buffer.from(got.bytes), Buffer.from(want.bytes), `transform(${c.name}) differs from the untagged image's`);
  });
}

test('converterFor: the same bad profile is judged once and then answered from the cache', () => {
  const bad = patched(p3, 128, be32(0xffffffff));
  const a = converterFor(bad), b = converterFor(bad);
  assert.equal(typeof a, 'string', `converterFor(bad) = ${typeof a}, want a reason`);
  assert.equal(a, b, 'converterFor(bad) twice gives different answers');
});

test('converterFor: a profile whose cache key collides with another one\'s gets its own converter', () => {
  // The key stands for a crafted fingerprint collision (same length and hash, other bytes).
  const adobe = colourFixture('AdobeRGB1998.icc');
  const key = 'a crafted collision';
  const first = converterFor(p3, key), second = converterFor(adobe, key), again = converterFor(p3, key);
  const want = converterFor(adobe), wantP3 = converterFor(p3);
  for (const [name, got, exp] of [['AdobeRGB1998.icc after display-p3.icc', second, want], ['display-p3.icc after both', again, wantP3], ['display-p3.icc first', first, wantP3]] as const) {
    assert.ok(typeof got === 'object' && typeof exp === 'object', `converterFor(${name}) = ${typeof got}, want a converter`);
    assert.deepEqual(got.matrix?.m, exp.matrix?.m, `converterFor(${name}, colliding key).matrix = ${String(got.matrix?.m)}, want ${String(exp.matrix?.m)}`);
  }
  assert.equal(converterFor(adobe, key), converterFor(adobe, key), 'converterFor(adobe, key) twice gives different converters');
});

test('converterFor: a profile over 64 KB is built for each image and never answered from the cache', () => {
  // display-p3.icc padded past 64 KB, its header's size field updated: the same profile, larger.
  const big = new Uint8Array(70 * 1024);
  big.set(p3);
  new DataView(big.buffer).setUint32(0, big.length);
  const key = 'a key two large profiles share';
  const a = converterFor(big, key), b = converterFor(big, key);
  assert.ok(typeof a === 'object' && typeof b === 'object', `converterFor(p3 padded to 70 KB) = ${typeof a}, want a converter`);
  assert.notEqual(a, b, 'converterFor(p3 padded to 70 KB) twice returned the cached converter, want one built each time');
  assert.deepEqual(a.matrix?.m, (converterFor(p3) as typeof a).matrix?.m, 'the padded profile converts as display-p3.icc does');
});
