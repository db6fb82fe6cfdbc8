/**
 * Prometheus metrics of the proxy, under the Go server's metric names, in a registry of their own
 * so that several handlers in one process (and the host application's metrics) do not collide.
 */
import { Counter, Gauge, Registry, Summary } from 'prom-client';

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
}

/**
 * createMetrics creates the proxy's metrics in `registry` (a new Registry by default, never the
 * prom-client global one).
 */
export function createMetrics(registry: Registry = new Registry()): ProxyMetrics {
  const registers = [registry];
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
    fleetLeases: new Counter({
      name: 'imageproxy_fleet_leases_total',
      help: 'Cache misses coalesced across the fleet, by entry, outcome (led, followed, alone) and reason (for alone).',
      labelNames: ['entry', 'outcome', 'reason'] as const,
      registers,
    }),
  };
}
