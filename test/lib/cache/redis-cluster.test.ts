import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCache } from '../../../lib/cache/index.js';
import type { Cache } from '../../../lib/cache/cache.js';
import { GuardedCache } from '../../../lib/cache/guard.js';
import { RedisCache, redisEntryKey, redisLeaseKey } from '../../../lib/cache/redis.js';
import { startRedisCluster, type RedisClusterServer } from '../../helpers/servers.js';
import { quietLogger, runCacheContract, serverTarget } from './contract.js';
import { timed } from '../../helpers/timed.js';
import { waitFor } from '../../helpers/origin.js';

/** OP_LIMIT_MS is the time limit of one cache operation in these tests; a dead node must cost less. */
const OP_LIMIT_MS = 3000;

runCacheContract('redis-cluster (three masters)', async () => {
  const cluster = await startRedisCluster();
  return serverTarget(cluster.url(), () => cluster.stop(), { honoursTtl: true, timeoutMs: OP_LIMIT_MS });
});



test('redis-cluster backend', async (suite) => {
  let cluster: RedisClusterServer;
  let cache: Cache;
  let errors = 0;
  const keys = Array.from({ length: 12 }, (_, i) => `https://example.com/cluster/${i}.jpg#100x`);

  suite.before(async () => {
    // A password-protected cluster, so that passwords are tested on the same nodes.
    cluster = await startRedisCluster({ password: 'cl-s3cret' });
    const c = await createCache([cluster.url()], quietLogger(), { onError: () => errors++, timeoutMs: OP_LIMIT_MS });
    assert.ok(c);
    cache = c;
  });
  suite.after(async () => {
    await cache?.close?.();
    await cluster?.stop();
  });

  await suite.test('spreads entries over every master', async () => {
    await Promise.all(keys.map((k, i) => cache.set(k, Buffer.from(`v${i}`))));
    const sizes = await Promise.all(cluster.nodes.map(async (n) => Number((await cluster.cli(['-p', String(n.port), 'dbsize'])).trim())));
    assert.ok(sizes.every((s) => s > 0), `keys per master = ${sizes}, want every master > 0`);
    assert.equal(sizes.reduce((a, b) => a + b, 0), keys.length, `keys in the cluster = ${sizes}, want ${keys.length} in all`);
    for (const [i, k] of keys.entries()) {
      const got = await cache.get(k);
      assert.deepEqual(got, Buffer.from(`v${i}`), `get(${k}) = ${got}, want v${i}`);
    }
  });

  await suite.test("keeps an entry's lease key in the entry's hash slot", async () => {
    const port = String(cluster.nodes[0].port);
    const hostile = ['https://example.com/{tag}/a.jpg', 'https://example.com/}{/b.jpg', '', 'x'.repeat(10_000), '{}'];
    for (const k of [...keys.slice(0, 4), ...hostile]) {
      const entry = Number(await cluster.cli(['-p', port, 'cluster', 'keyslot', redisEntryKey('imageproxy:', k)]));
      const lease = Number(await cluster.cli(['-p', port, 'cluster', 'keyslot', redisLeaseKey('imageproxy:', k)]));
      assert.equal(lease, entry, `keyslot(lease of ${k.slice(0, 40)}) = ${lease}, want the entry's slot ${entry}`);
    }
  });

  await suite.test('writes keys under the prefix of the URL', async () => {
    const c = await createCache([cluster.url('tenant-a')], quietLogger(), { timeoutMs: OP_LIMIT_MS });
    assert.ok(c);
    const key = 'https://example.com/prefixed.png';
    await c.set(key, Buffer.from('p'));
    const node = cluster.nodes[await cluster.nodeForKey(redisEntryKey('tenant-a:', key))];
    const got = (await cluster.cli(['-p', String(node.port), 'get', redisEntryKey('tenant-a:', key)])).trim();
    assert.equal(got, 'p', `GET tenant-a:sha256(key) on its node = ${JSON.stringify(got)}, want "p"`);
    assert.ok(((c as GuardedCache).inner as RedisCache).keyPrefix === 'tenant-a:');
    await c.close?.();
  });

  await suite.test('takes the password from the URL or REDIS_PASSWORD, and misses without one', async () => {
    const plain = cluster.url().replace(/^redis-cluster:\/\/:[^@]*@/, 'redis-cluster://');
    const fromEnv = await createCache([plain], quietLogger(), { env: { REDIS_PASSWORD: 'cl-s3cret' }, timeoutMs: OP_LIMIT_MS });
    const without = await createCache([plain], quietLogger(), { env: {}, timeoutMs: OP_LIMIT_MS });
    try {
      assert.ok(fromEnv && without);
      await cache.set('pw-key', Buffer.from('v'));
      assert.deepEqual(await fromEnv.get('pw-key'), Buffer.from('v'), 'get with REDIS_PASSWORD = miss, want <v>');
      assert.equal(await without.get('pw-key'), undefined, 'get without a password = hit, want undefined (NOAUTH)');
    } finally {
      await Promise.all([fromEnv, without].map((c) => c?.close?.()));
    }
  });

  await suite.test('turns a lost master into misses for its keys only, and uses it again when it is back', async () => {
    await Promise.all(keys.map((k, i) => cache.set(k, Buffer.from(`v${i}`))));
    const owner = await Promise.all(keys.map((k) => cluster.nodeForKey(redisEntryKey('imageproxy:', k))));
    const lost = 1;
    assert.ok(owner.includes(lost) && owner.some((o) => o !== lost), `owners ${owner} do not cover node ${lost} and another`);
    await cluster.nodes[lost].kill();
    const before = errors;
    for (const [i, k] of keys.entries()) {
      const [got, ms] = await timed(() => cache.get(k));
      const want = owner[i] === lost ? undefined : Buffer.from(`v${i}`);
      assert.deepEqual(got, want, `get(${k}) with node ${lost} down (owner ${owner[i]}) = ${got}, want ${want}`);
      assert.ok(ms < OP_LIMIT_MS, `get(${k}) with node ${lost} down took ${ms} ms, want < ${OP_LIMIT_MS}`);
    }
    const lostKey = keys[owner.indexOf(lost)];
    const [, setMs] = await timed(() => cache.set(lostKey, Buffer.from('again')));
    assert.ok(setMs < OP_LIMIT_MS, `set on the lost node took ${setMs} ms, want < ${OP_LIMIT_MS}`);
    assert.ok(errors > before, `errors with a lost master = ${errors - before}, want > 0`);

    await cluster.nodes[lost].start();
    await cluster.waitHealthy();
    await waitFor(async () => {
      await cache.set(lostKey, Buffer.from('again'));
      return (await cache.get(lostKey))?.toString() === 'again';
    }, 'a write to the returned master', 20_000);
    const other = keys[owner.findIndex((o) => o !== lost)];
    assert.ok(await cache.get(other), `get(${other}) on a master that stayed up = miss after the return, want a hit`);
  });

  await suite.test('starts while the whole cluster is down and works once it is up', async () => {
    for (const n of cluster.nodes) await n.stop();
    let down = 0;
    const [c, startMs] = await timed(() => createCache([cluster.url()], quietLogger(), { onError: () => down++, timeoutMs: OP_LIMIT_MS }));
    assert.ok(c);
    assert.ok(startMs < OP_LIMIT_MS, `createCache with the cluster down took ${startMs} ms, want < ${OP_LIMIT_MS}`);
    const [got, ms] = await timed(() => c.get(keys[0]));
    assert.equal(got, undefined, `get with the cluster down = ${got}, want undefined`);
    assert.ok(ms < OP_LIMIT_MS && down > 0, `get with the cluster down took ${ms} ms with ${down} errors, want < ${OP_LIMIT_MS} ms and > 0`);
    for (const n of cluster.nodes) await n.start();
    await cluster.waitHealthy();
    await waitFor(async () => {
      await c.set(keys[0], Buffer.from('up'));
      return (await c.get(keys[0]))?.toString() === 'up';
    }, 'a write once the cluster is up', 20_000);
    await c.close?.();
  });
});
