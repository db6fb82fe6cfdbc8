import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { FIXTURES } from '../helpers/paths.js';
import { Gate, startOrigin, waitFor, type Origin, type OriginRoute } from '../helpers/origin.js';
import { imageproxy, type HandlerOptions, type ImageProxyHandler } from '../../lib/handler.js';
import { formatOptions, type Options } from '../../lib/request/options.js';
import type { Limits } from '../../lib/config.js';
import { OverloadedError, UnprocessableImageError } from '../../lib/errors.js';
import { MemoryCache } from '../../lib/cache/memory.js';
import type { Transformer, TransformResult } from '../../lib/transform/types.js';
import { serveHandler } from '../helpers/serve.js';

// fixtures/ximage/yellow_rose-small.png — golang.org/x/image testdata, BSD-3-Clause
const PNG = readFileSync(path.join(FIXTURES, 'ximage/yellow_rose-small.png'));

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * FakeTransformer stands in for the worker pool: it prefixes the source with the canonical
 * options, so a test can see that a transform ran and with which options.
 */
class FakeTransformer implements Transformer {
  runs: Array<{ options: Options; limits: Limits }> = [];
  closed = false;
  constructor(private readonly behaviour: { delayMs?: number; fail?: unknown } = {}) {}
  async run(bytes: Uint8Array, options: Options, limits: Limits, signal?: AbortSignal): Promise<TransformResult> {
    this.runs.push({ options, limits });
    if (this.behaviour.delayMs) await sleep(this.behaviour.delayMs);
    signal?.throwIfAborted();
    if (this.behaviour.fail !== undefined) throw this.behaviour.fail;
    return { bytes: Buffer.concat([Buffer.from(`${formatOptions(options)}|`), bytes]), contentType: 'image/jpeg' };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Log collects log lines so tests can check that refusals are logged with their reason. */
class Log {
  lines: string[] = [];
  info = (m: string): void => { this.lines.push(`info ${m}`); };
  warn = (m: string): void => { this.lines.push(`warn ${m}`); };
  error = (m: string): void => { this.lines.push(`error ${m}`); };
}

interface Proxy {
  url: string;
  handler: ImageProxyHandler;
  log: Log;
  transformer: FakeTransformer;
  close(): Promise<void>;
}

/** startProxy serves imageproxy(opts) on 127.0.0.1:0 with a FakeTransformer, a collecting logger and the health check and metrics on. */
async function startProxy(opts: HandlerOptions = {}, transformer = new FakeTransformer()): Promise<Proxy> {
  const log = new Log();
  const handler = imageproxy({ allowPrivateNetworks: true, logger: log, transformer, healthCheck: true, metricsEndpoint: true, ...opts });
  return { ...(await serveHandler(handler)), handler, log, transformer };
}

let origin: Origin;
before(async () => {
  origin = await startOrigin();
});
after(() => origin.close());

let n = 0;
/** route registers a route under a fresh path and returns its full origin URL. */
function route(r: OriginRoute, name = 'img'): string {
  const p = `/${name}-${++n}.png`;
  origin.set(p, r);
  return origin.url + p;
}

const png = (headers: Record<string, string> = {}): OriginRoute => ({ headers: { 'Content-Type': 'image/png', ...headers }, body: PNG });

async function get(url: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const r = await fetch(url, { redirect: 'manual', ...init });
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
}

/** inFlight reads the handler's http_requests_in_flight gauge. */
async function inFlight(h: ImageProxyHandler): Promise<number> {
  return (await h.metrics.requestsInFlight.get()).values[0]?.value ?? 0;
}

const CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'none'; sandbox";

test('health, favicon, metrics and method endpoints', async () => {
  const p = await startProxy();
  try {
    const cases: Array<{ method: string; path: string; status: number; body: string | RegExp; type?: string | undefined }> = [
      { method: 'GET', path: '/', status: 200, body: 'OK', type: 'text/plain; charset=utf-8' },
      { method: 'GET', path: '/health-check', status: 200, body: 'OK', type: 'text/plain; charset=utf-8' },
      { method: 'GET', path: '/health-check?x=1', status: 200, body: 'OK', type: 'text/plain; charset=utf-8' },
      { method: 'GET', path: '/favicon.ico', status: 200, body: '' },
      { method: 'GET', path: '/metrics', status: 200, body: /imageproxy_requests_served_from_cache_total[\s\S]*http_requests_in_flight/, type: 'text/plain; version=0.0.4; charset=utf-8' },
      { method: 'POST', path: `/${origin.url}/a.png`, status: 405, body: 'Only GET and HEAD are supported.\n', type: 'text/plain; charset=utf-8' },
    ];
    for (const { method, path, status, body, type } of cases) {
      const r = await get(p.url + path, { method });
      assert.equal(r.status, status, `${method} ${path} status = ${r.status}, want ${status}`);
      const text = r.body.toString();
      if (typeof body === 'string') assert.equal(text, body, `${method} ${path} body = ${JSON.stringify(text)}`);
      else assert.match(text, body, `${method} ${path} body`);
      assert.equal(r.headers.get('content-type') ?? undefined, type, `${method} ${path} content-type`);
    }
  } finally {
    await p.close();
  }
});

test('metrics endpoint lists every metric, in a registry per handler', async () => {
  const a = await startProxy();
  const b = await startProxy();
  try {
    const text = (await get(`${a.url}/metrics`)).body.toString();
    for (const name of ['imageproxy_requests_served_from_cache_total', 'imageproxy_transformation_duration_seconds',
      'imageproxy_remote_fetch_errors_total', 'imageproxy_cache_errors_total', 'http_request_duration_seconds', 'http_requests_in_flight', 'imageproxy_source_memory_bytes']) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), `metrics lack ${name}`);
    }
    await get(`${a.url}/${route({ status: 500 })}`);
    const errors = (h: ImageProxyHandler): Promise<number> => h.metrics.remoteFetchErrors.get().then((m) => m.values[0]?.value ?? 0);
    assert.equal(await errors(a.handler), 1, 'fetch error counted on a');
    assert.equal(await errors(b.handler), 0, 'fetch error leaked into b');
  } finally {
    await a.close();
    await b.close();
  }
});

