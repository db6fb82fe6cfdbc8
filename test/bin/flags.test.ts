import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseFlags, usage, UsageError, FLAGS, envName } from '../../bin/flags.js';
import { parseDuration, parseSize } from '../../bin/duration.js';
import { ROOT } from '../helpers/paths.js';

test('parseDuration follows time.ParseDuration', () => {
  const cases: Array<[string, number | undefined]> = [
    ['30s', 30_000], ['1m30s', 90_000], ['500ms', 500], ['1.5h', 5_400_000], ['0', 0], ['0s', 0],
    ['-2s', -2000], ['+3s', 3000], ['.5s', 500], ['1.s', 1000], ['2us', 0.002], ['1µs', 0.001], ['100ns', 0.0001],
    ['1h2m3s4ms', 3_723_004],
    ['', undefined], ['30', undefined], ['s', undefined], ['.s', undefined], ['1d', undefined], ['1 s', undefined],
    ['1s ', undefined], ['abc', undefined], ['1m-1s', undefined],
  ];
  for (const [input, want] of cases) {
    const got = parseDuration(input);
    assert.equal(got, want, `parseDuration(${JSON.stringify(input)}) = ${got}, want ${want}`);
  }
});

test('parseSize', () => {
  const cases: Array<[string, number | undefined]> = [
    ['1048576', 1048576], ['50MB', 50 * 1024 * 1024], ['50mb', 50 * 1024 * 1024], ['512KB', 512 * 1024],
    ['1GB', 1024 ** 3], ['1.5MB', 1.5 * 1024 * 1024], ['10M', 10 * 1024 * 1024], ['2KiB', 2048], ['7B', 7],
    ['', undefined], ['MB', undefined], ['-1MB', undefined], ['1TB', undefined], ['1e6', undefined],
  ];
  for (const [input, want] of cases) {
    const got = parseSize(input);
    assert.equal(got, want, `parseSize(${JSON.stringify(input)}) = ${got}, want ${want}`);
  }
});

test('parseFlags defaults', () => {
  const got = parseFlags([], {});
  assert.equal(got.addr, 'localhost:8080');
  assert.deepEqual(got.cacheSpecs, []);
  assert.equal(got.shutdownGraceMs, 10_000);
  assert.equal(got.cacheTimeoutMs, 5_000);
  assert.equal(got.help, false);
  const c = got.config;
  const want: Record<string, unknown> = {
    allowHosts: [], denyHosts: [], referrers: [], signatureKeys: [], allowPrivateNetworks: false,
    followRedirects: true, maxRedirects: 10, timeoutMs: 30_000, maxSourceBytes: 50 * 1024 * 1024,
    contentTypes: ['image/*'], passRequestHeaders: [], passResponseHeaders: ['Cache-Control', 'Last-Modified', 'Expires', 'Etag', 'Link'],
    includeReferer: false, scaleUp: false, verbose: false, minCacheDurationMs: 0, forceCache: false,
    limits: { maxPixels: 50_000_000, maxOutputSide: 8192, maxFrames: 10_000, maxScans: 256, maxAvifPixels: 3_000_000 }, workers: 0, maxQueue: 64,
    transformTimeoutMs: 20_000, workerMemoryMb: 512,
  };
  for (const [k, v] of Object.entries(want)) {
    assert.deepEqual((c as Record<string, unknown>)[k], v, `default config.${k} = ${JSON.stringify((c as Record<string, unknown>)[k])}, want ${JSON.stringify(v)}`);
  }
  assert.equal(c.baseURL, undefined);
});

