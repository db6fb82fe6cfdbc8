/**
 * The node:http and Express adapter: turns an IncomingMessage into a CoreRequest, the core's
 * Answer into the ServerResponse, and a client that disconnects into an abort. Everything the
 * proxy decides is in lib/core.
 *
 * It works as a plain `http.createServer(handler)` listener and as Express middleware
 * (`app.use('/img', imageproxy(opts))`; under a mount it reads req.url, which Express makes
 * relative to the mount).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defaultConfig, type ProxyConfig } from './config.js';
import type { ProxyMetrics } from './metrics.js';
import { createTransformPool, poolOptionsFor } from './pool/pool.js';
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

/** withoutUndefined drops keys whose value is undefined, so they do not override defaults. */
function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * imageproxy returns a request handler for the proxy, configured by `options` over
 * defaultConfig(); use it with `http.createServer(handler)` or as Express middleware.
 */
export function imageproxy(options: HandlerOptions = {}): ImageProxyHandler {
  const { transformer, metrics, origin, ...overrides } = options;
  const config = defaultConfig(withoutUndefined(overrides));
  const pool = (): Transformer => createTransformPool(poolOptionsFor(config));
  const core = createCore({
    config,
    metrics,
    origin: origin ?? nodeOrigin(config),
    transformer: new LazyTransformer(pool, transformer),
  });
  const handler = ((req: IncomingMessage, res: ServerResponse): void => serve(core, req, res)) as ImageProxyHandler;
  Object.defineProperties(handler, {
    config: { value: core.config, enumerable: true },
    metrics: { value: core.metrics, enumerable: true },
    close: { value: () => core.close() },
  });
  return handler;
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
