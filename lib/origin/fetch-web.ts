/**
 * Fetching from origins through the runtime's own `fetch` (Cloudflare Workers, or any runtime
 * without node:http), under the same policy and limits as fetch.ts: every hop checked by policy,
 * redirects followed by hand so each one is checked, a deadline, a body size cap that holds after
 * content decoding, the source-memory lease, and the content-type check.
 *
 * What this cannot check: `fetch` resolves host names itself and never says which address it
 * connected to. Private-network refusal therefore covers IP literals and localhost names, and a
 * name resolving to a private address is not refused, unless a `resolve` function is given (then
 * every address it returns is checked before each hop, though `fetch` resolves again, so a name
 * whose answers change between the two lookups can still slip through). A host admitted only by
 * allowHosts' CIDR blocks needs its addresses, so without `resolve` it is refused. On Node, Bun
 * and Deno use fetch.ts, whose checks are made on the very addresses connected to.
 */
import type { ProxyConfig } from '../config.js';
import type { Lease } from '../flow/budget.js';
import type { OriginFetcher, OriginRequest, OriginResponse } from '../core/types.js';
import { checkHop, checkTarget, type Admission } from '../security/policy.js';
import { HostMatcher, unbracket } from '../security/hostmatch.js';
import { CREDENTIAL_HEADERS, DROPPED_RESPONSE_HEADERS } from '../security/headers.js';
import { checkContentType, parseMediaType, sniffedContentType } from './contenttype.js';
import { REDIRECT_STATUSES, finalStatus, resolveLocation } from './status.js';
import { BadGatewayError, ForbiddenError, GatewayTimeoutError, TooLargeError, isProxyError } from '../errors.js';

/** WebFetch is the runtime's fetch (globalThis.fetch), or one with the same contract. */
export type WebFetch = (input: string, init: RequestInit) => Promise<Response>;

/** AddressResolver returns every address (IPv4 or IPv6 text) a host name resolves to. */
export type AddressResolver = (hostname: string) => Promise<string[]>;

/** WebOriginOptions are what the runtime contributes to webOrigin. */
export interface WebOriginOptions {
  /** The fetch to use; default globalThis.fetch. */
  fetch?: WebFetch;
  /** Resolves names so their addresses can be checked before each hop; default none (see the file comment). */
  resolve?: AddressResolver;
}

/** WebRequest is one origin request made through fetchWeb: the core's OriginRequest plus what fetchWeb runs under. */
export interface WebRequest extends OriginRequest {
  config: ProxyConfig;
  fetch: WebFetch;
  resolve?: AddressResolver;
}

/** EMPTY is the body of a response that has none. */
const EMPTY = new Uint8Array(0);

/** allowMatchers caches one HostMatcher per allowHosts list, as policy.ts does. */
const allowMatchers = new WeakMap<string[], HostMatcher>();
function allowMatcher(list: string[]): HostMatcher {
  let m = allowMatchers.get(list);
  if (!m) allowMatchers.set(list, (m = new HostMatcher(list)));
  return m;
}

/** isLiteral reports whether a URL host is an IP literal (WHATWG URL prints IPv4 as a dotted quad, IPv6 in brackets). */
function isLiteral(host: string): boolean {
  return host.startsWith('[') || /^\d+\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * checkWebHop checks one hop before it is fetched: the static checks of checkTarget always; for a
 * name, every resolved address when there is a resolver, else a refusal of a name that only
 * allowHosts' CIDR blocks could admit.
 */
async function checkWebHop(url: URL, admission: Admission, req: WebRequest): Promise<void> {
  checkTarget(url, admission, req.config);
  if (isLiteral(url.hostname)) return;
  const host = unbracket(url.hostname);
  if (req.resolve) {
    const resolve = req.resolve;
    const { lookup } = checkHop(url, admission, req.config, async (name) =>
      (await resolve(name)).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
    await new Promise<void>((ok, fail) => {
      (lookup as unknown as (h: string, o: object, cb: (err: unknown) => void) => void)(host, { all: true }, (err) => (err ? fail(err) : ok()));
    });
    return;
  }
  if (admission === 'allowHosts' && !allowMatcher(req.config.allowHosts).matchesName(host)) {
    throw new ForbiddenError('The remote host is allowed only by address, which this runtime cannot check.', 'not_allowed');
  }
}

/**
 * fetchWeb GETs url through `fetch` under the proxy's policy and limits and reads the whole body,
 * with fetchRemote's contract (fetch.ts): it rejects with a ProxyError for refusals and origin
 * failures, or with the signal's reason when `signal` aborts.
 */
export async function fetchWeb(url: URL, req: WebRequest): Promise<OriginResponse> {
  const { config } = req;
  if (req.signal.aborted) throw req.signal.reason;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new GatewayTimeoutError()), config.timeoutMs);
  const onAbort = (): void => ctl.abort(req.signal.reason);
  req.signal.addEventListener('abort', onAbort, { once: true });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
  headers['user-agent'] = config.userAgent;
  const conditional = 'if-none-match' in headers || 'if-modified-since' in headers;
  let reading = false;
  try {
    let current = url;
    for (let redirects = 0; ; redirects++) {
      await checkWebHop(current, req.admission, req);
      const res = await req.fetch(...fetchArgs(current, headers, ctl.signal));
      const location = res.headers.get('location');
      if (REDIRECT_STATUSES.has(res.status) && location !== null) {
        await res.body?.cancel();
        const next = resolveLocation(location, current);
        if (!config.followRedirects) return { status: res.status, headers: { location: next.href }, body: EMPTY };
        if (redirects >= config.maxRedirects) {
          throw new BadGatewayError('The remote server redirected too many times.', 'too_many_redirects');
        }
        if (next.host !== current.host) for (const h of CREDENTIAL_HEADERS) delete headers[h];
        current = next;
        continue;
      }
      reading = true;
      return await readResponse(res, config, conditional, req.lease);
    }
  } catch (err) {
    throw fetchError(err, ctl.signal, reading);
  } finally {
    clearTimeout(timer);
    req.signal.removeEventListener('abort', onAbort);
  }
}

