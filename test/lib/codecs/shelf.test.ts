import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferShelf } from '../../../lib/codecs/shelf.js';

const KB = 1024;

test('BufferShelf.take hands out the smallest kept buffer of n to 2n bytes', () => {
  const cases = [
    { name: 'an exact fit', kept: [64, 128], n: 64, want: 64 },
    { name: 'the smallest that holds n', kept: [32, 100, 128], n: 90, want: 100 },
    { name: 'nothing past 2n', kept: [200], n: 90, want: undefined },
    { name: 'nothing smaller than n', kept: [32], n: 64, want: undefined },
    { name: 'an empty shelf', kept: [], n: 64, want: undefined },
  ];
  for (const c of cases) {
    const shelf = new BufferShelf<ArrayBuffer>(1024 * KB);
    for (const k of c.kept) shelf.give(new ArrayBuffer(k * KB));
    const got = shelf.take(c.n * KB)?.byteLength;
    assert.equal(got, c.want === undefined ? undefined : c.want * KB, `${c.name}: take(${c.n} KB) from [${c.kept}] KB = ${got}, want ${c.want} KB`);
  }
});

test('BufferShelf keeps at most keepBytes and never hands one buffer out twice', () => {
  const shelf = new BufferShelf<ArrayBuffer>(100 * KB);
  const a = new ArrayBuffer(60 * KB);
  shelf.give(a);
  shelf.give(new ArrayBuffer(60 * KB));
  assert.equal(shelf.keptBytes(), 60 * KB, `keptBytes() after giving 2 x 60 KB to a 100 KB shelf = ${shelf.keptBytes()}, want ${60 * KB}`);
  assert.equal(shelf.take(60 * KB), a, 'take(60 KB) did not return the kept buffer');
  assert.equal(shelf.take(60 * KB), undefined, 'take(60 KB) twice returned a buffer already handed out');
  assert.equal(shelf.keptBytes(), 0, `keptBytes() after the take = ${shelf.keptBytes()}, want 0`);
});
