import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCache } from '../../../lib/cache/index.js';
import { MemoryCache } from '../../../lib/cache/memory.js';
import { quietLogger, runCacheContract } from './contract.js';

runCacheContract('memory', async () => {
  let errors = 0;
  const cache = await createCache(['memory'], quietLogger(), { onError: () => errors++ });
  assert.ok(cache, 'createCache([memory]) = undefined');
  return { cache, honoursTtl: true, errors: () => errors, close: async () => cache.close?.() };
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

test('MemoryCache', async (suite) => {
  await suite.test('evicts least recently used entries to stay within maxBytes', async () => {
    const c = new MemoryCache({ maxBytes: 1000, maxAgeMs: 0 });
    await c.set('a', Buffer.alloc(400));
    await c.set('b', Buffer.alloc(400));
    await c.get('a'); // a is now more recent than b
    await c.set('c', Buffer.alloc(400));
    assert.equal(await c.get('b'), undefined, 'get(b) after overflow = hit, want evicted');
    assert.ok(await c.get('a'), 'get(a) after overflow = miss, want kept (recently used)');
    assert.ok(await c.get('c'), 'get(c) after overflow = miss, want kept');
    assert.ok(c.size <= 1000, `size = ${c.size}, want <= 1000`);
  });

  await suite.test('peek answers at once with the stored value itself', async () => {
    const c = new MemoryCache({ maxBytes: 1000, maxAgeMs: 0 });
    const v = Buffer.from('x');
    await c.set('a', v);
    const cases: Array<{ key: string; want: Buffer | undefined }> = [
      { key: 'a', want: v },
      { key: 'b', want: undefined },
    ];
    for (const { key, want } of cases) assert.equal(c.peek(key), want, `peek(${key}) = ${c.peek(key)}, want ${want}`);
  });

  await suite.test('does not store an entry larger than the whole cache', async () => {
    const c = new MemoryCache({ maxBytes: 100, maxAgeMs: 0 });
    await c.set('big', Buffer.alloc(101));
    assert.equal(await c.get('big'), undefined, 'get(big) = hit, want not stored');
  });

  await suite.test('expires entries after MAX_AGE even without a ttl hint', async () => {
    const c = new MemoryCache({ maxBytes: 1000, maxAgeMs: 150 });
    await c.set('a', Buffer.from('x'));
    assert.ok(await c.get('a'), 'get(a) at once = miss, want hit');
    await sleep(400);
    assert.equal(await c.get('a'), undefined, 'get(a) after MAX_AGE = hit, want expired');
  });

  await suite.test('caps a longer ttl hint at MAX_AGE', async () => {
    const c = new MemoryCache({ maxBytes: 1000, maxAgeMs: 150 });
    await c.set('a', Buffer.from('x'), 60_000);
    await sleep(400);
    assert.equal(await c.get('a'), undefined, 'get(a) with ttl 60s and MAX_AGE 150ms after 400ms = hit, want expired');
  });

  await suite.test('builds memory:SIZE:AGE from createCache', async () => {
    const cache = await createCache(['memory:1:150ms'], quietLogger());
    assert.ok(cache);
    await cache.set('a', Buffer.alloc(10));
    await cache.set('too-big', Buffer.alloc(1_000_001));
    assert.equal(await cache.get('too-big'), undefined, 'get(too-big) in a 1 MB cache = hit, want not stored');
    assert.ok(await cache.get('a'), 'get(a) = miss, want hit');
    await sleep(400);
    assert.equal(await cache.get('a'), undefined, 'get(a) after 150ms max age = hit, want expired');
  });
});
