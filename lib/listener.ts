/**
 * The HTTP listener every server the project starts is built on: Node's http.Server with
 * deliberate time limits for slow clients, and a request boundary that no error crosses.
 *
 * The proxy's own server (server.ts) uses it, and so must any other port the project opens (a
 * metrics listener, say): call createHardenedServer. The library's handler mounted in someone
 * else's server sets none of this, since a server's timeouts belong to whoever owns the server.
 */
import http from 'node:http';
import type { Logger } from './config.js';
import { resolveServerLimits, type ServerLimits } from './listen-config.js';

export {
  checkServerLimits, DEFAULT_SERVER_LIMITS, MAX_SERVER_TIMEOUT_MS, parseAddr, resolveServerLimits,
  type ListenTarget, type ServerLimits,
} from './listen-config.js';

/**
 * CONNECTIONS_CHECK_INTERVAL_MS is how often Node looks for requests past their header or request
 * limit (its default is 30 s): at 1 s a limit holds to within a second, and each check walks only
 * the connections still receiving a request.
 */
export const CONNECTIONS_CHECK_INTERVAL_MS = 1_000;

/**
 * serverOptions turns limits into http.createServer options. The check interval is never longer
 * than the header limit, so a small limit (in tests, say) still holds to within itself.
 */
export function serverOptions(limits: ServerLimits): http.ServerOptions {
  return {
    headersTimeout: limits.headerTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(CONNECTIONS_CHECK_INTERVAL_MS, limits.headerTimeoutMs),
  };
}

/** HardenedServerOptions configure createHardenedServer. */
export interface HardenedServerOptions {
  /** Time limits; DEFAULT_SERVER_LIMITS for any left out. */
  limits?: Partial<ServerLimits>;
  /** Where a failure inside the listener is logged; default console. */
  logger?: Logger;
}

/**
 * createHardenedServer returns an http.Server (not yet listening) that runs listener behind
 * guardListener, with limits for slow clients and idle connections. Throws a RangeError when
 * the limits are unusable (see checkServerLimits).
 */
export function createHardenedServer(listener: http.RequestListener, opts: HardenedServerOptions = {}): http.Server {
  return http.createServer(serverOptions(resolveServerLimits(opts.limits)), guardListener(listener, opts.logger ?? console));
}

/**
 * guardListener wraps a request listener so that nothing it does takes the process down: an
 * error it throws (or a promise it returns rejects with) answers that one request 500, or cuts
 * it when its headers are already out, and a stream error on the response (a write after end,
 * say), which Node would otherwise raise as an unhandled 'error' event, cuts the response.
 * Either is logged.
 */
export function guardListener(listener: http.RequestListener, log: Logger): http.RequestListener {
  return (req, res) => {
    res.on('error', (err) => {
      report(log, `imageproxy: ${req.method} ${req.url}: response failed: ${describe(err)}`);
      res.destroy();
    });
    let result: unknown;
    try {
      result = listener(req, res);
    } catch (err) {
      fail(log, req, res, err);
      return;
    }
    if (isThenable(result)) result.then(undefined, (err: unknown) => fail(log, req, res, err));
  };
}

/** fail answers a request whose listener threw: 500 while nothing is sent yet, else a cut. */
function fail(log: Logger, req: http.IncomingMessage, res: http.ServerResponse, err: unknown): void {
  report(log, `imageproxy: ${req.method} ${req.url} failed in the request listener: ${err instanceof Error ? err.stack : String(err)}`);
  if (res.headersSent || res.writableEnded) {
    res.destroy();
    return;
  }
  try {
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    const text = 'The server failed to answer this request.\n';
    res.writeHead(500, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : text);
  } catch {
    res.destroy();
  }
}

/** report logs an error line; a logger that throws is not allowed to turn one failure into two. */
function report(log: Logger, line: string): void {
  try {
    log.error(line);
  } catch {
    // Nothing else can be done with the line.
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.message}${'code' in err ? ` (${String(err.code)})` : ''}` : String(err);
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}
