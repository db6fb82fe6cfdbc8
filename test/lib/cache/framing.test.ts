import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { CachedResponse } from '../../../lib/cache/cache.js';
import { CorruptEntryError, crc32, crc32Js, decodeEntry, encodeEntry, FRAME_HEADER_BYTES } from '../../../lib/cache/framing.js';

const entry: CachedResponse = {
  status: 200,
  headers: { 'content-type': 'image/jpeg', etag: '"abc"', 'x-ünïcode': 'välue' },
  body: Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  storedAt: 1_700_000_000_000,
  expiresAt: 1_700_000_060_000,
};

test('crc32', async (suite) => {
  const cases: Array<{ input: string; want: number }> = [
    { input: '', want: 0 },
    { input: 'a', want: 0xe8b7be43 },
    { input: '123456789', want: 0xcbf43926 },
    { input: 'The quick brown fox jumps over the lazy dog', want: 0x414fa339 },
  ];
  for (const { input, want } of cases) {
    await suite.test(`crc32(${JSON.stringify(input)})`, () => {
      const b = Buffer.from(input);
      assert.equal(crc32(b), want, `crc32(${input}) = ${crc32(b).toString(16)}, want ${want.toString(16)}`);
      assert.equal(crc32Js(b), want, `crc32Js(${input}) = ${crc32Js(b).toString(16)}, want ${want.toString(16)}`);
    });
  }
  await suite.test('matches between node:zlib and the JavaScript table on random data', () => {
    const b = randomBytes(100_000);
    assert.equal(crc32(b), crc32Js(b));
  });
});

test('encodeEntry/decodeEntry', async (suite) => {
  await suite.test('round-trips every field, binary body included', () => {
    const got = decodeEntry(encodeEntry(entry));
    assert.deepEqual({ ...got, body: Buffer.from(got.body) }, entry, `decodeEntry(encodeEntry(e)) = ${JSON.stringify(got)}`);
  });

  await suite.test('round-trips an empty body', () => {
    const e = { ...entry, body: Buffer.alloc(0) };
    assert.equal(decodeEntry(encodeEntry(e)).body.length, 0);
  });

  const framed = encodeEntry(entry);
  const corruptions: Array<{ name: string; make: () => Buffer; want: RegExp }> = [
    { name: 'empty', make: () => Buffer.alloc(0), want: /shorter than its frame header/ },
    { name: 'truncated header', make: () => framed.subarray(0, 10), want: /shorter than its frame header/ },
    { name: 'truncated body', make: () => framed.subarray(0, framed.length - 1), want: /its frame says/ },
    { name: 'extra byte', make: () => Buffer.concat([framed, Buffer.from([0])]), want: /its frame says/ },
    { name: 'wrong magic', make: () => Buffer.concat([Buffer.from('XXXX'), framed.subarray(4)]), want: /magic/ },
    { name: 'wrong version', make: () => { const b = Buffer.from(framed); b[4] = 9; return b; }, want: /version 9/ },
    { name: 'bit flip in body', make: () => { const b = Buffer.from(framed); b[b.length - 5] ^= 0x10; return b; }, want: /checksum/ },
    { name: 'bit flip in header JSON', make: () => { const b = Buffer.from(framed); b[FRAME_HEADER_BYTES + 3] ^= 0x01; return b; }, want: /checksum/ },
    { name: 'bit flip in checksum', make: () => { const b = Buffer.from(framed); b[17] ^= 0x80; return b; }, want: /checksum/ },
    { name: 'huge header length', make: () => { const b = Buffer.from(framed); b.writeUInt32BE(0x7fffffff, 8); return b; }, want: /too large/ },
    { name: 'foreign bytes', make: () => Buffer.from('HTTP/1.1 200 OK\r\n\r\nbody'), want: /magic/ },
  ];
  for (const { name, make, want } of corruptions) {
    await suite.test(`decodeEntry rejects ${name}`, () => {
      assert.throws(() => decodeEntry(make()), (err) => err instanceof CorruptEntryError && want.test(err.message), `decodeEntry(${name}) did not throw CorruptEntryError matching ${want}`);
    });
  }

  await suite.test('detects every single-bit flip of a small entry', () => {
    const small = encodeEntry({ ...entry, headers: {}, body: Buffer.from('xy') });
    let undetected = 0;
    for (let i = 0; i < small.length * 8; i++) {
      const b = Buffer.from(small);
      b[i >> 3] ^= 1 << (i & 7);
      try {
        decodeEntry(b);
        // Flips in the reserved bytes are harmless and not checked.
        if ((i >> 3) < 5 || (i >> 3) > 7) undetected++;
      } catch (err) {
        assert.ok(err instanceof CorruptEntryError, `bit ${i}: threw ${err}, want CorruptEntryError`);
      }
    }
    assert.equal(undetected, 0, `undetected single-bit flips = ${undetected}, want 0`);
  });

  await suite.test('rejects a well-framed header that lacks fields', () => {
    const header = Buffer.from(JSON.stringify({ status: 200, headers: {} }));
    const body = Buffer.from('b');
    const out = Buffer.alloc(FRAME_HEADER_BYTES + header.length + body.length);
    out.write('IPXC', 0, 'latin1');
    out[4] = 1;
    out.writeUInt32BE(header.length, 8);
    out.writeUInt32BE(body.length, 12);
    header.copy(out, FRAME_HEADER_BYTES);
    body.copy(out, FRAME_HEADER_BYTES + header.length);
    out.writeUInt32BE(crc32(out.subarray(FRAME_HEADER_BYTES)), 16);
    assert.throws(() => decodeEntry(out), /lacks status, headers, storedAt or expiresAt/);
  });
});