test('an image response carries safe headers and the origin headers it may pass', async () => {
  const p = await startProxy();
  try {
    const url = route(png({ 'Cache-Control': 'max-age=60', ETag: '"e1"', 'Last-Modified': 'Wed, 21 Oct 2015 07:28:00 GMT', 'X-Secret': 's', 'Set-Cookie': 'a=b' }));
    const r = await get(`${p.url}/${url}`);
    assert.equal(r.status, 200);
    assert.ok(r.body.equals(PNG), 'body differs from the origin image');
    const want: Record<string, string | null> = {
      'content-type': 'image/png',
      'content-length': String(PNG.length),
      'access-control-allow-origin': '*',
      'x-content-type-options': 'nosniff',
      'content-security-policy': CSP,
      'cache-control': 'max-age=60',
      etag: '"e1"',
      'last-modified': 'Wed, 21 Oct 2015 07:28:00 GMT',
      'x-cache': 'MISS',
      'x-secret': null,
      'set-cookie': null,
    };
    for (const [k, v] of Object.entries(want)) assert.equal(r.headers.get(k), v, `header ${k} = ${r.headers.get(k)}, want ${v}`);
  } finally {
    await p.close();
  }
});

test('an SVG, declared or sniffed, is served as an inert image', async () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
  const p = await startProxy();
  try {
    for (const headers of [{ 'Content-Type': 'image/svg+xml' }, {}] as Array<Record<string, string>>) {
      const r = await get(`${p.url}/${route({ headers, body: svg })}`);
      const got = [r.status, r.headers.get('content-type'), r.headers.get('content-security-policy'), r.headers.get('x-content-type-options')];
      assert.deepEqual(got, [200, 'image/svg+xml', CSP, 'nosniff'], `SVG with ${JSON.stringify(headers)}: ${JSON.stringify(got)}`);
    }
  } finally {
    await p.close();
  }
});

