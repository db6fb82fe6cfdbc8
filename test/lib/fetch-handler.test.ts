import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createFetchHandler } from '../../lib/fetch-handler.js';
import { createFetchHandler as createPortableHandler } from '../../lib/fetch-entry.js';
import { requestTarget, type FetchHandlerOptions, type ImageProxyFetchHandler } from '../../lib/fetch-adapter.js';
import { CLIENT_CLOSED_REQUEST } from '../../lib/core/types.js';
import { inlineTransformer, quietLogger } from '../helpers/proxy.js';
import type { Origin } from '../helpers/origin.js';
import { JPEG, decodedSize, startJpegOrigin } from '../runtimes/common.js';

let origin: Origin;
before(async () => {
  origin = await startJpegOrigin();
  origin.set('/tagged.jpg', { headers: { 'Content-Type': 'image/jpeg', ETag: '"v1"' }, body: JPEG });
  origin.set('/slow.jpg', { headers: { 'Content-Type': 'image/jpeg' }, body: JPEG, delayMs: 10_000 });
});
after(() => origin.close());

/** withHandler runs f with a handler (private networks allowed, quiet, inline transforms unless told) and closes it. */
async function withHandler<T>(make: (o: FetchHandlerOptions) => ImageProxyFetchHandler, opts: FetchHandlerOptions, f: (h: ImageProxyFetchHandler) => Promise<T>): Promise<T> {
  const h = make({ allowPrivateNetworks: true, logger: quietLogger, transformer: inlineTransformer, ...opts });
  try {
    return await f(h);
  } finally {
    await h.close();
  }
}

test('requestTarget takes the path and query as sent, relative to the prefix', () => {
  const cases = [
    { url: 'http://p.test/100x/https://a.example/b.png?x=1', prefix: '', want: '/100x/https://a.example/b.png?x=1' },
    { url: 'http://p.test', prefix: '', want: '/' },
    { url: 'http://p.test/a#frag', prefix: '', want: '/a' },
    { url: 'http://p.test/img/100x/http://a.example/b.png', prefix: '/img', want: '/100x/http://a.example/b.png' },
    { url: 'http://p.test/img', prefix: '/img', want: '/' },
    { url: 'http://p.test/img?x=1', prefix: '/img', want: '/?x=1' },
    { url: 'http://p.test/imgx/100x/http://a.example/b.png', prefix: '/img', want: undefined },
    { url: 'http://p.test/other', prefix: '/img', want: undefined },
  ];
  for (const c of cases) {
    const got = requestTarget(c.url, c.prefix);
    assert.equal(got, c.want, `requestTarget(${c.url}, ${JSON.stringify(c.prefix)}) = ${got}, want ${c.want}`);
  }
});

test('both fetch handlers answer requests through the core', async () => {
  const img = `${origin.url}/photo.jpg`;
  const cases = [
    { name: 'resize', method: 'GET', path: `/100x/${img}`, wantStatus: 200, wantType: 'image/jpeg', wantWidth: 100 },
    { name: 'HEAD', method: 'HEAD', path: `/100x/${img}`, wantStatus: 200, wantType: 'image/jpeg', wantBody: 0 },
    { name: 'health check off', method: 'GET', path: '/health-check', wantStatus: 404, wantType: 'text/plain; charset=utf-8' },
    { name: 'metrics off', method: 'GET', path: '/metrics', wantStatus: 404, wantType: 'text/plain; charset=utf-8' },
    { name: 'POST', method: 'POST', path: `/100x/${img}`, wantStatus: 405, wantType: 'text/plain; charset=utf-8', wantAllow: 'GET, HEAD' },
    { name: 'missing image', method: 'GET', path: `/100x/${origin.url}/missing.jpg`, wantStatus: 404, wantType: 'text/plain; charset=utf-8' },
    { name: 'no remote URL', method: 'GET', path: '/100x/', wantStatus: 400, wantType: 'text/plain; charset=utf-8' },
  ];
  for (const [entry, make] of [['imageproxy', createFetchHandler], ['imageproxy/fetch', createPortableHandler]] as const) {
    await withHandler(make, {}, async (h) => {
      for (const c of cases) {
        const r = await h(new Request(`http://proxy.test${c.path}`, { method: c.method }));
        const body = new Uint8Array(await r.arrayBuffer());
        const what = `${entry} ${c.name}: ${c.method} ${c.path}`;
        assert.equal(r.status, c.wantStatus, `${what} = ${r.status} ${new TextDecoder().decode(body)}, want ${c.wantStatus}`);
        assert.equal(r.headers.get('content-type'), c.wantType, `${what}: Content-Type = ${r.headers.get('content-type')}, want ${c.wantType}`);
        if (c.wantWidth !== undefined) {
          const size = await decodedSize(body);
          assert.equal(size.width, c.wantWidth, `${what}: decoded width = ${size.width}, want ${c.wantWidth}`);
        }
        if (c.wantBody !== undefined) assert.equal(body.length, c.wantBody, `${what}: body length = ${body.length}, want ${c.wantBody}`);
        if (c.wantAllow !== undefined) assert.equal(r.headers.get('allow'), c.wantAllow, `${what}: Allow = ${r.headers.get('allow')}, want ${c.wantAllow}`);
      }
    });
  }
});

