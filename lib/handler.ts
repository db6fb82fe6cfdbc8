/**
 * The node:http and Express adapter: turns an IncomingMessage into a CoreRequest, the core's
 * Answer into the ServerResponse, and a client that disconnects into an abort. Everything the
 * proxy decides is in lib/core.
 *
 * It works as a plain `http.createServer(handler)` listener and as Express middleware
 * (`app.use('/img', imageproxy(opts))`; under a mount it reads req.url, which Express makes
 * relative to the mount). As middleware it is a guest in someone else's app: it answers proxy
 * requests only and hands every other path to `next()`. The standalone server's own endpoints
 * (health check, favicon, metrics) are answered only when the options ask for them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defaultConfig, type ProxyConfig } from './config.js';
import { parseRequest } from './request/request.js';
import { SECURITY_HEADERS } from './security/headers.js';
import type { ProxyMetrics } from './metrics.js';
import { createTransformPool, workerResourceLimits } from './pool/pool.js';
import { defaultWorkers } from './pool/cpus.js';
import { nodeOrigin } from './origin/fetch.js';
import { createCore, type ProxyCore } from './core/core.js';
import { LazyTransformer } from './core/state.js';
import { CLIENT_CLOSED_REQUEST, ClientGoneError, type Answer, type OriginFetcher } from './core/types.js';
import type { Transformer } from './transform/types.js';

export { SECURITY_HEADERS } from './security/headers.js';

/** HandlerOptions are a partial ProxyConfig plus the collaborators a handler may be given. */
export interface HandlerOptions extends Partial<ProxyConfig> {
  /** Runs transforms; default: a worker pool created on the first transform. */
  transformer?: Transformer;
  /** Metrics to record into; default: new metrics in a registry of their own. */
  metrics?: ProxyMetrics;
  /** Fetches from origins; default: fetchRemote over node:http and node:https. */
  origin?: OriginFetcher;
  /**
   * Answer `/` and `/health-check` ("OK") and `/favicon.ico` (empty), as the standalone server
   * does; default false, so an embedded handler leaves those paths to the app.
   */
  healthCheck?: boolean;
  /**
   * Answer `/metrics` with the Prometheus text of `metrics`, as the standalone server does;
   * default false, so an embedded handler does not publish its metrics under its mount.
   */
  metricsEndpoint?: boolean;
  /**
   * Given `next` (Express), hand it every request that is not the proxy's; default true. False
   * answers those here as a plain listener does (400 saying what is wrong with the URL, 404 for an
   * endpoint that is off): for an app where the proxy owns the whole mount, like the standalone server.
   */
  fallthrough?: boolean;
}

/** ImageProxyHandler is the request listener imageproxy returns, with its configuration and lifecycle. */
export interface ImageProxyHandler {
  /**
   * Answers one request. Given `next` (Express), a request that is not the proxy's (not a proxy
   * URL, or an endpoint not turned on) goes to `next()`; without it (a plain listener, or with
   * `fallthrough: false`) such a request is answered here: 400 saying what is wrong with the URL,
   * 404 for an endpoint not on.
   */
  (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): void;
  /** The complete configuration in use. */
  readonly config: ProxyConfig;
  /** The metrics `/metrics` prints. */
  readonly metrics: ProxyMetrics;
  /** close stops the transformer (the default pool or the one given) and closes the cache. */
  close(): Promise<void>;
}

/** withoutUndefined drops keys whose value is undefined, so they do not override defaults. */
function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * imageproxy returns a request handler for the proxy, configured by `options` over
 * defaultConfig(); use it with `http.createServer(handler)` or as Express middleware.
 */
