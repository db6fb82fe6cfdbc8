/**
 * Deferred metrics: the proxy's metrics (lib/metrics.ts, the same names and types) without loading
 * prom-client at start. Loading prom-client (with @opentelemetry/api, perf_hooks and the default
 * metrics) costs the main thread about 60 ms, on the path to the first answer, so until it is
 * loaded each metric counts into plain numbers (counters and gauges) or keeps its observations
 * (summaries and histograms); loadMetrics loads it, creates the real metrics and replays what was
 * recorded into them, and every call after that goes straight to prom-client. A scrape (the
 * registry's metrics()) or reading a metric (get()) loads them first, so what they show is complete.
 * This module imports no prom-client: metrics.js is imported when the metrics are loaded.
 */
import type { Registry } from 'prom-client';
import type { MetricsOptions, ProxyMetrics } from './metrics.js';
import type { PoolStats } from './pool/pool.js';

/** MAX_PENDING_OBSERVATIONS bounds the observations one metric keeps before prom-client is loaded; reaching it loads prom-client. */
export const MAX_PENDING_OBSERVATIONS = 10_000;
/** CONTENT_TYPE is prom-client's Prometheus text content type, what the registry says before it is loaded. */
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** seconds is a monotonic clock in seconds: process.hrtime where there is one (Node, Bun, Deno), else performance.now (Workers). */
const seconds: () => number = typeof process === 'object' && typeof process?.hrtime?.bigint === 'function'
  ? () => Number(process.hrtime.bigint()) / 1e9
  : () => performance.now() / 1e3;

/** Labels are a metric's label values. */
type Labels = Record<string, string | number>;
/** Kind is how a metric's records are kept and replayed. */
type Kind = 'counter' | 'gauge' | 'observed';
/** MetricName names one of the ProxyMetrics metrics. */
type MetricName = Exclude<keyof ProxyMetrics, 'registry'>;

/** KINDS says how each metric of ProxyMetrics records (the compiler checks that none is missing). */
const KINDS: Record<MetricName, Kind> = {
  servedFromCache: 'counter',
  transformationDuration: 'observed',
  remoteFetchErrors: 'counter',
  cacheErrors: 'counter',
  requestDuration: 'observed',
  requestsInFlight: 'gauge',
  sourceMemoryBytes: 'gauge',
  fleetLeases: 'counter',
  requestDurationByOutcome: 'observed',
};

/** RealMetric is the part of a prom-client metric a deferred one forwards to. */
interface RealMetric {
  inc(labels?: Labels | number, value?: number): void;
  dec(labels?: Labels | number, value?: number): void;
  set(labels: Labels | number, value?: number): void;
  observe(labels: Labels | number, value?: number): void;
  get(): Promise<unknown>;
}

/** labelsAndValue splits prom-client's `(labels?, value?)` arguments. */
function labelsAndValue(a: Labels | number | undefined, b: number | undefined, dflt: number): [Labels | undefined, number] {
  return typeof a === 'object' ? [a, b ?? dflt] : [undefined, a ?? dflt];
}

/** keyOf identifies a label set (label order as given; the proxy always gives them in one order). */
function keyOf(labels: Labels | undefined): string {
  return labels === undefined ? '' : JSON.stringify(labels);
}

/** DeferredMetric is one metric recording locally until its prom-client metric is attached. */
class DeferredMetric {
  private real: RealMetric | undefined;
  /** Counters and gauges: the value per label set (a gauge's from its last set() on). */
  private readonly values = new Map<string, { labels: Labels | undefined; value: number }>();
  /** Summaries and histograms: the observations, in order. */
  private readonly observations: Array<[Labels | undefined, number]> = [];

  constructor(private readonly owner: DeferredSet, private readonly kind: Kind) {}

  inc(a?: Labels | number, b?: number): void {
    if (this.real) return this.real.inc(a, b);
    this.add(...labelsAndValue(a, b, 1), false);
  }

  dec(a?: Labels | number, b?: number): void {
    if (this.real) return this.real.dec(a, b);
    const [labels, v] = labelsAndValue(a, b, 1);
    this.add(labels, -v, false);
  }

  set(a: Labels | number, b?: number): void {
    if (this.real) return this.real.set(a, b);
    this.add(...labelsAndValue(a, b, 0), true);
  }

  observe(a: Labels | number, b?: number): void {
    if (this.real) return this.real.observe(a, b);
    this.observations.push(labelsAndValue(a, b, 0));
    if (this.observations.length >= MAX_PENDING_OBSERVATIONS) void this.owner.load();
  }

  /** startTimer returns the function that observes the seconds since, with labels (and the end's), as prom-client's does. */
  startTimer(labels?: Labels): (end?: Labels) => number {
    const start = seconds();
    return (end) => {
      const s = seconds() - start;
      const all = labels || end ? { ...labels, ...end } : undefined;
      if (all) this.observe(all, s); else this.observe(s);
      return s;
    };
  }

