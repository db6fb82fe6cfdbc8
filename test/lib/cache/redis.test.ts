import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCache } from '../../../lib/cache/index.js';
import { GuardedCache } from '../../../lib/cache/guard.js';
import { RedisCache } from '../../../lib/cache/redis.js';
import { freePort, startRedis } from '../../helpers/servers.js';
import { quietLogger, runCacheContract, serverTarget } from './contract.js';

runCacheContract('redis (redis-server)', async () => {
  const server = await startRedis();
  return serverTarget(`${server.url}/1`, () => server.stop(), { honoursTtl: true, timeoutMs: 3000 });
});

test('redis backend', async (suite) => {
  await suite.test('starts while Redis is down, misses fast, and recovers when Redis comes up', async () => {
    const port = await freePort();
    let errors = 0;
    const started = Date.now();
    const cache = await createCache([`redis://127.0.0.1:${port}`], quietLogger(), { onError: () => errors++ });
    assert.ok(cache instanceof GuardedCache);
    const startup = Date.now() - started;
    assert.ok(startup < 3000, `createCache with Redis down took ${startup} ms, want < 3000`);
    const t0 = Date.now();
    assert.equal(await cache.get('k'), undefined, 'get(k) with Redis down = hit, want undefined');
    await cache.set('k', Buffer.from('v'));
    assert.ok(Date.now() - t0 < 3000, `two operations with Redis down took ${Date.now() - t0} ms, want < 3000`);
    assert.ok(errors >= 2, `errors with Redis down = ${errors}, want >= 2`);
    await cache.close?.();
  });

  await suite.test('reconnects after a restart', async () => {
    const server = await startRedis();
    const cache = await createCache([server.url], quietLogger(), { timeoutMs: 3000 });
    assert.ok(cache);
    await cache.set('k', Buffer.from('v1'));
    await server.stop();
    assert.equal(await cache.get('k'), undefined, 'get(k) while stopped = hit, want undefined');
    await server.start();
    let got: Buffer | undefined;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      await cache.set('k', Buffer.from('v2'));
      got = await cache.get('k');
      if (got) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(got, Buffer.from('v2'), `get(k) after restart = ${got}, want <v2>`);
    await cache.close?.();
    await server.stop();
  });

  await suite.test('uses REDIS_PASSWORD from the env option', async () => {
    const server = await startRedis({ password: 's3cret' });
    const withPw = await createCache([server.url], quietLogger(), { env: { REDIS_PASSWORD: 's3cret' } });
    const withoutPw = await createCache([server.url], quietLogger(), { env: {} });
    assert.ok(withPw && withoutPw);
    await withPw.set('k', Buffer.from('v'));
    assert.deepEqual(await withPw.get('k'), Buffer.from('v'), 'get(k) with REDIS_PASSWORD = miss, want <v>');
    assert.equal(await withoutPw.get('k'), undefined, 'get(k) without a password = hit, want undefined (NOAUTH)');
    const inner = (withPw as GuardedCache).inner;
    assert.ok(inner instanceof RedisCache, 'inner cache is not a RedisCache');
    await withPw.close?.();
    await withoutPw.close?.();
    await server.stop();
  });
});
