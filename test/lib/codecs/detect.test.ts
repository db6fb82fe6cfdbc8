import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTENT_TYPES, detectFormat, looksLikeSvg } from '../../../lib/codecs/detect.js';
import { sniffImageType } from '../../../lib/origin/sniff.js';
import { F, fixture } from '../../helpers/codec-fixtures.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

test('detectFormat recognises each fixture by magic bytes', () => {
  const cases: Array<{ name: string; want: string }> = [
    { name: F.branchesJpg, want: 'jpeg' }, { name: F.quadProgressiveJpg, want: 'jpeg' }, { name: F.flowersPng, want: 'png' }, { name: F.animImGif, want: 'gif' },
    { name: F.videoTiff, want: 'tiff' }, { name: F.bwG4Tiff, want: 'tiff' }, { name: F.videoBmp, want: 'bmp' }, { name: F.bppLossyWebp, want: 'webp' }, { name: F.tuxLosslessWebp, want: 'webp' },
  ];
  for (const { name, want } of cases) {
    const got = detectFormat(fixture(name));
    assert.equal(got, want, `detectFormat(${name}) = ${got}, want ${want}`);
  }
});

test('detectFormat sniffs SVG text and rejects other text and binary', () => {
  const cases: Array<{ input: string | Uint8Array; want?: string | undefined }> = [
    { input: '<svg xmlns="http://www.w3.org/2000/svg"/>', want: 'svg' },
    { input: '\uFEFF<?xml version="1.0"?>\n<!-- made by hand -->\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x.dtd">\n<svg width="1"></svg>', want: 'svg' },
    { input: '  \n<svg>', want: 'svg' },
    { input: '<SVG viewBox="0 0 1 1">', want: 'svg' },
    { input: '<!DOCTYPE svg [ <!ENTITY x "y"> ]><svg/>', want: 'svg' },
    { input: '<html><svg></svg></html>' },
    { input: '<svgfoo>' },
    { input: 'hello' },
    { input: new Uint8Array([]) },
    { input: new Uint8Array([0xff, 0xd8]) },
    { input: new Uint8Array([0x42, 0x4d, 1, 2]) }, // "BM" alone is too short to be a BMP
    { input: enc('RIFF\0\0\0\0WAVEfmt ') },
    { input: new Uint8Array([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0]), want: 'tiff' },
    { input: new Uint8Array([0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8]), want: 'tiff' },
    { input: enc('GIF87a\x01\x00\x01\x00'), want: 'gif' },
  ];
  for (const { input, want } of cases) {
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

/** bmpHead is the start of a BMP: the "BM" file header with a DIB header of the given size. */
function bmpHead(dibSize: number, length = 54): Uint8Array {
  const b = new Uint8Array(length);
  b.set([0x42, 0x4d]);
  new DataView(b.buffer).setUint32(14, dibSize, true);
  return b;
}

test('one rule for codecs and origin sniffing: the stricter of the two former sniffers', () => {
  const pad = (n: number): string => `<!--${'x'.repeat(n)}-->`;
  const cases: Array<{ name: string; bytes: Uint8Array; want: string | undefined }> = [
    // SVG: only an svg doctype may precede the root (the origin sniffer's rule)...
    { name: 'html doctype, svg root', bytes: enc('<!DOCTYPE html><svg></svg>'), want: undefined },
    { name: 'svg doctype, svg root', bytes: enc('<!DOCTYPE svg><svg></svg>'), want: 'svg' },
    // ...with its internal subset skipped as a whole (the codecs' rule), quoted '>' and ']' included.
    { name: 'svg doctype with entities', bytes: enc('<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x" [\n <!ENTITY a "<b>"> <!ENTITY c "]">\n]>\n<svg/>'), want: 'svg' },
    { name: 'unterminated doctype', bytes: enc('<!DOCTYPE svg [ <!ENTITY a "b"> <svg/>'), want: undefined },
    // The root must start within SNIFF_BYTES (1024), the shorter window.
    { name: '<svg at byte 1000', bytes: enc(`${pad(993)}<svg/>`), want: 'svg' },
    { name: '<svg at byte 1100', bytes: enc(`${pad(1093)}<svg/>`), want: undefined },
    { name: 'comment ending past the window', bytes: enc(`${pad(2000)}<svg/>`), want: undefined },
    { name: 'prefixed root', bytes: enc('<svg:svg xmlns:svg="http://www.w3.org/2000/svg"/>'), want: undefined },
    { name: 'only XML white space before the root', bytes: enc('\u00a0<svg/>'), want: undefined },
    { name: 'processing instructions and BOM', bytes: enc('\ufeff<?xml version="1.0"?><?xml-stylesheet href="a.css"?><svg>'), want: 'svg' },
    // BMP: a known DIB header size, read as 32 bits, in a file long enough to hold a core header.
    { name: 'BMP info header', bytes: bmpHead(40), want: 'bmp' },
    { name: 'BMP v5 header', bytes: bmpHead(124), want: 'bmp' },
    { name: 'BMP core header, 26 bytes', bytes: bmpHead(12, 26), want: 'bmp' },
    { name: 'BMP core header, 25 bytes', bytes: bmpHead(12, 25), want: undefined },
    { name: 'BMP with a 16-byte header (not decodable)', bytes: bmpHead(16), want: undefined },
    { name: 'BMP header size 40 + 2^16', bytes: bmpHead(40 + 65536), want: undefined },
  ];
  for (const c of cases) {
    const got = detectFormat(c.bytes);
    assert.equal(got, c.want, `detectFormat(${c.name}) = ${got}, want ${c.want}`);
    const type = sniffImageType(c.bytes);
    const wantType = c.want && CONTENT_TYPES[c.want as keyof typeof CONTENT_TYPES];
    assert.equal(type, wantType, `sniffImageType(${c.name}) = ${type}, want ${wantType}`);
  }
});
