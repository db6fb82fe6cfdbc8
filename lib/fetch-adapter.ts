/**
 * The web-standard adapter: turns a fetch Request into a CoreRequest, the core's Answer into a
 * Response, and the request's abort signal into the core's cancellation. Everything the proxy
 * decides is in lib/core; which transformer and origin a runtime uses is decided by the entry
 * that builds the handler (fetch-handler.ts for runtimes with threads, fetch-entry.ts for
 * Cloudflare Workers and other runtimes without node:http), so that this file imports nothing
 * a runtime might lack.
 */
import { defaultConfig, type ProxyConfig } from './config.js';
import { ProxyError } from './errors.js';
import { observePool, type ProxyMetrics } from './metrics.js';
import type { TransformPool } from './pool/pool.js';
import { createCore, type ProxyCore } from './core/core.js';
import { coreHeaderNames } from './core/headers.js';
import { textAnswer } from './core/answer.js';
import { SECURITY_HEADERS } from './security/headers.js';
import { LazyTransformer } from './core/state.js';
import { CLIENT_CLOSED_REQUEST, ClientGoneError, type Answer, type CoreRequest, type FetchHandler, type OriginFetcher } from './core/types.js';
import type { Transformer } from './transform/types.js';
import type { AddressResolver, WebFetch } from './origin/fetch-web.js';

/** TransformsMode says where transforms run when no transformer is given. */
export type TransformsMode = 'auto' | 'workers' | 'inline';

/** FetchHandlerOptions are a partial ProxyConfig plus the collaborators a fetch handler may be given. */
export interface FetchHandlerOptions extends Partial<ProxyConfig> {
  /** Runs transforms; default: as `transforms` says. */
  transformer?: Transformer;
  /**
   * Where transforms run when no transformer is given: 'workers' on a worker-thread pool,
   * 'inline' in the calling thread (one at a time, with the pool's queue bound and time limit),
   * 'auto' (default) on workers where worker_threads can run them, inline elsewhere.
   */
  transforms?: TransformsMode;
  /** Metrics to record into; default: new metrics in a registry of their own. */
  metrics?: ProxyMetrics;
  /** Fetches from origins; default: node:http where it exists (every resolved address checked), else the runtime's fetch. */
  origin?: OriginFetcher;
  /** Fetch origins through this fetch (webOrigin, origin/fetch-web.ts) instead of the default. */
  fetch?: WebFetch;
  /** With `fetch` (or where it is the default): resolves names so their addresses are checked before each hop. */
  resolve?: AddressResolver;
  /**
   * Path prefix the handler is mounted under (`/img`): it is removed before the proxy reads the
   * path, and a request outside it is answered 404.
   */
  prefix?: string;
  /**
   * Answer `/` and `/health-check` ("OK") and `/favicon.ico` (empty), as the standalone server
   * does; default false (404), as for the node:http handler, so an embedded handler leaves them to the app.
   */
  healthCheck?: boolean;
  /** Answer `/metrics` with the Prometheus text of `metrics`; default false (404), as for the node:http handler. */
  metricsEndpoint?: boolean;
}

/** ImageProxyFetchHandler is the `(request) => Promise<Response>` function createFetchHandler returns, with its configuration and lifecycle. */
export interface ImageProxyFetchHandler extends FetchHandler {
  /** The complete configuration in use. */
  readonly config: ProxyConfig;
  /** The metrics `/metrics` prints. */
  readonly metrics: ProxyMetrics;
  /** close stops the transformer (the default one or the one given) and closes the cache. */
  close(): Promise<void>;
}

/** RuntimeDefaults are what an entry supplies for the collaborators the options leave out. */
export interface RuntimeDefaults {
  /** Makes the transformer used when none is given (called on the first transform). */
  transformer(config: ProxyConfig, mode: TransformsMode): Transformer;
  /** Makes the origin used when neither `origin` nor `fetch` is given. */
  origin(config: ProxyConfig, opts: { resolve?: AddressResolver }): OriginFetcher;
  /** Makes the origin for a given `fetch`. */
  webOrigin(config: ProxyConfig, opts: { fetch?: WebFetch; resolve?: AddressResolver }): OriginFetcher;
}

/** NoWorkersError is the 500 for transforms asked to run on worker threads where the runtime has none. */
export class NoWorkersError extends ProxyError {
  constructor() {
    super(500, 'no_workers', 'The server cannot start transform workers on this runtime.');
    this.name = 'NoWorkersError';
  }
}

/** withoutUndefined drops keys whose value is undefined, so they do not override defaults. */
function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** normalizePrefix returns prefix without its trailing slashes, '' for none; it must start with '/'. */
function normalizePrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === '' || prefix === '/') return '';
  if (!prefix.startsWith('/')) throw new TypeError(`createFetchHandler: prefix ${JSON.stringify(prefix)} must start with "/"`);
  return prefix.replace(/\/+$/, '');
}

/**
 * buildFetchHandler makes a fetch handler over a new core from options, filling in the
 * collaborators the options leave out from `defaults`.
 */
