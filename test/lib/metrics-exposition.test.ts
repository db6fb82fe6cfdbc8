// What /metrics of the standalone server exposes: prom-client's default process and Node.js
// metrics, the worker-pool gauges and the request-duration histogram by status class and cache
// state, read from real scrapes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { FIXTURES } from '../helpers/paths.js';
import { startOrigin, waitFor, type Origin } from '../helpers/origin.js';
import { createServer } from '../../lib/server.js';
import { createMetrics, observePool, statusClass } from '../../lib/metrics.js';
import { MemoryCache } from '../../lib/cache/memory.js';
import type { PoolStats } from '../../lib/pool/pool.js';
import type { TransformResult } from '../../lib/transform/types.js';

// fixtures/ximage/yellow_rose-small.png — golang.org/x/image testdata, BSD-3-Clause
const PNG = readFileSync(path.join(FIXTURES, 'ximage/yellow_rose-small.png'));
const quiet = { info() {}, warn() {}, error() {} };

/** DEFAULT_METRICS are some of prom-client's default metrics, process and Node.js ones. */
const DEFAULT_METRICS = [
  'process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds',
  'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_version_info',
];

/** FakePool is a transformer that returns its source and reports whatever load it is told to. */
class FakePool {
  load: PoolStats = { busy: 0, queued: 0, workers: 0 };
  async run(bytes: Uint8Array): Promise<TransformResult> {
    return { bytes, contentType: 'image/png' };
  }
  stats(): PoolStats {
    return this.load;
  }
  async close(): Promise<void> {}
}

