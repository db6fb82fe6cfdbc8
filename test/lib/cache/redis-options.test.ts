// The ioredis settings a Cluster or Sentinel spec turns into: passwords, TLS, fail-fast.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterOptions } from '../../../lib/cache/redis-cluster.js';
import { sentinelOptions } from '../../../lib/cache/redis-sentinel.js';
import { parseCacheSpec, type RedisClusterSpec, type RedisSentinelSpec } from '../../../lib/cache/spec.js';

const cluster = (v: string) => parseCacheSpec(v) as RedisClusterSpec;
const sentinel = (v: string) => parseCacheSpec(v) as RedisSentinelSpec;

test('clusterOptions', async (suite) => {
  const cases: Array<{ value: string; env?: string; password?: string; username?: string; tls: boolean }> = [
    { value: 'redis-cluster://h:7000', tls: false },
    { value: 'redis-cluster://h:7000', env: 'from-env', password: 'from-env', tls: false },
    { value: 'redis-cluster://:from-url@h:7000', env: 'from-env', password: 'from-url', tls: false },
    { value: 'rediss-cluster://app:pw@h:7000', username: 'app', password: 'pw', tls: true },
  ];
  for (const c of cases) {
    await suite.test(`clusterOptions(${c.value}, REDIS_PASSWORD=${c.env ?? ''})`, () => {
      const o = clusterOptions(cluster(c.value), { password: c.env });
      const got = { password: o.redisOptions?.password, username: o.redisOptions?.username, tls: o.redisOptions?.tls !== undefined };
      const want = { password: c.password, username: c.username, tls: c.tls };
      assert.deepEqual(got, want, `clusterOptions(${c.value}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      assert.equal(o.enableOfflineQueue, false, 'a cluster client must not queue commands while disconnected');
      assert.equal(o.lazyConnect, true);
    });
  }
});

test('sentinelOptions', async (suite) => {
  const cases: Array<{ value: string; env?: string; sentinelEnv?: string; password?: string; sentinelPassword?: string; tls: boolean }> = [
    { value: 'redis-sentinel://s1,s2:26380/m', tls: false },
    { value: 'redis-sentinel://s1/m', env: 'data', sentinelEnv: 'watch', password: 'data', sentinelPassword: 'watch', tls: false },
    { value: 'redis-sentinel://:url@s1/m', env: 'data', password: 'url', tls: false },
    { value: 'rediss-sentinel://s1/m', tls: true },
  ];
  for (const c of cases) {
    await suite.test(`sentinelOptions(${c.value})`, () => {
      const o = sentinelOptions(sentinel(c.value), { password: c.env, sentinelPassword: c.sentinelEnv });
      const got = {
        password: o.password, sentinelPassword: o.sentinelPassword,
        tls: o.tls !== undefined, sentinelTls: o.enableTLSForSentinelMode === true && o.sentinelTLS !== undefined,
      };
      const want = { password: c.password, sentinelPassword: c.sentinelPassword, tls: c.tls, sentinelTls: c.tls };
      assert.deepEqual(got, want, `sentinelOptions(${c.value}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
      assert.equal(o.name, 'm');
      assert.equal(o.enableOfflineQueue, false, 'a Sentinel client must not queue commands while there is no master');
      assert.equal(o.failoverDetector, false, 'failoverDetector ends the client when a switch comes during a reconnect');
    });
  }
  await suite.test('asks the Sentinels again after a READONLY answer (a demoted master)', () => {
    const o = sentinelOptions(sentinel('redis-sentinel://s1/m'));
    const reconnect = o.reconnectOnError as (err: Error) => boolean;
    assert.equal(reconnect(new Error("READONLY You can't write against a read only replica.")), true);
    assert.equal(reconnect(new Error('ERR wrong number of arguments')), false);
  });
});
