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
  const cases: Array<{ input?: string | undefined; want: Record<string, string> }> = [
    { want: {} },
    { input: '', want: {} },
    { input: 'max-age=60', want: { 'max-age': '60' } },
    { input: 'Public, MAX-AGE=60 , s-maxage=120', want: { public: '', 'max-age': '60', 's-maxage': '120' } },
    { input: 'private="set-cookie, x-a", no-cache', want: { private: 'set-cookie, x-a', 'no-cache': '' } },
    { input: 'max-age=60, max-age=0', want: { 'max-age': '60' } },
    { input: 'max-age="30"', want: { 'max-age': '30' } },
  ];
  for (const { input, want } of cases) {
    await suite.test(`parseCacheControl(${JSON.stringify(input)})`, () => {
      const got = Object.fromEntries(parseCacheControl(input));
      assert.deepEqual(got, want, `parseCacheControl(${JSON.stringify(input)}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    });
  }
});

test('explicitLifetimeMs', async (suite) => {
  const cases: Array<{ name: string; headers: Record<string, string>; want?: number | undefined }> = [
    { name: 'nothing', headers: {} },
    { name: 'max-age', headers: { 'cache-control': 'max-age=60' }, want: 60_000 },
    { name: 's-maxage wins', headers: { 'cache-control': 'max-age=60, s-maxage=5' }, want: 5_000 },
    { name: 'max-age wins over Expires', headers: { 'cache-control': 'max-age=60', expires: httpDate(NOW + 3_600_000) }, want: 60_000 },
    { name: 'Expires minus Date', headers: { expires: httpDate(NOW + 3_600_000), date: httpDate(NOW - 1000) }, want: 3_601_000 },
    { name: 'Expires without Date uses now', headers: { expires: httpDate(NOW + 3_600_000) }, want: 3_600_000 },
    { name: 'invalid Expires means expired', headers: { expires: '0' }, want: 0 },
    { name: 'Expires in the past', headers: { expires: httpDate(NOW - 5000) }, want: 0 },
    { name: 'bad max-age is ignored', headers: { 'cache-control': 'max-age=abc' } },
    { name: 'huge max-age is capped', headers: { 'cache-control': 'max-age=99999999999999' }, want: 2 ** 31 * 1000 },
  ];
  for (const { name, headers, want } of cases) {
    await suite.test(name, () => {
      const got = explicitLifetimeMs(headers, NOW);
      assert.equal(got, want, `explicitLifetimeMs(${JSON.stringify(headers)}) = ${got}, want ${want}`);
    });
  }
});

test('storageDecision', async (suite) => {
  const LM = { 'last-modified': httpDate(NOW - 86_400_000) };
  const cases: Array<{ name: string; status: number; headers: Record<string, string>; policy: FreshnessPolicy; wantStore: boolean; wantLife: number }> = [
    // name, status, headers, policy, want store, want expiresAt - NOW
    { name: 'max-age=60', status: 200, headers: { 'cache-control': 'max-age=60' }, policy: plain, wantStore: true, wantLife: 60_000 },
    { name: 'public, s-maxage', status: 200, headers: { 'cache-control': 'public, max-age=10, s-maxage=100' }, policy: plain, wantStore: true, wantLife: 100_000 },
    { name: 'Expires', status: 200, headers: { expires: httpDate(NOW + 120_000), date: httpDate(NOW) }, policy: plain, wantStore: true, wantLife: 120_000 },
    { name: 'Age is subtracted', status: 200, headers: { 'cache-control': 'max-age=60', age: '50' }, policy: plain, wantStore: true, wantLife: 10_000 },
    { name: 'Age beyond lifetime with ETag', status: 200, headers: { 'cache-control': 'max-age=60', age: '100', etag: '"e"' }, policy: plain, wantStore: true, wantLife: 0 },
    { name: 'no-store', status: 200, headers: { 'cache-control': 'no-store, max-age=60' }, policy: plain, wantStore: false, wantLife: 0 },
    { name: 'private', status: 200, headers: { 'cache-control': 'private, max-age=60' }, policy: plain, wantStore: false, wantLife: 0 },
    { name: 'no-store with minCacheDuration', status: 200, headers: { 'cache-control': 'no-store' }, policy: min10m, wantStore: false, wantLife: 0 },
    { name: 'private with minCacheDuration', status: 200, headers: { 'cache-control': 'private' }, policy: min10m, wantStore: false, wantLife: 0 },
    { name: 'no-store forced', status: 200, headers: { 'cache-control': 'no-store, max-age=60' }, policy: forced, wantStore: true, wantLife: 60_000 },
    { name: 'private forced', status: 200, headers: { 'cache-control': 'private, max-age=30' }, policy: forced, wantStore: true, wantLife: 30_000 },
    { name: 'no-store forced without lifetime or validators', status: 200, headers: { 'cache-control': 'no-store' }, policy: forced, wantStore: false, wantLife: 0 },
    { name: 'no-store forced with minCacheDuration', status: 200, headers: { 'cache-control': 'no-store' }, policy: forcedMin, wantStore: true, wantLife: 600_000 },
    { name: 'no-cache with ETag: stored, stale at once', status: 200, headers: { 'cache-control': 'no-cache, max-age=60', etag: '"x"' }, policy: plain, wantStore: true, wantLife: 0 },
    { name: 'no-cache without validators', status: 200, headers: { 'cache-control': 'no-cache' }, policy: plain, wantStore: false, wantLife: 0 },
    { name: 'no-cache forced keeps max-age', status: 200, headers: { 'cache-control': 'no-cache, max-age=60' }, policy: forced, wantStore: true, wantLife: 60_000 },
    { name: 'no-cache with minCacheDuration', status: 200, headers: { 'cache-control': 'no-cache' }, policy: min10m, wantStore: true, wantLife: 600_000 },
    { name: 'nothing: not stored', status: 200, headers: {}, policy: plain, wantStore: false, wantLife: 0 },
    { name: 'nothing but ETag: stored stale', status: 200, headers: { etag: '"v1"' }, policy: plain, wantStore: true, wantLife: 0 },
    { name: 'nothing but Last-Modified: stored stale', status: 200, headers: LM, policy: plain, wantStore: true, wantLife: 0 },
    { name: 'nothing with minCacheDuration', status: 200, headers: {}, policy: min10m, wantStore: true, wantLife: 600_000 },
    { name: 'short max-age raised by minCacheDuration', status: 200, headers: { 'cache-control': 'max-age=60' }, policy: min10m, wantStore: true, wantLife: 600_000 },
    { name: 'long max-age kept over minCacheDuration', status: 200, headers: { 'cache-control': 'max-age=3600' }, policy: min10m, wantStore: true, wantLife: 3_600_000 },
    // With minCacheDuration, a later Expires counts even though max-age shadows it (Go's updateCacheHeaders).
    { name: 'Expires beyond max-age and minCacheDuration', status: 200, headers: { 'cache-control': 'max-age=60', expires: httpDate(NOW + 3_600_000), date: httpDate(NOW) }, policy: min10m, wantStore: true, wantLife: 3_600_000 },
    { name: 'Expires beyond max-age, no minCacheDuration: max-age wins', status: 200, headers: { 'cache-control': 'max-age=60', expires: httpDate(NOW + 3_600_000), date: httpDate(NOW) }, policy: plain, wantStore: true, wantLife: 60_000 },
    { name: 'Expires below minCacheDuration', status: 200, headers: { 'cache-control': 'max-age=60', expires: httpDate(NOW + 120_000), date: httpDate(NOW) }, policy: min10m, wantStore: true, wantLife: 600_000 },
    { name: 'max-age=0 without validators', status: 200, headers: { 'cache-control': 'max-age=0' }, policy: plain, wantStore: false, wantLife: 0 },
    { name: 'status 404', status: 404, headers: { 'cache-control': 'max-age=60' }, policy: plain, wantStore: false, wantLife: 0 },
    { name: 'status 304', status: 304, headers: { 'cache-control': 'max-age=60' }, policy: forced, wantStore: false, wantLife: 0 },
  ];
  for (const { name, status, headers, policy, wantStore, wantLife } of cases) {
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
  const cases: Array<{ name: string; headers: Record<string, string>; policy: FreshnessPolicy; request?: RequestContext | undefined; wantStore: boolean }> = [
    // name, headers, policy, request, want store
    { name: 'Vary: * is never shared', headers: { 'cache-control': 'max-age=60', vary: '*' }, policy: plainPolicy, wantStore: false },
    { name: 'Vary: * even forced', headers: { 'cache-control': 'max-age=60', vary: '*' }, policy: forcedPolicy, request: anon, wantStore: false },
    { name: 'Vary on a client header', headers: { 'cache-control': 'public, max-age=60', vary: 'Accept, Cookie' }, policy: plainPolicy, request: anon, wantStore: false },
    { name: 'Vary on a client header, forced', headers: { 'cache-control': 'max-age=60', vary: 'cookie' }, policy: forcedPolicy, request: anon, wantStore: false },
    { name: 'Vary on a header the proxy sets itself', headers: { 'cache-control': 'max-age=60', vary: 'Accept-Encoding' }, policy: plainPolicy, request: anon, wantStore: true },
    { name: 'credentials without a sharing directive', headers: { 'cache-control': 'max-age=60' }, policy: plainPolicy, request: authed, wantStore: false },
    { name: 'credentials, forced', headers: { 'cache-control': 'max-age=60' }, policy: forcedPolicy, request: authed, wantStore: false },
    { name: 'credentials with public', headers: { 'cache-control': 'public, max-age=60' }, policy: plainPolicy, request: authed, wantStore: true },
    { name: 'credentials with s-maxage', headers: { 'cache-control': 's-maxage=60' }, policy: plainPolicy, request: authed, wantStore: true },
    { name: 'credentials with must-revalidate', headers: { 'cache-control': 'max-age=60, must-revalidate' }, policy: plainPolicy, request: authed, wantStore: true },
    { name: 'no credentials', headers: { 'cache-control': 'max-age=60' }, policy: plainPolicy, request: anon, wantStore: true },
  ];
  for (const { name, headers, policy, request, wantStore } of cases) {
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