test('passResponseHeaders decides which origin headers are copied', async () => {
  const p = await startProxy({ passResponseHeaders: ['X-Extra'] });
  try {
    const r = await get(`${p.url}/${route(png({ 'X-Extra': 'yes', 'Cache-Control': 'max-age=60' }))}`);
    assert.equal(r.headers.get('x-extra'), 'yes');
    assert.equal(r.headers.get('cache-control'), null, 'Cache-Control copied although not listed');
  } finally {
    await p.close();
  }
});

test('HEAD answers the headers without a body', async () => {
  const p = await startProxy();
  try {
    const r = await get(`${p.url}/${route(png())}`, { method: 'HEAD' });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-length'), String(PNG.length));
    assert.equal(r.body.length, 0);
  } finally {
    await p.close();
  }
});

test('transform requests run the transformer with the options and limits', async () => {
  const cases: Array<{ name: string; opts: HandlerOptions; optStr: string; wantScaleUp: boolean }> = [
    { name: 'plain', opts: {}, optStr: '100x50', wantScaleUp: false },
    { name: 'scaleUp from the URL', opts: {}, optStr: '100x50,scaleUp', wantScaleUp: true },
    { name: 'scaleUp from the config', opts: { scaleUp: true }, optStr: '100x50', wantScaleUp: true },
  ];
  for (const { name, opts, optStr, wantScaleUp } of cases) {
    const p = await startProxy({ ...opts, limits: { maxPixels: 1234, maxOutputSide: 99 } });
    try {
      const r = await get(`${p.url}/${optStr}/${route(png())}`);
      assert.equal(r.status, 200, `${name}: status ${r.status}`);
      assert.equal(r.headers.get('content-type'), 'image/jpeg', `${name}: content-type`);
      assert.equal(p.transformer.runs.length, 1, `${name}: runs`);
      const run = p.transformer.runs[0];
      assert.equal(run.options.width, 100);
      assert.equal(run.options.scaleUp, wantScaleUp, `${name}: scaleUp = ${run.options.scaleUp}, want ${wantScaleUp}`);
      assert.deepEqual(run.limits, { maxPixels: 1234, maxOutputSide: 99 });
      assert.ok(r.body.subarray(r.body.indexOf('|') + 1).equals(PNG), `${name}: transformer did not get the origin bytes`);
    } finally {
      await p.close();
    }
  }
});

test('options that change nothing skip the transformer', async () => {
  const p = await startProxy();
  try {
    const r = await get(`${p.url}/x,fit/${route(png())}`);
    assert.equal(r.status, 200);
    assert.ok(r.body.equals(PNG));
    assert.equal(p.transformer.runs.length, 0);
  } finally {
    await p.close();
  }
});

