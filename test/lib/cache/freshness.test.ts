import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  etagMatches, explicitLifetimeMs, notModified, parseCacheControl, sameVersion, storageDecision, type FreshnessPolicy, type RequestContext,
} from '../../../lib/cache/freshness.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const httpDate = (ms: number) => new Date(ms).toUTCString();
const plain: FreshnessPolicy = { minCacheDurationMs: 0, forceCache: false };
const min10m: FreshnessPolicy = { minCacheDurationMs: 600_000, forceCache: false };
const forced: FreshnessPolicy = { minCacheDurationMs: 0, forceCache: true };
const forcedMin: FreshnessPolicy = { minCacheDurationMs: 600_000, forceCache: true };

test('parseCacheControl', async (suite) => {
  const cases: Array<[string | undefined, Record<string, string>]> = [
    [undefined, {}],
    ['', {}],
    ['max-age=60', { 'max-age': '60' }],
    ['Public, MAX-AGE=60 , s-maxage=120', { public: '', 'max-age': '60', 's-maxage': '120' }],
    ['private="set-cookie, x-a", no-cache', { private: 'set-cookie, x-a', 'no-cache': '' }],
    ['max-age=60, max-age=0', { 'max-age': '60' }],
    ['max-age="30"', { 'max-age': '30' }],
  ];
  for (const [input, want] of cases) {
    await suite.test(`parseCacheControl(${JSON.stringify(input)})`, () => {
      const got = Object.fromEntries(parseCacheControl(input));
      assert.deepEqual(got, want, `parseCacheControl(${JSON.stringify(input)}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    });
  }
});

test('explicitLifetimeMs', async (suite) => {
  const cases: Array<[string, Record<string, string>, number | undefined]> = [
    ['nothing', {}, undefined],
    ['max-age', { 'cache-control': 'max-age=60' }, 60_000],
    ['s-maxage wins', { 'cache-control': 'max-age=60, s-maxage=5' }, 5_000],
    ['max-age wins over Expires', { 'cache-control': 'max-age=60', expires: httpDate(NOW + 3_600_000) }, 60_000],
    ['Expires minus Date', { expires: httpDate(NOW + 3_600_000), date: httpDate(NOW - 1000) }, 3_601_000],
    ['Expires without Date uses now', { expires: httpDate(NOW + 3_600_000) }, 3_600_000],
    ['invalid Expires means expired', { expires: '0' }, 0],
    ['Expires in the past', { expires: httpDate(NOW - 5000) }, 0],
    ['bad max-age is ignored', { 'cache-control': 'max-age=abc' }, undefined],
    ['huge max-age is capped', { 'cache-control': 'max-age=99999999999999' }, 2 ** 31 * 1000],
  ];
  for (const [name, headers, want] of cases) {
    await suite.test(name, () => {
      const got = explicitLifetimeMs(headers, NOW);
      assert.equal(got, want, `explicitLifetimeMs(${JSON.stringify(headers)}) = ${got}, want ${want}`);
    });
  }
});

test('storageDecision', async (suite) => {
  const LM = { 'last-modified': httpDate(NOW - 86_400_000) };
  const cases: Array<[string, number, Record<string, string>, FreshnessPolicy, boolean, number]> = [
    // name, status, headers, policy, want store, want expiresAt - NOW
    ['max-age=60', 200, { 'cache-control': 'max-age=60' }, plain, true, 60_000],
    ['public, s-maxage', 200, { 'cache-control': 'public, max-age=10, s-maxage=100' }, plain, true, 100_000],
    ['Expires', 200, { expires: httpDate(NOW + 120_000), date: httpDate(NOW) }, plain, true, 120_000],
    ['Age is subtracted', 200, { 'cache-control': 'max-age=60', age: '50' }, plain, true, 10_000],
    ['Age beyond lifetime with ETag', 200, { 'cache-control': 'max-age=60', age: '100', etag: '"e"' }, plain, true, 0],
    ['no-store', 200, { 'cache-control': 'no-store, max-age=60' }, plain, false, 0],
    ['private', 200, { 'cache-control': 'private, max-age=60' }, plain, false, 0],
    ['no-store with minCacheDuration', 200, { 'cache-control': 'no-store' }, min10m, false, 0],
    ['private with minCacheDuration', 200, { 'cache-control': 'private' }, min10m, false, 0],
    ['no-store forced', 200, { 'cache-control': 'no-store, max-age=60' }, forced, true, 60_000],
    ['private forced', 200, { 'cache-control': 'private, max-age=30' }, forced, true, 30_000],
    ['no-store forced without lifetime or validators', 200, { 'cache-control': 'no-store' }, forced, false, 0],
    ['no-store forced with minCacheDuration', 200, { 'cache-control': 'no-store' }, forcedMin, true, 600_000],
    ['no-cache with ETag: stored, stale at once', 200, { 'cache-control': 'no-cache, max-age=60', etag: '"x"' }, plain, true, 0],
    ['no-cache without validators', 200, { 'cache-control': 'no-cache' }, plain, false, 0],
    ['no-cache forced keeps max-age', 200, { 'cache-control': 'no-cache, max-age=60' }, forced, true, 60_000],
    ['no-cache with minCacheDuration', 200, { 'cache-control': 'no-cache' }, min10m, true, 600_000],
    ['nothing: not stored', 200, {}, plain, false, 0],
    ['nothing but ETag: stored stale', 200, { etag: '"v1"' }, plain, true, 0],
    ['nothing but Last-Modified: stored stale', 200, LM, plain, true, 0],
    ['nothing with minCacheDuration', 200, {}, min10m, true, 600_000],
    ['short max-age raised by minCacheDuration', 200, { 'cache-control': 'max-age=60' }, min10m, true, 600_000],
    ['long max-age kept over minCacheDuration', 200, { 'cache-control': 'max-age=3600' }, min10m, true, 3_600_000],
    // With minCacheDuration, a later Expires counts even though max-age shadows it (Go's updateCacheHeaders).
    ['Expires beyond max-age and minCacheDuration', 200, { 'cache-control': 'max-age=60', expires: httpDate(NOW + 3_600_000), date: httpDate(NOW) }, min10m, true, 3_600_000],
    ['Expires beyond max-age, no minCacheDuration: max-age wins', 200, { 'cache-control': 'max-age=60', expires: httpDate(NOW + 3_600_000), date: httpDate(NOW) }, plain, true, 60_000],
    ['Expires below minCacheDuration', 200, { 'cache-control': 'max-age=60', expires: httpDate(NOW + 120_000), date: httpDate(NOW) }, min10m, true, 600_000],
    ['max-age=0 without validators', 200, { 'cache-control': 'max-age=0' }, plain, false, 0],
    ['status 404', 404, { 'cache-control': 'max-age=60' }, plain, false, 0],
    ['status 304', 304, { 'cache-control': 'max-age=60' }, forced, false, 0],
  ];
  for (const [name, status, headers, policy, wantStore, wantLife] of cases) {
    await suite.test(name, () => {
      const d = storageDecision(status, headers, NOW, policy);
      assert.equal(d.store, wantStore, `storageDecision(${status}, ${JSON.stringify(headers)}, ${JSON.stringify(policy)}).store = ${d.store} (${d.reason}), want ${wantStore}`);
      if (wantStore) {
        assert.equal(d.expiresAt - NOW, wantLife, `storageDecision(${status}, ${JSON.stringify(headers)}).expiresAt - now = ${d.expiresAt - NOW}, want ${wantLife}`);
      }
    });
  }
});

test('storageDecision with the origin request', async (suite) => {
  const anon: RequestContext = { authorization: false, clientHeaders: ['cookie'] };
  const authed: RequestContext = { authorization: true, clientHeaders: ['authorization'] };
  const forcedPolicy: FreshnessPolicy = { minCacheDurationMs: 0, forceCache: true };
  const plainPolicy: FreshnessPolicy = { minCacheDurationMs: 0, forceCache: false };
  const cases: Array<[string, Record<string, string>, FreshnessPolicy, RequestContext | undefined, boolean]> = [
    // name, headers, policy, request, want store
    ['Vary: * is never shared', { 'cache-control': 'max-age=60', vary: '*' }, plainPolicy, undefined, false],
    ['Vary: * even forced', { 'cache-control': 'max-age=60', vary: '*' }, forcedPolicy, anon, false],
    ['Vary on a client header', { 'cache-control': 'public, max-age=60', vary: 'Accept, Cookie' }, plainPolicy, anon, false],
    ['Vary on a client header, forced', { 'cache-control': 'max-age=60', vary: 'cookie' }, forcedPolicy, anon, false],
    ['Vary on a header the proxy sets itself', { 'cache-control': 'max-age=60', vary: 'Accept-Encoding' }, plainPolicy, anon, true],
    ['credentials without a sharing directive', { 'cache-control': 'max-age=60' }, plainPolicy, authed, false],
    ['credentials, forced', { 'cache-control': 'max-age=60' }, forcedPolicy, authed, false],
    ['credentials with public', { 'cache-control': 'public, max-age=60' }, plainPolicy, authed, true],
    ['credentials with s-maxage', { 'cache-control': 's-maxage=60' }, plainPolicy, authed, true],
    ['credentials with must-revalidate', { 'cache-control': 'max-age=60, must-revalidate' }, plainPolicy, authed, true],
    ['no credentials', { 'cache-control': 'max-age=60' }, plainPolicy, anon, true],
  ];
  for (const [name, headers, policy, request, wantStore] of cases) {
    await suite.test(name, () => {
      const d = storageDecision(200, headers, NOW, policy, request);
      assert.equal(d.store, wantStore, `storageDecision(200, ${JSON.stringify(headers)}, ${JSON.stringify(request)}).store = ${d.store} (${d.reason}), want ${wantStore}`);
    });
  }
});

test('etagMatches', async (suite) => {
  const cases: Array<{ header: string; etag: string; want: boolean }> = [
    { header: '"v7"', etag: '"v7"', want: true },
    { header: ' "v7" ', etag: '"v7"', want: true },
    { header: '"a", W/"v7"', etag: '"v7"', want: true },
    { header: '"v7"', etag: 'W/"v7"', want: true },
    { header: '*', etag: '"anything"', want: true },
    { header: ' * ', etag: '"anything"', want: true },
    { header: '"v6"', etag: '"v7"', want: false },
    { header: '"a", "b"', etag: '"v7"', want: false },
    { header: '', etag: '"v7"', want: false },
  ];
  for (const { header, etag, want } of cases) {
    await suite.test(`etagMatches(${JSON.stringify(header)}, ${etag})`, () => {
      const got = etagMatches(header, etag);
      assert.equal(got, want, `etagMatches(${JSON.stringify(header)}, ${JSON.stringify(etag)}) = ${got}, want ${want}`);
    });
  }
});

test('notModified', async (suite) => {
  const lm = 'Wed, 21 Oct 2015 07:28:00 GMT';
  const both = { etag: '"v7"', 'last-modified': lm };
  const cases: Array<{ name: string; inm?: string; ims?: string; headers: Record<string, string>; want: boolean }> = [
    { name: 'no conditions', headers: both, want: false },
    { name: 'matching etag', inm: '"v7"', headers: both, want: true },
    { name: 'other etag', inm: '"v6"', headers: both, want: false },
    { name: 'If-None-Match wins over a matching date', inm: '"v6"', ims: lm, headers: both, want: false },
    { name: 'If-None-Match without a stored ETag', inm: '*', headers: { 'last-modified': lm }, want: false },
    { name: 'same date', ims: lm, headers: both, want: true },
    { name: 'later date', ims: 'Thu, 22 Oct 2015 07:28:00 GMT', headers: both, want: true },
    { name: 'earlier date', ims: 'Tue, 20 Oct 2015 07:28:00 GMT', headers: both, want: false },
    { name: 'garbage date', ims: 'yesterday', headers: both, want: false },
    { name: 'date without Last-Modified', ims: lm, headers: { etag: '"v7"' }, want: false },
    { name: 'garbage Last-Modified', ims: lm, headers: { 'last-modified': 'soon' }, want: false },
  ];
  for (const { name, inm, ims, headers, want } of cases) {
    await suite.test(name, () => {
      const got = notModified(inm, ims, headers);
      assert.equal(got, want, `notModified(${inm}, ${ims}, ${JSON.stringify(headers)}) = ${got}, want ${want}`);
    });
  }
});

test('sameVersion', async (suite) => {
  const lm = 'Wed, 21 Oct 2015 07:28:00 GMT';
  const cases: Array<{ name: string; variant: Record<string, string>; orig: Record<string, string>; want: boolean }> = [
    { name: 'same ETag', variant: { etag: '"a"' }, orig: { etag: '"a"' }, want: true },
    { name: 'other ETag', variant: { etag: '"a"' }, orig: { etag: '"b"' }, want: false },
    { name: 'ETag lost', variant: { etag: '"a"' }, orig: {}, want: false },
    { name: 'ETag gained', variant: {}, orig: { etag: '"a"' }, want: false },
    { name: 'ETags differ though dates agree', variant: { etag: '"a"', 'last-modified': lm }, orig: { etag: '"b"', 'last-modified': lm }, want: false },
    { name: 'same Last-Modified', variant: { 'last-modified': lm }, orig: { 'last-modified': lm }, want: true },
    { name: 'other Last-Modified', variant: { 'last-modified': lm }, orig: { 'last-modified': 'Thu, 22 Oct 2015 07:28:00 GMT' }, want: false },
    { name: 'no validators', variant: {}, orig: {}, want: false },
  ];
  for (const { name, variant, orig, want } of cases) {
    await suite.test(name, () => {
      const got = sameVersion(variant, orig);
      assert.equal(got, want, `sameVersion(${JSON.stringify(variant)}, ${JSON.stringify(orig)}) = ${got}, want ${want}`);
    });
  }
});
