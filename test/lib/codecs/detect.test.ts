import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectFormat, looksLikeSvg } from '../../../lib/codecs/detect.js';
import { F, fixture } from '../../helpers/codec-fixtures.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

test('detectFormat recognises each fixture by magic bytes', () => {
  const cases: [string, string][] = [
    [F.branchesJpg, 'jpeg'], [F.quadProgressiveJpg, 'jpeg'], [F.flowersPng, 'png'], [F.animImGif, 'gif'],
    [F.videoTiff, 'tiff'], [F.bwG4Tiff, 'tiff'], [F.videoBmp, 'bmp'], [F.bppLossyWebp, 'webp'], [F.tuxLosslessWebp, 'webp'],
  ];
  for (const [name, want] of cases) {
    const got = detectFormat(fixture(name));
    assert.equal(got, want, `detectFormat(${name}) = ${got}, want ${want}`);
  }
});

test('detectFormat sniffs SVG text and rejects other text and binary', () => {
  const cases: [string | Uint8Array, string | undefined][] = [
    ['<svg xmlns="http://www.w3.org/2000/svg"/>', 'svg'],
    ['\uFEFF<?xml version="1.0"?>\n<!-- made by hand -->\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">\n<svg width="1"></svg>', 'svg'],
    ['  \n<svg>', 'svg'],
    ['<SVG viewBox="0 0 1 1">', 'svg'],
    ['<!DOCTYPE svg [ <!ENTITY x "y"> ]><svg/>', 'svg'],
    ['<html><svg></svg></html>', undefined],
    ['<svgfoo>', undefined],
    ['hello', undefined],
    [new Uint8Array([]), undefined],
    [new Uint8Array([0xff, 0xd8]), undefined],
    [new Uint8Array([0x42, 0x4d, 1, 2]), undefined], // "BM" alone is too short to be a BMP
    [enc('RIFF\0\0\0\0WAVEfmt '), undefined],
    [new Uint8Array([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0]), 'tiff'],
    [new Uint8Array([0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8]), 'tiff'],
    [enc('GIF87a\x01\x00\x01\x00'), 'gif'],
  ];
  for (const [input, want] of cases) {
    const bytes = typeof input === 'string' ? enc(input) : input;
    const got = detectFormat(bytes);
    assert.equal(got, want, `detectFormat(${JSON.stringify(typeof input === 'string' ? input : [...input])}) = ${got}, want ${want}`);
  }
});

test('looksLikeSvg stays fast on a long run of comment openers', () => {
  const hostile = enc('<!--'.repeat(5000));
  const t = Date.now();
  const got = looksLikeSvg(hostile);
  assert.equal(got, false, `looksLikeSvg(<!--x5000) = ${got}, want false`);
  assert.ok(Date.now() - t < 500, 'looksLikeSvg took too long');
});
