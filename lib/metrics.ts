/**
 * Prometheus metrics of the proxy, under the Go server's metric names, in a registry of their own
 * so that several handlers in one process (and the host application's metrics) do not collide.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import type { PoolStats } from './pool/pool.js';

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
  /** imageproxy_request_duration_seconds: time to answer, by status class (2xx...) and cache state (HIT...). */
  requestDurationByOutcome: Histogram<'status_class' | 'cache'>;
  /** imageproxy_pool_busy_workers: transform workers running a task (see observePool). */
  poolBusyWorkers: Gauge;
  /** imageproxy_pool_queue_length: transforms waiting for a worker (see observePool). */
  poolQueueLength: Gauge;
  /** imageproxy_pool_workers: live transform workers, starting ones included (see observePool). */
  poolWorkers: Gauge;
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

/**
 * createMetrics creates the proxy's metrics in `registry` (a new Registry by default, never the
 * prom-client global one).
 */
export function createMetrics(registry: Registry = new Registry(), opts: MetricsOptions = {}): ProxyMetrics {
  const registers = [registry];
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  // The pool gauges read the pool when scraped, so they cost nothing between scrapes.
  const pool = (key: keyof PoolStats) => function collect(this: Gauge): void {
    this.set(poolSources.get(m)?.()?.[key] ?? 0);
  };
  const m: ProxyMetrics = {
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
    poolBusyWorkers: new Gauge({
      name: 'imageproxy_pool_busy_workers',
      help: 'Transform workers running a task.',
      collect: pool('busy'),
      registers,
    }),
    poolQueueLength: new Gauge({
      name: 'imageproxy_pool_queue_length',
      help: 'Transforms waiting for a worker.',
      collect: pool('queued'),
      registers,
    }),
    poolWorkers: new Gauge({
      name: 'imageproxy_pool_workers',
      help: 'Live transform workers, including ones starting up.',
      collect: pool('workers'),
      registers,
    }),
  };
  return m;
}

/**
 * observePool makes the pool gauges of metrics read stats() at each scrape; stats returns
 * undefined (gauges at 0) while no pool is running, e.g. before the first transform.
 */
export function observePool(metrics: ProxyMetrics, stats: () => PoolStats | undefined): void {
  poolSources.set(metrics, stats);
}

/** statusClass names the class of an HTTP status for a metric label: `2xx`, `4xx`, ... */
export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}
