import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CacheConfigError, describeSpec, importOptional, parseCacheSpec, parseCacheSpecs, parseGoDuration } from '../../../lib/cache/spec.js';

describe('parseGoDuration', () => {
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
    it(`parseGoDuration(${JSON.stringify(input)})`, () => {
      const got = parseGoDuration(input);
      assert.equal(got, want, `parseGoDuration(${JSON.stringify(input)}) = ${got}, want ${want}`);
    });
  }
});

describe('parseCacheSpec', () => {
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
  ];
  for (const [input, want] of cases) {
    it(`parseCacheSpec(${input})`, () => {
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
  ];
  for (const [input, want] of bad) {
    it(`parseCacheSpec(${JSON.stringify(input)}) fails`, () => {
      assert.throws(
        () => parseCacheSpec(input),
        (err) => err instanceof CacheConfigError && want.test(err.message),
        `parseCacheSpec(${JSON.stringify(input)}) did not throw a CacheConfigError matching ${want}`,
      );
    });
  }
});

describe('parseCacheSpecs', () => {
  it('makes tiers from repeated flags and space-separated values, in order', () => {
    const got = parseCacheSpecs(['memory:50 /tmp/a', '', '  gcs://b/  ']).map((s) => s.kind);
    assert.deepEqual(got, ['memory', 'disk', 'gcs'], `parseCacheSpecs(...) kinds = ${got}, want memory,disk,gcs`);
  });
  it('returns no tiers for no values', () => {
    assert.deepEqual(parseCacheSpecs([]), []);
    assert.deepEqual(parseCacheSpecs(['  ']), []);
  });
});

describe('describeSpec', () => {
  it('never shows a Redis password', () => {
    const got = describeSpec(parseCacheSpec('redis://:hunter2@cache.local:6379/3'));
    assert.equal(got, 'redis(cache.local:6379/3)', `describeSpec(redis with password) = ${got}`);
  });
});

describe('importOptional', () => {
  it('names the package to install when it is missing', async () => {
    const pkg = 'no-such-package-for-imageproxy-tests';
    await assert.rejects(
      importOptional(pkg, 'test', () => import(pkg)),
      (err) => err instanceof CacheConfigError && err.message === `The test cache needs the optional package ${pkg}; install it with "npm install ${pkg}".`,
      'importOptional(missing) did not reject with the one-sentence install hint',
    );
  });
  it('passes other errors through', async () => {
    await assert.rejects(importOptional('x', 'test', () => Promise.reject(new TypeError('boom'))), TypeError);
  });
});
