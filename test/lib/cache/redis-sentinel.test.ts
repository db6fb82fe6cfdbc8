import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCache } from '../../../lib/cache/index.js';
import type { Cache } from '../../../lib/cache/cache.js';
import { redisEntryKey } from '../../../lib/cache/redis.js';
import { redisCli, startRedisSentinel, type RedisSentinelSetup } from '../../helpers/servers.js';
import { quietLogger, runCacheContract, serverTarget } from './contract.js';
import { timed } from '../../helpers/timed.js';
import { waitFor } from '../../helpers/origin.js';

/** OP_LIMIT_MS is the time limit of one cache operation in these tests; a lost master must cost less. */
const OP_LIMIT_MS = 3000;

runCacheContract('redis-sentinel (master and one Sentinel)', async () => {
  const setup = await startRedisSentinel({ replicas: 0, sentinels: 1 });
  return serverTarget(setup.url(), () => setup.stop(), { honoursTtl: true, timeoutMs: OP_LIMIT_MS });
});



test('redis-sentinel backend, failover', async (suite) => {
  let setup: RedisSentinelSetup;
  let cache: Cache;
  let errors = 0;

  suite.before(async () => {
    setup = await startRedisSentinel({ replicas: 1, sentinels: 3 });
    const c = await createCache([setup.url()], quietLogger(), { onError: () => errors++, timeoutMs: OP_LIMIT_MS });
    assert.ok(c);
    cache = c;
  });
  suite.after(async () => {
    await cache?.close?.();
    await setup?.stop();
  });

  await suite.test('writes to the master the Sentinels name', async () => {
    await cache.set('https://example.com/s.jpg', Buffer.from('m'));
    const port = await setup.masterPort();
    assert.equal(port, setup.servers[0].port, `master port = ${port}, want the first server ${setup.servers[0].port}`);
    const raw = (await redisCli(['-p', String(port), 'get', redisEntryKey('imageproxy:', 'https://example.com/s.jpg')])).trim();
    assert.equal(raw, 'm', `GET on the master = ${JSON.stringify(raw)}, want "m"`);
  });

  await suite.test('turns a killed master into misses, follows the failover, and keeps working when the old master returns', async () => {
    const key = 'https://example.com/failover.jpg';
    await cache.set(key, Buffer.from('before'));
    const oldPort = setup.servers[0].port;
    await setup.servers[0].kill();
    const before = errors;
    const [got, ms] = await timed(() => cache.get(key));
    assert.equal(got, undefined, `get with the master killed = ${got}, want undefined`);
    assert.ok(ms < OP_LIMIT_MS, `get with the master killed took ${ms} ms, want < ${OP_LIMIT_MS}`);
    assert.ok(errors > before, `errors with the master killed = ${errors - before}, want > 0`);

    const newPort = await setup.waitForMaster(oldPort);
    assert.equal(newPort, setup.servers[1].port, `master after failover = ${newPort}, want the replica ${setup.servers[1].port}`);
    await waitFor(async () => {
      await cache.set(key, Buffer.from('after'));
      return (await cache.get(key))?.toString() === 'after';
    }, 'a write to the promoted replica', 30_000);

    // The returning master claims to be a master until the Sentinels demote it (some seconds):
    // writes must still go to the one the Sentinels name.
    await setup.servers[0].start();
    await cache.set(key, Buffer.from('later'));
    const raw = (await redisCli(['-p', String(newPort), 'get', redisEntryKey('imageproxy:', key)])).trim();
    assert.equal(raw, 'later', `GET on the new master after the old one returned = ${JSON.stringify(raw)}, want "later"`);
    assert.deepEqual(await cache.get(key), Buffer.from('later'));
  });
});