test('refusals and failures: status, short message, no-store, logged reason', async () => {
  const cases: Array<{ name: string; opts: HandlerOptions; transformer?: FakeTransformer | undefined; pathFn: () => string; status: number; logged: RegExp }> = [
    { name: 'malformed request', opts: {}, pathFn: () => '/100x/not-a-url', status: 400, logged: /bad_url/ },
    { name: 'denied host', opts: { denyHosts: ['127.0.0.1'] }, pathFn: () => `/${route(png())}`, status: 403, logged: /denied_host/ },
    { name: 'private network', opts: { allowPrivateNetworks: false }, pathFn: () => `/${route(png())}`, status: 403, logged: /private_network/ },
    { name: 'origin 404', opts: {}, pathFn: () => `/${route({ status: 404 })}`, status: 404, logged: /not_found/ },
    { name: 'origin 500 passed through', opts: {}, pathFn: () => `/${route({ status: 500 })}`, status: 500, logged: /origin_status/ },
    { name: 'refused content type', opts: {}, pathFn: () => `/${route({ headers: { 'Content-Type': 'text/html' }, body: '<b>' })}`, status: 403, logged: /content_type_refused/ },
    { name: 'too large', opts: { maxSourceBytes: 100 }, pathFn: () => `/${route(png())}`, status: 413, logged: /source_too_large/ },
    { name: 'reset mid-body', opts: {}, pathFn: () => `/${route({ ...png(), resetAfterBytes: 50 })}`, status: 502, logged: /origin_reset/ },
    { name: 'timeout', opts: { timeoutMs: 150 }, pathFn: () => `/${route({ ...png(), delayMs: 2000 })}`, status: 504, logged: /timeout/ },
    { name: 'undecodable image', opts: {}, transformer: new FakeTransformer({ fail: new UnprocessableImageError('The image could not be decoded.') }), pathFn: () => `/100x/${route(png())}`, status: 422, logged: /bad_image/ },
    { name: 'overloaded', opts: {}, transformer: new FakeTransformer({ fail: new OverloadedError() }), pathFn: () => `/100x/${route(png())}`, status: 503, logged: /overloaded/ },
    { name: 'transformer bug', opts: {}, transformer: new FakeTransformer({ fail: new TypeError('x is undefined') }), pathFn: () => `/100x/${route(png())}`, status: 502, logged: /transform_failed.*x is undefined/ },
    { name: 'expired URL', opts: {}, pathFn: () => `/100x,vu1/${route(png())}`, status: 403, logged: /expired/ },
  ];
  for (const { name, opts, transformer, pathFn, status, logged } of cases) {
    const p = await startProxy(opts, transformer);
    try {
      const r = await get(p.url + pathFn());
      assert.equal(r.status, status, `${name}: status = ${r.status}, want ${status}`);
      assert.equal(r.headers.get('content-type'), 'text/plain; charset=utf-8', `${name}: content-type`);
      assert.equal(r.headers.get('cache-control'), 'no-store', `${name}: cache-control`);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', `${name}: nosniff`);
      const text = r.body.toString();
      assert.match(text, /^[A-Z][^\n]*\.\n$/, `${name}: body ${JSON.stringify(text)} is not one sentence`);
      assert.ok(p.log.lines.some((l) => l.startsWith('warn') && logged.test(l)), `${name}: log ${JSON.stringify(p.log.lines)} lacks ${logged}`);
      if (status === 503) assert.equal(r.headers.get('retry-after'), '1');
    } finally {
      await p.close();
    }
  }
});

test('followRedirects=false passes the redirect to the client', async () => {
  const target = route(png());
  const p = await startProxy({ followRedirects: false });
  try {
    const r = await get(`${p.url}/${route({ redirect: target, status: 301 })}`);
    assert.equal(r.status, 301);
    assert.equal(r.headers.get('location'), target);
    assert.equal(origin.hits(new URL(target).pathname), 0);
  } finally {
    await p.close();
  }
});

test('client conditional requests get 304 with the ETag', async () => {
  const lm = 'Wed, 21 Oct 2015 07:28:00 GMT';
  const p = await startProxy();
  try {
    const url = `${p.url}/${route(png({ ETag: '"v7"', 'Last-Modified': lm }))}`;
    const cases: Array<{ name: string; headers: Record<string, string>; want: number }> = [
      { name: 'matching etag', headers: { 'If-None-Match': '"v7"' }, want: 304 },
      { name: 'weak matching etag in a list', headers: { 'If-None-Match': '"a", W/"v7"' }, want: 304 },
      { name: 'star', headers: { 'If-None-Match': '*' }, want: 304 },
      { name: 'other etag', headers: { 'If-None-Match': '"v6"' }, want: 200 },
      { name: 'other etag wins over a matching date', headers: { 'If-None-Match': '"v6"', 'If-Modified-Since': lm }, want: 200 },
      { name: 'same date', headers: { 'If-Modified-Since': lm }, want: 304 },
      { name: 'later date', headers: { 'If-Modified-Since': 'Thu, 22 Oct 2015 07:28:00 GMT' }, want: 304 },
      { name: 'earlier date', headers: { 'If-Modified-Since': 'Tue, 20 Oct 2015 07:28:00 GMT' }, want: 200 },
      { name: 'garbage date', headers: { 'If-Modified-Since': 'yesterday' }, want: 200 },
    ];
    for (const { name, headers, want } of cases) {
      const r = await get(url, { headers });
      assert.equal(r.status, want, `${name}: status = ${r.status}, want ${want}`);
      if (want === 304) {
        assert.equal(r.headers.get('etag'), '"v7"', `${name}: etag`);
        assert.equal(r.body.length, 0);
      }
    }
  } finally {
    await p.close();
  }
});

