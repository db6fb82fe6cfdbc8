/**
 * What the standalone server records about each answered request at the HTTP edge, where the
 * client's address and the bytes sent are known: the request-duration histogram by status class
 * and cache state, and (with -verbose) one access line.
 */
import type http from 'node:http';
import type { Logger } from './config.js';
import { logFields } from './log-format.js';
import type { ProxyMetrics } from './metrics.js';
import { statusClass } from './metrics-deferred.js';
import { CLIENT_CLOSED_REQUEST } from './core/types.js';

/**
 * FIXED_ROUTES are the server's own endpoints, answered without an image: left out of the
 * request-duration histogram so health probes and scrapes do not drown the image requests.
 */
export const FIXED_ROUTES: ReadonlySet<string> = new Set(['/', '/health-check', '/favicon.ico', '/metrics']);

/** AccessEntry is one answered request, as an access line reports it. */
export interface AccessEntry {
  /** Request method. */
  method: string;
  /** Request path and query, as the client sent them. */
  path: string;
  /** Status sent; CLIENT_CLOSED_REQUEST (499) when the connection ended before any answer. */
  status: number;
  /** Body bytes sent: the Content-Length of a finished answer; 0 for HEAD, 204, 304 and an answer cut short. */
  bytes: number;
  /** Milliseconds from the request reaching the server to the last byte handed to the socket. */
  durationMs: number;
  /** The X-Cache state (HIT, MISS, REVALIDATED), or `-` for answers without one (errors, fixed routes). */
  cache: string;
  /** The client's address: the socket's peer address (no forwarding header is trusted). */
  remote: string;
  /** Whether the connection ended before the whole answer was sent. */
  aborted: boolean;
}

/** AccessOptions say what trackAccess records. */
export interface AccessOptions {
  /** Metrics whose request-duration histogram each image request is observed in. */
  metrics: ProxyMetrics;
  /** Where access lines go; none are written when absent. */
  logger?: Logger;
}

/** trackAccess records res once it finishes (or its connection ends first); call it before answering. */
export function trackAccess(req: http.IncomingMessage, res: http.ServerResponse, opts: AccessOptions): void {
  const started = process.hrtime.bigint();
  let done = false;
  const record = (): void => {
    if (done) return;
    done = true;
    const entry = accessEntry(req, res, Number(process.hrtime.bigint() - started) / 1e6);
    if (!FIXED_ROUTES.has(pathOf(entry.path))) {
      opts.metrics.requestDurationByOutcome.observe(
        { status_class: statusClass(entry.status), cache: entry.cache === '-' ? 'NONE' : entry.cache },
        entry.durationMs / 1000,
      );
    }
    if (opts.logger) logAccess(opts.logger, entry);
  };
  res.once('finish', record);
  res.once('close', record);
}

/** accessEntry reads what was sent on res for req, durationMs after it arrived. */
export function accessEntry(req: http.IncomingMessage, res: http.ServerResponse, durationMs: number): AccessEntry {
  const aborted = !res.writableFinished;
  const status = res.headersSent ? res.statusCode : CLIENT_CLOSED_REQUEST;
  const bodyless = req.method === 'HEAD' || status === 204 || status === 304 || !res.headersSent;
  const length = Number(res.getHeader('content-length'));
  const cache = res.getHeader('x-cache');
  return {
    method: req.method ?? '-',
    path: req.url ?? '-',
    status,
    bytes: bodyless || !Number.isSafeInteger(length) || aborted ? 0 : length,
    durationMs: Math.round(durationMs * 10) / 10,
    cache: typeof cache === 'string' && cache !== '' ? cache : '-',
    remote: req.socket.remoteAddress ?? '-',
    aborted,
  };
}

/** ACCESS_MESSAGE is the message of every access line, so they are easy to pick out (or filter out). */
export const ACCESS_MESSAGE = 'access';

/**
 * logAccess writes entry as one info line, ACCESS_MESSAGE with every field beside it: JSON keys
 * in the json format, `key=value` pairs in text (and for a plain Logger).
 */
export function logAccess(logger: Logger, e: AccessEntry): void {
  logFields(logger, 'info', ACCESS_MESSAGE, {
    method: e.method, path: e.path, status: e.status, bytes: e.bytes, durationMs: e.durationMs,
    cache: e.cache, remote: e.remote, aborted: e.aborted || undefined,
  });
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
