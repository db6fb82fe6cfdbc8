/**
 * HTTP freshness: whether the proxy, as a shared cache, may store a response and until when it
 * is fresh (RFC 9111), adjusted by the -minCacheDuration and -forceCache settings; and the
 * validator comparisons (RFC 9110 section 13) that decide a client 304 and whether a stored
 * variant still matches its original.
 */

/** FreshnessPolicy is the operator's override of origin caching headers. */
export interface FreshnessPolicy {
  /** Raise every stored response's freshness lifetime to at least this many milliseconds. */
  minCacheDurationMs: number;
  /** Store responses even when they say no-store or private, and ignore no-cache. */
  forceCache: boolean;
}

/** StoreDecision is the outcome of storageDecision. */
export interface StoreDecision {
  /** Whether the response may be stored. */
  store: boolean;
  /** When the response stops being fresh (ms since the epoch); meaningful when store is true. */
  expiresAt: number;
  /** Why, in a few words, for logs and tests. */
  reason: string;
}

/**
 * parseCacheControl splits a Cache-Control header into lower-case directive names and their
 * unquoted values ('' when a directive has no value).
 */
export function parseCacheControl(value: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!value) return out;
  // Split on commas outside quoted strings.
  const parts = value.match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? [];
  for (const raw of parts) {
    const p = raw.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    let v = eq < 0 ? '' : p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    // The first occurrence wins, as RFC 9111 suggests for conflicting duplicates.
    if (!out.has(name)) out.set(name, v);
  }
  return out;
}

/** parseHttpDate parses an HTTP-date (IMF-fixdate, RFC 850 or asctime) to ms, or undefined. */
export function parseHttpDate(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const t = Date.parse(value);
  return Number.isFinite(t) ? t : undefined;
}

function deltaSeconds(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  // Very large values mean "forever"; cap at 2^31 seconds (about 68 years) as RFC 9111 advises.
  return Math.min(Number(v), 2 ** 31);
}

/**
 * explicitLifetimeMs returns the freshness lifetime the headers state, as a shared cache reads
 * them: s-maxage, else max-age, else Expires minus Date (Date defaults to now; an invalid
 * Expires means already expired). Undefined when the headers say nothing about freshness.
 */
export function explicitLifetimeMs(headers: Record<string, string>, now: number): number | undefined {
  const cc = parseCacheControl(headers['cache-control']);
  const sMaxAge = deltaSeconds(cc.get('s-maxage'));
  if (sMaxAge !== undefined) return sMaxAge * 1000;
  const maxAge = deltaSeconds(cc.get('max-age'));
  if (maxAge !== undefined) return maxAge * 1000;
  if (headers['expires'] !== undefined) {
    const expires = parseHttpDate(headers['expires']);
    if (expires === undefined) return 0;
    const date = parseHttpDate(headers['date']) ?? now;
    return Math.max(0, expires - date);
  }
  return undefined;
}

/**
 * expiresLifetimeMs returns Expires minus Date (Date defaults to now) when both parse, else
 * undefined: the lifetime Expires alone states, even when max-age shadows it.
 */
export function expiresLifetimeMs(headers: Record<string, string>, now: number): number | undefined {
  const expires = parseHttpDate(headers['expires']);
  if (expires === undefined) return undefined;
  return Math.max(0, expires - (parseHttpDate(headers['date']) ?? now));
}

/** ageMs returns the Age header in milliseconds (0 when absent or invalid). */
export function ageMs(headers: Record<string, string>): number {
  return (deltaSeconds(headers['age']?.trim()) ?? 0) * 1000;
}

/** hasValidatorHeaders reports whether headers carry an ETag or Last-Modified to revalidate with. */
export function hasValidatorHeaders(headers: Record<string, string>): boolean {
  return Boolean(headers['etag'] || headers['last-modified']);
}

/**
 * OriginRequestInfo describes the origin request behind a response, for the storage rules that
 * depend on what was asked (RFC 9111 sections 3.5 and 4.1).
 */
export interface OriginRequestInfo {
  /** The origin request carried an Authorization header. */
  authorization: boolean;
  /** Lower-case names of request headers the proxy copies from clients, which may differ per client. */
  clientHeaders: readonly string[];
}

/** RequestContext is the former name of OriginRequestInfo. @deprecated Use OriginRequestInfo. */
export type RequestContext = OriginRequestInfo;

/**
 * sharedStorageRefusal says why a response must not go into a cache shared by every client, or
 * returns undefined: `Vary: *`; a Vary on a header clients supply (another client would get this
 * client's variant); a response to a request with credentials that does not say it may be shared.
 * forceCache does not override these: they protect one client's data from another.
 */