/** sample finds the value of the sample `name{labels}` in an exposition, labels in any order. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v) && Object.keys(got).length === Object.keys(labels).length) return Number(m[3]);
  }
  return undefined;
}

let origin: Origin;
before(async () => {
  origin = await startOrigin({ '/a.png': { headers: { 'Content-Type': 'image/png', 'Cache-Control': 'max-age=600' }, body: PNG } });
});
after(() => origin.close());

test('createMetrics collects the default process and Node.js metrics only when asked', async () => {
  const cases: Array<{ name: string; defaultMetrics: boolean | undefined; want: boolean }> = [
    { name: 'default', defaultMetrics: undefined, want: false },
    { name: 'asked', defaultMetrics: true, want: true },
  ];
  for (const c of cases) {
    const text = await createMetrics(undefined, { defaultMetrics: c.defaultMetrics }).registry.metrics();
    for (const name of DEFAULT_METRICS) {
      const got = new RegExp(`^# TYPE ${name} `, 'm').test(text);
      assert.equal(got, c.want, `${c.name}: ${name} exposed = ${got}, want ${c.want}`);
    }
  }
});

test('observePool adds the pool gauges, reading the latest source at each scrape', async () => {
  const m = createMetrics();
  assert.doesNotMatch(await m.registry.metrics(), /imageproxy_pool_/, 'pool gauges before any pool is observed');
  const cases: Array<{ name: string; stats: PoolStats | undefined; want: number[] }> = [
    { name: 'no pool yet', stats: undefined, want: [0, 0, 0] },
    { name: 'a loaded pool', stats: { busy: 3, queued: 7, workers: 4 }, want: [3, 7, 4] },
    { name: 'a second source replaces the first', stats: { busy: 1, queued: 0, workers: 2 }, want: [1, 0, 2] },
  ];
  for (const c of cases) {
    observePool(m, () => c.stats);
    const text = await m.registry.metrics();
    const got = ['imageproxy_pool_busy_workers', 'imageproxy_pool_queue_length', 'imageproxy_pool_workers'].map((n) => sample(text, n));
    assert.deepEqual(got, c.want, `${c.name}: pool gauges = ${JSON.stringify(got)}, want ${JSON.stringify(c.want)}`);
  }
});

test('statusClass table', () => {
  const cases: Array<[number, string]> = [[200, '2xx'], [204, '2xx'], [304, '3xx'], [400, '4xx'], [499, '4xx'], [502, '5xx'], [599, '5xx'], [99, 'other'], [600, 'other']];
  for (const [status, want] of cases) {
    const got = statusClass(status);
    assert.equal(got, want, `statusClass(${status}) = ${got}, want ${want}`);
  }
});

test('/metrics exposes default metrics, pool gauges read at each scrape, and the histogram by status class and cache state', async () => {
  const pool = new FakePool();
  const s = createServer({ allowPrivateNetworks: true, logger: quiet, cache: new MemoryCache({ maxBytes: 10_000_000, maxAgeMs: 0 }) }, { transformer: pool });
  const base = `http://${await s.listen('127.0.0.1:0')}`;
  const scrape = async (): Promise<string> => (await fetch(`${base}/metrics`)).text();
  try {
    const first = await scrape();
    for (const name of DEFAULT_METRICS) assert.match(first, new RegExp(`^# TYPE ${name} `, 'm'), `default metric ${name} missing`);
    for (const [name, type] of [['imageproxy_pool_busy_workers', 'gauge'], ['imageproxy_pool_queue_length', 'gauge'],
      ['imageproxy_pool_workers', 'gauge'], ['imageproxy_request_duration_seconds', 'histogram']]) {
      assert.match(first, new RegExp(`^# TYPE ${name} ${type}$`, 'm'), `${name} is not a ${type}`);
    }

    const loads: PoolStats[] = [{ busy: 0, queued: 0, workers: 0 }, { busy: 2, queued: 5, workers: 4 }, { busy: 4, queued: 0, workers: 4 }];
    for (const load of loads) {
      pool.load = load;
      const text = await scrape();
      const got = {
        busy: sample(text, 'imageproxy_pool_busy_workers'),
        queued: sample(text, 'imageproxy_pool_queue_length'),
        workers: sample(text, 'imageproxy_pool_workers'),
      };
      assert.deepEqual(got, load, `pool gauges = ${JSON.stringify(got)}, want ${JSON.stringify(load)}`);
    }

    const image = `/${origin.url}/a.png`;
    for (const p of [image, image, `/10x/${origin.url}/a.png`, '/not-a-url', '/health-check']) await (await fetch(base + p)).arrayBuffer();
    const count = (labels: Record<string, string>) => async (): Promise<number | undefined> =>
      sample(await scrape(), 'imageproxy_request_duration_seconds_count', labels);
    const cases: Array<{ labels: Record<string, string>; want: number | undefined }> = [
      { labels: { status_class: '2xx', cache: 'MISS' }, want: 2 },
      { labels: { status_class: '2xx', cache: 'HIT' }, want: 1 },
      { labels: { status_class: '4xx', cache: 'NONE' }, want: 1 },
      // The health check and the scrapes are not image requests.
      { labels: { status_class: '2xx', cache: 'NONE' }, want: undefined },
    ];
    await waitFor(async () => (await count(cases[2].labels)()) === 1, 'the 400 in the histogram');
    for (const c of cases) {
      const got = await count(c.labels)();
      assert.equal(got, c.want, `imageproxy_request_duration_seconds_count${JSON.stringify(c.labels)} = ${got}, want ${c.want}`);
    }
    const text = await scrape();
    const inf = sample(text, 'imageproxy_request_duration_seconds_bucket', { le: '+Inf', status_class: '2xx', cache: 'MISS' });
    assert.equal(inf, 2, `+Inf bucket of 2xx MISS = ${inf}, want 2`);
  } finally {
    await s.close(100);
  }
});

test('the pool gauges follow the real transform pool the server starts', async () => {
  const s = createServer({ allowPrivateNetworks: true, logger: quiet, workers: 1 });
  const base = `http://${await s.listen('127.0.0.1:0')}`;
  const scrape = async (): Promise<string> => (await fetch(`${base}/metrics`)).text();
  try {
    const before = sample(await scrape(), 'imageproxy_pool_workers');
    assert.equal(before, 1, `workers once listening = ${before}, want 1 (listen() starts and warms the pool first)`);
    const r = await fetch(`${base}/10x/${origin.url}/a.png`);
    await r.arrayBuffer();
    assert.equal(r.status, 200, `transform status = ${r.status}`);
    const text = await scrape();
    const got = { workers: sample(text, 'imageproxy_pool_workers'), busy: sample(text, 'imageproxy_pool_busy_workers'), queued: sample(text, 'imageproxy_pool_queue_length') };
    assert.deepEqual(got, { workers: 1, busy: 0, queued: 0 }, `pool gauges after one transform = ${JSON.stringify(got)}`);
  } finally {
    await s.close(100);
  }
});
