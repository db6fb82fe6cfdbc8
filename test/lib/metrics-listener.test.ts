// The separate metrics listener (ServerOptions.metricsAddr, -metricsAddr): it serves /metrics
// and nothing else, the main listener stops serving /metrics, and it holds slow clients to the
// same time limits as the main listener.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { rawConnect, drip, parseResponses } from '../helpers/raw.js';
import { createServer } from '../../lib/server.js';
import type { ServerLimits } from '../../lib/listener.js';
import type { TransformResult } from '../../lib/transform/types.js';

const quiet = { info() {}, warn() {}, error() {} };
const identity = { run: async (bytes: Uint8Array): Promise<TransformResult> => ({ bytes, contentType: 'image/png' }), close: async () => undefined };
/** Small limits, so the slow-client case takes a second or two. */
const SMALL: ServerLimits = { headerTimeoutMs: 1000, requestTimeoutMs: 2000, keepAliveTimeoutMs: 2000 };
/** BOUND_MS is how long a cut may take before the test calls it hung (Node's own default would be 60 s). */
const BOUND_MS = 15_000;

const portOf = (addr: string): number => Number(addr.slice(addr.lastIndexOf(':') + 1));

test('with metricsAddr, /metrics is served there only', async () => {
  const s = createServer({ logger: quiet }, { transformer: identity, metricsAddr: '127.0.0.1:0' });
  const main = `http://${await s.listen('127.0.0.1:0')}`;
  assert.match(s.metricsAddress ?? '', /^127\.0\.0\.1:[1-9]\d*$/, `metricsAddress = ${s.metricsAddress}`);
  const metrics = `http://${s.metricsAddress}`;
  const cases: Array<{ name: string; url: string; method?: string; status: number; body?: RegExp; allow?: string }> = [
    { name: 'metrics listener /metrics', url: `${metrics}/metrics`, status: 200, body: /^# TYPE imageproxy_requests_served_from_cache_total counter$/m },
    { name: 'metrics listener /metrics with a query', url: `${metrics}/metrics?x=1`, status: 200, body: /^# TYPE http_requests_in_flight gauge$/m },
    { name: 'metrics listener HEAD /metrics', url: `${metrics}/metrics`, method: 'HEAD', status: 200 },
    { name: 'metrics listener POST /metrics', url: `${metrics}/metrics`, method: 'POST', status: 405, allow: 'GET, HEAD' },
    { name: 'metrics listener other path', url: `${metrics}/health-check`, status: 404 },
    { name: 'metrics listener image path', url: `${metrics}/100x/http://127.0.0.1:1/a.png`, status: 404 },
    { name: 'main listener /metrics', url: `${main}/metrics`, status: 404, body: /metrics listener/ },
    { name: 'main listener HEAD /metrics', url: `${main}/metrics`, method: 'HEAD', status: 404 },
    { name: 'main listener health check', url: `${main}/health-check`, status: 200, body: /^OK$/ },
  ];
  try {
    for (const c of cases) {
      const r = await fetch(c.url, { method: c.method ?? 'GET' });
      const text = await r.text();
      assert.equal(r.status, c.status, `${c.name}: ${c.method ?? 'GET'} ${c.url} status = ${r.status}, want ${c.status}`);
      if (c.body) assert.match(text, c.body, `${c.name}: body ${JSON.stringify(text.slice(0, 80))}`);
      if (c.method === 'HEAD') assert.equal(text, '', `${c.name}: HEAD has a body`);
      if (c.allow) assert.equal(r.headers.get('allow'), c.allow, `${c.name}: Allow`);
    }
  } finally {
    await s.close(100);
  }
  const refused = await new Promise<boolean>((resolve) => {
    const c = net.connect(portOf(metrics), '127.0.0.1');
    c.once('connect', () => { c.destroy(); resolve(false); });
    c.once('error', () => resolve(true));
  });
  assert.equal(refused, true, 'the metrics listener still accepts connections after close()');
});

test('without metricsAddr, /metrics stays on the main listener', async () => {
  const s = createServer({ logger: quiet }, { transformer: identity });
  const main = `http://${await s.listen('127.0.0.1:0')}`;
  try {
    assert.equal(s.metricsAddress, undefined, `metricsAddress = ${s.metricsAddress}`);
    const r = await fetch(`${main}/metrics`);
    assert.equal(r.status, 200, `GET /metrics status = ${r.status}`);
    assert.match(await r.text(), /^# TYPE imageproxy_pool_busy_workers gauge$/m);
  } finally {
    await s.close(100);
  }
});

test('a slow client on the metrics listener is cut with 408 at the header limit, and scrapes go on', async () => {
  const s = createServer({ logger: quiet }, { transformer: identity, metricsAddr: '127.0.0.1:0', serverLimits: SMALL });
  await s.listen('127.0.0.1:0');
  const port = portOf(s.metricsAddress!);
  try {
    const slow = await rawConnect({ port });
    void drip(slow, `GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'a'.repeat(400)}\r\n\r\n`, 100).catch(() => undefined);
    const scrape = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(scrape.status, 200, `a scrape while a slow client is connected = ${scrape.status}`);
    await scrape.text();
    const ended = await Promise.race([
      slow.ended,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), BOUND_MS).unref()),
    ]);
    assert.ok(ended, `the slow client was not cut within ${BOUND_MS} ms: the metrics listener lacks the header limit`);
    const [r] = parseResponses(ended.data);
    assert.equal(r?.status, 408, `the slow client got ${JSON.stringify(ended.data.slice(0, 40))}, want a 408`);
  } finally {
    await s.close(100);
  }
});

test('an unusable metricsAddr is refused when the server is created', () => {
  const cases = ['nonsense', 'unix:', '127.0.0.1:99999'];
  for (const addr of cases) {
    assert.throws(() => createServer({ logger: quiet }, { transformer: identity, metricsAddr: addr }), /invalid listen address/,
      `createServer({ metricsAddr: ${JSON.stringify(addr)} }) did not throw`);
  }
});