test('parseFlags accepts Go and npm spellings', () => {
  const cases: Array<[string[], (r: ReturnType<typeof parseFlags>) => unknown, unknown]> = [
    [['-addr', ':9000'], (r) => r.addr, ':9000'],
    [['-addr=:9000'], (r) => r.addr, ':9000'],
    [['--addr', ':9000'], (r) => r.addr, ':9000'],
    [['--addr=:9000'], (r) => r.addr, ':9000'],
    [['-addr', 'unix:/run/ip.sock'], (r) => r.addr, 'unix:/run/ip.sock'],
    [['-verbose'], (r) => r.config.verbose, true],
    [['--verbose'], (r) => r.config.verbose, true],
    [['-verbose=true'], (r) => r.config.verbose, true],
    [['-verbose=false'], (r) => r.config.verbose, false],
    [['-verbose', 'false'], (r) => r.config.verbose, false],
    [['-verbose', 'true'], (r) => r.config.verbose, true],
    [['-followRedirects=false'], (r) => r.config.followRedirects, false],
    [['-followRedirects', 'false', '-scaleUp'], (r) => [r.config.followRedirects, r.config.scaleUp], [false, true]],
    [['-verbose=0'], (r) => r.config.verbose, false],
    [['-cache', 'memory'], (r) => r.cacheSpecs, ['memory']],
    [['-cache', 'memory', '-cache', '/tmp/c'], (r) => r.cacheSpecs, ['memory', '/tmp/c']],
    [['-cache', 'memory /tmp/c'], (r) => r.cacheSpecs, ['memory', '/tmp/c']],
    [['-allowHosts', 'a.example, *.b.example,10.0.0.0/8'], (r) => r.config.allowHosts, ['a.example', '*.b.example', '10.0.0.0/8']],
    [['-denyHosts=x.example'], (r) => r.config.denyHosts, ['x.example']],
    [['-referrers', 'site.example'], (r) => r.config.referrers, ['site.example']],
    [['-baseURL', 'https://cdn.example/img/'], (r) => r.config.baseURL?.href, 'https://cdn.example/img/'],
    [['-signatureKey', 'k1', '-signatureKey', 'k2 k3'], (r) => r.config.signatureKeys?.map(String), ['k1', 'k2', 'k3']],
    [['-timeout', '1m30s'], (r) => r.config.timeoutMs, 90_000],
    [['-timeout=500ms'], (r) => r.config.timeoutMs, 500],
    [['-maxSourceSize', '10MB'], (r) => r.config.maxSourceBytes, 10 * 1024 * 1024],
    [['-maxSourceSize', '12345'], (r) => r.config.maxSourceBytes, 12345],
    [['-maxSourceMemory', '1GB'], (r) => r.config.maxSourceMemory, 1024 * 1024 * 1024],
    [[], (r) => r.config.maxSourceMemory, 256 * 1024 * 1024],
    [['-contentTypes', ''], (r) => r.config.contentTypes, []],
    [['-contentTypes', 'image/png,image/jpeg'], (r) => r.config.contentTypes, ['image/png', 'image/jpeg']],
    [['-passResponseHeaders='], (r) => r.config.passResponseHeaders, []],
    [['-passRequestHeaders', 'Accept,Cookie'], (r) => r.config.passRequestHeaders, ['Accept', 'Cookie']],
    [['-userAgent', 'bot/1.0'], (r) => r.config.userAgent, 'bot/1.0'],
    [['-maxRedirects', '0'], (r) => r.config.maxRedirects, 0],
    [['-minCacheDuration', '1h'], (r) => r.config.minCacheDurationMs, 3_600_000],
    [['-maxPixels', '1000', '-maxOutputSide', '100'], (r) => r.config.limits, { maxPixels: 1000, maxOutputSide: 100, maxFrames: 10_000, maxScans: 256, maxAvifPixels: 3_000_000 }],
    [['-workers', '3', '-maxQueue', '0'], (r) => [r.config.workers, r.config.maxQueue], [3, 0]],
    [['-shutdownGrace', '2s'], (r) => r.shutdownGraceMs, 2000],
    [['-maxFrames', '50'], (r) => r.config.limits?.maxFrames, 50],
    [['-maxScans', '12'], (r) => r.config.limits?.maxScans, 12],
    [['-transformTimeout', '1.5s'], (r) => r.config.transformTimeoutMs, 1500],
    [['-workerMemory', '256'], (r) => r.config.workerMemoryMb, 256],
    [['-cacheTimeout=250ms'], (r) => r.cacheTimeoutMs, 250],
    [[], (r) => r.cacheTimeoutMs, 5000],
    [['-includeReferer', '-forceCache', '-allowPrivateNetworks'], (r) => [r.config.includeReferer, r.config.forceCache, r.config.allowPrivateNetworks], [true, true, true]],
    [['-version'], (r) => r.help, false],
    [['-help'], (r) => r.help, true],
    [['-h'], (r) => r.help, true],
    [['--help'], (r) => r.help, true],
    [['-addr', ':1', '-addr', ':2'], (r) => r.addr, ':2'],
    [['--'], (r) => r.addr, 'localhost:8080'],
  ];
  for (const [argv, pick, want] of cases) {
    const got = pick(parseFlags(argv, {}));
    assert.deepEqual(got, want, `parseFlags(${JSON.stringify(argv)}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
});

test('parseFlags reads IMAGEPROXY_* and flags win', () => {
  const env = {
    IMAGEPROXY_ALLOWHOSTS: 'env.example', IMAGEPROXY_CACHE: 'memory /tmp/envcache', IMAGEPROXY_SIGNATUREKEY: 'ek1 ek2',
    IMAGEPROXY_TIMEOUT: '5s', IMAGEPROXY_VERBOSE: 'true', IMAGEPROXY_ADDR: ':7000', IMAGEPROXY_CONTENTTYPES: '',
    IMAGEPROXY_WORKERS: '', IMAGEPROXY_MAXSOURCESIZE: '1MB',
  };
  const r = parseFlags([], env);
  assert.deepEqual(r.config.allowHosts, ['env.example']);
  assert.deepEqual(r.cacheSpecs, ['memory', '/tmp/envcache']);
  assert.deepEqual(r.config.signatureKeys?.map(String), ['ek1', 'ek2']);
  assert.equal(r.config.timeoutMs, 5000);
  assert.equal(r.config.verbose, true);
  assert.equal(r.addr, ':7000');
  assert.deepEqual(r.config.contentTypes, [], 'an empty IMAGEPROXY_CONTENTTYPES allows all');
  assert.equal(r.config.workers, 0, 'an empty numeric variable is ignored');
  assert.equal(r.config.maxSourceBytes, 1024 * 1024);
  const f = parseFlags(['-allowHosts', 'flag.example', '-cache', 'memory', '-timeout', '7s', '-verbose=false', '-signatureKey', 'fk'], env);
  assert.deepEqual(f.config.allowHosts, ['flag.example']);
  assert.deepEqual(f.cacheSpecs, ['memory']);
  assert.equal(f.config.timeoutMs, 7000);
  assert.equal(f.config.verbose, false);
  assert.deepEqual(f.config.signatureKeys?.map(String), ['fk']);
});

test('parseFlags reads @file keys without the trailing newline', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'flags-'));
  const a = path.join(dir, 'a.key');
  const b = path.join(dir, 'b.key');
  writeFileSync(a, 'filekey\n');
  writeFileSync(b, 'crlfkey\r\n');
  const r = parseFlags([`-signatureKey=@${a}`, '-signatureKey', `@${b} plain`], {});
  assert.deepEqual(r.config.signatureKeys?.map(String), ['filekey', 'crlfkey', 'plain']);
  const e = parseFlags([], { IMAGEPROXY_SIGNATUREKEY: `@${a}` });
  assert.deepEqual(e.config.signatureKeys?.map(String), ['filekey']);
  assert.throws(() => parseFlags(['-signatureKey', `@${path.join(dir, 'missing')}`], {}), UsageError);
});

test('parseFlags refuses unknown flags and bad values', () => {
  const cases: Array<[string[], Record<string, string>]> = [
    [['-nope'], {}],
    [['--nope=1'], {}],
    [['stray'], {}],
    [['--', 'stray'], {}],
    [['-'], {}],
    [['-addr'], {}],
    [['-addr', ''], {}],
    [['-timeout', 'soon'], {}],
    [['-timeout', '30'], {}],
    [['-timeout', '0s'], {}],
    [['-timeout', '-1s'], {}],
    [['-maxSourceSize', 'big'], {}],
    [['-maxSourceSize', '0'], {}],
    [['-maxSourceMemory', 'lots'], {}],
    [['-maxSourceMemory', '0'], {}],
    [['-maxRedirects', '-1'], {}],
    [['-maxRedirects', '1.5'], {}],
    [['-maxPixels', '0'], {}],
    [['-workers', 'many'], {}],
    [['-verbose=maybe'], {}],
    [['-baseURL', 'not a url'], {}],
    [['-baseURL', 'ftp://example.com/'], {}],
    [['-shutdownGrace', 'x'], {}],
    [['-maxFrames', '0'], {}],
    [['-maxScans', '0'], {}],
    [['-transformTimeout', '0s'], {}],
    [['-workerMemory', '8'], {}],
    [['-cacheTimeout', 'soon'], {}],
    [[], { IMAGEPROXY_TIMEOUT: 'forever' }],
    [[], { IMAGEPROXY_VERBOSE: 'yes' }],
  ];
  for (const [argv, env] of cases) {
    assert.throws(() => parseFlags(argv, env), UsageError, `parseFlags(${JSON.stringify(argv)}, ${JSON.stringify(env)}) did not throw UsageError`);
  }
});

test('usage and docs/flags.md list every flag', () => {
  const text = usage();
  const doc = readFileSync(path.join(ROOT, 'docs', 'flags.md'), 'utf8');
  for (const f of FLAGS) {
    assert.ok(text.includes(`-${f.name}`), `usage() lacks -${f.name}`);
    assert.ok(text.includes(envName(f.name)), `usage() lacks ${envName(f.name)}`);
    const row = doc.split('\n').find((l) => l.startsWith(`| \`-${f.name}\``));
    assert.ok(row, `docs/flags.md has no row for -${f.name}`);
    assert.ok(row.includes(`\`${envName(f.name)}\``), `docs/flags.md row for -${f.name} lacks ${envName(f.name)}`);
    if (f.default !== '') assert.ok(row.includes(`\`${f.default}\``), `docs/flags.md row for -${f.name} lacks default ${f.default}`);
  }
});

