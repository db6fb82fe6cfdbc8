import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { decodePng, decodePngGeneral } from '../../../lib/codecs/png.js';
import { crc32 } from '../../../lib/codecs/pngfast-chunks.js';
import { UnprocessableImageError } from '../../../lib/errors.js';
import type { Bitmap } from '../../../lib/codecs/types.js';
import { fixture } from '../../helpers/codec-fixtures.js';
import { FIXTURES } from '../../helpers/paths.js';

// PngSuite (libpng 1.6.39 contrib/pngsuite, Willem van Schaik's free licence), libpng's crashers
// (contrib/testpngs/crashers, libpng licence) and Go's image/png testdata (BSD-3-Clause).

const sameBitmap = (a: Bitmap, b: Bitmap): boolean =>
  a.width === b.width && a.height === b.height && Buffer.from(a.data).equals(Buffer.from(b.data));

test('every interlaced PngSuite image decodes to its non-interlaced twin', () => {
  const twins = readdirSync(path.join(FIXTURES, 'pngsuite')).filter((n) => n.startsWith('i'));
  assert.ok(twins.length >= 20, `found ${twins.length} interlaced PngSuite images, want 20 or more`);
  for (const name of twins) {
    const interlaced = decodePng(fixture(`pngsuite/${name}`));
    const plain = decodePng(fixture(`pngsuite/${name.slice(1)}`));
    assert.ok(sameBitmap(interlaced.bitmap, plain.bitmap), `decodePng(${name}) differs from decodePng(${name.slice(1)})`);
    assert.equal(interlaced.hasAlpha, plain.hasAlpha, `decodePng(${name}).hasAlpha = ${interlaced.hasAlpha}, want ${plain.hasAlpha}`);
  }
});

test('non-interlaced PngSuite images decode to fast-png\'s pixels', () => {
  for (const name of readdirSync(path.join(FIXTURES, 'pngsuite')).filter((n) => !n.startsWith('i'))) {
    const bytes = fixture(`pngsuite/${name}`);
    assert.ok(sameBitmap(decodePng(bytes).bitmap, decodePngGeneral(bytes).bitmap), `decodePng(${name}) differs from fast-png's decode`);
  }
});

/**
 * sngPixels reads the RGBA pixels of the Go tests' .sng description of a grey or palette PNG:
 * grey rows as 8-bit hex samples, palette rows as packed indices (bitdepth bits each).
 */
function sngPixels(text: string): Bitmap {
  const ihdr = /width: (\d+); height: (\d+); bitdepth: (\d+);\s+using (\w+)/.exec(text);
  assert.ok(ihdr, 'no IHDR in the .sng');
  const [width, height, depth] = [Number(ihdr[1]), Number(ihdr[2]), Number(ihdr[3])];
  const palette = [...(/PLTE \{([^}]*)\}/.exec(text)?.[1] ?? '').matchAll(/\(\s*(\d+),\s*(\d+),\s*(\d+)\)/g)].map((m) => [+m[1], +m[2], +m[3]]);
  const rows = /pixels hex\n([\s\S]*?)\n\}/.exec(text)?.[1].trim().split('\n') ?? [];
  assert.equal(rows.length, height, 'the .sng has one hex line per row');
  const data = new Uint8Array(width * height * 4);
  rows.forEach((line, y) => {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      if (ihdr[4] === 'grayscale') {
        data.fill(parseInt(line.slice(x * 2, x * 2 + 2), 16), o, o + 3);
      } else {
        const bits = BigInt(`0x${line}`) >> BigInt(line.length * 4 - (x + 1) * depth);
        const c = palette[Number(bits & BigInt((1 << depth) - 1))];
        data.set(c, o);
      }
      data[o + 3] = 255;
    }
  });
  return { width, height, data };
}

test('Go\'s PngSuite images decode to the pixels of their .sng goldens', () => {
  for (const name of ['basn3p04-31i', 'basn0g01-30', 'basn0g02-29', 'basn0g04-31']) {
    const want = sngPixels(Buffer.from(fixture(`gopng/${name}.sng`)).toString('latin1'));
    const got = decodePng(fixture(`gopng/${name}.png`)).bitmap;
    assert.ok(sameBitmap(got, want), `decodePng(${name}.png) differs from ${name}.sng`);
  }
});