  /** get loads prom-client and returns the real metric's values. */
  async get(): Promise<unknown> {
    await this.owner.load();
    return this.real!.get();
  }

  /** attach replays what was recorded into real and forwards every later call to it. */
  attach(real: RealMetric): void {
    for (const { labels, value } of this.values.values()) {
      // A gauge starts at 0, so its net value is what to set; a counter only ever went up.
      if (this.kind === 'gauge') { if (labels) real.set(labels, value); else real.set(value); }
      else if (value > 0) { if (labels) real.inc(labels, value); else real.inc(value); }
    }
    for (const [labels, value] of this.observations) { if (labels) real.observe(labels, value); else real.observe(value); }
    this.values.clear();
    this.observations.length = 0;
    this.real = real;
  }

  private add(labels: Labels | undefined, v: number, set: boolean): void {
    const key = keyOf(labels);
    const e = this.values.get(key);
    if (!e) this.values.set(key, { labels, value: v });
    else e.value = set ? v : e.value + v;
  }
}

/** DeferredRegistry stands for the prom-client registry until it is loaded; metrics() loads it. */
class DeferredRegistry {
  real: Registry | undefined;

  constructor(private readonly owner: DeferredSet) {}

  get contentType(): string {
    return this.real?.contentType ?? CONTENT_TYPE;
  }

  async metrics(): Promise<string> {
    await this.owner.load();
    return this.real!.metrics();
  }
}

/** DeferredSet is one deferred ProxyMetrics: its metrics, its registry and how they are loaded. */
class DeferredSet {
  readonly registry = new DeferredRegistry(this);
  readonly metrics = new Map<MetricName, DeferredMetric>();
  /** This set as the ProxyMetrics the core records into. */
  readonly proxyMetrics: ProxyMetrics;
  /** The pool whose gauges to add once loaded (observePoolOf). */
  pool: (() => PoolStats | undefined) | undefined;
  private loading: Promise<void> | undefined;

  constructor(private readonly opts: MetricsOptions) {
    for (const [name, kind] of Object.entries(KINDS) as Array<[MetricName, Kind]>) this.metrics.set(name, new DeferredMetric(this, kind));
    this.proxyMetrics = Object.fromEntries([['registry', this.registry], ...this.metrics]) as unknown as ProxyMetrics;
  }

  /** load imports prom-client (once), creates the real metrics and attaches them. */
  load(): Promise<void> {
    this.loading ??= import('./metrics.js').then(({ createMetrics, observePool }) => {
      const real = createMetrics(undefined, this.opts);
      for (const [name, m] of this.metrics) m.attach(real[name] as unknown as RealMetric);
      this.registry.real = real.registry;
      if (this.pool) observePool(real, this.pool);
      this.pool = undefined;
      realOf.set(this.proxyMetrics, real);
    });
    return this.loading;
  }
}

/** The deferred sets by the ProxyMetrics they made. */
const sets = new WeakMap<ProxyMetrics, DeferredSet>();
/** The real metrics of each deferred set once loaded. */
const realOf = new WeakMap<ProxyMetrics, ProxyMetrics>();

/**
 * createDeferredMetrics creates the proxy's metrics (as createMetrics does, in a registry of their
 * own, opts alike) without loading prom-client; see loadMetrics. The metrics implement what the
 * proxy calls (inc, dec, set, observe, startTimer, get) and the registry metrics() and contentType;
 * for anything else of prom-client's, call loadMetrics and use realMetrics.
 */
export function createDeferredMetrics(opts: MetricsOptions = {}): ProxyMetrics {
  const set = new DeferredSet(opts);
  sets.set(set.proxyMetrics, set);
  return set.proxyMetrics;
}

/** loadMetrics loads prom-client behind deferred metrics and replays what they recorded; for other metrics it does nothing. */
export async function loadMetrics(metrics: ProxyMetrics): Promise<void> {
  await sets.get(metrics)?.load();
}

/** realMetrics returns the prom-client metrics behind metrics: themselves, or a deferred set's once loaded (else undefined). */
export function realMetrics(metrics: ProxyMetrics): ProxyMetrics | undefined {
  return sets.has(metrics) ? realOf.get(metrics) : metrics;
}

/** isDeferred says whether createDeferredMetrics made metrics. */
export function isDeferred(metrics: ProxyMetrics): boolean {
  return sets.has(metrics);
}

/**
 * observePoolOf is metrics.ts's observePool for deferred metrics too, without importing
 * prom-client: deferred metrics get the pool gauges when they are loaded, others once metrics.js
 * is imported (a tick later).
 */
export function observePoolOf(metrics: ProxyMetrics, stats: () => PoolStats | undefined): void {
  const set = sets.get(metrics);
  const real = set ? realOf.get(metrics) : metrics;
  if (set && !real) { set.pool = stats; return; }
  void import('./metrics.js').then(({ observePool }) => observePool(real!, stats));
}

/** statusClass names the class of an HTTP status for a metric label: `2xx`, `4xx`, ... */
export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}
