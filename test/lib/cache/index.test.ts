import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GuardedCache } from '../../../lib/cache/guard.js';
import { CacheConfigError, createCache } from '../../../lib/cache/index.js';
import { MemoryCache } from '../../../lib/cache/memory.js';
import { DiskCache } from '../../../lib/cache/disk.js';
import { TieredCache } from '../../../lib/cache/tiered.js';
import { quietLogger } from './contract.js';

describe('createCache', () => {
  it('returns undefined for no specs', async () => {
    assert.equal(await createCache([], quietLogger()), undefined);
    assert.equal(await createCache(['', ' '], quietLogger()), undefined);
  });

  it('guards a single backend', async () => {
    const c = await createCache(['memory:5'], quietLogger());
    assert.ok(c instanceof GuardedCache, 'createCache([memory:5]) is not a GuardedCache');
    assert.ok(c.inner instanceof MemoryCache);
  });

  it('builds tiers in flag order, each guarded', async () => {
    const logger = quietLogger();
    const c = await createCache(['memory', '/tmp/ipx-never-written-a /tmp/ipx-never-written-b'], logger);
    assert.ok(c instanceof TieredCache);
    const kinds = c.tiers.map((t) => (t as GuardedCache).inner.constructor.name);
    assert.deepEqual(kinds, [MemoryCache.name, DiskCache.name, DiskCache.name], `tier kinds = ${kinds}`);
    assert.ok(logger.lines.some((l) => l.includes('memory(100MB) -> disk(/tmp/ipx-never-written-a) -> disk(/tmp/ipx-never-written-b)')), `log = ${logger.lines}`);
  });

  it('rejects a bad value with a CacheConfigError', async () => {
    await assert.rejects(createCache(['memory:x'], quietLogger()), CacheConfigError);
    await assert.rejects(createCache(['memory', 'nope://x'], quietLogger()), CacheConfigError);
  });
});