test('with a cache: hits, variants, revalidation and the served-from-cache metric', async () => {
  const cache = new MemoryCache({ maxBytes: 10_000_000, maxAgeMs: 0 });
  const p = await startProxy({ cache });
  try {
    const servedFromCache = async (): Promise<number> => (await p.handler.metrics.servedFromCache.get()).values[0]?.value ?? 0;

    const fresh = route(png({ 'Cache-Control': 'max-age=600' }));
    const freshPath = new URL(fresh).pathname;
    const steps: Array<{ name: string; reqPath: string; want: string; hits: number; runs: number }> = [
      // [name, request, want X-Cache, want origin hits, want transformer runs]
      { name: 'original, first', reqPath: `/${fresh}`, want: 'MISS', hits: 1, runs: 0 },
      { name: 'original, again', reqPath: `/${fresh}`, want: 'HIT', hits: 1, runs: 0 },
      { name: 'variant from the cached original', reqPath: `/50x/${fresh}`, want: 'MISS', hits: 1, runs: 1 },
      { name: 'variant again', reqPath: `/50x/${fresh}`, want: 'HIT', hits: 1, runs: 1 },
      { name: 'other variant', reqPath: `/60x/${fresh}`, want: 'MISS', hits: 1, runs: 2 },
    ];
    for (const { name, reqPath, want, hits, runs } of steps) {
      const r = await get(p.url + reqPath);
      assert.equal(r.status, 200, `${name}: status`);
      assert.equal(r.headers.get('x-cache'), want, `${name}: X-Cache = ${r.headers.get('x-cache')}, want ${want}`);
      assert.equal(origin.hits(freshPath), hits, `${name}: origin hits = ${origin.hits(freshPath)}, want ${hits}`);
      assert.equal(p.transformer.runs.length, runs, `${name}: transformer runs = ${p.transformer.runs.length}, want ${runs}`);
    }
    assert.equal(await servedFromCache(), 2, 'served-from-cache counter');

    // A stale entry with an ETag is revalidated with a conditional request.
    let version = 'v1';
    const stale = route({
      handler: (req, res) => {
        if (req.headers['if-none-match'] === `"${version}"`) {
          res.writeHead(304, { ETag: `"${version}"`, 'Cache-Control': 'max-age=0' });
          res.end();
          return;
        }
        res.writeHead(200, { 'Content-Type': 'image/png', ETag: `"${version}"`, 'Cache-Control': 'max-age=0' });
        res.end(PNG);
      },
    });
    const stalePath = new URL(stale).pathname;
    const r1 = await get(`${p.url}/${stale}`);
    assert.equal(r1.headers.get('x-cache'), 'MISS');
    const r2 = await get(`${p.url}/${stale}`);
    assert.equal(r2.status, 200);
    assert.equal(r2.headers.get('x-cache'), 'REVALIDATED', 'stale entry not revalidated');
    assert.ok(r2.body.equals(PNG));
    const conditional = origin.requests.filter((r) => r.url === stalePath).map((r) => r.headers['if-none-match']);
    assert.deepEqual(conditional, [undefined, '"v1"'], 'origin requests for the stale image');
    // A variant made from an unchanged original is renewed, not transformed again.
    const runs = p.transformer.runs.length;
    await get(`${p.url}/70x/${stale}`);
    await get(`${p.url}/70x/${stale}`);
    assert.equal(p.transformer.runs.length, runs + 1, 'variant of an unchanged original transformed twice');
    // A changed original is fetched in full and its variants are made again.
    version = 'v2';
    const r3 = await get(`${p.url}/70x/${stale}`);
    assert.equal(r3.headers.get('x-cache'), 'MISS');
    assert.equal(p.transformer.runs.length, runs + 2, 'variant of a changed original not transformed again');
  } finally {
    await p.close();
  }
});

