/**
 * Answers: what the client gets for an image, a redirect, a text endpoint or an error. Every
 * header an image answer carries is decided here (the origin's passable ones, the security
 * headers, X-Cache, and the body's type and length), so a change to what clients see is made in
 * one place.
 */
import type { CachedResponse } from '../cache/cache.js';
import { notModified } from '../cache/freshness.js';
import { updateCacheHeaders } from '../cache/clientheaders.js';
import { ProxyError, isProxyError } from '../errors.js';
import { SECURITY_HEADERS } from '../security/headers.js';
import { headerValue } from './context.js';
import { formatETag } from './negotiate.js';
import type { CoreState } from './state.js';
import type { Answer, CacheState, CoreRequest } from './types.js';

const SECURITY = Object.entries(SECURITY_HEADERS);
/**
 * HEADER_VALUE is what node:http (and a fetch Headers) will send as a header value; a stored value
 * outside it (written by an older version, say) is dropped rather than failing the answer.
 */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const encoder = new TextEncoder();

/**
 * imageAnswer answers with a loaded image: 304 when the client's conditional headers say it has
 * this version, else the image (its headers only, for HEAD). For a `negotiated` answer the
 * ETag names the format too, so a 304 never confirms another format's bytes.
 */
export function imageAnswer(core: CoreState, req: CoreRequest, entry: CachedResponse, cache: CacheState, negotiated = false): Answer {
  let h = updateCacheHeaders(entry.headers, core.config);
  if (negotiated && h.etag) h = { ...h, etag: formatETag(h.etag, h['content-type']) };
  const headers: Record<string, string> = {};
  for (const [name, lower] of core.passHeaders) {
    const v = h[lower];
    if (v !== undefined && HEADER_VALUE.test(v)) headers[name] = v;
  }
  for (const [k, v] of SECURITY) headers[k] = v;
  headers['X-Cache'] = cache;
  if (notModified(headerValue(req.headers, 'if-none-match'), headerValue(req.headers, 'if-modified-since'), h)) {
    if (h.etag && !core.passesETag && HEADER_VALUE.test(h.etag)) headers.ETag = h.etag;
    return { status: 304, headers, body: undefined };
  }
  headers['Content-Type'] = h['content-type'] || 'application/octet-stream';
  headers['Content-Length'] = String(entry.body.length);
  return { status: 200, headers, body: req.method === 'HEAD' ? undefined : entry.body };
}

/** emptyAnswer passes an origin's 204 No Content through, with the security headers. */
export function emptyAnswer(status: number): Answer {
  return { status, headers: { ...SECURITY_HEADERS }, body: undefined };
}

/** redirectAnswer passes an origin redirect through (followRedirects=false). */
export function redirectAnswer(status: number, location: string): Answer {
  return { status, headers: { ...SECURITY_HEADERS, Location: location }, body: undefined };
}

/** textAnswer answers with plain text; `headers` may replace the Content-Type. */
export function textAnswer(req: CoreRequest, status: number, text: string, headers: Record<string, string> = {}): Answer {
  const body = encoder.encode(text);
  return {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', ...headers, 'Content-Length': String(body.length) },
    body: req.method === 'HEAD' ? undefined : body,
  };
}

/**
 * errorAnswer answers with the error's status and its one sentence, never cached, and logs why:
 * a ProxyError as a refusal, anything else as a failure (a 500 whose cause only the log sees).
 */
export function errorAnswer(core: CoreState, req: CoreRequest, err: unknown): Answer {
  let e: ProxyError;
  if (isProxyError(err)) {
    e = err;
    log(core, 'warn', `imageproxy: ${req.method} ${req.url} refused with ${e.status} ${e.code}: ${describe(e)}`);
  } else {
    log(core, 'error', `imageproxy: ${req.method} ${req.url} failed unexpectedly: ${err instanceof Error ? err.stack : String(err)}`);
    e = new ProxyError(500, 'internal', 'The server failed to answer this request.');
  }
  return textAnswer(req, e.status, `${e.message}\n`, { ...e.headers, 'Cache-Control': 'no-store', ...SECURITY_HEADERS });
}

/** log writes one line; a logger that throws must not turn an answer into a failure. */
export function log(core: CoreState, level: 'info' | 'warn' | 'error', line: string): void {
  try {
    core.log[level](line);
  } catch {
    // Nothing better to do with a broken logger.
  }
}

/** describe formats an error, its cause and its detail for a log line. */
export function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? ` (${err.cause.message || err.cause.name})` : '';
  const detail = isProxyError(err) && err.detail ? ` [${err.detail}]` : '';
  return `${err.message}${cause}${detail}`;
}
