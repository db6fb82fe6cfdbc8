import { test } from 'node:test';
import assert from 'node:assert/strict';
import omggif from 'omggif';
import { lzwDecode, lzwEncode } from '../../../lib/codecs/gif-lzw.js';
import { readGifInfo } from '../../../lib/codecs/gif.js';
import { seededRandom } from '../../helpers/prng.js';

/** sample builds n indices below 2^bits: noise (many table resets), runs (long strings) or a mix. */
function sample(kind: 'noise' | 'runs' | 'mix', n: number, bits: number, seed: number): Uint8Array {
  const r = seededRandom(seed), out = new Uint8Array(n), colours = 1 << bits;
  let v = 0;
  for (let i = 0; i < n; i++) {
    if (kind === 'noise' || (kind === 'mix' && r() < 0.3) || (kind === 'runs' && r() < 0.01)) v = Math.floor(r() * colours);
    out[i] = v;
  }
  return out;
}

const CASES: [string, Uint8Array, number][] = [
  ['empty', new Uint8Array(0), 2],
  ['one pixel', new Uint8Array([3]), 2],
  ['two pixels', new Uint8Array([1, 1]), 2],
  ['constant 100000 (KwKwK strings)', new Uint8Array(100000), 2],
  ['noise 8-bit 300000', sample('noise', 300000, 8, 1), 8],
  ['noise 2-bit 200000', sample('noise', 200000, 2, 2), 2],
  ['noise 5-bit 100000', sample('noise', 100000, 5, 3), 5],
  ['runs 8-bit 200000', sample('runs', 200000, 8, 4), 8],
  ['mix 4-bit 150000', sample('mix', 150000, 4, 5), 4],
];

/** encode runs lzwEncode into a buffer with the documented worst-case room. */
function encode(indices: Uint8Array, minCodeSize: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(indices.length * 1.51) + Math.ceil(indices.length / 128) + 16);
  return out.slice(0, lzwEncode(indices, minCodeSize, out, 0));
}

test('lzwEncode then lzwDecode gives back every index stream', () => {
  for (const [name, indices, size] of CASES) {
    const enc = encode(indices, size);
    assert.equal(enc[0], size, `lzwEncode(${name})[0] = ${enc[0]}, want the code size ${size}`);
    assert.equal(enc[enc.length - 1], 0, `lzwEncode(${name}) does not end with a block terminator`);
    const back = new Uint8Array(indices.length);
    const n = lzwDecode(enc, 1, size, back);
    assert.equal(n, indices.length, `lzwDecode(lzwEncode(${name})) produced ${n} indices, want ${indices.length}`);
    assert.ok(Buffer.from(back).equals(Buffer.from(indices)), `lzwDecode(lzwEncode(${name})) differs from the input`);
  }
});

test('lzwEncode output stays within its documented worst case', () => {
  const indices = sample('noise', 200000, 8, 9);
  const enc = encode(indices, 8);
  const bound = Math.ceil(indices.length * 1.51) + Math.ceil(indices.length / 128) + 16;
  assert.ok(enc.length <= bound, `lzwEncode(noise 200000) wrote ${enc.length} bytes, want <= ${bound}`);
});

/** gifAround wraps an LZW stream into a one-frame GIF with a grey palette of 2^bits entries. */
function gifAround(lzw: Uint8Array, width: number, height: number, bits: number): Uint8Array {
  const head = [0x47, 0x49, 0x46, 0x38, 0x39, 0x61, width & 255, width >> 8, height & 255, height >> 8, 0x80 | (bits - 1), 0, 0];
  const pal: number[] = [];
  for (let i = 0; i < 1 << bits; i++) pal.push(i, i, i);
  const desc = [0x2c, 0, 0, 0, 0, width & 255, width >> 8, height & 255, height >> 8, 0];
  return new Uint8Array([...head, ...pal, ...desc, ...lzw, 0x3b]);
}

test('omggif decodes what lzwEncode writes', () => {
  for (const [name, indices, size] of CASES) {
    if (indices.length < 2 || indices.length % 500 !== 0) continue;
    const gif = gifAround(encode(indices, size), 500, indices.length / 500, size);
    const reader = new omggif.GifReader(gif);
    const got = new Uint8Array(indices.length);
    reader.decodeAndBlitFrameBGRA(0, new Uint8Array(indices.length * 4)); // throws on a malformed stream
    const rgba = new Uint8Array(indices.length * 4);
    reader.decodeAndBlitFrameRGBA(0, rgba);
    for (let i = 0; i < got.length; i++) got[i] = rgba[i * 4];
    assert.ok(Buffer.from(got).equals(Buffer.from(indices)), `omggif's decode of lzwEncode(${name}) differs from the input`);
  }
});

test('lzwDecode reads what omggif writes', () => {
  for (const [name, indices] of CASES) {
    if (indices.length < 2 || indices.length % 500 !== 0) continue;
    const buf = new Uint8Array(indices.length * 2 + 2048);
    const palette = Array.from({ length: 256 }, (_, i) => i * 0x010101);
    const w = new omggif.GifWriter(buf, 500, indices.length / 500, { palette });
    w.addFrame(0, 0, 500, indices.length / 500, indices as unknown as number[]);
    const gif = buf.slice(0, w.end());
    const f = readGifInfo(gif).frames[0];
    const got = new Uint8Array(indices.length);
    const n = lzwDecode(gif, f.dataStart, f.minCodeSize, got);
    assert.equal(n, indices.length, `lzwDecode(omggif ${name}) produced ${n} indices, want ${indices.length}`);
    assert.ok(Buffer.from(got).equals(Buffer.from(indices)), `lzwDecode(omggif ${name}) differs from the input`);
  }
});

test('lzwDecode stops at a short buffer, truncation and corrupt codes without throwing', () => {
  const indices = sample('mix', 50000, 8, 7);
  const enc = encode(indices, 8);
  const short = new Uint8Array(1000);
  assert.equal(lzwDecode(enc, 1, 8, short), 1000, 'lzwDecode into a 1000-index buffer did not fill it');
  assert.ok(Buffer.from(short).equals(Buffer.from(indices.subarray(0, 1000))), 'lzwDecode into a short buffer differs from the input prefix');
  // Cut the chain mid-block: what was decoded is a prefix of the input.
  const cut = enc.subarray(0, 5000), out = new Uint8Array(indices.length);
  const n = lzwDecode(cut, 1, 8, out);
  assert.ok(n > 0 && n < indices.length, `lzwDecode(truncated) = ${n}, want between 0 and ${indices.length}`);
  assert.ok(Buffer.from(out.subarray(0, n)).equals(Buffer.from(indices.subarray(0, n))), 'lzwDecode(truncated) output is not a prefix of the input');
  // Random garbage after the code size byte: must end quickly with some count.
  const r = seededRandom(11);
  for (let trial = 0; trial < 50; trial++) {
    const junk = new Uint8Array(2000).map(() => Math.floor(r() * 256));
    const got = lzwDecode(junk, 0, 2 + (trial % 7), new Uint8Array(10000));
    assert.ok(got >= 0 && got <= 10000, `lzwDecode(junk ${trial}) = ${got}, want within 0..10000`);
  }
});