test('concurrent requests share one origin fetch and one transform', async () => {
  for (const [name, prefix, clients] of [['original', '', 6], ['variant', '40x/', 6]] as const) {
    const p = await startProxy({}, new FakeTransformer({ delayMs: 50 }));
    const gate = new Gate();
    try {
      // The origin holds its answer until every client is waiting inside the proxy.
      const url = route({
        handler: (_req, res) => {
          void gate.wait().then(() => {
            res.writeHead(200, { 'Content-Type': 'image/png' });
            res.end(PNG);
          });
        },
      });
      const pending = Array.from({ length: clients }, () => get(`${p.url}/${prefix}${url}`));
      await waitFor(async () => (await inFlight(p.handler)) === clients, `${clients} requests in flight`);
      gate.open();
      const results = await Promise.all(pending);
      assert.deepEqual(results.map((r) => r.status), Array(clients).fill(200), `${name}: statuses`);
      assert.ok(results.every((r) => r.body.equals(results[0].body)), `${name}: bodies differ`);
      assert.equal(origin.hits(new URL(url).pathname), 1, `${name}: origin hits = ${origin.hits(new URL(url).pathname)}, want 1`);
      assert.equal(p.transformer.runs.length, prefix ? 1 : 0, `${name}: transformer runs`);
    } finally {
      gate.open();
      await p.close();
    }
  }
});

/** startRequest sends a request through node:http and returns a way to abandon it. */
function startRequest(url: string): { done: Promise<number>; abort(): void } {
  let req!: http.ClientRequest;
  const done = new Promise<number>((resolve) => {
    req = http.get(url, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve(-1));
    });
    req.on('error', () => resolve(-1));
  });
  return { done, abort: () => req.destroy() };
}

test('the origin fetch is cancelled only when every waiting client has gone', async () => {
  const p = await startProxy();
  try {
    // Both clients leave: the origin sees its response abandoned.
    const url = route({ ...png(), drip: { chunk: 'a', intervalMs: 20 } });
    const path1 = new URL(url).pathname;
    const a = startRequest(`${p.url}/${url}`);
    const b = startRequest(`${p.url}/${url}`);
    await waitFor(async () => origin.hits(path1) === 1 && (await inFlight(p.handler)) === 2, 'both clients waiting');
    a.abort();
    await waitFor(async () => (await inFlight(p.handler)) === 1, 'first client gone');
    await sleep(50);
    assert.equal(origin.aborted(path1), 0, 'origin fetch cancelled while a client still waits');
    b.abort();
    await waitFor(() => origin.aborted(path1) >= 1, 'the origin to see its response abandoned');
    assert.equal(origin.hits(path1), 1);

    // One client leaves, the other stays and gets the image.
    const gate = new Gate();
    const url2 = route({
      handler: (_req, res) => {
        void gate.wait().then(() => {
          res.writeHead(200, { 'Content-Type': 'image/png' });
          res.end(PNG);
        });
      },
    });
    const path2 = new URL(url2).pathname;
    const c = startRequest(`${p.url}/${url2}`);
    const d = startRequest(`${p.url}/${url2}`);
    await waitFor(async () => origin.hits(path2) === 1 && (await inFlight(p.handler)) === 2, 'both clients waiting');
    c.abort();
    await waitFor(async () => (await inFlight(p.handler)) === 1, 'first client gone');
    gate.open();
    assert.equal(await d.done, 200);
    assert.equal(origin.aborted(path2), 0);
    await waitFor(async () => (await inFlight(p.handler)) === 0, 'no request in flight');
  } finally {
    await p.close();
  }
});

