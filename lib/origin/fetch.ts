/**
 * Fetching from origins: one GET, following redirects, with every hop re-checked by policy and
 * every resolved address filtered, a deadline, a body size cap that also holds after content
 * decoding, and a content-type check.
 *
 * Connections are kept alive per configuration and admission (agents.ts), so a connection opened
 * under one policy is never reused under another; a request whose reused socket turns out closed
 * by the origin is sent once more on a socket of its own.
 */
import http from 'node:http';
import https from 'node:https';
import zlib from 'node:zlib';
import { pipeline, Transform } from 'node:stream';
import type { LookupFunction } from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { ProxyConfig } from '../config.js';
import type { Lease } from '../flow/budget.js';
import type { Admission } from '../security/policy.js';
import type { OriginFetcher } from '../core/types.js';
import { checkHop } from '../security/policy.js';
import { unbracket } from '../security/hostmatch.js';
import { closeOriginAgents, originAgent } from './agents.js';
import { CREDENTIAL_HEADERS, DROPPED_RESPONSE_HEADERS } from '../security/headers.js';

export { originRequestHeaders } from './request.js';
import { checkContentType, parseMediaType, sniffedContentType } from './contenttype.js';
import { REDIRECT_STATUSES, finalStatus, resolveLocation } from './status.js';
import { BadGatewayError, GatewayTimeoutError, TooLargeError, UnsupportedMediaError, isProxyError } from '../errors.js';

/** FetchOptions configure one fetchRemote call. */
export interface FetchOptions {
  /** Proxy configuration (limits, redirects, content types, user agent, host policy). */
  config: ProxyConfig;
  /** How the request was admitted; checkHop uses it on every hop. */
  admission: Admission;
  /** Extra request headers: passed-through client headers, Referer, conditional headers. */
  headers?: Record<string, string>;
  /** Stops the fetch; it then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Grows by every body byte read; its OverloadedError (503) stops the fetch. */
  lease?: Lease;
}

/** FetchResult is an origin response read in full. */
export interface FetchResult {
  /** 200 (or another 2xx); 204 with an empty body; 304 when the request was conditional; a 3xx when redirects are not followed. */
  status: number;
  /** Response headers: lower-case names, one value each, hop-by-hop and Set-Cookie removed. */
  headers: Record<string, string>;
  /** Decoded body (empty for 304 and redirects). */
  body: Buffer;
  /** URL of the final hop. */
  url: URL;
  /** Media type of body, from Content-Type or sniffed; '' for 304 and redirects. */
  contentType: string;
}

/** STALE_SOCKET_CODES are how a kept-alive socket that the origin closed while idle fails on reuse. */
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE']);

/** ACCEPT_ENCODING lists the content codings readBody can decode (within the size limit). */
const ACCEPT_ENCODING = 'gzip, deflate, br';

/**
 * fetchRemote GETs `url` under the proxy's policy and limits and reads the whole body.
 *
 * It rejects with a ProxyError: 403 for a refused hop or address and for a content type that is
 * not allowed or a body that is no image, 404 for an origin 404, the origin's status for other
 * non-2xx answers, 413 for a body over maxSourceBytes, 415 for a malformed or multi-valued
 * Content-Type, 502 when the origin fails or redirects too often, 504 past timeoutMs; or with the
 * signal's reason when `signal` aborts. A 204 resolves with an empty body and no content type.
 */
