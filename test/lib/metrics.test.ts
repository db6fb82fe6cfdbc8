import { test } from 'node:test';
import assert from 'node:assert/strict';
import { register } from 'prom-client';
import { createMetrics } from '../../lib/metrics.js';

/** The Go server's metric names and types, plus our cache error counter. */
const WANT: Array<[name: string, type: string]> = [
  ['imageproxy_requests_served_from_cache_total', 'counter'],
  ['imageproxy_transformation_duration_seconds', 'summary'],
  ['imageproxy_remote_fetch_errors_total', 'counter'],
  ['imageproxy_cache_errors_total', 'counter'],
  ['http_request_duration_seconds', 'summary'],
  ['http_requests_in_flight', 'gauge'],
  ['imageproxy_source_memory_bytes', 'gauge'],
];

test('createMetrics registers the Go server metric names with their types', async () => {
  const m = createMetrics();
  const text = await m.registry.metrics();
  for (const [name, type] of WANT) {
    const re = new RegExp(`^# TYPE ${name} (\\w+)$`, 'm');
    const got = re.exec(text)?.[1];
    assert.equal(got, type, `type of ${name} = ${got}, want ${type}`);
  }
});

test('metrics live in their own registry, so two sets do not collide', async () => {
  const a = createMetrics();
  const b = createMetrics();
  a.servedFromCache.inc(3);
  a.requestsInFlight.inc();
  const value = async (reg: typeof a, key: 'servedFromCache' | 'requestsInFlight'): Promise<number> =>
    (await reg[key].get()).values[0]?.value ?? 0;
  const got = [await value(a, 'servedFromCache'), await value(b, 'servedFromCache'), await value(a, 'requestsInFlight')];
  assert.deepEqual(got, [3, 0, 1], `values = ${JSON.stringify(got)}`);
  assert.equal(register.getSingleMetric('imageproxy_requests_served_from_cache_total'), undefined, 'metric leaked into the global registry');
  assert.match(await a.registry.metrics(), /^imageproxy_requests_served_from_cache_total 3$/m);
});