test('redis-sentinel backend, hung master', async (suite) => {
  await suite.test('leaves a master that hangs (SIGSTOP) for the one the Sentinels promote', async () => {
    const setup = await startRedisSentinel({ replicas: 1, sentinels: 3 });
    let errors = 0;
    const cache = await createCache([setup.url()], quietLogger(), { onError: () => errors++, timeoutMs: OP_LIMIT_MS });
    try {
      assert.ok(cache);
      await cache.set('k', Buffer.from('v'));
      const oldPort = setup.servers[0].port;
      setup.servers[0].pause();
      const [got, ms] = await timed(() => cache.get('k'));
      assert.equal(got, undefined, `get with the master hung = ${got}, want undefined`);
      assert.ok(ms <= OP_LIMIT_MS + 100 && errors > 0, `get with the master hung took ${ms} ms with ${errors} errors, want <= ${OP_LIMIT_MS} ms and > 0`);
      const newPort = await setup.waitForMaster(oldPort);
      await waitFor(async () => {
        await cache.set('k', Buffer.from('after'));
        return (await cache.get('k'))?.toString() === 'after';
      }, 'a write to the promoted replica while the old master hangs', 30_000);
      const raw = (await redisCli(['-p', String(newPort), 'get', redisEntryKey('imageproxy:', 'k')])).trim();
      assert.equal(raw, 'after', `GET on the promoted replica = ${JSON.stringify(raw)}, want "after"`);
    } finally {
      await cache?.close?.();
      await setup.stop();
    }
  });
});

test('redis-sentinel backend, outages', async (suite) => {
  await suite.test('misses while the only master is away and reconnects when it comes back', async () => {
    const setup = await startRedisSentinel({ replicas: 0, sentinels: 1 });
    let errors = 0;
    const cache = await createCache([setup.url()], quietLogger(), { onError: () => errors++, timeoutMs: OP_LIMIT_MS });
    try {
      assert.ok(cache);
      await cache.set('k', Buffer.from('v'));
      await setup.servers[0].stop();
      const [got, ms] = await timed(() => cache.get('k'));
      assert.equal(got, undefined, `get with the master away = ${got}, want undefined`);
      assert.ok(ms < OP_LIMIT_MS && errors > 0, `get with the master away took ${ms} ms with ${errors} errors, want < ${OP_LIMIT_MS} ms and > 0`);
      await setup.servers[0].start();
      await waitFor(async () => {
        await cache.set('k', Buffer.from('back'));
        return (await cache.get('k'))?.toString() === 'back';
      }, 'a write once the master is back', 30_000);
    } finally {
      await cache?.close?.();
      await setup.stop();
    }
  });

  await suite.test('starts while every Sentinel is down, misses fast, and works once they are up', async () => {
    const setup = await startRedisSentinel({ replicas: 0, sentinels: 1 });
    await setup.sentinels[0].stop();
    let errors = 0;
    const [cache, startMs] = await timed(() => createCache([setup.url()], quietLogger(), { onError: () => errors++, timeoutMs: OP_LIMIT_MS }));
    try {
      assert.ok(cache);
      assert.ok(startMs < OP_LIMIT_MS, `createCache with the Sentinels down took ${startMs} ms, want < ${OP_LIMIT_MS}`);
      const [got, ms] = await timed(() => cache.get('k'));
      assert.equal(got, undefined);
      assert.ok(ms < OP_LIMIT_MS && errors > 0, `get with the Sentinels down took ${ms} ms with ${errors} errors, want < ${OP_LIMIT_MS} ms and > 0`);
      await setup.sentinels[0].start();
      await waitFor(async () => {
        await cache.set('k', Buffer.from('up'));
        return (await cache.get('k'))?.toString() === 'up';
      }, 'a write once a Sentinel is up', 30_000);
    } finally {
      await cache?.close?.();
      await setup.stop();
    }
  });

  await suite.test('uses REDIS_PASSWORD for the master', async () => {
    const setup = await startRedisSentinel({ replicas: 0, sentinels: 1, password: 'sn-s3cret' });
    const plain = setup.url().replace(/^redis-sentinel:\/\/:[^@]*@/, 'redis-sentinel://');
    const withPw = await createCache([plain], quietLogger(), { env: { REDIS_PASSWORD: 'sn-s3cret' } });
    const without = await createCache([plain], quietLogger(), { env: {} });
    try {
      assert.ok(withPw && without);
      await withPw.set('k', Buffer.from('v'));
      assert.deepEqual(await withPw.get('k'), Buffer.from('v'), 'get(k) with REDIS_PASSWORD = miss, want <v>');
      assert.equal(await without.get('k'), undefined, 'get(k) without a password = hit, want undefined (NOAUTH)');
    } finally {
      await Promise.all([withPw, without].map((c) => c?.close?.()));
      await setup.stop();
    }
  });
});