export function buildFetchHandler(options: FetchHandlerOptions, defaults: RuntimeDefaults): ImageProxyFetchHandler {
  const { transformer, transforms, metrics, origin, fetch, resolve, prefix, healthCheck = false, metricsEndpoint = false, ...overrides } = options;
  const config = defaultConfig(withoutUndefined(overrides));
  const mode = transforms ?? 'auto';
  // The transformer in use (given, or made on the first transform), for the pool gauges.
  let running: Transformer | undefined = transformer;
  const core = createCore({
    config,
    metrics,
    origin: origin ?? (fetch ? defaults.webOrigin(config, { fetch, resolve }) : defaults.origin(config, { resolve })),
    transformer: new LazyTransformer(() => (running = defaults.transformer(config, mode)), transformer),
  });
  observePool(core.metrics, () => (running as Partial<TransformPool> | undefined)?.stats?.());
  const names = coreHeaderNames(config);
  const base = normalizePrefix(prefix);
  const route: Route = { names, prefix: base, endpoints: { healthCheck, metricsEndpoint } };
  const handler = ((request: Request): Promise<Response> => serve(core, route, request)) as ImageProxyFetchHandler;
  Object.defineProperties(handler, {
    config: { value: core.config, enumerable: true },
    metrics: { value: core.metrics, enumerable: true },
    close: { value: () => core.close() },
  });
  return handler;
}

/**
 * requestTarget returns the path and query of a request URL as the client sent them (the URL
 * without scheme, authority and fragment), relative to prefix; undefined when outside prefix.
 */
export function requestTarget(url: string, prefix: string): string | undefined {
  const scheme = url.indexOf('//');
  const start = url.indexOf('/', scheme < 0 ? 0 : scheme + 2);
  let target = start < 0 ? '/' : url.slice(start);
  const hash = target.indexOf('#');
  if (hash >= 0) target = target.slice(0, hash);
  if (prefix === '') return target;
  if (!target.startsWith(prefix)) return undefined;
  const rest = target.slice(prefix.length);
  if (rest === '') return '/';
  if (rest.startsWith('/')) return rest;
  return rest.startsWith('?') ? `/${rest}` : undefined;
}

/** Route is what a handler needs to turn a Request into a CoreRequest, or to refuse it. */
interface Route {
  /** The request headers the core reads. */
  names: readonly string[];
  /** The normalised prefix, '' for none. */
  prefix: string;
  /** Which of the standalone server's endpoints are on. */
  endpoints: { healthCheck: boolean; metricsEndpoint: boolean };
}

/** ENDPOINTS are the standalone server's fixed paths, by the option that turns each on. */
const ENDPOINTS: Readonly<Record<string, 'healthCheck' | 'metricsEndpoint'>> = {
  '/': 'healthCheck',
  '/health-check': 'healthCheck',
  '/favicon.ico': 'healthCheck',
  '/metrics': 'metricsEndpoint',
};

/** endpointOff reports whether target is one of the standalone server's endpoints, not turned on here. */
function endpointOff(target: string, endpoints: Route['endpoints']): boolean {
  const q = target.indexOf('?');
  const endpoint = ENDPOINTS[q < 0 ? target : target.slice(0, q)];
  return endpoint !== undefined && !endpoints[endpoint];
}

/** coreRequest copies what the core reads of a Request: method, target, and only the headers named. */
function coreRequest(request: Request, target: string, names: readonly string[]): CoreRequest {
  const headers: Record<string, string> = {};
  for (const name of names) {
    const v = request.headers.get(name);
    if (v !== null) headers[name] = v;
  }
  return { method: request.method.toUpperCase(), url: target, headers };
}

/** serve answers one Request through the core; it never rejects. */
async function serve(core: ProxyCore, route: Route, request: Request): Promise<Response> {
  const ctl = new AbortController();
  const signal: AbortSignal | undefined = request.signal;
  const onAbort = (): void => ctl.abort(new ClientGoneError());
  try {
    const target = requestTarget(request.url, route.prefix);
    const req = coreRequest(request, target ?? '/', route.names);
    if (target === undefined || endpointOff(target, route.endpoints)) {
      return toResponse(textAnswer(req, 404, 'Not found: this path is not an image request.\n', { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' }));
    }
    if (signal?.aborted) return toResponse({ status: CLIENT_CLOSED_REQUEST, headers: {}, body: undefined });
    signal?.addEventListener('abort', onAbort, { once: true });
    return toResponse(await core.answer(req, ctl));
  } catch {
    return new Response(null, { status: 500, headers: { 'Cache-Control': 'no-store' } });
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * toResponse turns an Answer into a Response. An answer nobody waits for (the client went away)
 * becomes an empty CLIENT_CLOSED_REQUEST response: a fetch handler cannot drop the connection
 * itself, and its runtime discards what is sent to a client that left.
 */
export function toResponse(a: Answer): Response {
  const headers = new Headers();
  for (const name in a.headers) headers.set(name, a.headers[name]);
  return new Response(a.body ?? null, { status: a.status, headers });
}