test('fleet lease flags', () => {
  const cases: Array<[string[], Record<string, string>, { fleetLeases: boolean; leaseTimeMs: number }]> = [
    [[], {}, { fleetLeases: true, leaseTimeMs: 15_000 }],
    [['-fleetLeases=false', '-leaseTime', '3s'], {}, { fleetLeases: false, leaseTimeMs: 3000 }],
    [[], { IMAGEPROXY_FLEETLEASES: 'false', IMAGEPROXY_LEASETIME: '1m30s' }, { fleetLeases: false, leaseTimeMs: 90_000 }],
    [['--fleetLeases', 'true'], { IMAGEPROXY_FLEETLEASES: 'false' }, { fleetLeases: true, leaseTimeMs: 15_000 }],
  ];
  for (const [argv, env, want] of cases) {
    const c = parseFlags(argv, env).config;
    const got = { fleetLeases: c.fleetLeases, leaseTimeMs: c.leaseTimeMs };
    assert.deepEqual(got, want, `parseFlags(${JSON.stringify(argv)}, ${JSON.stringify(env)}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
  for (const bad of [['-leaseTime', '0'], ['-leaseTime', '-1s'], ['-leaseTime', '15'], ['-fleetLeases=maybe']]) {
    assert.throws(() => parseFlags(bad, {}), UsageError, `parseFlags(${JSON.stringify(bad)}) did not throw a UsageError`);
  }
});
