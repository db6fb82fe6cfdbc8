/**
 * The proxy as a standalone server: the handler (handler.ts, over the HTTP-free core) as a plain
 * node:http request listener, listening on `host:port` or `unix:/path` through the hardened
 * listener (listener.ts), with a graceful close that lets in-flight requests finish.
 *
 * It loads no Express: the handler owns the whole root here (it answers every path itself and
 * never calls next()), so a router would only add start-up time (about 110 ms of CPU to load
 * Express and its dependencies) and a layer per request. Express remains a way to mount the
 * handler (handler.ts) in an app of one's own.
 */
import http from 'node:http';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import type { ProxyConfig } from './config.js';
import { DEFAULT_SHUTDOWN_GRACE_MS } from './config.js';
import { imageproxy, type HandlerOptions, type ImageProxyHandler } from './handler.js';
import { createHardenedServer, parseAddr, resolveServerLimits, type ServerLimits } from './listener.js';
import { trackAccess } from './access.js';
import { createDeferredMetrics, observePoolOf } from './metrics-deferred.js';
import { createMetricsListener, METRICS_PATH } from './metrics-listener.js';
import { createTransformPool, workerResourceLimits, type PoolStats, type TransformPool } from './pool/pool.js';
import { defaultWorkers } from './pool/cpus.js';
import { LazyTransformer } from './core/state.js';
import type { Transformer } from './transform/types.js';

/** DEFAULT_ADDR is where the server listens when no address is given, as in the Go server. */
export const DEFAULT_ADDR = 'localhost:8080';

/** ProxyServer is a proxy app and the HTTP server that runs it. */
export interface ProxyServer {
  /**
   * The request listener the server runs for every request (the handler, answering every path);
   * it can be mounted in another node:http server, and replaced to wrap it.
   */
  app: http.RequestListener;
  /** The proxy handler (its config, metrics and close). */
  handler: ImageProxyHandler;
  /** The HTTP server once listen() was called. */
  server: http.Server | undefined;
  /** The metrics listener's address as bound, once listen() started it (ServerOptions.metricsAddr). */
  readonly metricsAddress: string | undefined;
  /**
   * listen starts serving on `addr` (`host:port`, `:port`, `[v6]:port` or `unix:/path`) and
   * resolves with the address as bound, e.g. `127.0.0.1:8080` (the real port for port 0). It
   * first waits for the transformer's ready() (the pool's workers started and warm, its wasm
   * compiled), so the first request is answered at full speed.
   */
  listen(addr?: string): Promise<string>;
  /**
   * close stops accepting connections, waits up to graceMs for in-flight requests, cuts the
   * rest, then closes the handler (transform pool and cache). Idle keep-alive connections close
   * at once; every answer still to come says `Connection: close`. Node stops checking the header
   * and request limits once a server closes, so a client still sending a request is held up to
   * graceMs at most.
   */
  close(graceMs?: number): Promise<void>;
}

export { parseAddr, type ListenTarget } from './listener.js';

