import { test } from 'node:test';
import assert from 'node:assert/strict';
import { probe } from '../../../lib/codecs/probe.js';
import { UnprocessableImageError } from '../../../lib/errors.js';
import { F, fixture, makeAnimatedGif } from '../../helpers/codec-fixtures.js';

test('probe reads format, size and frames from headers', () => {
  const cases: [string, Uint8Array, string][] = [
    [F.branchesJpg, fixture(F.branchesJpg), 'jpeg 600x400 x1'],
    [F.orientation(6), fixture(F.orientation(6)), 'jpeg 70x50 x1'],
    [F.quadProgressiveJpg, fixture(F.quadProgressiveJpg), 'jpeg 32x32 x1'],
    [F.flowersPng, fixture(F.flowersPng), 'png 240x160 x1'],
    [F.animImGif, fixture(F.animImGif), 'gif 8x8 x3'],
    ['makeAnimatedGif()', makeAnimatedGif(), 'gif 6x4 x3'],
    [F.videoTiledTiff, fixture(F.videoTiledTiff), 'tiff 150x103 x1'],
    [F.bwG4Tiff, fixture(F.bwG4Tiff), 'tiff 153x55 x1'],
    [F.videoBmp, fixture(F.videoBmp), 'bmp 150x103 x1'],
    [F.bppLossyWebp, fixture(F.bppLossyWebp), 'webp 150x100 x1'],
    [F.bppLosslessWebp, fixture(F.bppLosslessWebp), 'webp 150x100 x1'],
    [F.roseAlphaWebp, fixture(F.roseAlphaWebp), 'webp 400x301 x1'],
    ['svg', new TextEncoder().encode('<svg width="10"/>'), 'svg 0x0 x1'],
  ];
  for (const [name, bytes, want] of cases) {
    const p = probe(bytes);
    const got = `${p.format} ${p.width}x${p.height} x${p.frames}`;
    assert.equal(got, want, `probe(${name}) = ${got}, want ${want}`);
    assert.equal(p.pixels, p.width * p.height * p.frames, `probe(${name}).pixels = ${p.pixels}, want ${p.width * p.height * p.frames}`);
  }
});

test('probe refuses unknown and truncated headers with 422', () => {
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['text', new TextEncoder().encode('not an image')],
    ['jpeg soi only', new Uint8Array([0xff, 0xd8, 0xff])],
    ['jpeg without sof', new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 2, 0xff, 0xd9])],
    ['png signature only', fixture(F.flowersPng).subarray(0, 8)],
    ['gif header only', fixture(F.animImGif).subarray(0, 13)],
    ['tiff header only', fixture(F.videoTiff).subarray(0, 8)],
    ['bmp header only', fixture(F.videoBmp).subarray(0, 30)],
    ['webp riff only', fixture(F.bppLossyWebp).subarray(0, 16)],
  ];
  for (const [name, bytes] of cases) {
    assert.throws(() => probe(bytes), (err: unknown) => err instanceof UnprocessableImageError && err.status === 422,
      `probe(${name}) did not throw a 422 UnprocessableImageError`);
  }
});

test('probe reads the EXIF orientation of JPEG and TIFF headers, and trusts a format it is given', () => {
  const cases: Array<{ name: string; bytes: Uint8Array; want: number }> = [
    ...[0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => ({ name: F.orientation(n), bytes: fixture(F.orientation(n)), want: n === 0 ? 1 : n })),
    { name: F.videoTiff, bytes: fixture(F.videoTiff), want: 1 },
    { name: F.flowersPng, bytes: fixture(F.flowersPng), want: 1 },
  ];
  for (const c of cases) {
    const got = probe(c.bytes).orientation;
    assert.equal(got, c.want, `probe(${c.name}).orientation = ${got}, want ${c.want}`);
  }
  const png = fixture(F.flowersPng);
  assert.throws(() => probe(png, { format: 'jpeg' }), UnprocessableImageError, 'probe(png, format jpeg) read the bytes as a PNG, want them read as the JPEG it was told');
});
