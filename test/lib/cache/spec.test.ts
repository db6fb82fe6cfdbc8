import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CacheConfigError, describeSpec, importOptional, parseCacheSpec, parseCacheSpecs, parseGoDuration } from '../../../lib/cache/spec.js';

test('parseGoDuration', async (suite) => {
  const cases: Array<{ input: string; want?: number | undefined }> = [
    { input: '0', want: 0 },
    { input: '4h', want: 4 * 3_600_000 },
    { input: '30m', want: 1_800_000 },
    { input: '1.5h', want: 5_400_000 },
    { input: '2h45m', want: 9_900_000 },
    { input: '300ms', want: 300 },
    { input: '1s500ms', want: 1500 },
    { input: '-1s', want: -1000 },
    { input: '1000us', want: 1 },
    { input: '' },
    { input: '4' },
    { input: '4d' },
    { input: 'h' },
    { input: '1h ' },
  ];
  for (const { input, want } of cases) {
    await suite.test(`parseGoDuration(${JSON.stringify(input)})`, () => {
      const got = parseGoDuration(input);
      assert.equal(got, want, `parseGoDuration(${JSON.stringify(input)}) = ${got}, want ${want}`);
    });
  }
});

test('parseCacheSpec', async (suite) => {
  const cases: Array<{ input: string; want: unknown }> = [
    { input: 'memory', want: { kind: 'memory', maxBytes: 100e6, maxAgeMs: 0 } },
    { input: 'memory:200', want: { kind: 'memory', maxBytes: 200e6, maxAgeMs: 0 } },
    { input: 'memory:200:4h', want: { kind: 'memory', maxBytes: 200e6, maxAgeMs: 4 * 3_600_000 } },
    { input: '/tmp/imageproxy', want: { kind: 'disk', dir: '/tmp/imageproxy' } },
    { input: 'relative/cache', want: { kind: 'disk', dir: 'relative/cache' } },
    { input: 'C:/cache', want: { kind: 'disk', dir: 'C:/cache' } },
    { input: 'file:///var/cache/ipx', want: { kind: 'disk', dir: '/var/cache/ipx' } },
    { input: 's3://us-east-1/my-bucket', want: { kind: 's3', region: 'us-east-1', bucket: 'my-bucket', prefix: '', endpoint: undefined, disableSSL: false, forcePathStyle: false } },
    { input: 's3://eu-west-1/b/some/prefix?endpoint=minio:9000&disableSSL=1&s3ForcePathStyle=1', want: { kind: 's3', region: 'eu-west-1', bucket: 'b', prefix: 'some/prefix', endpoint: 'minio:9000', disableSSL: true, forcePathStyle: true } },
    { input: 's3://r/b/?disableSSL=0&s3ForcePathStyle=0', want: { kind: 's3', region: 'r', bucket: 'b', prefix: '', endpoint: undefined, disableSSL: false, forcePathStyle: false } },
    { input: 'gcs://bucket-name', want: { kind: 'gcs', bucket: 'bucket-name', prefix: '' } },
    { input: 'gcs://bucket-name/', want: { kind: 'gcs', bucket: 'bucket-name', prefix: '' } },
    { input: 'gcs://bucket-name/a/b/', want: { kind: 'gcs', bucket: 'bucket-name', prefix: 'a/b' } },
    { input: 'azure://container-name/', want: { kind: 'azure', container: 'container-name', prefix: '', endpoint: undefined } },
    { input: 'azure://c/p?endpoint=http%3A%2F%2F127.0.0.1%3A10000%2Fdevstoreaccount1', want: { kind: 'azure', container: 'c', prefix: 'p', endpoint: 'http://127.0.0.1:10000/devstoreaccount1' } },
    { input: 'redis://hostname/', want: { kind: 'redis', url: 'redis://hostname/' } },
    { input: 'redis://:pw@hostname:6380/2', want: { kind: 'redis', url: 'redis://:pw@hostname:6380/2' } },
    { input: 'rediss://hostname', want: { kind: 'redis', url: 'rediss://hostname' } },
    { input: 'redis-cluster://10.0.0.1:7000,10.0.0.2:7001,redis-c', want: {
        kind: 'redis-cluster', tls: false, keyPrefix: 'imageproxy:',
        nodes: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }, { host: 'redis-c', port: 6379 }],
      } },
    { input: 'rediss-cluster://:p%40ss@[::1]:7000/tenant-a', want: { kind: 'redis-cluster', tls: true, password: 'p@ss', keyPrefix: 'tenant-a:', nodes: [{ host: '::1', port: 7000 }] } },
    { input: 'redis-cluster://app:pw@h1:7000/', want: { kind: 'redis-cluster', tls: false, username: 'app', password: 'pw', keyPrefix: 'imageproxy:', nodes: [{ host: 'h1', port: 7000 }] } },
    { input: 'redis-sentinel://s1,s2:26380,s3/mymaster', want: {
        kind: 'redis-sentinel', tls: false, master: 'mymaster', keyPrefix: 'imageproxy:',
        sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26380 }, { host: 's3', port: 26379 }],
      } },
    { input: 'rediss-sentinel://:pw@s1:26379/mymaster/img.v2', want: { kind: 'redis-sentinel', tls: true, password: 'pw', master: 'mymaster', keyPrefix: 'img.v2:', sentinels: [{ host: 's1', port: 26379 }] } },
    { input: 'REDIS-CLUSTER://h:1', want: { kind: 'redis-cluster', tls: false, keyPrefix: 'imageproxy:', nodes: [{ host: 'h', port: 1 }] } },
  ];
  for (const { input, want } of cases) {
    await suite.test(`parseCacheSpec(${input})`, () => {
      const got = parseCacheSpec(input);
      assert.deepEqual(got, want, `parseCacheSpec(${input}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    });
  }

  const bad: Array<{ input: string; want: RegExp }> = [
    { input: '', want: /empty/ },
    { input: 'memory:', want: /size in megabytes/ },
    { input: 'memory:abc', want: /size in megabytes/ },
    { input: 'memory:0', want: /at least 1 MB/ },
    { input: 'memory:10:4days', want: /maximum age/ },
    { input: 'memory:10:-1h', want: /maximum age/ },
    { input: 's3://us-east-1', want: /s3:\/\/region\/bucket/ },
    { input: 's3:///bucket', want: /s3:\/\/region\/bucket/ },
    { input: 'gcs:///prefix', want: /gcs:\/\/bucket/ },
    { input: 'azure://', want: /azure:\/\/container/ },
    { input: 'redis://host/notanumber', want: /not a number/ },
    { input: 'file://host/path', want: /file:\/\/\/absolute/ },
    { input: 'file:///', want: /names no directory/ },
    { input: 'memcache://host', want: /unknown scheme "memcache:"/ },
    { input: 'redis-cluster://', want: /names no host/ },
    { input: 'redis-cluster:///prefix', want: /names no host/ },
    { input: 'redis-cluster://h1:7000,,h2', want: /bad host ""/ },
    { input: 'redis-cluster://h1:0', want: /bad host "h1:0"/ },
    { input: 'redis-cluster://h1:65536', want: /bad host "h1:65536"/ },
    { input: 'redis-cluster://h1:port', want: /bad host "h1:port"/ },
    { input: 'redis-cluster://h1/a/b', want: /redis-cluster:\/\/host:port,host:port\/optional-prefix/ },
    { input: 'redis-cluster://h1/{tag}', want: /key prefix "{tag}"/ },
    { input: 'redis-cluster://h1/a%20b', want: /key prefix "a b"/ },
    { input: 'redis-cluster://h1?tls=1', want: /query or fragment/ },
    { input: 'redis-cluster://:%zz@h1', want: /malformed %-escape/ },
    { input: 'redis-sentinel://s1:26379', want: /redis-sentinel:\/\/host:port,host:port\/mastername/ },
    { input: 'redis-sentinel://s1/m/p/q', want: /mastername\/optional-prefix/ },
    { input: 'redis-sentinel://s1/m{x}', want: /master name "m{x}"/ },
    { input: 'redis-clusters://h1', want: /unknown scheme "redis-clusters:"/ },
  ];
  for (const { input, want } of bad) {
    await suite.test(`parseCacheSpec(${JSON.stringify(input)}) fails`, () => {
      assert.throws(
        () => parseCacheSpec(input),
        (err) => err instanceof CacheConfigError && want.test(err.message),
        `parseCacheSpec(${JSON.stringify(input)}) did not throw a CacheConfigError matching ${want}`,
      );
    });
  }
});

test('parseCacheSpecs', async (suite) => {
  await suite.test('makes tiers from repeated flags and space-separated values, in order', () => {
    const got = parseCacheSpecs(['memory:50 /tmp/a', '', '  gcs://b/  ']).map((s) => s.kind);
    assert.deepEqual(got, ['memory', 'disk', 'gcs'], `parseCacheSpecs(...) kinds = ${got}, want memory,disk,gcs`);
  });
  await suite.test('returns no tiers for no values', () => {
    assert.deepEqual(parseCacheSpecs([]), []);
    assert.deepEqual(parseCacheSpecs(['  ']), []);
  });
});

test('describeSpec', async (suite) => {
  await suite.test('never shows a Redis password', () => {
    const got = describeSpec(parseCacheSpec('redis://:hunter2@cache.local:6379/3'));
    assert.equal(got, 'redis(cache.local:6379/3)', `describeSpec(redis with password) = ${got}`);
  });
  const cases: Array<{ input: string; want: string }> = [
    { input: 'redis-cluster://:hunter2@h1:7000,[::1]:7001', want: 'redis-cluster(h1:7000,[::1]:7001)' },
    { input: 'rediss-cluster://u:hunter2@h1:7000/t', want: 'rediss-cluster(h1:7000 prefix t:)' },
    { input: 'redis-sentinel://:hunter2@s1,s2/mymaster', want: 'redis-sentinel(mymaster@s1:26379,s2:26379)' },
    { input: 'rediss-sentinel://s1/mymaster/t', want: 'rediss-sentinel(mymaster@s1:26379 prefix t:)' },
  ];
  for (const { input, want } of cases) {
    await suite.test(`describeSpec(${input.replace('hunter2', '***')})`, () => {
      const got = describeSpec(parseCacheSpec(input));
      assert.equal(got, want, `describeSpec(${input}) = ${got}, want ${want}`);
    });
  }
});

test('importOptional', async (suite) => {
  await suite.test('names the package to install when it is missing', async () => {
    const pkg = 'no-such-package-for-imageproxy-tests';
    await assert.rejects(
      importOptional(pkg, 'test', () => import(pkg)),
      (err) => err instanceof CacheConfigError && err.message === `The test cache needs the optional package ${pkg}; install it with "npm install ${pkg}".`,
      'importOptional(missing) did not reject with the one-sentence install hint',
    );
  });
  await suite.test('passes other errors through', async () => {
    await assert.rejects(importOptional('x', 'test', () => Promise.reject(new TypeError('boom'))), TypeError);
  });
});