export async function fetchRemote(url: URL, opts: FetchOptions): Promise<FetchResult> {
  const { config } = opts;
  if (opts.signal?.aborted) throw opts.signal.reason;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new GatewayTimeoutError()), config.timeoutMs);
  const onAbort = (): void => ctl.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = v;
  headers['user-agent'] = config.userAgent;
  headers['accept-encoding'] = ACCEPT_ENCODING;
  const conditional = 'if-none-match' in headers || 'if-modified-since' in headers;
  // One listener for the whole fetch destroys whichever hop is in progress.
  let active: http.ClientRequest | undefined;
  ctl.signal.addEventListener('abort', () => active?.destroy(ctl.signal.reason instanceof Error ? ctl.signal.reason : undefined), { once: true });
  try {
    let current = url;
    for (let redirects = 0; ; redirects++) {
      const { lookup } = checkHop(current, opts.admission, config);
      const agent = originAgent(current, config, opts.admission);
      const res = await request(current, headers, lookup, agent, ctl.signal, (req) => { active = req; });
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (REDIRECT_STATUSES.has(status) && location !== undefined) {
        res.destroy();
        const next = resolveLocation(location, current);
        if (!config.followRedirects) {
          return { status, headers: { location: next.href }, body: Buffer.alloc(0), url: current, contentType: '' };
        }
        if (redirects >= config.maxRedirects) {
          throw new BadGatewayError('The remote server redirected too many times.', 'too_many_redirects');
        }
        if (next.host !== current.host) for (const h of CREDENTIAL_HEADERS) delete headers[h];
        current = next;
        continue;
      }
      return await readResponse(res, current, config, conditional, opts.lease);
    }
  } catch (err) {
    throw fetchError(err, ctl.signal);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** fetchError maps whatever a fetch threw to what the caller sees. */
function fetchError(err: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason;
  if (isProxyError(err)) return err;
  const code = (err as { code?: string } | undefined)?.code ?? '';
  const e = ['ECONNRESET', 'EPIPE', 'Z_DATA_ERROR', 'Z_BUF_ERROR'].includes(code) || /aborted|premature|unexpected end/i.test(String(err))
    ? new BadGatewayError('The remote server sent an incomplete or corrupt response.', 'origin_reset')
    : new BadGatewayError('The remote server could not be reached.', 'origin_unreachable');
  e.cause = err;
  return e;
}

/**
 * request sends one GET and resolves with the response head; `track` receives the request so an
 * abort can destroy it. A reused keep-alive socket that fails before any response (the origin
 * closed it while idle) is not the origin failing: the GET goes again on a socket of its own.
 */
function request(
  url: URL, headers: Record<string, string>, lookup: LookupFunction, agent: http.Agent | false, signal: AbortSignal,
  track: (req: http.ClientRequest) => void,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const mod = url.protocol === 'https:' ? https : http;
    let req: http.ClientRequest;
    try {
      req = mod.request({
        protocol: url.protocol,
        hostname: unbracket(url.hostname),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers,
        lookup,
        agent,
        auth: url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined,
      });
    } catch (err) {
      reject(err);
      return;
    }
    track(req);
    let answered = false, retried = false;
    // Keep listening: a parse error can follow the response (e.g. bytes past Content-Length).
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (retried) return;
      if (!answered && req.reusedSocket && STALE_SOCKET_CODES.has(err.code ?? '') && !signal.aborted) {
        retried = true;
        request(url, headers, lookup, false, signal, track).then(resolve, reject);
        return;
      }
      reject(err);
    });
    req.once('response', (res) => {
      answered = true;
      resolve(res);
    });
    req.end();
  });
}

/** responseHeaders flattens the headers worth keeping to lower-case names with one value each. */
function responseHeaders(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    if (v === undefined || DROPPED_RESPONSE_HEADERS.has(k)) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** rawHeaderValues returns every value of header `name` as sent (Node keeps only the first Content-Type). */
function rawHeaderValues(res: IncomingMessage, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    if (res.rawHeaders[i].toLowerCase() === name) out.push(res.rawHeaders[i + 1]);
  }
  return out;
}

/** readResponse checks the status, content type and length of a final response and reads its body. */
async function readResponse(res: IncomingMessage, url: URL, config: ProxyConfig, conditional: boolean, lease?: Lease): Promise<FetchResult> {
  try {
    const status = res.statusCode ?? 0;
    const headers = responseHeaders(res);
    // 304 and 204 have no body to check or transform: they are passed on as they are.
    if (finalStatus(status, conditional) !== 'body') return { status, headers, body: Buffer.alloc(0), url, contentType: '' };

    const declared = rawHeaderValues(res, 'content-type').filter((v) => v.trim() !== '');
    if (declared.length > 1) {
      throw new UnsupportedMediaError('The remote server sent several Content-Types.', 'content_type_multiple');
    }
    let type = declared.length === 1 ? parseMediaType(declared[0]).type : '';
    const sniff = type === '' || type === 'application/octet-stream';
    if (!sniff) checkContentType(type, config.contentTypes);

    const length = res.headers['content-length'];
    if (length !== undefined && Number(length) > config.maxSourceBytes) throw tooLarge(config.maxSourceBytes);

    const encoding = (res.headers['content-encoding'] ?? '').trim().toLowerCase();
    const body = await readBody(res, encoding, config.maxSourceBytes, lease, declaredLength(length, encoding, config.maxSourceBytes));
    if (sniff) type = sniffedContentType(body, type, config.contentTypes);
    headers['content-type'] = type;
    return { status, headers, body, url, contentType: type };
  } finally {
    // Nothing more is read from this response; on the error paths this also closes the socket.
    res.destroy();
  }
}

