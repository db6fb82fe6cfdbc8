import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseFlags, usage, UsageError, FLAGS, envName } from '../../bin/flags.js';
import { parseDuration, parseSize } from '../../bin/duration.js';
import { ROOT } from '../helpers/paths.js';

test('parseDuration follows time.ParseDuration', () => {
  const cases: Array<{ input: string; want?: number | undefined }> = [
    { input: '30s', want: 30_000 }, { input: '1m30s', want: 90_000 }, { input: '500ms', want: 500 }, { input: '1.5h', want: 5_400_000 }, { input: '0', want: 0 }, { input: '0s', want: 0 },
    { input: '-2s', want: -2000 }, { input: '+3s', want: 3000 }, { input: '.5s', want: 500 }, { input: '1.s', want: 1000 }, { input: '2us', want: 0.002 }, { input: '1µs', want: 0.001 }, { input: '100ns', want: 0.0001 },
    { input: '1h2m3s4ms', want: 3_723_004 },
    { input: '' }, { input: '30' }, { input: 's' }, { input: '.s' }, { input: '1d' }, { input: '1 s' },
    { input: '1s ' }, { input: 'abc' }, { input: '1m-1s' },
  ];
  for (const { input, want } of cases) {
    const got = parseDuration(input);
    assert.equal(got, want, `parseDuration(${JSON.stringify(input)}) = ${got}, want ${want}`);
  }
});

