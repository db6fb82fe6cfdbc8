/**
 * Prometheus metrics of the proxy, under the Go server's metric names, in a registry of their own
 * so that several handlers in one process (and the host application's metrics) do not collide.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import type { PoolStats } from './pool/pool.js';
import { isDeferred, observePoolOf } from './metrics-deferred.js';

// statusClass lives beside the deferred metrics so that the access log can label without prom-client.
export { statusClass } from './metrics-deferred.js';

/** ProxyMetrics are the metrics one proxy handler records, and the registry that exposes them. */
export interface ProxyMetrics {
  /** Registry holding the metrics below; `/metrics` prints it. */
  registry: Registry;
  /** imageproxy_requests_served_from_cache_total: responses served without contacting the origin. */
  servedFromCache: Counter;
  /** imageproxy_transformation_duration_seconds: time spent in image transformations. */
  transformationDuration: Summary;
  /** imageproxy_remote_fetch_errors_total: failed fetches from origins. */
  remoteFetchErrors: Counter;
  /** imageproxy_cache_errors_total: cache backend failures (each treated as a miss). */
  cacheErrors: Counter;
  /** http_request_duration_seconds: time to answer image requests. */
  requestDuration: Summary;
  /** http_requests_in_flight: image requests being answered now. */
  requestsInFlight: Gauge;
  /** imageproxy_source_memory_bytes: origin bodies held by requests in progress (see -maxSourceMemory). */
  sourceMemoryBytes: Gauge;
  /**
   * imageproxy_fleet_leases_total: misses coalesced across the fleet (see -fleetLeases), by
   * `entry` (original, variant), `outcome` (led: did the work under the lease; followed: served
   * another instance's entry; alone: did the work without a lease) and, for alone, `reason`
   * (unavailable: Redis failed; timeout: the holder kept the lease too long; unfinished: the
   * holder left no entry).
   */
  fleetLeases: Counter<'entry' | 'outcome' | 'reason'>;
  /** imageproxy_request_duration_seconds: time to answer, by status class (2xx...) and cache state (HIT...). */
  requestDurationByOutcome: Histogram<'status_class' | 'cache'>;
}

/** MetricsOptions configure createMetrics. */
export interface MetricsOptions {
  /**
   * Also collect prom-client's default process and Node.js metrics (CPU, memory, event loop lag,
   * GC, handles) into the registry. Off by default: a host application usually collects its own,
   * and two registries holding the same names cannot be merged.
   */
  defaultMetrics?: boolean;
}

/**
 * REQUEST_DURATION_BUCKETS are the upper bounds (seconds) of the request-duration histogram: from
 * a cache hit (a few ms) to the default request time limit (30 s).
 */
export const REQUEST_DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Where each metrics set reads its pool's load from; see observePool. */
const poolSources = new WeakMap<ProxyMetrics, () => PoolStats | undefined>();

/** POOL_GAUGES are the worker-pool gauges observePool adds: name, help, and the PoolStats field each reads. */
const POOL_GAUGES: ReadonlyArray<readonly [string, string, keyof PoolStats]> = [
  ['imageproxy_pool_busy_workers', 'Transform workers running a task.', 'busy'],
  ['imageproxy_pool_queue_length', 'Transforms waiting for a worker.', 'queued'],
  ['imageproxy_pool_workers', 'Live transform workers, including ones starting up.', 'workers'],
];

/**
 * createMetrics creates the proxy's metrics in `registry` (a new Registry by default, never the
 * prom-client global one).
 */
export function createMetrics(registry: Registry = new Registry(), opts: MetricsOptions = {}): ProxyMetrics {
  const registers = [registry];
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    servedFromCache: new Counter({
      name: 'imageproxy_requests_served_from_cache_total',
      help: 'Number of requests served from cache.',
      registers,
    }),
    transformationDuration: new Summary({
      name: 'imageproxy_transformation_duration_seconds',
      help: 'Time taken for image transformations in seconds.',
      registers,
    }),
    remoteFetchErrors: new Counter({
      name: 'imageproxy_remote_fetch_errors_total',
      help: 'Total remote image fetch errors',
      registers,
    }),
    cacheErrors: new Counter({
      name: 'imageproxy_cache_errors_total',
      help: 'Total cache backend errors (each one served as a cache miss).',
      registers,
    }),
    requestDuration: new Summary({
      name: 'http_request_duration_seconds',
      help: 'Request response times',
      registers,
    }),
    requestsInFlight: new Gauge({
      name: 'http_requests_in_flight',
      help: 'Number of requests in flight',
      registers,
    }),
    sourceMemoryBytes: new Gauge({
      name: 'imageproxy_source_memory_bytes',
      help: 'Bytes of origin bodies held by requests in progress.',
      registers,
    }),
    requestDurationByOutcome: new Histogram({
      name: 'imageproxy_request_duration_seconds',
      help: 'Time to answer image requests in seconds, by status class and cache state.',
      labelNames: ['status_class', 'cache'],
      buckets: [...REQUEST_DURATION_BUCKETS],
      registers,
    }),
    fleetLeases: new Counter({
      name: 'imageproxy_fleet_leases_total',
      help: 'Cache misses coalesced across the fleet, by entry, outcome (led, followed, alone) and reason (for alone).',
      labelNames: ['entry', 'outcome', 'reason'] as const,
      registers,
    }),
  };
}

/**
 * observePool adds the worker-pool gauges (POOL_GAUGES) to metrics' registry, each reading
 * stats() when scraped, so they cost nothing between scrapes; stats returns undefined (gauges at
 * 0) while no pool runs, e.g. before the first transform. Called again, it changes the source.
 * Only a server that owns its pool calls it, so nobody else's metrics show a pool that is not there.
 */
export function observePool(metrics: ProxyMetrics, stats: () => PoolStats | undefined): void {
  if (isDeferred(metrics)) return observePoolOf(metrics, stats);
  const known = poolSources.has(metrics);
  poolSources.set(metrics, stats);
  if (known) return;
  for (const [name, help, key] of POOL_GAUGES) {
    new Gauge({
      name, help, registers: [metrics.registry],
      collect(this: Gauge) {
        this.set(poolSources.get(metrics)?.()?.[key] ?? 0);
      },
    });
  }
}
