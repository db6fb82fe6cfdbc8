/**
 * The behaviours issue 16 aligns with the Go server, through imageproxy() and a local origin:
 * the vu boundary, the client-facing Cache-Control/Expires rewrite (originals, variants, 304s),
 * minCacheDuration against a later Expires in the cache, and a 204 passed through.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { encodePng } from '../../lib/codecs/png.js';
import type { HandlerOptions } from '../../lib/handler.js';
import { MemoryCache } from '../../lib/cache/memory.js';
import { startOrigin, type Origin, type OriginRoute } from '../helpers/origin.js';
import { withProxy } from '../helpers/proxy.js';

const PNG = Buffer.from(encodePng({ width: 4, height: 4, data: new Uint8Array(64).fill(200) }, false));

let origin: Origin;
before(async () => {
  origin = await startOrigin();
});
after(() => origin.close());

let n = 0;
function route(r: OriginRoute): string {
  const p = `/compat-${++n}.png`;
  origin.set(p, r);
  return origin.url + p;
}


async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const r = await fetch(url, { headers, redirect: 'manual' });
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
}

/** at runs f with Date.now() reading `ms`, so that expiry can be tested without waiting. */
async function at<T>(ms: number, f: () => Promise<T>): Promise<T> {
  const real = Date.now;
  Date.now = () => ms;
  try {
    return await f();
  } finally {
    Date.now = real;
  }
}

test('vu{t} is refused from second t on, as in the Go server', async () => {
  const t = 1_900_000_000;
  const url = route({ headers: { 'Content-Type': 'image/png' }, body: PNG });
  await withProxy({}, async (p) => {
    const cases: Array<{ name: string; now: number; want: number }> = [
      { name: 'a millisecond before t', now: t * 1000 - 1, want: 200 },
      { name: 'at t', now: t * 1000, want: 403 },
      { name: 'after t', now: t * 1000 + 1500, want: 403 },
    ];
    for (const c of cases) {
      const r = await at(c.now, () => get(`${p}/vu${t}/${url}`));
      assert.equal(r.status, c.want, `GET /vu${t}/... ${c.name} = ${r.status}, want ${c.want}`);
    }
  });
});

test('clients see Cache-Control and Expires rewritten as the Go server rewrites them', async () => {
  const date = new Date(Date.now() - 1000).toUTCString();
  const hourLater = new Date(Date.parse(date) + 3_600_000).toUTCString();
  const cases: Array<{ name: string; opts: HandlerOptions; headers: Record<string, string>; options: string; cc: string; expires: string | null }> = [
    { name: 'untouched without the flags', opts: {}, headers: { Date: date, Expires: hourLater, 'Cache-Control': 'max-age=600' }, options: '', cc: 'max-age=600', expires: hourLater },
    { name: 'minCacheDuration: max-age raised to Expires, Expires dropped', opts: { minCacheDurationMs: 1_800_000 }, headers: { Date: date, Expires: hourLater, 'Cache-Control': 'max-age=600' }, options: '', cc: 'max-age=3600', expires: null },
    { name: 'minCacheDuration on a transformed variant', opts: { minCacheDurationMs: 1_800_000 }, headers: { Date: date, Expires: hourLater, 'Cache-Control': 'max-age=600' }, options: '2x', cc: 'max-age=3600', expires: null },
    { name: 'minCacheDuration above the origin\'s', opts: { minCacheDurationMs: 7_200_000 }, headers: { 'Cache-Control': 'public, max-age=600' }, options: '', cc: 'max-age=7200, public', expires: null },
    { name: 'private gets no-store', opts: { minCacheDurationMs: 1_800_000 }, headers: { 'Cache-Control': 'max-age=600, private' }, options: '', cc: 'max-age=600, no-store, private', expires: null },
    { name: 'no-store is left alone', opts: { minCacheDurationMs: 1_800_000 }, headers: { 'Cache-Control': 'no-store', Expires: hourLater, Date: date }, options: '', cc: 'no-store', expires: hourLater },
    { name: 'forceCache drops private and no-store', opts: { forceCache: true }, headers: { 'Cache-Control': 'MAX-AGE=600, no-store, private' }, options: '', cc: 'max-age=600', expires: null },
  ];
  for (const c of cases) {
    const url = route({ headers: { 'Content-Type': 'image/png', ...c.headers }, body: PNG });
    await withProxy(c.opts, async (p) => {
      const r = await get(`${p}/${c.options ? `${c.options}/` : ''}${url}`);
      assert.equal(r.status, 200, `${c.name}: status ${r.status}`);
      assert.equal(r.headers.get('cache-control'), c.cc, `${c.name}: Cache-Control = ${r.headers.get('cache-control')}, want ${c.cc}`);
      assert.equal(r.headers.get('expires'), c.expires, `${c.name}: Expires = ${r.headers.get('expires')}, want ${c.expires}`);
    });
  }
});