/** formatAddress prints a bound address the way listen() reports it. */
function formatAddress(a: AddressInfo | string | null): string {
  if (a === null) return '';
  if (typeof a === 'string') return `unix:${a}`;
  return a.family === 'IPv6' || a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/** ServerOptions are the handler's collaborators plus the time limits of the listener. */
export interface ServerOptions extends Omit<HandlerOptions, keyof ProxyConfig> {
  /** Listener time limits; DEFAULT_SERVER_LIMITS for any left out. */
  serverLimits?: Partial<ServerLimits>;
  /**
   * Where to serve `/metrics` instead of the main listener (`host:port`, `unix:/path`); listen()
   * starts it with the same time limits, and the main listener then answers `/metrics` 404.
   */
  metricsAddr?: string;
}

/**
 * createServer builds the proxy app for `config` (over defaultConfig) without listening yet.
 * Throws a RangeError when opts.serverLimits are unusable (see checkServerLimits), and an Error
 * when opts.metricsAddr is no listen address.
 *
 * With config.verbose the server writes one access line per request (lib/access.ts) in place of
 * the core's verbose line. It records the request-duration histogram, observes its transform pool
 * for the pool gauges, and, when not given metrics, makes its own with the default process and
 * Node.js metrics.
 */
export function createServer(config: Partial<ProxyConfig> = {}, opts: ServerOptions = {}): ProxyServer {
  const { serverLimits, metricsAddr, ...handlerOpts } = opts;
  const limits = resolveServerLimits(serverLimits);
  if (metricsAddr !== undefined) parseAddr(metricsAddr);
  const pool = observedPool(handlerOpts.transformer, () => handler.config);
  // The server writes the -verbose access line itself (it knows the client and the bytes sent),
  // so the core's own verbose line is left off under it.
  const accessLog = config.verbose ?? false;
  const handler = imageproxy({
    // The standalone server owns its root: it answers the health check, metrics and bad URLs itself.
    healthCheck: true, metricsEndpoint: true, fallthrough: false,
    ...config, ...handlerOpts, verbose: false, transformer: pool.transformer,
    metrics: handlerOpts.metrics ?? createDeferredMetrics({ defaultMetrics: true }),
  });
  observePoolOf(handler.metrics, pool.stats);
  const app: http.RequestListener = (req, res) => handler(req, res);

  let server: http.Server | undefined;
  let metricsServer: http.Server | undefined;
  let metricsAddress: string | undefined;
  let closing: Promise<void> | undefined;
  const drain = new Drain();
  const access = { metrics: handler.metrics, logger: accessLog ? handler.config.logger : undefined };

  const ps: ProxyServer = {
    app,
    handler,
    get server() {
      return server;
    },
    get metricsAddress() {
      return metricsAddress;
    },
    async listen(addr = DEFAULT_ADDR) {
      // Workers started, wasm compiled and code warm before the first request can arrive, so a
      // cold start (serverless, desktop) does not make its first client wait for them.
      await (pool.transformer.ready?.() ?? Promise.resolve());
      const s = createHardenedServer((req, res) => {
        drain.admit(res);
        trackAccess(req, res, access);
        if (metricsAddr !== undefined && pathOf(req.url) === METRICS_PATH) notHere(res);
        else ps.app(req, res);
      }, { limits, logger: handler.config.logger });
      // Node counts a connection idle once its response is ended, so its idle sweep (which
      // close() runs too) would cut an answer still being flushed to a slow reader. The sweep
      // waits instead; it runs again as each answer finishes.
      const sweep = s.closeIdleConnections.bind(s);
      s.closeIdleConnections = () => {
        if (!drain.flushing()) sweep();
      };
      server = s;
      if (metricsAddr !== undefined) {
        metricsServer = createMetricsListener(handler.metrics.registry, limits, handler.config.logger);
        metricsAddress = await listenOn(metricsServer, metricsAddr).catch((err: unknown) => {
          throw new Error(`metrics listener ${metricsAddr}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        });
      }
      try {
        return await listenOn(s, addr);
      } catch (err) {
        // A server that could not start leaves no port of its own open.
        await closeNow(metricsServer);
        throw err;
      }
    },
    close(graceMs = DEFAULT_SHUTDOWN_GRACE_MS) {
      closing ??= (async () => {
        const s = server;
        if (s?.listening) {
          drain.start(s);
          // server.close() stops accepting and sweeps the idle keep-alive connections.
          const closed = new Promise<void>((resolve) => s.close(() => resolve()));
          let timer: NodeJS.Timeout | undefined;
          const expired = new Promise<void>((resolve) => {
            timer = setTimeout(resolve, graceMs);
          });
          await Promise.race([closed, expired]);
          clearTimeout(timer);
          s.closeAllConnections();
          await closed;
        }
        await closeNow(metricsServer);
        await handler.close();
      })();
      return closing;
    },
  };
  return ps;
}

/** listenOn starts s on addr (removing a stale unix socket first) and resolves with the address as bound. */
async function listenOn(s: http.Server, addr: string): Promise<string> {
  const target = parseAddr(addr);
  if ('path' in target) await removeStaleSocket(target.path);
  return new Promise<string>((resolve, reject) => {
    s.once('error', reject);
    const done = (): void => {
      s.off('error', reject);
      resolve(formatAddress(s.address()));
    };
    if ('path' in target) s.listen(target.path, done);
    else s.listen(target.port, target.host === '' ? undefined : target.host, done);
  });
}

/** closeNow stops a listener and cuts its connections: a scrape in progress is not worth waiting for. */
async function closeNow(s: http.Server | undefined): Promise<void> {
  if (!s?.listening) return;
  const closed = new Promise<void>((resolve) => s.close(() => resolve()));
  s.closeAllConnections();
  await closed;
}

/** pathOf is a request URL without its query. */
function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q < 0 ? u : u.slice(0, q);
}

/** notHere answers `/metrics` on the main listener when a metrics listener serves it. */
function notHere(res: http.ServerResponse): void {
  const body = 'Not found: metrics are served on the metrics listener.\n';
  // setHeader, not writeHead's object: the access line reads Content-Length back with getHeader.
  res.statusCode = 404;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/**
 * observedPool is the transformer the server gives its handler, and how to read that one's load
 * for the pool gauges: the given transformer when there is one (its stats() if it has them),
 * else a transform pool made on first use, as the handler would make it.
 */
function observedPool(given: Transformer | undefined, config: () => ProxyConfig): { transformer: Transformer; stats: () => PoolStats | undefined } {
  if (given) return { transformer: given, stats: () => (given as Partial<TransformPool>).stats?.() };
  let pool: TransformPool | undefined;
  const transformer = new LazyTransformer(() => {
    const c = config();
    pool = createTransformPool({
      workers: c.workers || defaultWorkers(),
      maxQueue: c.maxQueue,
      taskTimeoutMs: c.transformTimeoutMs,
      resourceLimits: workerResourceLimits(c.workerMemoryMb),
      logger: c.logger,
    });
    return pool;
  });
  return { transformer, stats: () => pool?.stats() };
}

/**
 * Drain ends keep-alive connections as their requests finish once a shutdown has started, so the
 * server closes as soon as the last in-flight answer is out. Whether a response keeps its
 * connection is decided before the handler can answer: `Connection: close` is Node's own
 * choice (res.shouldKeepAlive), never a header set on a response that may already be sent.
 */
class Drain {
  /** The server being drained, once start() was called. */
  private draining: http.Server | undefined;
  /** Responses not yet closed. */
  private readonly open = new Set<http.ServerResponse>();

  /** admit registers a response before its request reaches the app. */
  admit(res: http.ServerResponse): void {
    if (this.draining) res.shouldKeepAlive = false;
    this.open.add(res);
    // Each answer out (or abandoned) may leave its connection idle, or unblock the idle sweep.
    const settled = (): void => {
      this.open.delete(res);
      const s = this.draining;
      if (s) setImmediate(() => s.closeIdleConnections());
    };
    res.once('finish', settled);
    res.once('close', settled);
  }

  /** flushing reports whether some answer is ended but not yet all handed to the socket. */
  flushing(): boolean {
    for (const res of this.open) {
      if (res.writableEnded && !res.writableFinished) return true;
    }
    return false;
  }

  /** start begins draining server: every response not yet begun will close its connection. */
  start(server: http.Server): void {
    this.draining = server;
    for (const res of this.open) {
      if (!res.headersSent) res.shouldKeepAlive = false;
    }
  }
}

/**
 * removeStaleSocket deletes a socket file left by an earlier run: only a socket, and only when
 * nothing answers on it, so a live server's socket is never taken over.
 */
function removeStaleSocket(path: string): Promise<void> {
  let isSocket = false;
  try {
    isSocket = fs.statSync(path).isSocket();
  } catch {
    // Missing is fine; anything else surfaces as a listen error.
  }
  if (!isSocket) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve();
    });
    probe.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') {
        try {
          fs.unlinkSync(path);
        } catch {
          // listen reports the problem.
        }
      }
      resolve();
    });
  });
}
