import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { asBytes } from '../../../lib/codecs/bytes.js';
import { decode, type DecodedImage } from '../../../lib/codecs/index.js';
import { transform } from '../../../lib/transform/transform.js';
import { emptyOptions, type Options } from '../../../lib/request/options.js';
import { defaultConfig } from '../../../lib/config.js';
import { FIXTURES } from '../../helpers/paths.js';

/** One small file per format (each under Node's 4 KB pool threshold, so Buffer.from pools it). */
const FORMATS: Array<{ format: string; file: string }> = [
  { format: 'jpeg', file: 'jpeg/tiny-8x8.jpg' },
  { format: 'png', file: 'pngsuite/basn2c08.png' },
  { format: 'png (Adam7)', file: 'pngsuite/ibasn3p02.png' },
  { format: 'gif', file: 'codecs/anim-im.gif' },
  { format: 'tiff', file: 'libtiff/minisblack-2c-8b-alpha.tiff' },
  { format: 'bmp', file: 'codecs/quad-1bit.bmp' },
  { format: 'webp (lossy)', file: 'ximage/blue-purple-pink.lossy.webp' },
  { format: 'webp (lossless)', file: 'ximage/gopher-doc.2bpp.lossless.webp' },
];

/** VARIANTS are the shapes a library caller may hand the same bytes in. */
const VARIANTS: Array<{ name: string; make: (b: Buffer) => Uint8Array | ArrayBuffer; check?: (v: Uint8Array) => boolean }> = [
  { name: 'a pooled Buffer', make: (b) => Buffer.from(b), check: (v) => v.buffer.byteLength > v.byteLength },
  {
    name: 'a Uint8Array view at an odd offset, between junk bytes',
    make: (b) => {
      const big = new Uint8Array(b.length + 64).fill(0xa5);
      big.set(b, 37);
      return big.subarray(37, 37 + b.length);
    },
    check: (v) => v.byteOffset === 37,
  },
  { name: 'an ArrayBuffer', make: (b) => new Uint8Array(b).buffer },
  { name: 'a Buffer from readFileSync', make: (b) => b },
];

const LIMITS = defaultConfig().limits;
const SHRINK: Options = { ...emptyOptions(), width: 4, format: 'png' };

/** summary reduces a decode to what must not depend on how the bytes were passed. */
function summary(d: DecodedImage): string {
  return JSON.stringify([d.format, d.frames.length, d.hasAlpha, d.frames.map((f) => [f.bitmap.width, f.bitmap.height, Buffer.from(f.bitmap.data).toString('base64')])]);
}

test('decode() and transform() give the same result whatever holds the bytes, for every format', async () => {
  for (const f of FORMATS) {
    const fromDisk = readFileSync(path.join(FIXTURES, f.file));
    const fresh = new Uint8Array(fromDisk);
    const want = summary(await decode(fresh, { maxPixels: LIMITS.maxPixels }));
    const wantShrunk = Buffer.from((await transform(fresh, SHRINK, LIMITS)).bytes);
    for (const v of VARIANTS) {
      const input = v.make(readFileSync(path.join(FIXTURES, f.file)));
      if (v.check) assert.ok(v.check(asBytes(input)), `${v.name} for ${f.file} is not what the case means to test`);
      const got = summary(await decode(input, { maxPixels: LIMITS.maxPixels }));
      assert.equal(got, want, `decode(${f.file} as ${v.name}) differs from decode(a fresh Uint8Array)`);
      const shrunk = Buffer.from((await transform(input, SHRINK, LIMITS)).bytes);
      assert.ok(shrunk.equals(wantShrunk), `transform(${f.file} as ${v.name}, 4x,png) differs from transform(a fresh Uint8Array)`);
      const same = await transform(input, emptyOptions(), LIMITS);
      assert.ok(Buffer.from(same.bytes).equals(Buffer.from(fresh)), `transform(${f.file} as ${v.name}, no options) did not return the very bytes`);
    }
  }
});

test('asBytes views what it is given without copying, and refuses anything else', () => {
  const b = Buffer.from([1, 2, 3]);
  assert.equal(asBytes(b), b, 'asBytes(Buffer) is not the Buffer itself');
  const ab = new ArrayBuffer(4);
  const v = asBytes(ab);
  assert.ok(v.buffer === ab && v.byteLength === 4, 'asBytes(ArrayBuffer) is not a view of it');
  for (const bad of ['abc', 42, null, [1, 2], new Uint16Array(2)]) {
    assert.throws(() => asBytes(bad as unknown as Uint8Array), TypeError, `asBytes(${String(bad)}) did not throw a TypeError`);
  }
});
