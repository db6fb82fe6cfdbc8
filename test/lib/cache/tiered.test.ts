import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, after } from 'node:test';
import { DiskCache } from '../../../lib/cache/disk.js';
import { GuardedCache } from '../../../lib/cache/guard.js';
import { createCache } from '../../../lib/cache/index.js';
import { MemoryCache } from '../../../lib/cache/memory.js';
import { TieredCache } from '../../../lib/cache/tiered.js';
import { startRedis } from '../../helpers/servers.js';
import { quietLogger, runCacheContract } from './contract.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'ipx-tier-'));
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

runCacheContract('tiered (memory, then redis-server)', async () => {
  const server = await startRedis();
  let errors = 0;
  const cache = await createCache([`memory:50 ${server.url}`], quietLogger(), { onError: () => errors++, timeoutMs: 3000 });
  assert.ok(cache instanceof TieredCache, 'createCache(two specs) is not a TieredCache');
  return {
    cache,
    // The memory tier honours the ttl and so does Redis.
    honoursTtl: true,
    errors: () => errors,
    stopServer: async () => {
      await server.stop();
      // With Redis gone, the memory tier still answers; clear it so the suite sees real misses.
      await ((cache as TieredCache).tiers[0] as GuardedCache).inner.close?.();
    },
    close: async () => {
      await cache.close?.();
      await server.stop();
    },
  };
});

test('TieredCache', async (suite) => {
  await suite.test('fills upper tiers from a lower-tier hit', async () => {
    const mem = new MemoryCache({ maxBytes: 1e6, maxAgeMs: 0 });
    const disk = new DiskCache(tempDir());
    const t = new TieredCache([mem, disk]);
    await disk.set('k', Buffer.from('from-disk'));
    assert.equal(await mem.get('k'), undefined);
    assert.deepEqual(await t.get('k'), Buffer.from('from-disk'));
    assert.deepEqual(await mem.get('k'), Buffer.from('from-disk'), 'memory tier after a disk hit = miss, want filled');
  });

  await suite.test('peek asks the first tier only, so a lower tier\'s hit still fills the tiers above', async () => {
    const a = new MemoryCache({ maxBytes: 1e6, maxAgeMs: 0 });
    const b = new MemoryCache({ maxBytes: 1e6, maxAgeMs: 0 });
    const t = new TieredCache([a, b]);
    await a.set('top', Buffer.from('1'));
    await b.set('low', Buffer.from('2'));
    const cases: Array<{ key: string; want: Buffer | undefined }> = [
      { key: 'top', want: Buffer.from('1') },
      { key: 'low', want: undefined },
    ];
    for (const { key, want } of cases) assert.deepEqual(t.peek(key), want, `peek(${key}) = ${t.peek(key)}, want ${want}`);
  });

  await suite.test('writes and deletes in every tier', async () => {
    const a = new MemoryCache({ maxBytes: 1e6, maxAgeMs: 0 });
    const b = new MemoryCache({ maxBytes: 1e6, maxAgeMs: 0 });
    const t = new TieredCache([a, b]);
    await t.set('k', Buffer.from('v'));
    assert.deepEqual([await a.get('k'), await b.get('k')], [Buffer.from('v'), Buffer.from('v')]);
    await t.delete('k');
    assert.deepEqual([await a.get('k'), await b.get('k')], [undefined, undefined]);
  });

  await suite.test('keeps serving from a working tier when another tier is broken', async () => {
    const blocker = path.join(tempDir(), 'file');
    writeFileSync(blocker, 'x');
    let errors = 0;
    const cache = await createCache(['memory', path.join(blocker, 'sub')], quietLogger(), { onError: () => errors++ });
    assert.ok(cache instanceof TieredCache);
    await cache.set('k', Buffer.from('v'));
    assert.deepEqual(await cache.get('k'), Buffer.from('v'), 'get(k) with a broken disk tier = miss, want memory hit');
    assert.equal(await cache.get('missing'), undefined);
    assert.ok(errors >= 2, `errors from the broken tier = ${errors}, want >= 2`);
  });

  await suite.test('survives a restart through its disk tier', async () => {
    const dir = tempDir();
    const first = await createCache(['memory', dir], quietLogger());
    await first?.set('k', Buffer.from('persist'));
    await first?.close?.();
    const second = await createCache(['memory', dir], quietLogger());
    assert.ok(second instanceof TieredCache);
    const mem = (second.tiers[0] as GuardedCache).inner as MemoryCache;
    assert.equal(await mem.get('k'), undefined, 'fresh memory tier is not empty');
    assert.deepEqual(await second.get('k'), Buffer.from('persist'), 'get(k) after restart = miss, want disk hit');
    assert.deepEqual(await mem.get('k'), Buffer.from('persist'), 'memory tier not filled after restart');
  });
});
