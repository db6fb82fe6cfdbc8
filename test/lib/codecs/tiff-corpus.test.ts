import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeTiff, isOldStyleLzw, readTiffIfd0 } from '../../../lib/codecs/tiff.js';
import { UnprocessableImageError } from '../../../lib/errors.js';
import type { Bitmap } from '../../../lib/codecs/types.js';
import { fixture } from '../../helpers/codec-fixtures.js';

// libtiff's own test images (Debian source package tiff 4.5.0, test/images), Hylafax licence.
// Goldens are libtiff's decodes of the same files, as fixtures/SOURCES.md says how each was made.

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** rgbOf drops alpha: libtiff's tiffcp -c none writes RGB. */
function rgbOf(bm: Bitmap): Uint8Array {
  const out = new Uint8Array(bm.width * bm.height * 3);
  for (let i = 0, j = 0; i < bm.data.length; i += 4, j += 3) out.set(bm.data.subarray(i, i + 3), j);
  return out;
}

/** premultipliedOf is RGBA with colour multiplied by alpha, as libtiff's TIFFReadRGBAImage gives it. */
function premultipliedOf(bm: Bitmap): Uint8Array {
  const out = new Uint8Array(bm.data.length);
  for (let i = 0; i < bm.data.length; i += 4) {
    const a = bm.data[i + 3];
    for (let c = 0; c < 3; c++) out[i + c] = Math.round((bm.data[i + c] * a) / 255);
    out[i + 3] = a;
  }
  return out;
}

/** blackBitsOf packs rows MSB first, 1 for a black pixel, as a WhiteIsZero bilevel strip (and PBM) holds them. */
function blackBitsOf(bm: Bitmap): Uint8Array {
  const rowBytes = (bm.width + 7) >> 3;
  const out = new Uint8Array(rowBytes * bm.height);
  for (let y = 0; y < bm.height; y++) {
    for (let x = 0; x < bm.width; x++) {
      if (bm.data[(y * bm.width + x) * 4] === 0) out[y * rowBytes + (x >> 3)] |= 0x80 >> (x & 7);
    }
  }
  return out;
}

/** pbmBits returns the packed rows of a binary (P4) PBM. */
function pbmBits(b: Uint8Array): Uint8Array {
  const header = /^P4\s+\d+\s+\d+\s/.exec(Buffer.from(b.subarray(0, 32)).toString('latin1'));
  assert.ok(header, 'not a P4 PBM');
  return b.subarray(header[0].length);
}

test('decodeTiff gives libtiff\'s pixels for libtiff\'s test images', () => {
  const cases: Array<{ name: string; file: string; size: string; view: (bm: Bitmap) => Uint8Array; want: string }> = [
    {
      name: 'old-style (compat) LZW', file: 'libtiff/quad-lzw-compat-rows40-69.tiff', size: '512x30', view: rgbOf,
      want: 'bab58fd164b64b5f9ad88964008e55f4aa59104b50b280f12cd059762df80e62',
    },
    {
      name: 'CCITT Group 4 with zero-length runs', file: 'libtiff/testfax4.tiff', size: '2453x3369', view: blackBitsOf,
      want: 'a4242e70ff98f616dfae374c689c662764d47c1709464fa947771d4dcfe51a9a',
    },
    {
      name: 'planar grey + associated alpha, PackBits', file: 'libtiff/minisblack-2c-8b-alpha.tiff', size: '64x64', view: premultipliedOf,
      want: 'b1d42d233711322566b9d53b8609fa25d53659eb58134bbcd7f0531b012da99e',
    },
    {
      name: 'bilevel WhiteIsZero, against its PBM twin', file: 'libtiff/miniswhite-1c-1b.tiff', size: '157x151', view: blackBitsOf,
      want: sha256(pbmBits(fixture('libtiff/miniswhite-1c-1b.pbm'))),
    },
  ];
  for (const c of cases) {
    const { bitmap } = decodeTiff(fixture(c.file));
    assert.equal(`${bitmap.width}x${bitmap.height}`, c.size, `decodeTiff(${c.file}) size = ${bitmap.width}x${bitmap.height}, want ${c.size}`);
    const got = sha256(c.view(bitmap));
    assert.equal(got, c.want, `${c.name}: sha256(decodeTiff(${c.file})) = ${got}, want libtiff's ${c.want}`);
  }
});

test('isOldStyleLzw tells old-style LZW strips from TIFF 6 ones', () => {
  const cases: Array<{ name: string; bytes: Uint8Array; want: boolean }> = [
    { name: 'TIFF 6 clear code (MSB first)', bytes: Uint8Array.from([0x80, 0x00, 0x20]), want: false },
    { name: 'old-style clear code (LSB first)', bytes: Uint8Array.from([0x00, 0x03, 0x08]), want: true },
    { name: 'one byte', bytes: Uint8Array.from([0x00]), want: false },
  ];
  for (const c of cases) {
    assert.equal(isOldStyleLzw(c.bytes), c.want, `isOldStyleLzw(${c.name}) = ${!c.want}, want ${c.want}`);
  }
  const ifd = readTiffIfd0(fixture('libtiff/quad-lzw-compat-rows40-69.tiff'));
  const strip = fixture('libtiff/quad-lzw-compat-rows40-69.tiff').subarray(ifd.tags.get(273)![0]);
  assert.equal(isOldStyleLzw(strip), true, 'isOldStyleLzw(first strip of quad-lzw-compat) = false, want true');
});

test('decodeTiff refuses what it does not decode with a 422 naming it', () => {
  const cases: Array<{ file: string; want: RegExp }> = [
    { file: 'libtiff/ojpeg_single_strip_no_rowsperstrip.tiff', want: /^Old-style JPEG-in-TIFF \(compression 6\) is not supported\.$/ },
    { file: 'libtiff/quad-tile.jpg.tiff', want: /^JPEG-compressed TIFF \(compression 7\) is not supported\.$/ },
    { file: 'libtiff/logluv-3c-16b.tiff', want: /^LogLuv TIFF \(compression 34676\) is not supported\.$/ },
    { file: 'libtiff/test_float64_predictor2_le_lzw.tif', want: /^TIFF with floating-point samples is not supported\.$/ },
  ];
  for (const c of cases) {
    assert.throws(() => decodeTiff(fixture(c.file)), (e: unknown) => {
      assert.ok(e instanceof UnprocessableImageError, `decodeTiff(${c.file}) threw ${String(e)}, want a 422`);
      assert.match(e.message, c.want, `decodeTiff(${c.file}) message = ${e.message}`);
      return true;
    });
  }
});