test('the standalone server\'s endpoints answer only when turned on', async () => {
  const cases = [
    { name: 'health check on', opts: { healthCheck: true }, path: '/health-check', want: 200, wantBody: /^OK$/ },
    { name: 'root on', opts: { healthCheck: true }, path: '/', want: 200, wantBody: /^OK$/ },
    { name: 'metrics still off', opts: { healthCheck: true }, path: '/metrics', want: 404, wantBody: /not an image request/ },
    { name: 'metrics on', opts: { metricsEndpoint: true }, path: '/metrics', want: 200, wantBody: /imageproxy_pool_workers 0/ },
    { name: 'health check still off', opts: { metricsEndpoint: true }, path: '/', want: 404, wantBody: /not an image request/ },
  ];
  for (const c of cases) {
    await withHandler(createFetchHandler, c.opts, async (h) => {
      const r = await h(new Request(`http://proxy.test${c.path}`));
      const body = await r.text();
      assert.equal(r.status, c.want, `${c.name}: GET ${c.path} = ${r.status} ${body}, want ${c.want}`);
      assert.match(body, c.wantBody, `${c.name}: body = ${JSON.stringify(body.slice(0, 80))}`);
    });
  }
});

test('the pool gauges read the transformer the fetch handler made', async () => {
  await withHandler(createPortableHandler, { transformer: undefined, metricsEndpoint: true }, async (h) => {
    const img = await h(new Request(`http://proxy.test/100x/${origin.url}/photo.jpg`));
    await img.arrayBuffer();
    const text = await (await h(new Request('http://proxy.test/metrics'))).text();
    const line = /^imageproxy_pool_workers (\d+)$/m.exec(text)?.[0];
    assert.equal(line, 'imageproxy_pool_workers 1', `after an inline transform, /metrics has ${line}, want imageproxy_pool_workers 1`);
  });
});

test('the fetch handler passes the client conditionals to the core: a matching If-None-Match is a 304', async () => {
  await withHandler(createPortableHandler, {}, async (h) => {
    const url = `http://proxy.test/${origin.url}/tagged.jpg`;
    const first = await h(new Request(url));
    await first.arrayBuffer();
    const cases = [
      { name: 'matching', headers: { 'If-None-Match': '"v1"' }, want: 304 },
      { name: 'other version', headers: { 'If-None-Match': '"v0"' }, want: 200 },
    ];
    for (const c of cases) {
      const r = await h(new Request(url, { headers: c.headers }));
      await r.arrayBuffer();
      assert.equal(r.status, c.want, `GET with ${c.name} If-None-Match = ${r.status}, want ${c.want}`);
    }
  });
});

test('under a prefix the fetch handler serves only paths inside it', async () => {
  await withHandler(createPortableHandler, { prefix: '/img/' }, async (h) => {
    const before = origin.hits('/photo.jpg');
    const cases = [
      { path: `/img/100x/${origin.url}/photo.jpg`, want: 200, wantHits: 1 },
      { path: `/other/100x/${origin.url}/photo.jpg`, want: 404, wantHits: 0 },
      { path: `/imgx/100x/${origin.url}/photo.jpg`, want: 404, wantHits: 0 },
    ];
    for (const c of cases) {
      const start = origin.hits('/photo.jpg');
      const r = await h(new Request(`http://proxy.test${c.path}`));
      await r.arrayBuffer();
      const hits = origin.hits('/photo.jpg') - start;
      assert.equal(r.status, c.want, `GET ${c.path} with prefix /img = ${r.status}, want ${c.want}`);
      assert.equal(hits, c.wantHits, `GET ${c.path} with prefix /img: origin hits = ${hits}, want ${c.wantHits}`);
    }
    assert.ok(origin.hits('/photo.jpg') > before);
  });
  assert.throws(() => createPortableHandler({ prefix: 'img' }), /must start with/, 'createFetchHandler({ prefix: "img" }) did not throw');
});

test('a request whose client goes away is abandoned: the origin fetch stops and the answer is 499', async () => {
  await withHandler(createPortableHandler, {}, async (h) => {
    const ctl = new AbortController();
    const pending = h(new Request(`http://proxy.test/100x/${origin.url}/slow.jpg`, { signal: ctl.signal }));
    const deadline = Date.now() + 5000;
    while (origin.hits('/slow.jpg') === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    ctl.abort();
    const r = await pending;
    assert.equal(r.status, CLIENT_CLOSED_REQUEST, `abandoned request = ${r.status}, want ${CLIENT_CLOSED_REQUEST}`);
    await origin.whenAborted('/slow.jpg');
  });
});

test('transforms run where the options say: inline by choice, and never on workers in the imageproxy/fetch entry', async () => {
  const url = `http://proxy.test/100x/${origin.url}/photo.jpg`;
  const cases = [
    { name: 'imageproxy, auto (the worker pool)', make: createFetchHandler, transforms: 'auto' as const, want: 200 },
    { name: 'imageproxy, inline', make: createFetchHandler, transforms: 'inline' as const, want: 200 },
    { name: 'imageproxy/fetch, auto', make: createPortableHandler, transforms: 'auto' as const, want: 200 },
    { name: 'imageproxy/fetch, workers', make: createPortableHandler, transforms: 'workers' as const, want: 500, wantBody: /cannot start transform workers/ },
  ];
  for (const c of cases) {
    await withHandler(c.make, { transformer: undefined, transforms: c.transforms }, async (h) => {
      const r = await h(new Request(url));
      const body = new Uint8Array(await r.arrayBuffer());
      assert.equal(r.status, c.want, `${c.name}: GET ${url} = ${r.status} ${new TextDecoder().decode(body)}, want ${c.want}`);
      if (c.wantBody) assert.match(new TextDecoder().decode(body), c.wantBody, `${c.name}: body`);
      else assert.equal((await decodedSize(body)).width, 100, `${c.name}: decoded width, want 100`);
    });
  }
});
