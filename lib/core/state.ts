/**
 * The core's shared state: what every request of one proxy uses (configuration, metrics, cache,
 * origin, transformer, the single flights and the source-memory budget), built once from the
 * options, with everything derivable from the configuration worked out here rather than per
 * request.
 */
import type { ProxyConfig, Logger } from '../config.js';
import { ResponseCache } from '../cache/responses.js';
import { SingleFlight } from '../flow/singleflight.js';
import { ByteBudget } from '../flow/budget.js';
import type { ProxyMetrics } from '../metrics.js';
import { createDeferredMetrics } from '../metrics-deferred.js';
import { OWN_HEADERS } from '../security/headers.js';
import type { Transformer, TransformResult } from '../transform/types.js';
import type { Options } from '../request/options.js';
import type { Limits } from '../config.js';
import type { OriginFetcher, Outcome } from './types.js';
import type { FleetLeases } from '../flow/lease.js';
import { createFleet } from './fleet.js';

/** CoreOptions are what a core is built from; the adapters supply the runtime's collaborators. */
export interface CoreOptions {
  /** The complete configuration (defaultConfig() over the caller's settings). */
  config: ProxyConfig;
  /** How origins are fetched. */
  origin: OriginFetcher;
  /** Runs transforms; see LazyTransformer for one made on first use. */
  transformer: Transformer;
  /** Metrics to record into; default: new deferred metrics (createDeferredMetrics) in a registry of their own. */
  metrics?: ProxyMetrics;
}

/** CoreState is one proxy's shared state; the request path's module functions read it through their RequestContext. */
export interface CoreState {
  /** The complete configuration. */
  readonly config: ProxyConfig;
  /** Where the request path records what it did. */
  readonly metrics: ProxyMetrics;
  /** config.logger. */
  readonly log: Logger;
  /** How origins are fetched. */
  readonly origin: OriginFetcher;
  /** Runs transforms. */
  readonly transformer: Transformer;
  /** The response cache, when config.cache is set. */
  readonly responses: ResponseCache | undefined;
  /** Origin fetches in progress, shared by requests whose origin request would be the same. */
  readonly originals: SingleFlight<Outcome>;
  /** Variant loads in progress, likewise. */
  readonly variants: SingleFlight<Outcome>;
  /** The origin bodies all requests in progress hold (-maxSourceMemory). */
  readonly sourceMemory: ByteBudget;
  /** Leases that make a miss worked on by one instance of the fleet (config.fleetLeases with a Redis tier); see fleet.ts. */
  readonly fleet: FleetLeases | undefined;
  /** Lower-case request headers copied from clients to origins, which may differ per client (for Vary). */
  readonly clientHeaders: readonly string[];
  /** passResponseHeaders that may be copied to a client: [name as configured, lower-case name], each once. */
  readonly passHeaders: ReadonlyArray<readonly [string, string]>;
  /** Whether passHeaders include ETag, so a 304 carries it already. */
  readonly passesETag: boolean;
}

/** HEADER_NAME is an HTTP token (RFC 9110 section 5.1); a configured name that is not one is never sent. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** createState builds the shared state for options. */
export function createState(options: CoreOptions): CoreState {
  const { config } = options;
  // Deferred: prom-client loads on the first scrape, not on the way to the first answer.
  const metrics = options.metrics ?? createDeferredMetrics();
  const responses = config.cache
    ? new ResponseCache(config.cache, {
      minCacheDurationMs: config.minCacheDurationMs,
      forceCache: config.forceCache,
      logger: config.logger,
      onError: () => metrics.cacheErrors.inc(),
    })
    : undefined;
  const passHeaders = passableHeaders(config.passResponseHeaders);
  return {
    config,
    metrics,
    log: config.logger,
    origin: options.origin,
    transformer: options.transformer,
    responses,
    originals: new SingleFlight<Outcome>(),
    variants: new SingleFlight<Outcome>(),
    sourceMemory: new ByteBudget(config.maxSourceMemory),
    fleet: createFleet(config),
    clientHeaders: [
      ...config.passRequestHeaders.map((h) => h.trim().toLowerCase()),
      ...(config.includeReferer ? ['referer'] : []),
    ],
    passHeaders,
    passesETag: passHeaders.some(([, lower]) => lower === 'etag'),
  };
}

/** passableHeaders lists the configured response headers a client may get: valid names, not the proxy's own, each once. */
function passableHeaders(names: readonly string[]): Array<readonly [string, string]> {
  const out = new Map<string, string>();
  for (const name of names) {
    const lower = name.toLowerCase();
    if (HEADER_NAME.test(name) && !OWN_HEADERS.has(lower) && !out.has(lower)) out.set(lower, name);
  }
  return [...out].map(([lower, name]) => [name, lower] as const);
}

/**
 * LazyTransformer is a Transformer that makes the real one (a worker pool, say) on its first run,
 * so a proxy that never transforms never starts workers. close() closes whichever is in use; a
 * later run makes a new one.
 */
export class LazyTransformer implements Transformer {
  private current: Transformer | undefined;

  constructor(private readonly create: () => Transformer, given?: Transformer) {
    this.current = given;
  }

  run(bytes: Uint8Array, options: Options, limits: Limits, signal?: AbortSignal): Promise<TransformResult> {
    try {
      this.current ??= this.create();
    } catch (err) {
      return Promise.reject(err);
    }
    return this.current.run(bytes, options, limits, signal);
  }

  /**
   * ready makes the real transformer now (a standalone server wants its workers before its
   * first request, not on it) and waits for its own ready(), if it has one.
   */
  async ready(): Promise<void> {
    try {
      this.current ??= this.create();
    } catch {
      return; // run() reports the same error for each request.
    }
    await this.current.ready?.();
  }

  async close(): Promise<void> {
    const t = this.current;
    this.current = undefined;
    await t?.close();
  }
}
