// Deferred metrics (lib/metrics-deferred.ts): what is recorded before prom-client is loaded shows
// on /metrics after it is, with the same names, types and values as metrics made by createMetrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics, type ProxyMetrics } from '../../lib/metrics.js';
import { createDeferredMetrics, isDeferred, loadMetrics, observePoolOf, realMetrics } from '../../lib/metrics-deferred.js';

/** record does the same things to any metrics set, as the proxy would before its first scrape. */
function record(m: ProxyMetrics): void {
  m.servedFromCache.inc();
  m.servedFromCache.inc(2);
  m.remoteFetchErrors.inc();
  m.requestsInFlight.inc();
  m.requestsInFlight.inc();
  m.requestsInFlight.dec();
  m.sourceMemoryBytes.set(100);
  m.sourceMemoryBytes.set(42);
  m.transformationDuration.observe(0.25);
  m.requestDuration.observe(0.5);
  m.requestDuration.observe(1.5);
  m.requestDurationByOutcome.observe({ status_class: '2xx', cache: 'MISS' }, 0.03);
  m.requestDurationByOutcome.observe({ status_class: '2xx', cache: 'HIT' }, 0.002);
  m.fleetLeases.inc({ entry: 'original', outcome: 'alone', reason: 'timeout' });
  m.fleetLeases.inc({ entry: 'original', outcome: 'alone', reason: 'timeout' });
  m.fleetLeases.inc({ entry: 'variant', outcome: 'led' });
}

test('deferred metrics print what createMetrics prints for the same records', async () => {
  const eager = createMetrics();
  const deferred = createDeferredMetrics();
  record(eager);
  record(deferred);
  assert.equal(realMetrics(deferred), undefined, 'realMetrics(deferred) before any scrape = loaded, want not loaded');
  const want = await eager.registry.metrics();
  const got = await deferred.registry.metrics();
  assert.equal(got, want, `deferred registry.metrics() = ${got}\nwant ${want}`);
  assert.equal(deferred.registry.contentType, eager.registry.contentType, 'deferred content type');
});

test('deferred metrics record straight into prom-client once loaded, and get() loads them', async () => {
  const cases: Array<{ name: string; load: (m: ProxyMetrics) => Promise<unknown> }> = [
    { name: 'loadMetrics', load: (m) => loadMetrics(m) },
    { name: 'get()', load: (m) => m.servedFromCache.get() },
  ];
  for (const c of cases) {
    const m = createDeferredMetrics();
    m.servedFromCache.inc();
    await c.load(m);
    m.servedFromCache.inc(4);
    const end = m.requestDuration.startTimer();
    end();
    const served = (await m.servedFromCache.get()).values[0]?.value;
    const timed = (await m.requestDuration.get()).values.find((v) => v.metricName === 'http_request_duration_seconds_count')?.value;
    assert.deepEqual({ served, timed }, { served: 5, timed: 1 }, `after ${c.name}: served, timed = ${served}, ${timed}, want 5, 1`);
    assert.ok(realMetrics(m) !== undefined, `realMetrics after ${c.name} = undefined, want the prom-client metrics`);
  }
});

test('observePoolOf adds the pool gauges to deferred and prom-client metrics alike', async () => {
  for (const [name, m] of [['deferred', createDeferredMetrics()], ['createMetrics', createMetrics()]] as const) {
    observePoolOf(m, () => ({ busy: 2, queued: 3, workers: 4 }));
    await loadMetrics(m);
    await new Promise((r) => setImmediate(r));
    const text = await m.registry.metrics();
    const got = /^imageproxy_pool_queue_length (\d+)$/m.exec(text)?.[1];
    assert.equal(got, '3', `${name}: imageproxy_pool_queue_length = ${got}, want 3`);
  }
});

test('isDeferred tells deferred metrics from prom-client ones', () => {
  const got = [isDeferred(createDeferredMetrics()), isDeferred(createMetrics())];
  assert.deepEqual(got, [true, false], `isDeferred(deferred, eager) = ${JSON.stringify(got)}, want [true, false]`);
});
