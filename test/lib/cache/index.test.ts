import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GuardedCache } from '../../../lib/cache/guard.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CACHE_ENV_VARS, CacheConfigError, createCache, leaseStoreOf } from '../../../lib/cache/index.js';
import { RedisLeaseStore } from '../../../lib/cache/redis-lease.js';
import { ROOT } from '../../helpers/paths.js';
import { startRedis } from '../../helpers/servers.js';
import { MemoryCache } from '../../../lib/cache/memory.js';
import { DiskCache } from '../../../lib/cache/disk.js';
import { TieredCache } from '../../../lib/cache/tiered.js';
import { quietLogger } from './contract.js';

test('createCache', async (suite) => {
  await suite.test('returns undefined for no specs', async () => {
    assert.equal(await createCache([], quietLogger()), undefined);
    assert.equal(await createCache(['', ' '], quietLogger()), undefined);
  });

  await suite.test('guards a single backend', async () => {
    const c = await createCache(['memory:5'], quietLogger());
    assert.ok(c instanceof GuardedCache, 'createCache([memory:5]) is not a GuardedCache');
    assert.ok(c.inner instanceof MemoryCache);
  });

  await suite.test('builds tiers in flag order, each guarded', async () => {
    const logger = quietLogger();
    const c = await createCache(['memory', '/tmp/ipx-never-written-a /tmp/ipx-never-written-b'], logger);
    assert.ok(c instanceof TieredCache);
    const kinds = c.tiers.map((t) => (t as GuardedCache).inner.constructor.name);
    assert.deepEqual(kinds, [MemoryCache.name, DiskCache.name, DiskCache.name], `tier kinds = ${kinds}`);
    assert.ok(logger.lines.some((l) => l.includes('memory(100MB) -> disk(/tmp/ipx-never-written-a) -> disk(/tmp/ipx-never-written-b)')), `log = ${logger.lines}`);
  });

  await suite.test('rejects a bad value with a CacheConfigError', async () => {
    await assert.rejects(createCache(['memory:x'], quietLogger()), CacheConfigError);
    await assert.rejects(createCache(['memory', 'nope://x'], quietLogger()), CacheConfigError);
  });
});

test('CACHE_ENV_VARS', async (suite) => {
  await suite.test('names exactly the variables createCache reads', () => {
    const source = readFileSync(path.join(ROOT, 'lib', 'cache', 'index.ts'), 'utf8');
    const read = [...new Set([...source.matchAll(/\benv\.([A-Z_]+)/g)].map((m) => m[1]))].sort();
    assert.deepEqual([...CACHE_ENV_VARS].sort(), read, `CACHE_ENV_VARS = ${CACHE_ENV_VARS}, want the env.X names in index.ts: ${read}`);
  });
});

test('leaseStoreOf', async (suite) => {
  await suite.test('finds no lease store without a Redis tier', async () => {
    assert.equal(leaseStoreOf(undefined), undefined);
    assert.equal(leaseStoreOf(await createCache(['memory', '/tmp/ipx-never-written-c'], quietLogger())), undefined);
  });

  await suite.test('finds the Redis tier below a memory tier, with its key prefix', async () => {
    const server = await startRedis();
    const cache = await createCache(['memory', server.url], quietLogger());
    try {
      const store = leaseStoreOf(cache);
      assert.ok(store instanceof RedisLeaseStore, `leaseStoreOf(memory, redis) = ${store?.constructor.name}, want a RedisLeaseStore`);
      assert.equal(store.keyPrefix, 'imageproxy:');
      assert.equal(await store.acquire('k', 't', 1000), true, 'acquire on a free lease = false, want true');
      assert.equal(await store.acquire('k', 'u', 1000), false, 'acquire on a held lease = true, want false');
      assert.equal(await store.finish('k', 'u', 1000), false, 'finish with a stranger token = true, want false');
      assert.equal(await store.peek('k'), 't', 'peek after a stranger tried to finish is not the holder token');
      assert.equal(await store.finish('k', 't', 1000), true, 'finish by the holder = false, want true');
      assert.equal(await store.peek('k'), 'done');
    } finally {
      await cache?.close?.();
      await server.stop();
    }
  });
});
