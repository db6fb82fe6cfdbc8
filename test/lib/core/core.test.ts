// The core driven without sockets: plain requests in, answers out, over a fake origin, a fake
// transformer and an in-memory cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeTransformer, IMAGE, harness, header, image, text, type OriginRoute } from './fakes.js';
import { createCore } from '../../../lib/core/core.js';
import { LazyTransformer } from '../../../lib/core/state.js';
import { coreHeaderNames } from '../../../lib/core/headers.js';
import { headerValue } from '../../../lib/core/context.js';
import { defaultConfig } from '../../../lib/config.js';
import { SECURITY_HEADERS } from '../../../lib/security/headers.js';
import type { Answer } from '../../../lib/core/types.js';
import { MemoryCache } from '../../../lib/cache/memory.js';

const REMOTE = 'https://images.example/a.png';
const LM = 'Wed, 21 Oct 2015 07:28:00 GMT';

/** summary is an answer in one line, for messages: status, X-Cache and body length. */
function summary(a: Answer): string {
  return `${a.status} ${header(a, 'x-cache') ?? '-'} ${a.body?.length ?? 0}B`;
}

test('endpoints: health check, favicon, metrics, methods', async () => {
  const h = harness();
  const cases: Array<{ method: string; url: string; wantStatus: number; wantBody: string | RegExp; wantType: string | undefined }> = [
    { method: 'GET', url: '/', wantStatus: 200, wantBody: 'OK', wantType: 'text/plain; charset=utf-8' },
    { method: 'GET', url: '/health-check?x=1', wantStatus: 200, wantBody: 'OK', wantType: 'text/plain; charset=utf-8' },
    { method: 'POST', url: '/health-check', wantStatus: 405, wantBody: 'Only GET and HEAD are supported.\n', wantType: 'text/plain; charset=utf-8' },
    { method: 'POST', url: '/', wantStatus: 405, wantBody: 'Only GET and HEAD are supported.\n', wantType: 'text/plain; charset=utf-8' },
    { method: 'PUT', url: '/metrics', wantStatus: 405, wantBody: 'Only GET and HEAD are supported.\n', wantType: 'text/plain; charset=utf-8' },
    { method: 'DELETE', url: '/favicon.ico', wantStatus: 405, wantBody: 'Only GET and HEAD are supported.\n', wantType: 'text/plain; charset=utf-8' },
    { method: 'HEAD', url: '/', wantStatus: 200, wantBody: '', wantType: 'text/plain; charset=utf-8' },
    { method: 'GET', url: '/favicon.ico', wantStatus: 200, wantBody: '', wantType: undefined },
    { method: 'GET', url: '/metrics', wantStatus: 200, wantBody: /^# HELP imageproxy_/m, wantType: 'text/plain; version=0.0.4; charset=utf-8' },
    { method: 'POST', url: `/${REMOTE}`, wantStatus: 405, wantBody: 'Only GET and HEAD are supported.\n', wantType: 'text/plain; charset=utf-8' },
    { method: 'DELETE', url: `/100x/${REMOTE}`, wantStatus: 405, wantBody: 'Only GET and HEAD are supported.\n', wantType: 'text/plain; charset=utf-8' },
  ];
  for (const { method, url, wantStatus, wantBody, wantType } of cases) {
    const a = await h.get(url, {}, method);
    const got = { status: a.status, body: text(a), type: header(a, 'content-type') };
    const ok = a.status === wantStatus && (typeof wantBody === 'string' ? got.body === wantBody : wantBody.test(got.body)) && got.type === wantType;
    assert.ok(ok, `answer(${method} ${url}) = ${JSON.stringify(got)}, want ${JSON.stringify({ status: wantStatus, body: String(wantBody), type: wantType })}`);
  }
  const allow = header(await h.get(`/${REMOTE}`, {}, 'PUT'), 'allow');
  assert.equal(allow, 'GET, HEAD', `answer(PUT).Allow = ${allow}, want GET, HEAD`);
});

test('an image answer: the origin bytes, passable headers, security headers; HEAD without a body', async () => {
  const h = harness({ cache: undefined }, { cache: false });
  const url = h.origin.set(REMOTE, image({ 'cache-control': 'max-age=60', etag: '"e1"', 'x-secret': 's', link: '<a>; rel=x' }));
  for (const method of ['GET', 'HEAD']) {
    const a = await h.get(`/${url}`, {}, method);
    const want: Record<string, string | undefined> = {
      ...SECURITY_HEADERS, 'Cache-Control': 'max-age=60', Etag: '"e1"', Link: '<a>; rel=x', 'X-Cache': 'MISS',
      'Content-Type': 'image/png', 'Content-Length': String(IMAGE.length),
    };
    assert.deepEqual(a.headers, want, `answer(${method} /${url}).headers = ${JSON.stringify(a.headers)}, want ${JSON.stringify(want)}`);
    const got = a.body === undefined ? undefined : Buffer.from(a.body).toString('hex');
    const wantBody = method === 'GET' ? Buffer.from(IMAGE).toString('hex') : undefined;
    assert.equal(got, wantBody, `answer(${method} /${url}).body = ${got}, want ${wantBody}`);
  }
});

test('hits, misses and the transformer, step by step over one cache', async () => {
  const h = harness();
  h.origin.set(REMOTE, image({ 'cache-control': 'max-age=600' }));
  const steps: Array<{ name: string; url: string; wantCache: string; wantOriginHits: number; wantRuns: number }> = [
    { name: 'original, first', url: `/${REMOTE}`, wantCache: 'MISS', wantOriginHits: 1, wantRuns: 0 },
    { name: 'original, again', url: `/${REMOTE}`, wantCache: 'HIT', wantOriginHits: 1, wantRuns: 0 },
    { name: 'options that change nothing', url: `/x,fit,scaleUp/${REMOTE}`, wantCache: 'HIT', wantOriginHits: 1, wantRuns: 0 },
    { name: 'variant from the cached original', url: `/50x/${REMOTE}`, wantCache: 'MISS', wantOriginHits: 1, wantRuns: 1 },
    { name: 'variant again', url: `/50x/${REMOTE}`, wantCache: 'HIT', wantOriginHits: 1, wantRuns: 1 },
    { name: 'same variant, options in another order and signed', url: `/50x0,sXYZ/${REMOTE}`, wantCache: 'HIT', wantOriginHits: 1, wantRuns: 1 },
    { name: 'other variant', url: `/60x/${REMOTE}`, wantCache: 'MISS', wantOriginHits: 1, wantRuns: 2 },
  ];
  for (const { name, url, wantCache, wantOriginHits, wantRuns } of steps) {
    const a = await h.get(url);
    const got = { status: a.status, cache: header(a, 'x-cache'), originHits: h.origin.hits(REMOTE), runs: h.transformer.runs.length };
    const want = { status: 200, cache: wantCache, originHits: wantOriginHits, runs: wantRuns };
    assert.deepEqual(got, want, `${name}: answer(GET ${url}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
  const served = (await h.core.metrics.servedFromCache.get()).values[0]?.value;
  assert.equal(served, 4, `imageproxy_requests_served_from_cache_total = ${served}, want 4`);
});

test('a fresh hit in a memory cache is answered at once, without the backend\'s get; a stale one is not', async () => {
  /** CountingCache counts the waits a lookup would take (get), not the peeks. */
  class CountingCache extends MemoryCache {
    gets = 0;
    override async get(key: string): Promise<Buffer | undefined> {
      this.gets++;
      return super.get(key);
    }
  }
  const cases: Array<{ name: string; url: string; cacheControl: string; wantCache: string; wantGets: number }> = [
    { name: 'original, fresh', url: `/${REMOTE}`, cacheControl: 'max-age=600', wantCache: 'HIT', wantGets: 0 },
    { name: 'variant, fresh', url: `/50x/${REMOTE}`, cacheControl: 'max-age=600', wantCache: 'HIT', wantGets: 0 },
    { name: 'original, stale', url: `/${REMOTE}`, cacheControl: 'max-age=0, must-revalidate', wantCache: 'MISS', wantGets: 1 },
  ];
  for (const { name, url, cacheControl, wantCache, wantGets } of cases) {
    const cache = new CountingCache({ maxBytes: 1e7, maxAgeMs: 0 });
    const h = harness({ cache });
    h.origin.set(REMOTE, image({ 'cache-control': cacheControl }));
    await h.get(url);
    const before = cache.gets;
    const a = await h.get(url);
    const got = { status: a.status, cache: header(a, 'x-cache'), gets: cache.gets - before };
    const want = { status: 200, cache: wantCache, gets: wantGets };
    assert.deepEqual(got, want, `${name}: second answer(GET ${url}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
});

test('revalidation: a stale entry is revalidated with its validators; a 304 from the origin is REVALIDATED', async () => {
  const h = harness();
  let version = 'v1';
  h.origin.set(REMOTE, (req) => {
    if (req.headers['if-none-match'] === `"${version}"`) return { status: 304, headers: { etag: `"${version}"`, 'cache-control': 'max-age=0' }, body: new Uint8Array(0) };
    return image({ etag: `"${version}"`, 'last-modified': LM, 'cache-control': 'max-age=0' });
  });
  const steps: Array<{ name: string; url: string; change?: string; wantCache: string; wantConditional: string | undefined; wantRuns: number }> = [
    { name: 'first fetch', url: `/${REMOTE}`, wantCache: 'MISS', wantConditional: undefined, wantRuns: 0 },
    { name: 'stale: revalidated', url: `/${REMOTE}`, wantCache: 'REVALIDATED', wantConditional: '"v1"', wantRuns: 0 },
    { name: 'variant of the revalidated original', url: `/70x/${REMOTE}`, wantCache: 'MISS', wantConditional: '"v1"', wantRuns: 1 },
    { name: 'variant renewed, not transformed again', url: `/70x/${REMOTE}`, wantCache: 'REVALIDATED', wantConditional: '"v1"', wantRuns: 1 },
    { name: 'origin changed: fetched in full, variant made again', url: `/70x/${REMOTE}`, change: 'v2', wantCache: 'MISS', wantConditional: '"v1"', wantRuns: 2 },
    { name: 'original after the change', url: `/${REMOTE}`, wantCache: 'REVALIDATED', wantConditional: '"v2"', wantRuns: 2 },
  ];
  for (const { name, url, change, wantCache, wantConditional, wantRuns } of steps) {
    if (change) version = change;
    const a = await h.get(url);
    const last = h.origin.calls[h.origin.calls.length - 1];
    const got = { status: a.status, cache: header(a, 'x-cache'), conditional: last.headers['if-none-match'], since: last.headers['if-modified-since'], runs: h.transformer.runs.length };
    const want = { status: 200, cache: wantCache, conditional: wantConditional, since: wantConditional ? LM : undefined, runs: wantRuns };
    assert.deepEqual(got, want, `${name}: answer(GET ${url}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
});

test('client conditional requests get 304 with the ETag and no body', async () => {
  // Every case's entry has ETag "v7"; a 200 carries it as a passed header, a 304 always.
  const cases: Array<{ name: string; headers: Record<string, string>; passResponseHeaders?: string[]; want: number }> = [
    { name: 'matching etag', headers: { 'if-none-match': '"v7"' }, want: 304 },
    { name: 'weak match in a list', headers: { 'if-none-match': '"a", W/"v7"' }, want: 304 },
    { name: 'star', headers: { 'if-none-match': '*' }, want: 304 },
    { name: 'other etag', headers: { 'if-none-match': '"v6"' }, want: 200 },
    { name: 'other etag wins over a matching date', headers: { 'if-none-match': '"v6"', 'if-modified-since': LM }, want: 200 },
    { name: 'same date', headers: { 'if-modified-since': LM }, want: 304 },
    { name: 'earlier date', headers: { 'if-modified-since': 'Tue, 20 Oct 2015 07:28:00 GMT' }, want: 200 },
    { name: 'garbage date', headers: { 'if-modified-since': 'yesterday' }, want: 200 },
    { name: 'ETag not among passResponseHeaders', headers: { 'if-none-match': '"v7"' }, passResponseHeaders: ['Cache-Control'], want: 304 },
  ];
  for (const { name, headers, passResponseHeaders, want } of cases) {
    const h = harness(passResponseHeaders ? { passResponseHeaders } : {});
    h.origin.set(REMOTE, image({ etag: '"v7"', 'last-modified': LM, 'cache-control': 'max-age=60' }));
    const a = await h.get(`/${REMOTE}`, headers);
    const got = { status: a.status, etag: header(a, 'etag'), body: a.body?.length ?? 0 };
    const wantGot = { status: want, etag: '"v7"', body: want === 304 ? 0 : IMAGE.length };
    assert.deepEqual(got, wantGot, `${name}: answer(GET, ${JSON.stringify(headers)}) = ${JSON.stringify(got)}, want ${JSON.stringify(wantGot)}`);
    const etags = Object.keys(a.headers).filter((k) => k.toLowerCase() === 'etag').length;
    assert.equal(etags, 1, `${name}: ETag appears ${etags} times in ${JSON.stringify(a.headers)}, want once`);
  }
});

test('origin redirects are passed through with the security headers', async () => {
  const h = harness({ followRedirects: false });
  const redirect: OriginRoute = { status: 302, headers: { location: 'https://images.example/b.png' }, body: new Uint8Array(0) };
  h.origin.set(REMOTE, redirect);
  for (const url of [`/${REMOTE}`, `/100x/${REMOTE}`]) {
    const a = await h.get(url);
    const got = { status: a.status, headers: a.headers, body: a.body };
    const want = { status: 302, headers: { ...SECURITY_HEADERS, Location: 'https://images.example/b.png' }, body: undefined };
    assert.deepEqual(got, want, `answer(GET ${url}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
  assert.equal(h.transformer.runs.length, 0, `transformer runs after redirects = ${h.transformer.runs.length}, want 0`);
});

test('the origin request carries passed headers and Referer; flights are shared only by equal origin requests', async () => {
  const h = harness({ passRequestHeaders: ['X-Token'], includeReferer: true });
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  h.origin.set(REMOTE, async () => { await gate; return image(); });
  const requests = [
    { 'x-token': 'a', referer: 'https://site.example/' },
    { 'x-token': 'a', referer: 'https://site.example/' },
    { 'x-token': 'b', referer: 'https://site.example/' },
  ];
  const pending = requests.map((headers) => h.get(`/${REMOTE}`, headers));
  await new Promise((r) => setImmediate(r));
  release();
  const answers = await Promise.all(pending);
  assert.deepEqual(answers.map((a) => a.status), [200, 200, 200], `statuses = ${answers.map(summary)}`);
  const seen = h.origin.calls.map((c) => `${c.headers['x-token']} ${c.headers.referer}`).sort();
  assert.deepEqual(seen, ['a https://site.example/', 'b https://site.example/'], `origin requests = ${JSON.stringify(seen)}, want one per distinct origin request`);
});

test('a core made without a transformer of its own makes one on first use, and close() stops it', async () => {
  const made: FakeTransformer[] = [];
  const lazy = new LazyTransformer(() => { const t = new FakeTransformer(); made.push(t); return t; });
  const h = harness();
  const core = createCore({ config: defaultConfig({ logger: h.log }), origin: h.origin, transformer: lazy });
  h.origin.set(REMOTE, image());
  await core.answer({ method: 'GET', url: `/${REMOTE}`, headers: {} });
  assert.equal(made.length, 0, `transformers made by an original request = ${made.length}, want 0`);
  await core.answer({ method: 'GET', url: `/10x/${REMOTE}`, headers: {} });
  await core.answer({ method: 'GET', url: `/20x/${REMOTE}`, headers: {} });
  assert.equal(made.length, 1, `transformers made by two variant requests = ${made.length}, want 1`);
  await core.close();
  assert.equal(made[0].closed, true, 'close() did not close the transformer it made');
});

test('coreHeaderNames lists what an adapter must copy; headerValue joins repeated headers', () => {
  const cases: Array<{ pass: string[]; want: string[] }> = [
    { pass: [], want: ['referer', 'accept', 'if-none-match', 'if-modified-since', 'authorization', 'cookie'] },
    { pass: [' X-Token ', 'Referer', ''], want: ['referer', 'accept', 'if-none-match', 'if-modified-since', 'authorization', 'cookie', 'x-token'] },
  ];
  for (const { pass, want } of cases) {
    const got = coreHeaderNames({ passRequestHeaders: pass });
    assert.deepEqual(got, want, `coreHeaderNames(${JSON.stringify(pass)}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
  const values: Array<{ headers: Record<string, string | string[]>; want: string | undefined }> = [
    { headers: {}, want: undefined },
    { headers: { 'if-none-match': '"a"' }, want: '"a"' },
    { headers: { 'if-none-match': ['"a"', '"b"'] }, want: '"a", "b"' },
  ];
  for (const { headers, want } of values) {
    const got = headerValue(headers, 'if-none-match');
    assert.equal(got, want, `headerValue(${JSON.stringify(headers)}, if-none-match) = ${got}, want ${want}`);
  }
});
