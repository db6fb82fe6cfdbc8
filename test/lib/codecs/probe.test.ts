import { test } from 'node:test';
import assert from 'node:assert/strict';
import { probe } from '../../../lib/codecs/probe.js';
import { UnprocessableImageError } from '../../../lib/errors.js';
import { F, fixture, makeAnimatedGif } from '../../helpers/codec-fixtures.js';

test('probe reads format, size and frames from headers', () => {
  const cases: Array<{ name: string; bytes: Uint8Array; want: string }> = [
    { name: F.branchesJpg, bytes: fixture(F.branchesJpg), want: 'jpeg 600x400 x1' },
    { name: F.orientation(6), bytes: fixture(F.orientation(6)), want: 'jpeg 70x50 x1' },
    { name: F.quadProgressiveJpg, bytes: fixture(F.quadProgressiveJpg), want: 'jpeg 32x32 x1' },
    { name: F.flowersPng, bytes: fixture(F.flowersPng), want: 'png 240x160 x1' },
    { name: F.animImGif, bytes: fixture(F.animImGif), want: 'gif 8x8 x3' },
    { name: 'makeAnimatedGif()', bytes: makeAnimatedGif(), want: 'gif 6x4 x3' },
    { name: F.videoTiledTiff, bytes: fixture(F.videoTiledTiff), want: 'tiff 150x103 x1' },
    { name: F.bwG4Tiff, bytes: fixture(F.bwG4Tiff), want: 'tiff 153x55 x1' },
    { name: F.videoBmp, bytes: fixture(F.videoBmp), want: 'bmp 150x103 x1' },
    { name: F.bppLossyWebp, bytes: fixture(F.bppLossyWebp), want: 'webp 150x100 x1' },
    { name: F.bppLosslessWebp, bytes: fixture(F.bppLosslessWebp), want: 'webp 150x100 x1' },
    { name: F.roseAlphaWebp, bytes: fixture(F.roseAlphaWebp), want: 'webp 400x301 x1' },
    { name: 'svg', bytes: new TextEncoder().encode('<svg width="10"/>'), want: 'svg 0x0 x1' },
  ];
  for (const { name, bytes, want } of cases) {
    const p = probe(bytes);
    const got = `${p.format} ${p.width}x${p.height} x${p.frames}`;
    assert.equal(got, want, `probe(${name}) = ${got}, want ${want}`);
    assert.equal(p.pixels, p.width * p.height * p.frames, `probe(${name}).pixels = ${p.pixels}, want ${p.width * p.height * p.frames}`);
  }
});

test('probe refuses unknown and truncated headers with 422', () => {
  const cases: Array<{ name: string; bytes: Uint8Array }> = [
    { name: 'empty', bytes: new Uint8Array(0) },
    { name: 'text', bytes: new TextEncoder().encode('not an image') },
    { name: 'jpeg soi only', bytes: new Uint8Array([0xff, 0xd8, 0xff]) },
    { name: 'jpeg without sof', bytes: new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 2, 0xff, 0xd9]) },
    { name: 'png signature only', bytes: fixture(F.flowersPng).subarray(0, 8) },
    { name: 'gif header only', bytes: fixture(F.animImGif).subarray(0, 13) },
    { name: 'tiff header only', bytes: fixture(F.videoTiff).subarray(0, 8) },
    { name: 'bmp header only', bytes: fixture(F.videoBmp).subarray(0, 30) },
    { name: 'webp riff only', bytes: fixture(F.bppLossyWebp).subarray(0, 16) },
  ];
  for (const { name, bytes } of cases) {
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
