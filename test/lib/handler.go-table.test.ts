/**
 * willnorris/imageproxy imageproxy_test.go, the tables that need a whole request: TestCopyHeader,
 * TestShould304, TestProxy_ServeHTTP, TestProxy_ServeHTTP_is304, TestProxy_ServeHTTP_cached304,
 * TestProxy_ServeHTTP_maxRedirects and TestTransformingTransport, run through imageproxy()
 * against a local origin that answers as Go's testTransport does. "good.test" is the origin on
 * 127.0.0.1 (the one allowed host), "bad.test" the same origin named localhost.
 *
 * Documented differences: an origin that fails (a protocol error, too many redirects) is 502
 * here where Go answers 500. Go's copyHeader adds to headers already set; the proxy sets none
 * of the copied ones itself, so the port checks what gets copied.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { encodePng } from '../../lib/codecs/png.js';
import { MemoryCache } from '../../lib/cache/memory.js';
import { startOrigin, type Origin, type OriginRoute } from '../helpers/origin.js';
import { withProxy } from '../helpers/proxy.js';

const PNG_1x1 = Buffer.from(encodePng({ width: 1, height: 1, data: new Uint8Array([0, 0, 0, 0]) }, true));

let origin: Origin;
let good: string;
let bad: string;
let notModified = false;

before(async () => {
  // The routes of Go's testTransport.
  const routes: Record<string, OriginRoute> = {
    '/plain': { body: '' },
    '/error': { raw: 'this is not HTTP\r\n\r\n' },
    '/nocontent': { status: 204 },
    '/etag': { headers: { Etag: '"tag"' } },
    '/png': { headers: { 'Content-Type': 'image/png' }, body: PNG_1x1 },
    '/redirect-to-notmodified': {
      handler: (_req, res) => {
        res.writeHead(303, { Location: `/notmodified?X-Security-Token=${Math.random().toString(36).slice(2)}`, 'Cache-Control': 'no-store' });
        res.end();
      },
    },
    '/notmodified': {
      handler: (_req, res) => {
        if (notModified) res.writeHead(304, { Etag: '"abcdef"' }).end();
        else res.writeHead(200, { Etag: '"abcdef"' }).end('Original response\n');
      },
    },
  };
  for (let n = 0; n <= 11; n++) routes[`/redirects-${n}`] = n === 0 ? { body: '' } : { status: 302, redirect: `/redirects-${n - 1}` };
  origin = await startOrigin(routes);
  good = `http://127.0.0.1:${origin.port}`;
  bad = `http://localhost:${origin.port}`;
});
after(() => origin.close());


async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: string }> {
  const r = await fetch(url, { headers, redirect: 'manual' });
  return { status: r.status, headers: r.headers, body: await r.text() };
}

test('TestCopyHeader', async () => {
  const tests: Array<{ dst: Record<string, string>; src: Record<string, string>; keys: string[]; want: Record<string, string> }> = [
    // empty
    { dst: {}, src: {}, keys: [], want: {} },
    { dst: {}, src: {}, keys: [], want: {} },
    { dst: {}, src: {}, keys: ['A'], want: {} },

    // nothing to copy
    { dst: { A: 'a1' }, src: {}, keys: [], want: { A: 'a1' } },
    { dst: {}, src: { A: 'a' }, keys: ['B'], want: {} },

    // copy headers
    { dst: { A: 'a' }, src: { B: 'b', C: 'c' }, keys: ['B'], want: { A: 'a', B: 'b' } },
  ];
  for (const [i, tt] of tests.entries()) {
    const path = `/copy-${i}.png`;
    origin.set(path, { headers: { 'Content-Type': 'image/png', ...tt.src }, body: PNG_1x1 });
    const r = await withProxy({ passResponseHeaders: tt.keys }, (p) => get(`${p}/${good}${path}`));
    assert.equal(r.status, 200, `case ${i}: status ${r.status}`);
    // What the proxy copied is `want` without what Go's dst held before.
    for (const name of ['A', 'B', 'C']) {
      const want = tt.dst[name] === undefined ? tt.want[name] : undefined;
      assert.equal(r.headers.get(name) ?? undefined, want, `copyHeader(${JSON.stringify(tt.dst)}, ${JSON.stringify(tt.src)}, ${JSON.stringify(tt.keys)}) header ${name} = ${r.headers.get(name)}, want ${want}`);
    }
  }
});

test('TestShould304', async () => {
  const tests: Array<{ req: Record<string, string>; resp: Record<string, string>; is304: boolean }> = [
    { req: { 'If-None-Match': '"v"' }, resp: { Etag: '"v"' }, is304: true }, // etag match
    { req: { 'If-Modified-Since': 'Sun, 02 Jan 2000 00:00:00 GMT' }, resp: { 'Last-Modified': 'Sat, 01 Jan 2000 00:00:00 GMT' }, is304: true }, // last-modified before
    { req: { 'If-Modified-Since': 'Sat, 01 Jan 2000 00:00:00 GMT' }, resp: { 'Last-Modified': 'Sat, 01 Jan 2000 00:00:00 GMT' }, is304: true }, // last-modified match

    // mismatches
    { req: {}, resp: {}, is304: false },
    { req: {}, resp: { Etag: '"v"' }, is304: false },
    { req: { 'If-None-Match': '"v"' }, resp: {}, is304: false },
    { req: { 'If-None-Match': '"a"' }, resp: { Etag: '"b"' }, is304: false },
    { req: {}, resp: { 'Last-Modified': 'Sat, 01 Jan 2000 00:00:00 GMT' }, is304: false },
    { req: { 'If-Modified-Since': 'Sun, 02 Jan 2000 00:00:00 GMT' }, resp: {}, is304: false },
    { req: { 'If-Modified-Since': 'Fri, 31 Dec 1999 00:00:00 GMT' }, resp: { 'Last-Modified': 'Sat, 01 Jan 2000 00:00:00 GMT' }, is304: false },
  ];
  await withProxy({}, async (p) => {
    for (const [i, tt] of tests.entries()) {
      const path = `/should304-${i}.png`;
      origin.set(path, { headers: { 'Content-Type': 'image/png', ...tt.resp }, body: PNG_1x1 });
      const r = await get(`${p}/${good}${path}`, tt.req);
      const got = r.status === 304;
      assert.equal(got, tt.is304, `should304(${JSON.stringify(tt.req)}, ${JSON.stringify(tt.resp)}) returned: ${got} (status ${r.status}), want ${tt.is304}`);
    }
  });
});

test('TestProxy_ServeHTTP', async () => {
  const tests: Array<{ url: string; code: number; note?: string }> = [
    { url: '/favicon.ico', code: 200 },
    { url: '//foo', code: 400 }, // invalid request URL
    { url: '/http://bad.test/', code: 403 }, // Disallowed host
    { url: '/http://good.test/error', code: 502, note: 'Go: 500' }, // HTTP protocol error
    { url: '/http://good.test/nocontent', code: 204 }, // non-OK response
    { url: '/100/http://good.test/png', code: 200 },
    { url: '/100/http://good.test/plain', code: 403 }, // non-image response

    // health-check URLs
    { url: '/', code: 200 },
    { url: '/health-check', code: 200 },
  ];
  await withProxy({ allowHosts: ['127.0.0.1'], contentTypes: ['image/*'] }, async (p) => {
    for (const tt of tests) {
      const url = tt.url.replace('http://good.test', good).replace('http://bad.test', bad);
      const r = await get(p + url);
      assert.equal(r.status, tt.code, `ServeHTTP(${tt.url}) returned status ${r.status}, want ${tt.code}${tt.note ? ` (${tt.note})` : ''}`);
    }
  });
});

test('TestProxy_ServeHTTP_is304', async () => {
  await withProxy({ contentTypes: [] }, async (p) => {
    const r = await get(`${p}/${good}/etag`, { 'If-None-Match': '"tag"' });
    assert.equal(r.status, 304, `ServeHTTP(etag) returned status ${r.status}, want 304`);
    assert.equal(r.headers.get('etag'), '"tag"', `ServeHTTP(etag) returned etag header ${r.headers.get('etag')}, want "tag"`);
  });
});

test('TestProxy_ServeHTTP_cached304', async () => {
  const cache = new MemoryCache({ maxBytes: 8 * 1024 * 1024, maxAgeMs: 0 });
  notModified = false;
  await withProxy({ cache, followRedirects: true, contentTypes: [] }, async (p) => {
    // prime the cache
    let r = await get(`${p}//${good}/redirect-to-notmodified`);
    assert.equal(r.status, 200, `ServeHTTP(redirect-to-notmodified) returned status ${r.status}, want 200`);
    assert.ok(await cache.get(`${good}/redirect-to-notmodified`), `Response to ${good}/redirect-to-notmodified should be cached`);

    // now make the same request again, but this time make sure the server responds with a 304
    notModified = true;
    r = await get(`${p}//${good}/redirect-to-notmodified`);
    assert.equal(r.status, 200, `ServeHTTP(redirect-to-notmodified) returned status ${r.status}, want 200`);
    assert.equal(r.body, 'Original response\n', `Response isn't what we expected: ${r.body}`);
  });
});

test('TestProxy_ServeHTTP_maxRedirects', async () => {
  const tests: Array<{ url: string; code: number; note?: string }> = [
    { url: '/http://redirect.test/redirects-0', code: 200 },
    { url: '/http://redirect.test/redirects-2', code: 200 },
    { url: '/http://redirect.test/redirects-11', code: 502, note: 'Go: 500' }, // too many redirects
  ];
  await withProxy({ followRedirects: true, contentTypes: [] }, async (p) => {
    for (const tt of tests) {
      const r = await get(p + tt.url.replace('http://redirect.test', good));
      assert.equal(r.status, tt.code, `ServeHTTP(${tt.url}) returned status ${r.status}, want ${tt.code}${tt.note ? ` (${tt.note})` : ''}`);
    }
  });
});

test('TestTransformingTransport', async () => {
  // Go's "#1" fragment is the transform request "1" (1x1).
  const tests: Array<{ url: string; code: number; expectError: boolean }> = [
    { url: 'http://good.test/png#1', code: 200, expectError: false },
    { url: 'http://good.test/error#1', code: 502, expectError: true },
  ];
  await withProxy({}, async (p) => {
    for (const tt of tests) {
      const [remote, opts] = tt.url.replace('http://good.test', good).split('#');
      const r = await get(`${p}/${opts}/${remote}`);
      assert.equal(r.status, tt.code, `RoundTrip(${tt.url}) returned status code ${r.status}, want ${tt.code}`);
      assert.equal(r.status >= 500, tt.expectError, `RoundTrip(${tt.url}) error = ${r.status >= 500}, want ${tt.expectError}`);
    }
  });
});
