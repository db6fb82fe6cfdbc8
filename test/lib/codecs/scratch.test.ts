import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Scratch, SCRATCH_KEEP_BYTES, scratchKeptBytes } from '../../../lib/codecs/scratch.js';
import { transform } from '../../../lib/transform/transform.js';
import { parseOptions } from '../../../lib/request/options.js';
import { FIXTURES } from '../../helpers/paths.js';

const KB = 1024;

test('Scratch lends zeroed arrays and reuses what an earlier transform gave back', () => {
  const first = new Scratch();
  const a = first.u8(256 * KB);
  a.fill(7);
  const aBuffer = a.buffer;
  first.release();
  const cases = [
    { name: 'a same-size request reuses the buffer', n: 256 * KB, same: true },
    { name: 'a request of a little over half reuses it too', n: 129 * KB, same: true },
    { name: 'a request under half gets a new buffer', n: 100 * KB, same: false },
    { name: 'a small request never takes a kept buffer', n: 4 * KB, same: false },
  ];
  for (const c of cases) {
    const s = new Scratch();
    const got = s.u8(c.n);
    assert.equal(got.buffer === aBuffer, c.same, `${c.name}: u8(${c.n}).buffer reused = ${got.buffer === aBuffer}, want ${c.same}`);
    assert.equal(got.length, c.n, `${c.name}: u8(${c.n}).length = ${got.length}, want ${c.n}`);
    assert.ok(got.every((v) => v === 0), `${c.name}: u8(${c.n}) is not zero-filled`);
    s.release();
  }
});

test('Scratch never lends one buffer twice before it is released', () => {
  const s = new Scratch();
  const x = s.u16(80 * KB);
  const y = s.u16(80 * KB);
  assert.notEqual(x.buffer, y.buffer, 'u16(80K) twice in one Scratch gave the same buffer');
  const other = new Scratch();
  const z = other.u8(160 * KB);
  assert.ok(z.buffer !== x.buffer && z.buffer !== y.buffer, 'a second Scratch got a buffer the first still holds');
  s.release();
  other.release();
});

test('Scratch keeps at most SCRATCH_KEEP_BYTES between transforms', () => {
  const s = new Scratch();
  for (let i = 0; i < 8; i++) s.u8(2 * 1024 * KB);
  s.release();
  assert.ok(scratchKeptBytes() <= SCRATCH_KEEP_BYTES, `scratchKeptBytes() = ${scratchKeptBytes()}, want <= ${SCRATCH_KEEP_BYTES}`);
});

test('transform gives the same bytes when its planes come from reused scratch buffers', async () => {
  const src = readFileSync(path.join(FIXTURES, 'imaging', 'branches.jpg'));
  const cases = [
    { name: 'resize', opts: '200x,q90' },
    { name: 'another size in between (other buffer sizes)', opts: '120x,q80' },
    { name: 'the first again, on reused buffers', opts: '200x,q90' },
  ];
  const seen = new Map<string, string>();
  for (const c of cases) {
    const got = Buffer.from((await transform(src, parseOptions(c.opts))).bytes).toString('base64');
    const before = seen.get(c.opts);
    if (before !== undefined) assert.equal(got, before, `transform(branches.jpg, ${c.opts}) after other transforms differs from its first run (${c.name})`);
    seen.set(c.opts, got);
  }
});