/** walkChunks splits a PNG into its chunks (each with length, type, data and CRC). */
function walkChunks(b: Uint8Array): { type: string; bytes: Uint8Array }[] {
  const out = [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let p = 8; p + 12 <= b.length; p += 12 + dv.getUint32(p)) {
    out.push({ type: Buffer.from(b.subarray(p + 4, p + 8)).toString('latin1'), bytes: b.subarray(p, p + 12 + dv.getUint32(p)) });
  }
  return out;
}

test('empty ancillary chunks are skipped, as libpng skips them', () => {
  const bytes = fixture('libpng/empty_ancillary_chunks.png');
  const chunks = walkChunks(bytes);
  assert.ok(chunks.filter((c) => /^[a-z]/.test(c.type)).length >= 40, 'empty_ancillary_chunks.png has its 40-odd empty ancillary chunks');
  const critical = Buffer.concat([bytes.subarray(0, 8), ...chunks.filter((c) => /^[A-Z]/.test(c.type)).map((c) => c.bytes)]);
  const got = decodePng(bytes).bitmap, want = decodePngGeneral(critical).bitmap;
  assert.ok(sameBitmap(got, want), 'decodePng(empty_ancillary_chunks.png) differs from the same file without its ancillary chunks');
});

test('a palette index past the palette decodes as opaque black, as in Go (invalid-palette.png)', () => {
  const { bitmap } = decodePng(fixture('gopng/invalid-palette.png'));
  const o = (15 * bitmap.width + 15) * 4;
  assert.deepEqual([...bitmap.data.subarray(o, o + 4)], [0, 0, 0, 255], 'decodePng(invalid-palette.png) pixel(15,15), want opaque black');
});

test('corrupt and truncated PNGs from the corpora are refused with a 422 saying why', () => {
  const cases: Array<{ file: string; want: RegExp }> = [
    { file: 'libpng/badcrc.png', want: /IDAT chunk fails its CRC check/ },
    { file: 'libpng/bad_iCCP.png', want: /IHDR chunk fails its CRC check/ },
    { file: 'gopng/invalid-crc32.png', want: /IHDR chunk fails its CRC check/ },
    { file: 'libpng/badadler.png', want: /image data is not valid/ },
    { file: 'gopng/invalid-zlib.png', want: /image data is not valid/ },
    { file: 'gopng/invalid-noend.png', want: /ends before its IEND chunk/ },
    { file: 'gopng/invalid-trunc.png', want: /ends before its IEND chunk/ },
    { file: 'libpng/huge_IDAT.png', want: /ends inside a chunk/ },
    { file: 'libpng/huge_tEXt_chunk.png', want: /ends inside a chunk/ },
  ];
  for (const c of cases) {
    assert.throws(() => decodePng(fixture(c.file)), (e: unknown) => {
      assert.ok(e instanceof UnprocessableImageError, `decodePng(${c.file}) threw ${String(e)}, want a 422`);
      assert.match(e.message, c.want, `decodePng(${c.file}) message = ${e.message}`);
      assert.match(e.message, /^[A-Z][^\n]*\.$/, `decodePng(${c.file}) message is one sentence`);
      return true;
    });
  }
});

/** chunk builds one chunk with a correct CRC. */
function chunk(type: string, data: Uint8Array | string): Uint8Array {
  const body = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
  const b = Buffer.alloc(12 + body.length);
  b.writeUInt32BE(body.length, 0);
  b.write(type, 4, 'latin1');
  body.copy(b, 8);
  b.writeUInt32BE(crc32(b.subarray(4, 8 + body.length)), 8 + body.length);
  return b;
}

/** withBadCrc flips one bit of a chunk's CRC. */
function withBadCrc(c: Uint8Array): Uint8Array {
  const b = Buffer.from(c);
  b[b.length - 1] ^= 1;
  return b;
}

