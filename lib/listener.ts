/**
 * The HTTP listener every server the project starts is built on: Node's http.Server with
 * deliberate time limits for slow clients, and a request boundary that no error crosses.
 *
 * The proxy's own server (server.ts) uses it, and so must any other port the project opens (a
 * metrics listener, say): call createHardenedServer. The library's handler mounted in someone
 * else's server sets none of this, since a server's timeouts belong to whoever owns the server.
 */
import http from 'node:http';
import {
  DEFAULT_HEADER_TIMEOUT_MS, DEFAULT_KEEP_ALIVE_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, type Logger,
} from './config.js';

/**
 * CONNECTIONS_CHECK_INTERVAL_MS is how often Node looks for requests past their header or request
 * limit (its default is 30 s): at 1 s a limit holds to within a second, and each check walks only
 * the connections still receiving a request.
 */
export const CONNECTIONS_CHECK_INTERVAL_MS = 1_000;

/**
 * MAX_SERVER_TIMEOUT_MS caps every listener time limit at one day: far beyond any sensible
 * value, and well below Node's timer limit (about 24.8 days), past which a timer fires at once.
 */
export const MAX_SERVER_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/** ServerLimits are the time limits an HTTP listener holds clients to, in milliseconds. */
export interface ServerLimits {
  /** Most time from a request's first byte to the end of its headers; slower clients get 408. */
  headerTimeoutMs: number;
  /** Most time to receive a whole request, body included; at least headerTimeoutMs. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
}

/** DEFAULT_SERVER_LIMITS are the listener limits used when none are given. */
export const DEFAULT_SERVER_LIMITS: Readonly<ServerLimits> = {
  headerTimeoutMs: DEFAULT_HEADER_TIMEOUT_MS,
  requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
  keepAliveTimeoutMs: DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
};

/**
 * checkServerLimits returns what is wrong with limits in one sentence, or undefined when they
 * are usable: each a whole number of milliseconds above 0 and at most MAX_SERVER_TIMEOUT_MS,
 * and the header limit no longer than the request limit (Node refuses that).
 */
export function checkServerLimits(limits: ServerLimits): string | undefined {
  for (const [name, v] of Object.entries(limits)) {
    if (!Number.isSafeInteger(v) || v <= 0 || v > MAX_SERVER_TIMEOUT_MS) {
      return `${name} must be a whole number of milliseconds between 1 and ${MAX_SERVER_TIMEOUT_MS}, got ${String(v)}.`;
    }
  }
  if (limits.headerTimeoutMs > limits.requestTimeoutMs) {
    return `headerTimeoutMs (${limits.headerTimeoutMs}) must not be longer than requestTimeoutMs (${limits.requestTimeoutMs}).`;
  }
  return undefined;
}

/**
 * resolveServerLimits fills the limits left out with DEFAULT_SERVER_LIMITS and throws a
 * RangeError when the result is unusable (see checkServerLimits).
 */
export function resolveServerLimits(limits: Partial<ServerLimits> = {}): ServerLimits {
  const resolved = { ...DEFAULT_SERVER_LIMITS, ...withoutUndefined(limits) };
  const problem = checkServerLimits(resolved);
  if (problem) throw new RangeError(`imageproxy: invalid server limits: ${problem}`);
  return resolved;
}

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

/** ListenTarget is a parsed listen address. */
export type ListenTarget = { path: string } | { host: string; port: number };

/** parseAddr parses a listen address: `unix:/path`, `host:port`, `[v6]:port` or `:port` (all interfaces). */
export function parseAddr(addr: string): ListenTarget {
  if (addr.startsWith('unix:')) {
    const path = addr.slice('unix:'.length);
    if (path === '') throw new Error(`invalid listen address ${JSON.stringify(addr)}: missing socket path`);
    return { path };
  }
  const m = /^(?:\[([^\]]*)\]|([^:]*)):(\d+)$/.exec(addr);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new Error(`invalid listen address ${JSON.stringify(addr)}: want host:port or unix:/path`);
  }
  return { host: m[1] ?? m[2], port };
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

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