test('parseSize', () => {
  const cases: Array<{ input: string; want?: number | undefined }> = [
    { input: '1048576', want: 1048576 }, { input: '50MB', want: 50 * 1024 * 1024 }, { input: '50mb', want: 50 * 1024 * 1024 }, { input: '512KB', want: 512 * 1024 },
    { input: '1GB', want: 1024 ** 3 }, { input: '1.5MB', want: 1.5 * 1024 * 1024 }, { input: '10M', want: 10 * 1024 * 1024 }, { input: '2KiB', want: 2048 }, { input: '7B', want: 7 },
    { input: '' }, { input: 'MB' }, { input: '-1MB' }, { input: '1TB' }, { input: '1e6' },
  ];
  for (const { input, want } of cases) {
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
  const cases: Array<{ argv: string[]; pick: (r: ReturnType<typeof parseFlags>) => unknown; want: unknown }> = [
    { argv: ['-addr', ':9000'], pick: (r) => r.addr, want: ':9000' },
    { argv: ['-addr=:9000'], pick: (r) => r.addr, want: ':9000' },
    { argv: ['--addr', ':9000'], pick: (r) => r.addr, want: ':9000' },
    { argv: ['--addr=:9000'], pick: (r) => r.addr, want: ':9000' },
    { argv: ['-addr', 'unix:/run/ip.sock'], pick: (r) => r.addr, want: 'unix:/run/ip.sock' },
    { argv: ['-verbose'], pick: (r) => r.config.verbose, want: true },
    { argv: ['--verbose'], pick: (r) => r.config.verbose, want: true },
    { argv: ['-verbose=true'], pick: (r) => r.config.verbose, want: true },
    { argv: ['-verbose=false'], pick: (r) => r.config.verbose, want: false },
    { argv: ['-verbose', 'false'], pick: (r) => r.config.verbose, want: false },
    { argv: ['-verbose', 'true'], pick: (r) => r.config.verbose, want: true },
    { argv: ['-followRedirects=false'], pick: (r) => r.config.followRedirects, want: false },
    { argv: ['-followRedirects', 'false', '-scaleUp'], pick: (r) => [r.config.followRedirects, r.config.scaleUp], want: [false, true] },
    { argv: ['-verbose=0'], pick: (r) => r.config.verbose, want: false },
    { argv: ['-cache', 'memory'], pick: (r) => r.cacheSpecs, want: ['memory'] },
    { argv: ['-cache', 'memory', '-cache', '/tmp/c'], pick: (r) => r.cacheSpecs, want: ['memory', '/tmp/c'] },
    { argv: ['-cache', 'memory /tmp/c'], pick: (r) => r.cacheSpecs, want: ['memory', '/tmp/c'] },
    { argv: ['-allowHosts', 'a.example, *.b.example,10.0.0.0/8'], pick: (r) => r.config.allowHosts, want: ['a.example', '*.b.example', '10.0.0.0/8'] },
    { argv: ['-denyHosts=x.example'], pick: (r) => r.config.denyHosts, want: ['x.example'] },
    { argv: ['-referrers', 'site.example'], pick: (r) => r.config.referrers, want: ['site.example'] },
    { argv: ['-baseURL', 'https://cdn.example/img/'], pick: (r) => r.config.baseURL?.href, want: 'https://cdn.example/img/' },
    { argv: ['-signatureKey', 'k1', '-signatureKey', 'k2 k3'], pick: (r) => r.config.signatureKeys?.map(String), want: ['k1', 'k2', 'k3'] },
    { argv: ['-timeout', '1m30s'], pick: (r) => r.config.timeoutMs, want: 90_000 },
    { argv: ['-timeout=500ms'], pick: (r) => r.config.timeoutMs, want: 500 },
    { argv: ['-maxSourceSize', '10MB'], pick: (r) => r.config.maxSourceBytes, want: 10 * 1024 * 1024 },
    { argv: ['-maxSourceSize', '12345'], pick: (r) => r.config.maxSourceBytes, want: 12345 },
    { argv: ['-maxSourceMemory', '1GB'], pick: (r) => r.config.maxSourceMemory, want: 1024 * 1024 * 1024 },
    { argv: [], pick: (r) => r.config.maxSourceMemory, want: 256 * 1024 * 1024 },
    { argv: ['-contentTypes', ''], pick: (r) => r.config.contentTypes, want: [] },
    { argv: ['-contentTypes', 'image/png,image/jpeg'], pick: (r) => r.config.contentTypes, want: ['image/png', 'image/jpeg'] },
    { argv: ['-passResponseHeaders='], pick: (r) => r.config.passResponseHeaders, want: [] },
    { argv: ['-passRequestHeaders', 'Accept,Cookie'], pick: (r) => r.config.passRequestHeaders, want: ['Accept', 'Cookie'] },
    { argv: ['-userAgent', 'bot/1.0'], pick: (r) => r.config.userAgent, want: 'bot/1.0' },
    { argv: ['-maxRedirects', '0'], pick: (r) => r.config.maxRedirects, want: 0 },
    { argv: ['-minCacheDuration', '1h'], pick: (r) => r.config.minCacheDurationMs, want: 3_600_000 },
    { argv: ['-maxPixels', '1000', '-maxOutputSide', '100'], pick: (r) => r.config.limits, want: { maxPixels: 1000, maxOutputSide: 100, maxFrames: 10_000, maxScans: 256, maxAvifPixels: 3_000_000 } },
    { argv: ['-workers', '3', '-maxQueue', '0'], pick: (r) => [r.config.workers, r.config.maxQueue], want: [3, 0] },
    { argv: ['-shutdownGrace', '2s'], pick: (r) => r.shutdownGraceMs, want: 2000 },
    { argv: ['-maxFrames', '50'], pick: (r) => r.config.limits?.maxFrames, want: 50 },
    { argv: ['-maxScans', '12'], pick: (r) => r.config.limits?.maxScans, want: 12 },
    { argv: ['-transformTimeout', '1.5s'], pick: (r) => r.config.transformTimeoutMs, want: 1500 },
    { argv: ['-workerMemory', '256'], pick: (r) => r.config.workerMemoryMb, want: 256 },
    { argv: ['-cacheTimeout=250ms'], pick: (r) => r.cacheTimeoutMs, want: 250 },
    { argv: [], pick: (r) => r.cacheTimeoutMs, want: 5000 },
    { argv: ['-includeReferer', '-forceCache', '-allowPrivateNetworks'], pick: (r) => [r.config.includeReferer, r.config.forceCache, r.config.allowPrivateNetworks], want: [true, true, true] },
    { argv: ['-version'], pick: (r) => r.help, want: false },
    { argv: ['-help'], pick: (r) => r.help, want: true },
    { argv: ['-h'], pick: (r) => r.help, want: true },
    { argv: ['--help'], pick: (r) => r.help, want: true },
    { argv: ['-addr', ':1', '-addr', ':2'], pick: (r) => r.addr, want: ':2' },
    { argv: ['--'], pick: (r) => r.addr, want: 'localhost:8080' },
  ];
  for (const { argv, pick, want } of cases) {
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
  const cases: Array<{ argv: string[]; env: Record<string, string> }> = [
    { argv: ['-nope'], env: {} },
    { argv: ['--nope=1'], env: {} },
    { argv: ['stray'], env: {} },
    { argv: ['--', 'stray'], env: {} },
    { argv: ['-'], env: {} },
    { argv: ['-addr'], env: {} },
    { argv: ['-addr', ''], env: {} },
    { argv: ['-timeout', 'soon'], env: {} },
    { argv: ['-timeout', '30'], env: {} },
    { argv: ['-timeout', '0s'], env: {} },
    { argv: ['-timeout', '-1s'], env: {} },
    { argv: ['-maxSourceSize', 'big'], env: {} },
    { argv: ['-maxSourceSize', '0'], env: {} },
    { argv: ['-maxSourceMemory', 'lots'], env: {} },
    { argv: ['-maxSourceMemory', '0'], env: {} },
    { argv: ['-maxRedirects', '-1'], env: {} },
    { argv: ['-maxRedirects', '1.5'], env: {} },
    { argv: ['-maxPixels', '0'], env: {} },
    { argv: ['-workers', 'many'], env: {} },
    { argv: ['-verbose=maybe'], env: {} },
    { argv: ['-baseURL', 'not a url'], env: {} },
    { argv: ['-baseURL', 'ftp://example.com/'], env: {} },
    { argv: ['-shutdownGrace', 'x'], env: {} },
    { argv: ['-maxFrames', '0'], env: {} },
    { argv: ['-maxScans', '0'], env: {} },
    { argv: ['-transformTimeout', '0s'], env: {} },
    { argv: ['-workerMemory', '8'], env: {} },
    { argv: ['-cacheTimeout', 'soon'], env: {} },
    { argv: [], env: { IMAGEPROXY_TIMEOUT: 'forever' } },
    { argv: [], env: { IMAGEPROXY_VERBOSE: 'yes' } },
  ];
  for (const { argv, env } of cases) {
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
  const cases: Array<{ argv: string[]; env: Record<string, string>; want: { fleetLeases: boolean; leaseTimeMs: number } }> = [
    { argv: [], env: {}, want: { fleetLeases: true, leaseTimeMs: 15_000 } },
    { argv: ['-fleetLeases=false', '-leaseTime', '3s'], env: {}, want: { fleetLeases: false, leaseTimeMs: 3000 } },
    { argv: [], env: { IMAGEPROXY_FLEETLEASES: 'false', IMAGEPROXY_LEASETIME: '1m30s' }, want: { fleetLeases: false, leaseTimeMs: 90_000 } },
    { argv: ['--fleetLeases', 'true'], env: { IMAGEPROXY_FLEETLEASES: 'false' }, want: { fleetLeases: true, leaseTimeMs: 15_000 } },
  ];
  for (const { argv, env, want } of cases) {
    const c = parseFlags(argv, env).config;
    const got = { fleetLeases: c.fleetLeases, leaseTimeMs: c.leaseTimeMs };
    assert.deepEqual(got, want, `parseFlags(${JSON.stringify(argv)}, ${JSON.stringify(env)}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
  for (const bad of [['-leaseTime', '0'], ['-leaseTime', '-1s'], ['-leaseTime', '15'], ['-fleetLeases=maybe']]) {
    assert.throws(() => parseFlags(bad, {}), UsageError, `parseFlags(${JSON.stringify(bad)}) did not throw a UsageError`);
  }
});

test('-codeCache: tmp is a per-user folder in the temp directory, off is none, anything else a directory', () => {
  const user = typeof process.getuid === 'function' ? String(process.getuid()) : 'user';
  const cases: Array<{ argv: string[]; env: Record<string, string>; want: string | undefined }> = [
    { argv: [], env: {}, want: path.join(tmpdir(), `imageproxy-${user}`) },
    { argv: ['-codeCache', 'off'], env: {}, want: undefined },
    { argv: ['-codeCache='], env: {}, want: undefined },
    { argv: ['-codeCache', '/var/cache/imageproxy'], env: {}, want: '/var/cache/imageproxy' },
    { argv: [], env: { IMAGEPROXY_CODECACHE: 'off' }, want: undefined },
  ];
  for (const { argv, env, want } of cases) {
    const got = parseFlags(argv, env).config.codeCacheDir;
    assert.equal(got, want, `parseFlags(${JSON.stringify(argv)}, ${JSON.stringify(env)}).config.codeCacheDir = ${got}, want ${want}`);
  }
});