test('CRC errors: critical chunks are refused, ancillary ones skipped (libpng\'s defaults)', () => {
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const ihdr = chunk('IHDR', Buffer.from([0, 0, 0, 2, 0, 0, 0, 1, 8, 3, 0, 0, 0])); // 2x1, 8-bit palette
  const plte = chunk('PLTE', Buffer.from([255, 0, 0, 0, 0, 255]));
  const idat = chunk('IDAT', deflateSync(Buffer.from([0, 0, 1]))); // filter None, indices 0 and 1
  const iend = chunk('IEND', '');
  const text = chunk('tEXt', 'Title\0x');
  const trns = chunk('tRNS', Buffer.from([0]));
  const build = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat([sig, ...parts]));
  const red = [255, 0, 0, 255, 0, 0, 255, 255];
  const cases: Array<{ name: string; bytes: Uint8Array; want: number[] | RegExp }> = [
    { name: 'intact', bytes: build(ihdr, plte, text, idat, iend), want: red },
    { name: 'tEXt CRC wrong', bytes: build(ihdr, plte, withBadCrc(text), idat, iend), want: red },
    { name: 'tRNS CRC wrong: the chunk is ignored', bytes: build(ihdr, plte, withBadCrc(trns), idat, iend), want: red },
    { name: 'tRNS intact', bytes: build(ihdr, plte, trns, idat, iend), want: [255, 0, 0, 0, 0, 0, 255, 255] },
    { name: 'IHDR CRC wrong', bytes: build(withBadCrc(ihdr), plte, idat, iend), want: /IHDR chunk fails its CRC check/ },
    { name: 'PLTE CRC wrong', bytes: build(ihdr, withBadCrc(plte), idat, iend), want: /PLTE chunk fails its CRC check/ },
    { name: 'IDAT CRC wrong', bytes: build(ihdr, plte, withBadCrc(idat), iend), want: /IDAT chunk fails its CRC check/ },
    { name: 'IEND CRC wrong', bytes: build(ihdr, plte, idat, withBadCrc(iend)), want: /IEND chunk fails its CRC check/ },
  ];
  for (const c of cases) {
    if (c.want instanceof RegExp) {
      assert.throws(() => decodePng(c.bytes), (e: unknown) => e instanceof UnprocessableImageError && (c.want as RegExp).test(e.message),
        `decodePng(${c.name}) did not refuse with ${c.want}`);
    } else {
      const got = [...decodePng(c.bytes).bitmap.data];
      assert.deepEqual(got, c.want, `decodePng(${c.name}) = ${got}, want ${c.want}`);
    }
  }
});

// Go's image/png reader_test.go cases, by their Go test names.
const GO_SIG = '\x89PNG\r\n\x1a\n';
const GO_IHDR_1x2 = '\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x02\x08\x00\x00\x00\x00\xbc\xea\xe9\xfb';
const GO_IHDR_1x1 = '\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00\x3a\x7e\x9b\x55';
const GO_IDAT_WHITE = '\x00\x00\x00\x0eIDAT\x78\x9c\x62\xfa\x0f\x08\x00\x00\xff\xff\x01\x05\x01\x02\x5a\xdd\x39\xcd';
const GO_IDAT_BLACK = '\x00\x00\x00\x0eIDAT\x78\x9c\x62\x62\x00\x04\x00\x00\xff\xff\x00\x06\x00\x03\xfa\xd0\x59\xae';
const GO_IDAT_ZERO = '\x00\x00\x00\x00IDAT\x35\xaf\x06\x1e';
const GO_IEND = '\x00\x00\x00\x00IEND\xae\x42\x60\x82';
const latin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

test('TestIncompleteIDATOnRowBoundary: one row of data for a two-row image is refused', () => {
  assert.throws(() => decodePng(latin1(GO_SIG + GO_IHDR_1x2 + GO_IDAT_BLACK + GO_IEND)),
    (e: unknown) => e instanceof UnprocessableImageError && /truncated/.test(e.message), 'decodePng(1x2 with one row) did not refuse');
});

test('TestTrailingIDATChunks: IDAT chunks after the complete image data are ignored', () => {
  const cases: Array<{ name: string; png: string }> = [
    { name: 'trailing zero-length IDAT', png: GO_SIG + GO_IHDR_1x1 + GO_IDAT_WHITE + GO_IDAT_ZERO + GO_IEND },
    { name: 'trailing IDAT with a black pixel', png: GO_SIG + GO_IHDR_1x1 + GO_IDAT_WHITE + GO_IDAT_BLACK + GO_IEND },
  ];
  for (const c of cases) {
    const got = [...decodePng(latin1(c.png)).bitmap.data];
    assert.deepEqual(got, [255, 255, 255, 255], `decodePng(${c.name}) = ${got}, want white`);
  }
});