test('a 304 to a client carries the rewritten Cache-Control too', async () => {
  const url = route({ headers: { 'Content-Type': 'image/png', 'Cache-Control': 'max-age=60', ETag: '"v1"' }, body: PNG });
  await withProxy({ minCacheDurationMs: 600_000 }, async (p) => {
    const r = await get(`${p}/${url}`, { 'If-None-Match': '"v1"' });
    assert.equal(r.status, 304);
    assert.equal(r.headers.get('cache-control'), 'max-age=600', `304 Cache-Control = ${r.headers.get('cache-control')}, want max-age=600`);
  });
});

test('with minCacheDuration, a cached response stays fresh until a later Expires', async () => {
  const now = Date.now();
  const url = route({
    headers: { 'Content-Type': 'image/png', Date: new Date(now).toUTCString(), Expires: new Date(now + 3_600_000).toUTCString(), 'Cache-Control': 'max-age=600' },
    body: PNG,
  });
  const path = new URL(url).pathname;
  const cache = new MemoryCache({ maxBytes: 1 << 20, maxAgeMs: 0 });
  await withProxy({ cache, minCacheDurationMs: 1_800_000 }, async (p) => {
    const first = await get(`${p}/${url}`);
    assert.equal(first.headers.get('x-cache'), 'MISS');
    // 40 minutes on: past max-age and minCacheDuration, still before Expires (the largest of the three).
    const later = await at(now + 2_400_000, () => get(`${p}/${url}`));
    assert.equal(later.headers.get('x-cache'), 'HIT', `X-Cache after 40 minutes = ${later.headers.get('x-cache')}, want HIT (fresh for an hour)`);
    assert.equal(origin.hits(path), 1, `origin hits = ${origin.hits(path)}, want 1`);
    const expired = await at(now + 3_700_000, () => get(`${p}/${url}`));
    assert.equal(expired.headers.get('x-cache'), 'MISS', `X-Cache after 62 minutes = ${expired.headers.get('x-cache')}, want MISS`);
  });
});

test('an origin 204 is passed through as 204, for originals and transforms, and never cached', async () => {
  const url = route({ status: 204 });
  const path = new URL(url).pathname;
  const cache = new MemoryCache({ maxBytes: 1 << 20, maxAgeMs: 0 });
  await withProxy({ cache }, async (p) => {
    for (const options of ['', '100x/', '']) {
      const r = await get(`${p}/${options}${url}`);
      assert.equal(r.status, 204, `GET /${options}... = ${r.status}, want 204`);
      assert.equal(r.body.length, 0, 'a 204 has no body');
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', 'the 204 carries the safe headers');
    }
    assert.equal(origin.hits(path), 3, `origin hits = ${origin.hits(path)}, want 3 (nothing cached)`);
  });
});

test('/favicon.ico answers an empty 200, as the Go server does', async () => {
  await withProxy({}, async (p) => {
    const r = await get(`${p}/favicon.ico`);
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 0, `favicon body = ${r.body.length} bytes, want none`);
  });
});