export function imageproxy(options: HandlerOptions = {}): ImageProxyHandler {
  const { transformer, metrics, origin, healthCheck = false, metricsEndpoint = false, fallthrough = true, ...overrides } = options;
  const config = defaultConfig(withoutUndefined(overrides));
  const pool = (): Transformer => createTransformPool({
    workers: config.workers || defaultWorkers(),
    maxQueue: config.maxQueue,
    taskTimeoutMs: config.transformTimeoutMs,
    resourceLimits: workerResourceLimits(config.workerMemoryMb),
    logger: config.logger,
  });
  const core = createCore({
    config,
    metrics,
    origin: origin ?? nodeOrigin(config),
    transformer: new LazyTransformer(pool, transformer),
  });
  const endpoints = { healthCheck, metricsEndpoint };
  const handler = ((req: IncomingMessage, res: ServerResponse, appNext?: (err?: unknown) => void): void => {
    const next = fallthrough ? appNext : undefined;
    const url = req.url ?? '/';
    const whose = owner(url, endpoints, next === undefined ? undefined : { baseURL: config.baseURL });
    if (whose === 'proxy') serve(core, req, res);
    else if (next !== undefined) next();
    else send(res, notFound(req.method), () => undefined);
  }) as ImageProxyHandler;
  Object.defineProperties(handler, {
    config: { value: core.config, enumerable: true },
    metrics: { value: core.metrics, enumerable: true },
    close: { value: () => core.close() },
  });
  return handler;
}

/** ENDPOINTS are the standalone server's fixed paths, by the option that turns each on. */
const ENDPOINTS: Record<string, keyof Endpoints> = {
  '/': 'healthCheck',
  '/health-check': 'healthCheck',
  '/favicon.ico': 'healthCheck',
  '/metrics': 'metricsEndpoint',
};

/** Endpoints says which of the standalone server's endpoints a handler answers. */
type Endpoints = Required<Pick<HandlerOptions, 'healthCheck' | 'metricsEndpoint'>>;

/**
 * owner decides whose a request is: the proxy's (a proxy URL, or an endpoint turned on), an
 * endpoint's that is off, or the app's (a URL the proxy cannot parse). `app` is given (with the
 * baseURL relative URLs resolve against) when there is an app to hand requests to;
 * without one every URL but an endpoint is the proxy's, so a malformed one gets its 400. Methods
 * do not matter: a request the proxy owns is 405 unless GET or HEAD, one it does not own is none
 * of its business.
 */
function owner(url: string, endpoints: Endpoints, app: { baseURL: URL | undefined } | undefined): 'proxy' | 'endpoint-off' | 'app' {
  const q = url.indexOf('?');
  const endpoint = ENDPOINTS[q < 0 ? url : url.slice(0, q)];
  if (endpoint !== undefined) return endpoints[endpoint] ? 'proxy' : 'endpoint-off';
  if (app === undefined) return 'proxy';
  try {
    parseRequest(url, app.baseURL);
    return 'proxy';
  } catch {
    return 'app';
  }
}

/** notFound answers an endpoint that is not turned on, when there is no app to hand it to. */
function notFound(method: string | undefined): Answer {
  const body = new TextEncoder().encode('Not found: this path is not an image request.\n');
  return {
    status: 404,
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(body.length), 'Cache-Control': 'no-store' },
    body: method === 'HEAD' ? undefined : body,
  };
}

/** serve answers one request through the core; nothing it does can throw out of the listener. */
function serve(core: ProxyCore, req: IncomingMessage, res: ServerResponse): void {
  const ctl = new AbortController();
  const onClose = (): void => {
    if (!res.writableFinished) ctl.abort(new ClientGoneError());
  };
  try {
    res.once('close', onClose);
    core.answer({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers }, ctl).then(
      (a) => send(res, a, onClose),
      () => send(res, undefined, onClose),
    );
  } catch {
    send(res, undefined, onClose);
  }
}

/**
 * send writes an answer, or drops the connection when there is none to write (the client went
 * away, the core failed) or when headers were sent already: headers are never touched after that.
 */
function send(res: ServerResponse, a: Answer | undefined, onClose: () => void): void {
  try {
    res.off('close', onClose);
    if (a === undefined || a.status === CLIENT_CLOSED_REQUEST || res.headersSent) {
      res.destroy();
      return;
    }
    res.statusCode = a.status;
    for (const name in a.headers) res.setHeader(name, a.headers[name]);
    res.end(a.body);
  } catch {
    res.destroy();
  }
}