function sharedStorageRefusal(cc: Map<string, string>, headers: Record<string, string>, request?: OriginRequestInfo): string | undefined {
  const vary = (headers['vary'] ?? '').split(',').map((v) => v.trim().toLowerCase()).filter((v) => v !== '');
  if (vary.includes('*')) return 'Vary: *';
  if (!request) return undefined;
  const varied = vary.find((v) => request.clientHeaders.includes(v));
  if (varied) return `Vary on client header ${varied}`;
  if (request.authorization && !cc.has('public') && !cc.has('s-maxage') && !cc.has('must-revalidate')) {
    return 'request had credentials';
  }
  return undefined;
}

/**
 * storageDecision decides whether a response may be stored by the proxy and computes its expiry.
 *
 * Rules, in order:
 * - Only status 200 is stored.
 * - Nothing one client's request could make client-specific is stored (sharedStorageRefusal).
 * - `no-store` and `private` (the proxy is a shared cache) are not stored, unless forceCache.
 * - The lifetime is s-maxage, max-age or Expires−Date, minus the Age header; `no-cache` means
 *   lifetime 0 (stored, but revalidated before every use) unless forceCache. Without any of
 *   these the heuristic lifetime is 0 (no guessing from Last-Modified).
 * - minCacheDurationMs raises the lifetime of anything storable: it becomes the largest of
 *   minCacheDurationMs, the explicit lifetime and Expires - Date (as in the Go server).
 * - A response that would be stale immediately is stored only when it has an ETag or
 *   Last-Modified, since only then can it be revalidated cheaply; otherwise storing it would
 *   buy nothing. This holds with forceCache too: forcing without a lifetime needs
 *   -minCacheDuration to have any effect on responses without validators.
 */
export function storageDecision(
  status: number,
  headers: Record<string, string>,
  now: number,
  policy: FreshnessPolicy,
  request?: OriginRequestInfo,
): StoreDecision {
  if (status !== 200) return { store: false, expiresAt: now, reason: `status ${status}` };
  const cc = parseCacheControl(headers['cache-control']);
  const refusal = sharedStorageRefusal(cc, headers, request);
  if (refusal) return { store: false, expiresAt: now, reason: refusal };
  if (!policy.forceCache) {
    if (cc.has('no-store')) return { store: false, expiresAt: now, reason: 'no-store' };
    if (cc.has('private')) return { store: false, expiresAt: now, reason: 'private' };
  }
  let lifetime = explicitLifetimeMs(headers, now);
  let reason = lifetime === undefined ? 'heuristic' : 'explicit';
  if (!policy.forceCache && cc.has('no-cache')) {
    lifetime = 0;
    reason = 'no-cache';
  }
  if (policy.minCacheDurationMs > 0 && reason !== 'no-cache') {
    // As the Go server's updateCacheHeaders: with -minCacheDuration the lifetime is the largest of
    // it, max-age and Expires - Date, so a later Expires is not cut short by a smaller max-age.
    const expires = expiresLifetimeMs(headers, now);
    if (expires !== undefined && (lifetime === undefined || expires > lifetime)) lifetime = expires;
  }
  let fresh = Math.max(0, (lifetime ?? 0) - ageMs(headers));
  if (policy.minCacheDurationMs > 0 && fresh < policy.minCacheDurationMs) {
    fresh = policy.minCacheDurationMs;
    reason = 'minCacheDuration';
  }
  if (fresh <= 0 && !hasValidatorHeaders(headers)) {
    return { store: false, expiresAt: now, reason: `${reason}: stale at once without validators` };
  }
  return { store: true, expiresAt: now + fresh, reason };
}

/** etagMatches implements If-None-Match's weak comparison (RFC 9110 section 13.1.2) against one ETag. */
export function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const want = weakTag(etag);
  return header.split(',').some((t) => weakTag(t) === want);
}

function weakTag(t: string): string {
  return t.trim().replace(/^W\//, '');
}

/**
 * notModified reports whether a client's conditional headers make 304 the right answer for a
 * response with `headers` (lower-case names): If-None-Match when present (it wins over
 * If-Modified-Since, RFC 9110 section 13.2.2), else If-Modified-Since against Last-Modified.
 */
export function notModified(ifNoneMatch: string | undefined, ifModifiedSince: string | undefined, headers: Record<string, string>): boolean {
  if (ifNoneMatch !== undefined) return !!headers.etag && etagMatches(ifNoneMatch, headers.etag);
  const lm = headers['last-modified'];
  if (ifModifiedSince === undefined || lm === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  const modified = Date.parse(lm);
  return !Number.isNaN(since) && !Number.isNaN(modified) && since >= modified;
}

/**
 * sameVersion reports whether a stored variant was made from the same origin version as the
 * original whose headers are `orig`: the same ETag when either has one, else the same
 * Last-Modified. Without validators nothing is known to be the same.
 */
export function sameVersion(variant: Record<string, string>, orig: Record<string, string>): boolean {
  if (variant.etag || orig.etag) return variant.etag === orig.etag && !!orig.etag;
  return !!orig['last-modified'] && variant['last-modified'] === orig['last-modified'];
}
