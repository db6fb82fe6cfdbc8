// WebP and AVIF through the real handler and worker pool (#11): negotiated answers over HTTP,
// the AVIF output limit as a 422, and AVIF encoding off the thread that answers /health-check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { detectFormat } from '../../lib/codecs/index.js';
import { DEFAULT_LIMITS } from '../../lib/config.js';
import { startOrigin, waitFor } from '../helpers/origin.js';
import { get, startProxy, summary } from '../helpers/hostile.js';
import { F, fixture } from '../helpers/codec-fixtures.js';

const CHROME = 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';

test('over HTTP: negotiated formats, Vary on each, and the AVIF limit as a 422 that says so', async () => {
  const origin = await startOrigin({ '/photo.jpg': { headers: { 'content-type': 'image/jpeg', etag: '"p1"' }, body: Buffer.from(fixture(F.branchesJpg)) } });
  const proxy = await startProxy({
    allowPrivateNetworks: true, workers: 1, autoFormat: ['avif', 'webp'], limits: { ...DEFAULT_LIMITS, maxAvifPixels: 20_000 },
  });
  try {
    const cases: Array<{ name: string; path: string; accept: string; want: { status: number; format?: string; vary?: string; etag?: string } }> = [
      { name: 'small enough for AVIF', path: '/100x/', accept: CHROME, want: { status: 200, format: 'avif', vary: 'Accept', etag: '"p1.avif"' } },
      { name: 'WebP client', path: '/300x/', accept: 'image/webp', want: { status: 200, format: 'webp', vary: 'Accept', etag: '"p1.webp"' } },
      { name: 'JPEG fallback', path: '/300x/', accept: 'image/*', want: { status: 200, format: 'jpeg', vary: 'Accept', etag: '"p1.jpeg"' } },
      { name: 'negotiated AVIF past the limit', path: '/300x/', accept: CHROME, want: { status: 422, vary: 'Accept' } },
      { name: 'explicit AVIF past the limit', path: '/300x,avif/', accept: '*/*', want: { status: 422 } },
    ];
    for (const c of cases) {
      const r = await get(proxy.url, `${c.path}${origin.url}/photo.jpg`, { headers: { accept: c.accept } });
      const got: { status: number; format?: string; vary?: string; etag?: string } = { status: r.status };
      if (r.status === 200) got.format = detectFormat(new Uint8Array(r.body));
      if (r.headers.vary !== undefined) got.vary = r.headers.vary;
      if (r.headers.etag !== undefined && r.status === 200) got.etag = r.headers.etag;
      assert.deepEqual(got, c.want, `${c.name}: GET ${c.path} (Accept ${c.accept}) = ${JSON.stringify(got)} ${summary(r)}, want ${JSON.stringify(c.want)}`);
      if (r.status === 422) {
        assert.match(r.body.toString(), /^The output image would be 300x200, more than the 20000 pixels this server encodes as AVIF\.\n$/,
          `${c.name}: body = ${JSON.stringify(r.body.toString())}`);
      }
    }
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('AVIF encodes run in the workers: /health-check answers while one is in progress', async () => {
  const origin = await startOrigin({ '/photo.jpg': { headers: { 'content-type': 'image/jpeg' }, body: Buffer.from(fixture(F.branchesJpg)) } });
  const proxy = await startProxy({ allowPrivateNetworks: true, workers: 1 });
  try {
    // Warm the worker so the encode below is the only slow part: ~1 MP of AV1 takes seconds.
    await get(proxy.url, `/10x,avif/${origin.url}/photo.jpg`);
    const order: string[] = [];
    const encode = get(proxy.url, `/1200x,scaleUp,avif/${origin.url}/photo.jpg`, { timeoutMs: 60_000 }).then((r) => { order.push('avif'); return r; });
    // The health check goes out once the proxy has fetched the source, and answers before the encode ends.
    await waitFor(() => origin.hits('/photo.jpg') >= 2, 'the proxy fetching the source');
    const health = await get(proxy.url, '/health-check');
    order.push('health');
    const r = await encode;
    assert.equal(`${r.status} ${detectFormat(new Uint8Array(r.body))}`, '200 avif', `GET /1200x,scaleUp,avif = ${r.status} ${summary(r)}, want 200 AVIF`);
    assert.equal(health.status, 200, `GET /health-check = ${health.status}, want 200`);
    assert.deepEqual(order, ['health', 'avif'], `answers came in the order ${order}, want the health check before the AVIF`);
  } finally {
    await proxy.close();
    await origin.close();
  }
});

test('a runaway AVIF encode is stopped with its worker at -transformTimeout: 422, and the next request is served', async () => {
  const origin = await startOrigin({ '/photo.jpg': { headers: { 'content-type': 'image/jpeg' }, body: Buffer.from(fixture(F.branchesJpg)) } });
  const proxy = await startProxy({ allowPrivateNetworks: true, workers: 1, transformTimeoutMs: 1500 });
  try {
    // A tiny encode first, retried while the fresh worker starts, so the limit meets only the big one.
    let warm = await get(proxy.url, `/8x,avif/${origin.url}/photo.jpg`);
    for (let i = 0; i < 4 && warm.status !== 200; i++) warm = await get(proxy.url, `/8x,avif/${origin.url}/photo.jpg`);
    assert.equal(warm.status, 200, `GET /8x,avif = ${warm.status} ${summary(warm)}, want 200`);
    // 2.7 MP of AV1 (under -maxAvifPixels) takes 3-7 s of a worker here: well past the 1.5 s limit.
    const slow = await get(proxy.url, `/2000x,scaleUp,avif/${origin.url}/photo.jpg`, { timeoutMs: 30_000 });
    assert.equal(slow.status, 422, `GET /2000x,scaleUp,avif with a 1.5 s transform limit = ${slow.status} ${summary(slow)}, want 422`);
    assert.match(slow.body.toString(), /^The image took too long to process\.\n$/, `GET /2000x,scaleUp,avif body = ${summary(slow)}`);
    let next = await get(proxy.url, `/20x,webp/${origin.url}/photo.jpg`);
    for (let i = 0; i < 4 && next.status !== 200; i++) next = await get(proxy.url, `/20x,webp/${origin.url}/photo.jpg`);
    assert.equal(`${next.status} ${detectFormat(new Uint8Array(next.body))}`, '200 webp', `GET /20x,webp after the restart = ${next.status} ${summary(next)}`);
  } finally {
    await proxy.close();
    await origin.close();
  }
});