test('works as Express middleware under a mount path', async () => {
  const log = new Log();
  const handler = imageproxy({ allowPrivateNetworks: true, logger: log, transformer: new FakeTransformer() });
  const app = express();
  app.get('/other', (_req, res) => { res.send('other'); });
  app.use('/img', handler);
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const url = route(png());
    const cases: Array<{ reqPath: string; status: number; ok: (b: Buffer) => boolean }> = [
      { reqPath: `/img/${url}`, status: 200, ok: (b) => b.equals(PNG) },
      { reqPath: `/img/30x/${url}`, status: 200, ok: (b) => b.toString('latin1').startsWith('30x0|') },
      // The standalone server's endpoints are not the middleware's (handler.middleware.test.ts).
      { reqPath: '/img/health-check', status: 404, ok: (b) => b.toString() !== 'OK' },
      { reqPath: '/img/', status: 404, ok: (b) => b.toString() !== 'OK' },
      { reqPath: '/other', status: 200, ok: (b) => b.toString() === 'other' },
    ];
    for (const { reqPath, status, ok } of cases) {
      const r = await get(base + reqPath);
      assert.equal(r.status, status, `GET ${reqPath} status = ${r.status}, want ${status}`);
      assert.ok(ok(r.body), `GET ${reqPath} body = ${JSON.stringify(r.body.toString('latin1').slice(0, 40))}`);
    }
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await handler.close();
  }
});

test('close() stops the transformer and the cache', async () => {
  let cacheClosed = false;
  const cache = new MemoryCache({ maxBytes: 1000, maxAgeMs: 0 });
  cache.close = async () => { cacheClosed = true; };
  const t = new FakeTransformer();
  const h = imageproxy({ transformer: t, cache, logger: new Log() });
  await h.close();
  assert.deepEqual([t.closed, cacheClosed], [true, true]);
});

test('a failing cache backend is a miss, counted, and never fails the request', async () => {
  const broken = {
    get: async (): Promise<Buffer | undefined> => { throw new Error('backend down'); },
    set: async (): Promise<void> => { throw new Error('backend down'); },
    delete: async (): Promise<void> => { throw new Error('backend down'); },
  };
  const p = await startProxy({ cache: broken });
  try {
    const url = route(png({ 'Cache-Control': 'max-age=600' }));
    for (const want of ['MISS', 'MISS']) {
      const r = await get(`${p.url}/${url}`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('x-cache'), want);
    }
    const errors = (await p.handler.metrics.cacheErrors.get()).values[0]?.value ?? 0;
    assert.ok(errors >= 4, `cache errors counted = ${errors}, want >= 4 (2 reads, 2 writes)`);
  } finally {
    await p.close();
  }
});

test('verbose logs every image request with its status and cache state', async () => {
  for (const [verbose, want] of [[true, 1], [false, 0]] as const) {
    const p = await startProxy({ verbose });
    try {
      const url = route(png());
      await get(`${p.url}/${url}`);
      const lines = p.log.lines.filter((l) => l.startsWith('info') && l.includes(url) && / 200 MISS \d+ms$/.test(l));
      assert.equal(lines.length, want, `verbose=${verbose}: log ${JSON.stringify(p.log.lines)}`);
    } finally {
      await p.close();
    }
  }
});

