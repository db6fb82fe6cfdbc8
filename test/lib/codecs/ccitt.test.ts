import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCcitt, type CcittOptions, type CcittWork } from '../../../lib/codecs/ccitt.js';
import { decodeTiff } from '../../../lib/codecs/tiff.js';
import { decodePng } from '../../../lib/codecs/png.js';
import { UnprocessableImageError } from '../../../lib/errors.js';
import { F, fixture } from '../../helpers/codec-fixtures.js';

/** bits packs a string of 0/1 (spaces ignored) MSB-first, zero-padding the last byte. */
function bits(s: string): Uint8Array {
  const b = s.replace(/\s+/g, '');
  const out = new Uint8Array(Math.ceil(b.length / 8));
  for (let i = 0; i < b.length; i++) if (b[i] === '1') out[i >> 3] |= 0x80 >> (i & 7);
  return out;
}

const hex = (a: Uint8Array): string => Buffer.from(a).toString('hex');
const EOL = '000000000001';

test('decodeCcitt decodes hand-made streams of every scheme and mode exactly', () => {
  // Codes from ITU-T T.4 tables 1-3 and T.6 table 1 (white 2 = 0111, black 4 = 011, ...).
  const cases: Array<{ name: string; stream: string; opts: Omit<CcittOptions, 'work'>; want: string }> = [
    { name: 'mh rows start on a byte boundary', stream: '1000 11 1000' + '000000' + '10011', opts: { scheme: 'mh', width: 8, height: 2 }, want: '1800' },
    { name: 'mh make-up codes', stream: '00110101 0000001111 0000110111 1110', opts: { scheme: 'mh', width: 70, height: 1 }, want: 'ffffffffffffffff00' },
    { name: 'g3 1D with leading EOL', stream: EOL + '00110101 000101', opts: { scheme: 'g3', width: 8, height: 1 }, want: 'ff' },
    { name: 'g3 1D without EOL, and fill bits before EOL', stream: '0111 011 0111' + '0000' + EOL + '1000 11 1000', opts: { scheme: 'g3', width: 8, height: 2 }, want: '3c18' },
    { name: 'g3 2D: 1D row, then V0, then VR1/VL1', stream: EOL + '1' + '0111 011 0111' + EOL + '0' + '1 1 1' + EOL + '0' + '011 010 1', opts: { scheme: 'g3', width: 8, height: 3, options: 1 }, want: '3c3c18' },
    { name: 'g4 horizontal then pass', stream: '001 0111 011 1' + '0001 1', opts: { scheme: 'g4', width: 8, height: 2 }, want: '3c00' },
    // Row 2: VR2 gives a1 = 2+2 = 4, VL2 gives a1 = 6-2 = 4 (a zero-length black run), V0 runs to the end.
    { name: 'g4 VR2/VL2', stream: '001 0111 011 1' + '000011 000010 1', opts: { scheme: 'g4', width: 8, height: 2 }, want: '3c00' },
    // Row 1: white 4, black 8, V0 to the end. Row 2: VR3 gives a1 = 4+3 = 7, VL3 gives a1 = 12-3 = 9.
    { name: 'g4 VR3/VL3', stream: '001 1011 000101 1' + '0000011 0000010 1', opts: { scheme: 'g4', width: 16, height: 2 }, want: '0ff00180' },
    // Row 1 opens with H(white 0, black 0): two changing elements at x = 0 that row 2's pass code
    // refers to (b1 = b2 = 0), as libtiff reads it; dropping them would pass to x = 6 instead.
    { name: 'g4 zero-length runs stay changing elements of the reference row', stream: '001 00110101 0000110111 001 0111 011 1' + '0001 001 000111 010 1', opts: { scheme: 'g4', width: 8, height: 2 }, want: '3c40' },
    { name: 'g4 white-is-one inverts', stream: '001 0111 011 1', opts: { scheme: 'g4', width: 8, height: 1, whiteIsOne: true }, want: 'c3' },
    { name: 'g4 fill order 2 reverses each byte', stream: '001 0111 011 1', opts: { scheme: 'g4', width: 8, height: 1, fillOrder: 2 }, want: '3c' },
    { name: 'g4 with the uncompressed-mode option set but unused', stream: '001 0111 011 1', opts: { scheme: 'g4', width: 8, height: 1, options: 2 }, want: '3c' },
    { name: 'g4 width not a multiple of 8', stream: '001 0111 011 1', opts: { scheme: 'g4', width: 10, height: 1 }, want: '3c00' },
  ];
  for (const { name, stream, opts, want } of cases) {
    let src = bits(stream);
    if (opts.fillOrder === 2) src = src.map((b) => parseInt(b.toString(2).padStart(8, '0').split('').reverse().join(''), 2));
    const got = hex(decodeCcitt(src, opts).data);
    assert.equal(got, want, `decodeCcitt(${name}) = ${got}, want ${want}`);
  }
});

