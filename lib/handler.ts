/**
 * The HTTP request handler: parses a proxy request, applies the policy, serves from cache or
 * fetches (sharing concurrent fetches and transforms), transforms, and answers with safe headers.
 *
 * It works as a plain `http.createServer(handler)` listener and as Express middleware
 * (`app.use('/img', imageproxy(opts))`; under a mount it reads req.url, which Express makes
 * relative to the mount).
 */
import { defaultWorkers } from './pool/cpus.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defaultConfig, type ProxyConfig } from './config.js';
import { ProxyError, GatewayTimeoutError, BadGatewayError, isProxyError } from './errors.js';
import { isTransform } from './request/options.js';
import { parseRequest, cacheKey, type ProxyRequest } from './request/request.js';
import { checkHop, checkRequest, type Admission } from './security/policy.js';
import { fetchRemote, originRequestHeaders, type FetchResult } from './origin/fetch.js';
import { SingleFlight } from './flow/singleflight.js';
import { ByteBudget, type Lease } from './flow/budget.js';
import { contentTypeAllowed } from './origin/contenttype.js';
import { createMetrics, type ProxyMetrics } from './metrics.js';
import { createTransformPool, WORKER_YOUNG_GENERATION_MB } from './pool/pool.js';
import { ResponseCache, isFresh } from './cache/responses.js';
import { updateCacheHeaders } from './cache/clientheaders.js';
import type { CachedResponse } from './cache/cache.js';
import type { Transformer } from './transform/types.js';

/** SECURITY_HEADERS go on every image response: any site may embed it, nothing in it may run. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': '*',
  'X-Content-Type-Options': 'nosniff',
  // An SVG opened directly must stay an inert picture: no scripts, no plugins, no navigation.
  'Content-Security-Policy': "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'none'; sandbox",
};

/** HandlerOptions are a partial ProxyConfig plus the collaborators a handler may be given. */
export interface HandlerOptions extends Partial<ProxyConfig> {
  /** Runs transforms; default: a worker pool created on the first transform. */
  transformer?: Transformer;
  /** Metrics to record into; default: new metrics in a registry of their own. */
  metrics?: ProxyMetrics;
}

/** ImageProxyHandler is the request listener imageproxy returns, with its configuration and lifecycle. */
export interface ImageProxyHandler {
  (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): void;
  /** The complete configuration in use. */
  readonly config: ProxyConfig;
  /** The metrics `/metrics` prints. */
  readonly metrics: ProxyMetrics;
  /** close stops the transformer (the default pool or the one given) and closes the cache. */
  close(): Promise<void>;
}

/** How an image request was answered, for X-Cache and the served-from-cache metric. */
type CacheState = 'HIT' | 'MISS' | 'REVALIDATED';

/** Outcome of loading an image: the response to serve, or an origin redirect passed through. */
type Outcome =
  | { kind: 'image'; entry: CachedResponse; cache: CacheState }
  | { kind: 'redirect'; status: number; location: string }
  | { kind: 'empty'; status: 204 };

/** ClientGoneError is the abort reason when the client disconnects before its answer. */
class ClientGoneError extends Error {
  constructor() {
    super('The client went away.');
    this.name = 'ClientGoneError';
  }
}

/** Headers the handler sets itself and never copies from the origin. */
const OWN_HEADERS = new Set(['content-type', 'content-length', 'x-cache', 'access-control-allow-origin',
  'x-content-type-options', 'content-security-policy']);

/** withoutUndefined drops keys whose value is undefined, so they do not override defaults. */
function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** describe formats an error and its cause for a log line. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? ` (${err.cause.message || err.cause.name})` : '';
  const detail = isProxyError(err) && err.detail ? ` [${err.detail}]` : '';
  return `${err.message}${cause}${detail}`;
}

/** sameVersion reports whether a stored variant was made from the same origin version as `orig`. */
function sameVersion(variant: Record<string, string>, orig: Record<string, string>): boolean {
  if (variant.etag || orig.etag) return variant.etag === orig.etag && !!orig.etag;
  return !!orig['last-modified'] && variant['last-modified'] === orig['last-modified'];
}

/** etagMatches implements If-None-Match's weak comparison against one ETag. */
function etagMatches(header: string, etag: string): boolean {
  const strip = (t: string): string => t.trim().replace(/^W\//, '');
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => strip(t) === strip(etag));
}

