import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CacheConfigError, describeSpec, importOptional, parseCacheSpec, parseCacheSpecs, parseGoDuration } from '../../../lib/cache/spec.js';

test('parseGoDuration', async (suite) => {
  const cases: Array<[string, number | undefined]> = [
    ['0', 0],
    ['4h', 4 * 3_600_000],
    ['30m', 1_800_000],
    ['1.5h', 5_400_000],
    ['2h45m', 9_900_000],
    ['300ms', 300],
    ['1s500ms', 1500],
    ['-1s', -1000],
    ['1000us', 1],
    ['', undefined],
    ['4', undefined],
    ['4d', undefined],
    ['h', undefined],
    ['1h ', undefined],
  ];
  for (const [input, want] of cases) {
    await suite.test(`parseGoDuration(${JSON.stringify(input)})`, () => {
      const got = parseGoDuration(input);
      assert.equal(got, want, `parseGoDuration(${JSON.stringify(input)}) = ${got}, want ${want}`);
    });
  }
});

test('parseCacheSpec', async (suite) => {
  const cases: Array<[string, unknown]> = [
    ['memory', { kind: 'memory', maxBytes: 100e6, maxAgeMs: 0 }],
    ['memory:200', { kind: 'memory', maxBytes: 200e6, maxAgeMs: 0 }],
    ['memory:200:4h', { kind: 'memory', maxBytes: 200e6, maxAgeMs: 4 * 3_600_000 }],
    ['/tmp/imageproxy', { kind: 'disk', dir: '/tmp/imageproxy' }],
    ['relative/cache', { kind: 'disk', dir: 'relative/cache' }],
    ['C:/cache', { kind: 'disk', dir: 'C:/cache' }],
    ['file:///var/cache/ipx', { kind: 'disk', dir: '/var/cache/ipx' }],
    [
      's3://us-east-1/my-bucket',
      { kind: 's3', region: 'us-east-1', bucket: 'my-bucket', prefix: '', endpoint: undefined, disableSSL: false, forcePathStyle: false },
    ],
    [
      's3://eu-west-1/b/some/prefix?endpoint=minio:9000&disableSSL=1&s3ForcePathStyle=1',
      { kind: 's3', region: 'eu-west-1', bucket: 'b', prefix: 'some/prefix', endpoint: 'minio:9000', disableSSL: true, forcePathStyle: true },
    ],
    [
      's3://r/b/?disableSSL=0&s3ForcePathStyle=0',
      { kind: 's3', region: 'r', bucket: 'b', prefix: '', endpoint: undefined, disableSSL: false, forcePathStyle: false },
    ],
    ['gcs://bucket-name', { kind: 'gcs', bucket: 'bucket-name', prefix: '' }],
    ['gcs://bucket-name/', { kind: 'gcs', bucket: 'bucket-name', prefix: '' }],
    ['gcs://bucket-name/a/b/', { kind: 'gcs', bucket: 'bucket-name', prefix: 'a/b' }],
    ['azure://container-name/', { kind: 'azure', container: 'container-name', prefix: '', endpoint: undefined }],
    [
      'azure://c/p?endpoint=http%3A%2F%2F127.0.0.1%3A10000%2Fdevstoreaccount1',
      { kind: 'azure', container: 'c', prefix: 'p', endpoint: 'http://127.0.0.1:10000/devstoreaccount1' },
    ],
    ['redis://hostname/', { kind: 'redis', url: 'redis://hostname/' }],
    ['redis://:pw@hostname:6380/2', { kind: 'redis', url: 'redis://:pw@hostname:6380/2' }],
    ['rediss://hostname', { kind: 'redis', url: 'rediss://hostname' }],
    [
      'redis-cluster://10.0.0.1:7000,10.0.0.2:7001,redis-c',
      {
        kind: 'redis-cluster', tls: false, keyPrefix: 'imageproxy:',
        nodes: [{ host: '10.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }, { host: 'redis-c', port: 6379 }],
      },
    ],
    [
      'rediss-cluster://:p%40ss@[::1]:7000/tenant-a',
      { kind: 'redis-cluster', tls: true, password: 'p@ss', keyPrefix: 'tenant-a:', nodes: [{ host: '::1', port: 7000 }] },
    ],
    [
      'redis-cluster://app:pw@h1:7000/',
      { kind: 'redis-cluster', tls: false, username: 'app', password: 'pw', keyPrefix: 'imageproxy:', nodes: [{ host: 'h1', port: 7000 }] },
    ],
    [
      'redis-sentinel://s1,s2:26380,s3/mymaster',
      {
        kind: 'redis-sentinel', tls: false, master: 'mymaster', keyPrefix: 'imageproxy:',
        sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26380 }, { host: 's3', port: 26379 }],
      },
    ],
    [
      'rediss-sentinel://:pw@s1:26379/mymaster/img.v2',
      { kind: 'redis-sentinel', tls: true, password: 'pw', master: 'mymaster', keyPrefix: 'img.v2:', sentinels: [{ host: 's1', port: 26379 }] },
    ],
    [
      'REDIS-CLUSTER://h:1',
      { kind: 'redis-cluster', tls: false, keyPrefix: 'imageproxy:', nodes: [{ host: 'h', port: 1 }] },
    ],
  ];
  for (const [input, want] of cases) {
    await suite.test(`parseCacheSpec(${input})`, () => {
      const got = parseCacheSpec(input);
      assert.deepEqual(got, want, `parseCacheSpec(${input}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    });
  }

  const bad: Array<[string, RegExp]> = [
    ['', /empty/],
    ['memory:', /size in megabytes/],
    ['memory:abc', /size in megabytes/],
    ['memory:0', /at least 1 MB/],
    ['memory:10:4days', /maximum age/],
    ['memory:10:-1h', /maximum age/],
    ['s3://us-east-1', /s3:\/\/region\/bucket/],
    ['s3:///bucket', /s3:\/\/region\/bucket/],
    ['gcs:///prefix', /gcs:\/\/bucket/],
    ['azure://', /azure:\/\/container/],
    ['redis://host/notanumber', /not a number/],
    ['file://host/path', /file:\/\/\/absolute/],
    ['file:///', /names no directory/],
    ['memcache://host', /unknown scheme "memcache:"/],
    ['redis-cluster://', /names no host/],
    ['redis-cluster:///prefix', /names no host/],
    ['redis-cluster://h1:7000,,h2', /bad host ""/],
    ['redis-cluster://h1:0', /bad host "h1:0"/],
    ['redis-cluster://h1:65536', /bad host "h1:65536"/],
    ['redis-cluster://h1:port', /bad host "h1:port"/],
    ['redis-cluster://h1/a/b', /redis-cluster:\/\/host:port,host:port\/optional-prefix/],
    ['redis-cluster://h1/{tag}', /key prefix "{tag}"/],
    ['redis-cluster://h1/a%20b', /key prefix "a b"/],
    ['redis-cluster://h1?tls=1', /query or fragment/],
    ['redis-cluster://:%zz@h1', /malformed %-escape/],
    ['redis-sentinel://s1:26379', /redis-sentinel:\/\/host:port,host:port\/mastername/],
    ['redis-sentinel://s1/m/p/q', /mastername\/optional-prefix/],
    ['redis-sentinel://s1/m{x}', /master name "m{x}"/],
    ['redis-clusters://h1', /unknown scheme "redis-clusters:"/],
  ];
  for (const [input, want] of bad) {
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
  const cases: Array<[string, string]> = [
    ['redis-cluster://:hunter2@h1:7000,[::1]:7001', 'redis-cluster(h1:7000,[::1]:7001)'],
    ['rediss-cluster://u:hunter2@h1:7000/t', 'rediss-cluster(h1:7000 prefix t:)'],
    ['redis-sentinel://:hunter2@s1,s2/mymaster', 'redis-sentinel(mymaster@s1:26379,s2:26379)'],
    ['rediss-sentinel://s1/mymaster/t', 'rediss-sentinel(mymaster@s1:26379 prefix t:)'],
  ];
  for (const [input, want] of cases) {
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