function tooLarge(max: number): TooLargeError {
  return new TooLargeError(`The remote image is larger than the ${max}-byte limit.`);
}

/** makeDecoder returns a stream decoding content coding `encoding`, or undefined for identity. */
function makeDecoder(encoding: string): Transform | undefined {
  switch (encoding) {
    case '':
    case 'identity':
      return undefined;
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      // createUnzip accepts the zlib wrapper that RFC 9110 "deflate" means.
      return zlib.createUnzip();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      throw new BadGatewayError('The remote server used an unsupported content encoding.', 'content_encoding');
  }
}

/**
 * declaredLength is the body size an identity-coded response announces (within max), or -1
 * when it does not announce one readBody can trust to size its buffer.
 */
function declaredLength(length: string | undefined, encoding: string, max: number): number {
  if (length === undefined || (encoding !== '' && encoding !== 'identity') || !/^\d+$/.test(length.trim())) return -1;
  const n = Number(length);
  return n <= max ? n : -1;
}

/**
 * readInto reads a body of exactly `size` announced bytes into one buffer of that size as the
 * chunks arrive, instead of keeping every chunk and concatenating them at the end: a 2.7 MB
 * source arrives in ~40 chunks, and the copy and the chunks kept alive until the end were
 * main-thread memory churn on every request. Node's parser never delivers more than
 * Content-Length; a body that ends short fails the read as Node reports it.
 */
async function readInto(res: IncomingMessage, size: number, lease?: Lease): Promise<Buffer> {
  // Not zero-filled first: every byte is written before the buffer is handed on. Its pages are
  // touched only as bytes arrive, so resident memory still grows with what the lease counts.
  const body = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    if (at + chunk.length > size) throw new BadGatewayError('The remote server sent more than it announced.', 'origin_reset');
    lease?.grow(chunk.length);
    chunk.copy(body, at);
    at += chunk.length;
  }
  if (at !== size) throw new BadGatewayError('The remote server sent an incomplete or corrupt response.', 'origin_reset');
  return body;
}

/**
 * readBody reads res, decoding `encoding`, and fails with 413 as soon as either the bytes on the
 * wire or the decoded bytes pass `max`, so a compression bomb stops at the limit. Every decoded
 * byte is added to `lease`, which fails the read with 503 when the source-memory budget is spent.
 * An identity body of a known size (`size` >= 0, within max) is read straight into one buffer.
 */
async function readBody(res: IncomingMessage, encoding: string, max: number, lease?: Lease, size = -1): Promise<Buffer> {
  if (size >= 0) return readInto(res, size, lease);
  const decoder = makeDecoder(encoding);
  let source: AsyncIterable<Buffer> = res;
  if (decoder) {
    let wire = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb): void {
        wire += chunk.length;
        if (wire > max) cb(tooLarge(max));
        else cb(null, chunk);
      },
    });
    // Errors of any stage destroy the decoder, so they surface in the loop below.
    pipeline(res, counter, decoder, () => undefined);
    source = decoder;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of source) {
      total += chunk.length;
      if (total > max) throw tooLarge(max);
      lease?.grow(chunk.length);
      chunks.push(chunk);
    }
  } finally {
    decoder?.destroy();
  }
  return Buffer.concat(chunks, total);
}

/** nodeOrigin is the core's Node origin: fetchRemote under `config` (node:http and node:https, keep-alive per policy). */
export function nodeOrigin(config: ProxyConfig): OriginFetcher {
  return { fetch: (url, request) => fetchRemote(url, { config, ...request }), close: () => closeOriginAgents(config) };
}
