import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputSlabs, isShared, SLAB_KEEP_BYTES } from '../../../lib/pool/slabs.js';

const KB = 1024;

/** source makes n bytes of a recognisable pattern. */
function source(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);
}

test('InputSlabs copies sources into shared slabs and lends a slab again once given back', () => {
  const slabs = new InputSlabs();
  const first = slabs.copyOf(source(200 * KB, 1));
  slabs.give(first);
  const cases = [
    { name: 'a source of the same size reuses the slab', n: 200 * KB, shared: true, reused: true },
    { name: 'a source of a little over half its size reuses it too', n: 101 * KB, shared: true, reused: true },
    { name: 'a source under half its size gets a slab of its own', n: 60 * KB, shared: true, reused: false },
    { name: 'a small source is a plain copy, to transfer', n: 8 * KB, shared: false, reused: false },
  ];
  for (const c of cases) {
    const src = source(c.n, c.n & 255);
    const got = slabs.copyOf(src);
    assert.equal(isShared(got), c.shared, `${c.name}: isShared(copyOf(${c.n} B)) = ${isShared(got)}, want ${c.shared}`);
    assert.equal(got.buffer === first.buffer, c.reused, `${c.name}: copyOf(${c.n} B) reused the first slab = ${got.buffer === first.buffer}, want ${c.reused}`);
    assert.deepEqual(Buffer.from(got), Buffer.from(src), `${c.name}: copyOf(${c.n} B) bytes differ from the source`);
    assert.notEqual(got.buffer, src.buffer, `${c.name}: copyOf(${c.n} B) returned the source's own memory`);
    slabs.give(got);
  }
});

test('InputSlabs never lends a slab that was not given back', () => {
  const slabs = new InputSlabs();
  const a = slabs.copyOf(source(64 * KB, 1));
  const b = slabs.copyOf(source(64 * KB, 2));
  assert.notEqual(a.buffer, b.buffer, 'two sources in flight share one slab');
  assert.equal(a[1], source(64 * KB, 1)[1], 'the first source was overwritten by the second');
});

test('InputSlabs keeps at most SLAB_KEEP_BYTES', () => {
  const slabs = new InputSlabs();
  const views = Array.from({ length: 6 }, (_, i) => slabs.copyOf(source(2 * 1024 * KB, i)));
  for (const v of views) slabs.give(v);
  assert.ok(slabs.keptBytes() <= SLAB_KEEP_BYTES, `keptBytes() = ${slabs.keptBytes()}, want <= ${SLAB_KEEP_BYTES}`);
});