/** notModified reports whether the client's conditional headers make a 304 the right answer. */
function notModified(req: IncomingMessage, headers: Record<string, string>): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) return !!headers.etag && etagMatches(inm, headers.etag);
  const ims = req.headers['if-modified-since'];
  const lm = headers['last-modified'];
  if (ims === undefined || lm === undefined) return false;
  const since = Date.parse(ims);
  const modified = Date.parse(lm);
  return !Number.isNaN(since) && !Number.isNaN(modified) && since >= modified;
}

/**
 * imageproxy returns a request handler for the proxy, configured by `options` over
 * defaultConfig(); use it with `http.createServer(handler)` or as Express middleware.
 */
export function imageproxy(options: HandlerOptions = {}): ImageProxyHandler {
  const { transformer: given, metrics: givenMetrics, ...overrides } = options;
  const config = defaultConfig(withoutUndefined(overrides));
  const metrics = givenMetrics ?? createMetrics();
  const log = config.logger;
  const responses = config.cache
    ? new ResponseCache(config.cache, {
      minCacheDurationMs: config.minCacheDurationMs,
      forceCache: config.forceCache,
      logger: log,
      onError: () => metrics.cacheErrors.inc(),
    })
    : undefined;
  let transformer = given;
  const getTransformer = (): Transformer => {
    transformer ??= createTransformPool({
      workers: config.workers || defaultWorkers(),
      maxQueue: config.maxQueue,
      taskTimeoutMs: config.transformTimeoutMs,
      resourceLimits: { maxOldGenerationSizeMb: config.workerMemoryMb, maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      logger: log,
    });
    return transformer;
  };
  const originals = new SingleFlight<Outcome>();
  const sourceMemory = new ByteBudget(config.maxSourceMemory);
  const variants = new SingleFlight<Outcome>();

  /** cacheGet reads the response cache; a failure there is only a miss. */
  async function cacheGet(key: string): Promise<CachedResponse | undefined> {
    if (!responses) return undefined;
    try {
      return await responses.get(key);
    } catch (err) {
      metrics.cacheErrors.inc();
      log.warn(`imageproxy: cache read failed: ${describe(err)}`);
      return undefined;
    }
  }

  // Headers copied from clients may differ per client: a response that varies on one is not shared.
  const clientHeaders = [
    ...config.passRequestHeaders.map((h) => h.trim().toLowerCase()),
    ...(config.includeReferer ? ['referer'] : []),
  ];

  /**
   * store keeps a response in the cache when its headers and the origin request behind it allow,
   * and returns what to serve.
   */
  async function store(
    key: string,
    resp: { status: number; headers: Record<string, string>; body: Buffer },
    originHeaders: Record<string, string>,
  ): Promise<CachedResponse> {
    const now = Date.now();
    let stored: CachedResponse | undefined;
    if (responses) {
      try {
        stored = await responses.put(key, resp, now, { authorization: 'authorization' in originHeaders, clientHeaders });
      } catch (err) {
        metrics.cacheErrors.inc();
        log.warn(`imageproxy: cache write failed: ${describe(err)}`);
      }
    }
    return stored ?? { ...resp, storedAt: now, expiresAt: now };
  }

  /** refresh renews a stale entry; on a cache failure the entry is served as it is. */
  async function refresh(key: string, entry: CachedResponse, headers: Record<string, string>): Promise<CachedResponse> {
    try {
      return responses ? await responses.refresh(key, entry, headers, Date.now()) : entry;
    } catch (err) {
      metrics.cacheErrors.inc();
      log.warn(`imageproxy: cache refresh failed: ${describe(err)}`);
      return { ...entry, headers: { ...entry.headers, ...headers } };
    }
  }

  /** loadOriginal serves the origin's response from cache, by revalidation, or by fetching it. */
  async function loadOriginal(preq: ProxyRequest, admission: Admission, originHeaders: Record<string, string>, lease: Lease, signal: AbortSignal): Promise<Outcome> {
    const key = preq.remoteString;
    let cached = await cacheGet(key);
    // An entry stored under an older, wider contentTypes setting is not served; the fetch decides again.
    if (cached && !contentTypeAllowed(cached.headers['content-type'] ?? '', config.contentTypes)) cached = undefined;
    if (cached && isFresh(cached, Date.now())) return { kind: 'image', entry: cached, cache: 'HIT' };
    const headers = { ...originHeaders };
    if (cached?.headers.etag) headers['if-none-match'] = cached.headers.etag;
    if (cached?.headers['last-modified']) headers['if-modified-since'] = cached.headers['last-modified'];
    let r: FetchResult;
    try {
      r = await fetchRemote(preq.remote, { config, admission, headers, signal, lease });
    } catch (err) {
      if (!signal.aborted && isProxyError(err) && err.status !== 403 && err.status !== 415 && err.status !== 503) metrics.remoteFetchErrors.inc();
      throw err;
    } finally {
      metrics.sourceMemoryBytes.set(sourceMemory.inUse());
    }
    if (r.status === 304 && cached) return { kind: 'image', entry: await refresh(key, cached, r.headers), cache: 'REVALIDATED' };
    if (r.status >= 300 && r.status < 400) return { kind: 'redirect', status: r.status, location: r.headers.location ?? '' };
    if (r.status === 204) return { kind: 'empty', status: 204 };
    return { kind: 'image', entry: await store(key, { status: 200, headers: r.headers, body: r.body }, originHeaders), cache: 'MISS' };
  }

  /**
   * originalFlight runs loadOriginal once for all concurrent requests that would fetch the same
   * thing; the body counts against the lease of the request that started the fetch.
   */
  function originalFlight(preq: ProxyRequest, admission: Admission, originHeaders: Record<string, string>, lease: Lease, signal: AbortSignal): Promise<Outcome> {
    // Requests whose origin request would differ (policy, passed headers) must not share a fetch.
    const key = JSON.stringify([admission, originHeaders, preq.remoteString]);
    return originals.do(key, (s) => loadOriginal(preq, admission, originHeaders, lease, s), signal);
  }

  /** loadVariant serves a transformed variant from cache, or transforms the original. */
  async function loadVariant(preq: ProxyRequest, admission: Admission, originHeaders: Record<string, string>, lease: Lease, signal: AbortSignal): Promise<Outcome> {
    const key = cacheKey(preq);
    const cached = await cacheGet(key);
    if (cached && isFresh(cached, Date.now())) return { kind: 'image', entry: cached, cache: 'HIT' };
    const orig = await originalFlight(preq, admission, originHeaders, lease, signal);
    if (orig.kind !== 'image') return orig;
    const { 'content-type': _, ...origHeaders } = orig.entry.headers;
    if (cached && orig.cache !== 'MISS' && sameVersion(cached.headers, orig.entry.headers)) {
      // The origin has not changed since this variant was made: renew it instead of transforming again.
      return { kind: 'image', entry: await refresh(key, cached, origHeaders), cache: orig.cache === 'HIT' ? 'HIT' : 'REVALIDATED' };
    }
    const options = { ...preq.options, scaleUp: preq.options.scaleUp || config.scaleUp };
    const end = metrics.transformationDuration.startTimer();
    let result;
    try {
      result = await getTransformer().run(orig.entry.body, options, config.limits, signal);
    } catch (err) {
      if (isProxyError(err) || signal.aborted) throw err;
      const e = new BadGatewayError('The remote image could not be processed.', 'transform_failed');
      e.cause = err;
      throw e;
    }
    end();
    const body = Buffer.from(result.bytes.buffer, result.bytes.byteOffset, result.bytes.byteLength);
    const entry = await store(key, { status: 200, headers: { ...origHeaders, 'content-type': result.contentType }, body }, originHeaders);
    return { kind: 'image', entry, cache: 'MISS' };
  }

  function sendImage(req: IncomingMessage, res: ServerResponse, entry: CachedResponse, cache: CacheState): number {
    const h = updateCacheHeaders(entry.headers, { minCacheDurationMs: config.minCacheDurationMs, forceCache: config.forceCache });
    for (const name of config.passResponseHeaders) {
      const lower = name.toLowerCase();
      if (OWN_HEADERS.has(lower) || h[lower] === undefined) continue;
      try {
        res.setHeader(name, h[lower]);
      } catch {
        // A value Node will not send (stored by an older version, say) is dropped, not a failure.
      }
    }
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    res.setHeader('X-Cache', cache);
    if (notModified(req, h)) {
      if (h.etag) res.setHeader('ETag', h.etag);
      res.statusCode = 304;
      res.end();
      return 304;
    }
    res.setHeader('Content-Type', h['content-type'] || 'application/octet-stream');
    res.setHeader('Content-Length', entry.body.length);
    res.statusCode = 200;
    res.end(req.method === 'HEAD' ? undefined : entry.body);
    return 200;
  }

  function sendText(req: IncomingMessage, res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
    res.statusCode = status;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.end(req.method === 'HEAD' ? undefined : text);
  }

  /** sendError answers with the error's status and one sentence, and logs why. */
  function sendError(req: IncomingMessage, res: ServerResponse, err: unknown): number {
    let e: ProxyError;
    if (isProxyError(err)) {
      e = err;
      log.warn(`imageproxy: ${req.method} ${req.url} refused with ${e.status} ${e.code}: ${describe(e)}`);
    } else {
      log.error(`imageproxy: ${req.method} ${req.url} failed unexpectedly: ${err instanceof Error ? err.stack : String(err)}`);
      e = new ProxyError(500, 'internal', 'The server failed to answer this request.');
    }
    if (res.headersSent) {
      res.destroy();
      return e.status;
    }
    sendText(req, res, e.status, `${e.message}\n`, {
      ...e.headers,
      'Cache-Control': 'no-store',
      ...SECURITY_HEADERS,
    });
    return e.status;
  }

  /** serveImage answers one proxy request. */
  async function serveImage(req: IncomingMessage, res: ServerResponse, url: string): Promise<void> {
    const started = Date.now();
    metrics.requestsInFlight.inc();
    const endTimer = metrics.requestDuration.startTimer();
    const ctl = new AbortController();
    const onClose = (): void => {
      if (!res.writableFinished) ctl.abort(new ClientGoneError());
    };
    res.once('close', onClose);
    const timer = setTimeout(() => ctl.abort(new GatewayTimeoutError('The request took too long to answer.')), config.timeoutMs);
    let status = 0;
    let cache = '';
    // The origin body this request fetches counts against -maxSourceMemory until it has answered.
    const lease = sourceMemory.lease();
    try {
      const preq = parseRequest(url, config.baseURL);
      const admission = checkRequest(preq, req.headers.referer, config, Date.now());
      // The first hop's static checks (deny list, private IP literals) run before the cache too,
      // so an entry stored under a more permissive configuration is not served.
      checkHop(preq.remote, admission, config);
      const originHeaders = originRequestHeaders(config, req.headers);
      const outcome = isTransform(preq.options)
        ? await variants.do(JSON.stringify([admission, originHeaders, cacheKey(preq)]), (s) => loadVariant(preq, admission, originHeaders, lease, s), ctl.signal)
        : await originalFlight(preq, admission, originHeaders, lease, ctl.signal);
      if (outcome.kind === 'empty') {
        for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
        res.statusCode = status = outcome.status;
        res.end();
      } else if (outcome.kind === 'redirect') {
        for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
        res.setHeader('Location', outcome.location);
        res.statusCode = status = outcome.status;
        res.end();
      } else {
        cache = outcome.cache;
        if (cache === 'HIT') metrics.servedFromCache.inc();
        status = sendImage(req, res, outcome.entry, outcome.cache);
      }
    } catch (err) {
      if (err instanceof ClientGoneError || (ctl.signal.aborted && ctl.signal.reason instanceof ClientGoneError)) {
        status = 499;
        res.destroy();
      } else {
        status = sendError(req, res, err);
      }
    } finally {
      lease.release();
      metrics.sourceMemoryBytes.set(sourceMemory.inUse());
      clearTimeout(timer);
      res.off('close', onClose);
      metrics.requestsInFlight.dec();
      endTimer();
      if (config.verbose) log.info(`imageproxy: ${req.method} ${req.url} ${status}${cache ? ` ${cache}` : ''} ${Date.now() - started}ms`);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (path === '/' || path === '/health-check') return sendText(req, res, 200, 'OK');
    if (path === '/favicon.ico') {
      res.statusCode = 200; // an empty 200, as the Go server answers
      res.end();
      return;
    }
    if (path === '/metrics') {
      const text = await metrics.registry.metrics();
      return sendText(req, res, 200, text, { 'Content-Type': metrics.registry.contentType });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendError(req, res, new ProxyError(405, 'method', 'Only GET and HEAD are supported.', { Allow: 'GET, HEAD' }));
      return;
    }
    await serveImage(req, res, url);
  }

  const handler = ((req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((err: unknown) => {
      try {
        sendError(req, res, err);
      } catch {
        res.destroy();
      }
    });
  }) as ImageProxyHandler;
  Object.defineProperties(handler, {
    config: { value: config, enumerable: true },
    metrics: { value: metrics, enumerable: true },
    close: {
      value: async (): Promise<void> => {
        const t = transformer;
        transformer = undefined;
        await t?.close();
        await config.cache?.close?.();
      },
    },
  });
  return handler;
}