test('decodeCcitt refuses malformed streams with 422', () => {
  const cases: Array<{ name: string; stream: string; opts: CcittOptions }> = [
    { name: 'run past the line width', stream: '10011', opts: { scheme: 'mh', width: 4, height: 1 } },
    { name: 'no code in 13 bits', stream: '0000000 000000 1', opts: { scheme: 'g4', width: 8, height: 1 } },
    { name: 'extension mode', stream: '0000001 111', opts: { scheme: 'g4', width: 8, height: 1 } },
    { name: 'vertical code past the line', stream: '0000011', opts: { scheme: 'g4', width: 8, height: 1 } },
    { name: 'data ends before the last row', stream: EOL + '00110101 000101', opts: { scheme: 'g3', width: 8, height: 2 } },
    { name: 'empty data', stream: '', opts: { scheme: 'g4', width: 8, height: 1 } },
    { name: 'uncompressed mode entry in 1D', stream: '000000001111', opts: { scheme: 'g3', width: 8, height: 1, options: 2 } },
    { name: 'zero width', stream: '1', opts: { scheme: 'g4', width: 0, height: 1 } },
    { name: 'EOL inside a 1D row', stream: '0111 ' + EOL, opts: { scheme: 'mh', width: 8, height: 1 } },
  ];
  for (const { name, stream, opts } of cases) {
    assert.throws(() => decodeCcitt(bits(stream), opts), UnprocessableImageError, `decodeCcitt(${name}) did not throw a 422`);
  }
});

test('decodeCcitt work is linear in the input for 64 KB hostile strips', () => {
  const size = 64 * 1024, inBits = size * 8;
  const zeros = new Uint8Array(size), ones = new Uint8Array(size).fill(0xff);
  // ones: in G4 every bit is a V0 code, so a 1000-pixel row costs one bit; in MH/G3 it is a
  // stream of white 2/3-ish codes that must hit the line end.
  const cases: Array<{ name: string; src: Uint8Array; opts: CcittOptions; decodes: boolean }> = [
    { name: 'mh zeros', src: zeros, opts: { scheme: 'mh', width: 150, height: 100_000 }, decodes: false },
    { name: 'g3 zeros', src: zeros, opts: { scheme: 'g3', width: 150, height: 100_000 }, decodes: false },
    { name: 'g3 2D zeros', src: zeros, opts: { scheme: 'g3', width: 150, height: 100_000, options: 1 }, decodes: false },
    { name: 'g4 zeros', src: zeros, opts: { scheme: 'g4', width: 150, height: 100_000 }, decodes: false },
    { name: 'mh ones', src: ones, opts: { scheme: 'mh', width: 150, height: 100_000 }, decodes: false },
    { name: 'g3 ones', src: ones, opts: { scheme: 'g3', width: 150, height: 100_000 }, decodes: false },
    { name: 'g4 ones', src: ones, opts: { scheme: 'g4', width: 1000, height: 1000 }, decodes: true },
  ];
  for (const { name, src, opts, decodes } of cases) {
    const work: CcittWork = { bitsExamined: 0, bitsRead: 0, codes: 0 };
    let ok = true;
    try {
      decodeCcitt(src, { ...opts, work });
    } catch (err) {
      assert.ok(err instanceof UnprocessableImageError, `decodeCcitt(${name}) threw ${String(err)}, want a 422`);
      ok = false;
    }
    assert.equal(ok, decodes, `decodeCcitt(${name}) decoded = ${ok}, want ${decodes}`);
    assert.ok(work.bitsRead <= inBits, `decodeCcitt(${name}) read ${work.bitsRead} bits, want <= ${inBits}`);
    assert.ok(work.codes <= inBits, `decodeCcitt(${name}) decoded ${work.codes} codes, want <= ${inBits} (one bit each at least)`);
    assert.ok(work.bitsExamined <= 16 * inBits, `decodeCcitt(${name}) examined ${work.bitsExamined} bits, want <= ${16 * inBits}`);
  }
});

/** patchTiff sets SHORT/LONG tags of IFD0 in a copy of a TIFF (entries must already exist). */
function patchTiff(src: Uint8Array, set: Record<number, number>, append = new Uint8Array(0)): Uint8Array {
  const b = new Uint8Array(src.length + append.length);
  b.set(src);
  b.set(append, src.length);
  const dv = new DataView(b.buffer), le = b[0] === 0x49;
  const ifd = dv.getUint32(4, le), n = dv.getUint16(ifd, le);
  for (let i = 0; i < n; i++) {
    const e = ifd + 2 + i * 12, tag = dv.getUint16(e, le);
    const v = tag === 273 && set[273] === -1 ? src.length : set[tag];
    if (v === undefined) continue;
    if (dv.getUint16(e + 2, le) === 3) dv.setUint16(e + 8, v, le);
    else dv.setUint32(e + 8, v, le);
  }
  return b;
}

test('decodeTiff decodes CCITT through decodeCcitt: BlackIsZero inverts, hostile strips are refused fast', () => {
  const png = decodePng(fixture(F.bwPng)).bitmap;
  for (const name of [F.bwG3Tiff, F.bwG4Tiff]) {
    // With PhotometricInterpretation 1 the decoder sets white bits, as Go's does: the picture is unchanged.
    const got = decodeTiff(patchTiff(fixture(name), { 262: 1 })).bitmap;
    assert.deepEqual(got.data, png.data, `decodeTiff(${name} as BlackIsZero) pixels differ from ${F.bwPng}`);
  }
  const zeros = new Uint8Array(64 * 1024);
  for (const cmpr of [2, 3, 4]) {
    const tiff = patchTiff(fixture(F.bwG4Tiff), { 259: cmpr, 273: -1, 279: zeros.length }, zeros);
    assert.throws(() => decodeTiff(tiff), UnprocessableImageError, `decodeTiff(64 KB zero strip, compression ${cmpr}) did not throw a 422`);
  }
  // CCITT data is 1 bit per pixel; anything else is refused rather than misread.
  assert.throws(() => decodeTiff(patchTiff(fixture(F.bwG4Tiff), { 258: 8 })), UnprocessableImageError, 'decodeTiff(G4 with 8 bits per sample) did not throw a 422');
});
