import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync, utimesSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, after } from 'node:test';
import { DiskCache, keyHash, STALE_TEMP_MS, TEMP_SUFFIX } from '../../../lib/cache/disk.js';
import { createCache } from '../../../lib/cache/index.js';
import { GuardedCache } from '../../../lib/cache/guard.js';
import { quietLogger, runCacheContract } from './contract.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'ipx-disk-'));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

runCacheContract('disk (directory path)', async () => {
  let errors = 0;
  const cache = await createCache([tempDir()], quietLogger(), { onError: () => errors++ });
  assert.ok(cache);
  return { cache, honoursTtl: false, errors: () => errors, close: async () => cache.close?.() };
});

test('DiskCache', async (suite) => {
  await suite.test('shards files two levels deep by the key hash', async () => {
    const dir = tempDir();
    const c = new DiskCache(dir);
    await c.set('https://example.com/a.jpg', Buffer.from('x'));
    const h = keyHash('https://example.com/a.jpg');
    const want = path.join(dir, h.slice(0, 2), h.slice(2, 4), h);
    assert.equal(c.pathFor('https://example.com/a.jpg'), want, `pathFor(a.jpg) = ${c.pathFor('https://example.com/a.jpg')}, want ${want}`);
    assert.ok(existsSync(want), `file ${want} does not exist after set`);
    const leftovers = readdirSync(path.dirname(want)).filter((f) => f.endsWith(TEMP_SUFFIX));
    assert.deepEqual(leftovers, [], `temporary files after set = ${leftovers}, want none`);
  });

  await suite.test('never reads a leftover temporary file (crash during a write)', async () => {
    const dir = tempDir();
    const c = new DiskCache(dir);
    const key = 'https://example.com/crash.jpg';
    const file = c.pathFor(key);
    await c.set('https://example.com/other.jpg', Buffer.from('o'));
    // Simulate a crash after a partial write: only the temporary file exists.
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(`${file}.999-abcdef${TEMP_SUFFIX}`, 'partial');
    const got = await c.get(key);
    assert.equal(got, undefined, `get(crash.jpg) with only a temp file = ${got}, want undefined`);
  });

  await suite.test('survives re-opening the directory (restart)', async () => {
    const dir = tempDir();
    await new DiskCache(dir).set('k', Buffer.from('persisted'));
    const got = await new DiskCache(dir).get('k');
    assert.deepEqual(got, Buffer.from('persisted'), `get(k) after re-open = ${got}, want <persisted>`);
    const viaUrl = await createCache([`file://${dir}`], quietLogger());
    const got2 = await viaUrl?.get('k');
    assert.deepEqual(got2, Buffer.from('persisted'), `get(k) via file:// = ${got2}, want <persisted>`);
  });

  await suite.test('degrades to misses when the directory cannot be written', async () => {
    // A path below a regular file fails every operation (ENOTDIR), even for root, unlike chmod.
    const blocker = path.join(tempDir(), 'not-a-dir');
    writeFileSync(blocker, 'x');
    const errs: string[] = [];
    const cache = await createCache([path.join(blocker, 'cache')], quietLogger(), { onError: (b, e) => errs.push(`${b}: ${(e as Error).message}`) });
    assert.ok(cache instanceof GuardedCache, 'createCache(unwritable dir) is not a GuardedCache');
    await cache.set('k', Buffer.from('v'));
    const got = await cache.get('k');
    assert.equal(got, undefined, `get(k) on an unwritable dir = ${got}, want undefined`);
    assert.ok(errs.length >= 1, `onError calls = ${errs.length}, want >= 1`);
    assert.equal(cache.errors, errs.length, `guard errors = ${cache.errors}, want ${errs.length}`);
  });

  await suite.test('reports a read error other than "missing" to the guard', async () => {
    const dir = tempDir();
    const c = new DiskCache(dir);
    const file = c.pathFor('k');
    // A directory where the entry file should be makes readFile fail with EISDIR.
    const { mkdirSync } = await import('node:fs');
    mkdirSync(file, { recursive: true });
    await assert.rejects(c.get('k'), /EISDIR/, 'get(k) where the entry is a directory did not reject with EISDIR');
  });

  await suite.test('sweepStaleTemp removes only temporary files older than STALE_TEMP_MS', async () => {
    const dir = tempDir();
    const c = new DiskCache(dir);
    await c.set('entry', Buffer.from('kept'));
    const shard = path.dirname(c.pathFor('entry'));
    const now = Date.now();
    const files: Array<{ name: string; ageMs: number; kept: boolean }> = [
      { name: `x.1-aa${TEMP_SUFFIX}`, ageMs: STALE_TEMP_MS + 60_000, kept: false },
      { name: `x.1-bb${TEMP_SUFFIX}`, ageMs: 60_000, kept: true },
      { name: 'not-temp', ageMs: STALE_TEMP_MS * 3, kept: true },
    ];
    for (const f of files) {
      const p = path.join(shard, f.name);
      writeFileSync(p, 'partial');
      const t = (now - f.ageMs) / 1000;
      utimesSync(p, t, t);
    }
    const removed = await c.sweepStaleTemp(now);
    assert.equal(removed, 1, `sweepStaleTemp() = ${removed}, want 1`);
    for (const f of files) {
      const there = existsSync(path.join(shard, f.name));
      assert.equal(there, f.kept, `${f.name} (${f.ageMs} ms old) exists = ${there}, want ${f.kept}`);
    }
    assert.equal((await c.get('entry'))?.toString(), 'kept', 'the entry did not survive the sweep');
    assert.equal(await new DiskCache(path.join(dir, 'missing')).sweepStaleTemp(now), 0, 'sweepStaleTemp() of a missing directory, want 0');
  });

  await suite.test('createCache sweeps a disk cache in the background', async () => {
    const dir = tempDir();
    const shard = path.join(dir, 'ab', 'cd');
    (await import('node:fs')).mkdirSync(shard, { recursive: true });
    const stale = path.join(shard, `abcd.9-cc${TEMP_SUFFIX}`);
    writeFileSync(stale, 'partial');
    const t = (Date.now() - 2 * STALE_TEMP_MS) / 1000;
    utimesSync(stale, t, t);
    const cache = await createCache([dir], quietLogger());
    const deadline = Date.now() + 5000;
    while (existsSync(stale) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(existsSync(stale), false, 'stale temporary file still there 5 s after createCache');
    await cache?.close?.();
  });
});