/**
 * fetchArgs builds one hop's fetch call: credentials in the URL become an Authorization header
 * (fetch refuses URLs that carry them), and redirects are returned, not followed, so each hop is
 * checked here.
 */
function fetchArgs(url: URL, headers: Record<string, string>, signal: AbortSignal): [string, RequestInit] {
  const h = { ...headers };
  let target = url;
  if (url.username || url.password) {
    target = new URL(url.href);
    target.username = '';
    target.password = '';
    h.authorization = `Basic ${btoa(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`)}`;
  }
  return [target.href, { method: 'GET', headers: h, redirect: 'manual', signal }];
}

/** fetchError maps whatever a fetch threw to what the caller sees. */
function fetchError(err: unknown, signal: AbortSignal, reading: boolean): unknown {
  if (signal.aborted) return signal.reason;
  if (isProxyError(err)) return err;
  const e = reading
    ? new BadGatewayError('The remote server sent an incomplete or corrupt response.', 'origin_reset')
    : new BadGatewayError('The remote server could not be reached.', 'origin_unreachable');
  e.cause = err;
  return e;
}

/** responseHeaders keeps the headers worth keeping, by lower-case name, one value each. */
function responseHeaders(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    const name = k.toLowerCase();
    if (!DROPPED_RESPONSE_HEADERS.has(name)) out[name] = v;
  });
  return out;
}

/** readResponse checks the status, content type and length of a final response and reads its body. */
async function readResponse(res: Response, config: ProxyConfig, conditional: boolean, lease: Lease): Promise<OriginResponse> {
  const headers = responseHeaders(res);
  let done = false;
  try {
    if (finalStatus(res.status, conditional) !== 'body') return { status: res.status, headers, body: EMPTY };
    // Headers joins repeated Content-Types with ", ", which parseMediaType refuses as several.
    const declared = (res.headers.get('content-type') ?? '').trim();
    let type = declared === '' ? '' : parseMediaType(declared).type;
    const sniff = type === '' || type === 'application/octet-stream';
    if (!sniff) checkContentType(type, config.contentTypes);
    const length = res.headers.get('content-length');
    if (length !== null && Number(length) > config.maxSourceBytes) throw tooLarge(config.maxSourceBytes);
    const body = await readBody(res, config.maxSourceBytes, lease);
    done = true;
    if (sniff) type = sniffedContentType(body, type, config.contentTypes);
    headers['content-type'] = type;
    return { status: res.status, headers, body };
  } finally {
    // Nothing more is read from this response; on the error paths this also frees the connection.
    if (!done) await res.body?.cancel().catch(() => undefined);
  }
}

function tooLarge(max: number): TooLargeError {
  return new TooLargeError(`The remote image is larger than the ${max}-byte limit.`);
}

/**
 * readBody reads the (already decoded) body and fails with 413 as soon as it passes `max`, so a
 * compression bomb stops at the limit; every byte is added to `lease`, which fails the read with
 * 503 when the source-memory budget is spent.
 */
async function readBody(res: Response, max: number, lease: Lease): Promise<Uint8Array> {
  if (res.body === null) return EMPTY;
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > max) throw tooLarge(max);
      lease.grow(value.byteLength);
      chunks.push(value);
    }
  } catch (err) {
    await reader.cancel().catch(() => undefined);
    throw err;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * webOrigin is the core's origin for runtimes without node:http: fetchWeb under `config`, through
 * the runtime's fetch (or the one given).
 */
export function webOrigin(config: ProxyConfig, opts: WebOriginOptions = {}): OriginFetcher {
  const f: WebFetch = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
  return { fetch: (url, request) => fetchWeb(url, { ...request, config, fetch: f, resolve: opts.resolve }) };
}