test('a shared cache does not bypass a stricter policy', async () => {
  const cache = new MemoryCache({ maxBytes: 10_000_000, maxAgeMs: 0 });
  const html = route({ headers: { 'Content-Type': 'text/html', 'Cache-Control': 'max-age=600' }, body: '<b>hi</b>' });
  const image = route(png({ 'Cache-Control': 'max-age=600' }));
  const loose = await startProxy({ cache, contentTypes: [] });
  try {
    for (const u of [html, image]) assert.equal((await get(`${loose.url}/${u}`)).status, 200, `loose proxy GET ${u}`);
  } finally {
    await loose.close();
  }
  const cases: Array<{ name: string; opts: HandlerOptions; u: string; want: number }> = [
    { name: 'same policy is served from cache', opts: {}, u: image, want: 200 },
    { name: 'private networks now refused', opts: { allowPrivateNetworks: false }, u: image, want: 403 },
    { name: 'host now denied', opts: { denyHosts: ['127.0.0.1'] }, u: image, want: 403 },
    { name: 'content type now refused', opts: {}, u: html, want: 403 },
  ];
  for (const { name, opts, u, want } of cases) {
    const strict = await startProxy({ cache, ...opts });
    try {
      const r = await get(`${strict.url}/${u}`);
      assert.equal(r.status, want, `${name}: status = ${r.status}, want ${want}`);
    } finally {
      await strict.close();
    }
  }
});

test('-maxSourceMemory sheds a fetch with 503 while other requests hold the budget, and admits again once they answer', async () => {
  // The first request holds its source in a transform that waits for the gate; the PNG alone is
  // bigger than the budget, which a lone request may pass.
  const gate = new Gate();
  let started = 0;
  const held: Transformer = {
    async run(bytes: Uint8Array): Promise<TransformResult> {
      started++;
      await gate.wait();
      return { bytes, contentType: 'image/png' };
    },
    async close(): Promise<void> {},
  };
  const p = await startProxy({ maxSourceMemory: 500 }, held as FakeTransformer);
  try {
    assert.ok(PNG.length > 500, `fixture is ${PNG.length} bytes, want more than the 500-byte budget`);
    const first = get(`${p.url}/100x/${route(png())}`);
    await waitFor(() => started === 1, 'the first transform to start');
    const holding = (await p.handler.metrics.sourceMemoryBytes.get()).values[0]?.value;
    assert.equal(holding, PNG.length, `imageproxy_source_memory_bytes while the first request transforms = ${holding}, want ${PNG.length}`);
    const shed = await get(`${p.url}/100x/${route(png())}`);
    assert.equal(shed.status, 503, `second request status = ${shed.status}, want 503`);
    assert.equal(shed.headers.get('retry-after'), '1', `second request Retry-After = ${shed.headers.get('retry-after')}, want 1`);
    assert.match(shed.body.toString(), /^The server is holding too many source images; try again shortly\.\n$/, 'second request body');
    gate.open();
    assert.equal((await first).status, 200, 'first request status, want 200');
    const again = await get(`${p.url}/100x/${route(png())}`);
    assert.equal(again.status, 200, `request after the first answered: status = ${again.status}, want 200`);
    const after = (await p.handler.metrics.sourceMemoryBytes.get()).values[0]?.value;
    assert.equal(after, 0, `imageproxy_source_memory_bytes after every request answered = ${after}, want 0`);
  } finally {
    gate.open();
    await p.close();
  }
});

test('the adapter never touches headers once they are sent: it drops the connection instead', async () => {
  const log = new Log();
  const handler = imageproxy({ allowPrivateNetworks: true, logger: log, transformer: new FakeTransformer() });
  const app = express();
  // Middleware that has already started its own response before the proxy runs.
  app.use((_req, res, next) => {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'X-Early': '1' });
    res.write('early');
    next();
  });
  app.use(handler);
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    for (const reqPath of [`/${route(png())}`, `/100x/${route(png())}`]) {
      const r = await fetch(base + reqPath);
      const headers = { early: r.headers.get('x-early'), xcache: r.headers.get('x-cache') };
      assert.deepEqual(headers, { early: '1', xcache: null }, `GET ${reqPath} headers = ${JSON.stringify(headers)}, want the early ones only`);
      const body = await r.text().then((t) => `ended: ${t}`, (err: unknown) => `cut: ${String(err)}`);
      assert.match(body, /^cut: /, `GET ${reqPath} body = ${body}, want the connection dropped`);
    }
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await handler.close();
  }
});
