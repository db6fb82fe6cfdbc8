/**
 * Client-facing cache headers: the Cache-Control and Expires the proxy sends, rewritten as the Go
 * server's updateCacheHeaders rewrites them, so that CDNs and browsers in front of the proxy see
 * the lifetime -minCacheDuration gives and the directives -forceCache drops.
 */
import { parseHttpDate, type FreshnessPolicy } from './freshness.js';

/**
 * goCacheControl parses Cache-Control as the Go server does: directives split on commas (outside
 * quoted strings), names lower-cased, values kept as written, a later duplicate winning.
 */
export function goCacheControl(value: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of (value ?? '').match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? []) {
    const part = raw.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) out.set(part.toLowerCase(), '');
    else out.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return out;
}

/** formatCacheControl prints directives as Go's CacheControl.String: sorted `name` / `name=value`, joined by ", ". */
export function formatCacheControl(cc: Map<string, string>): string {
  const parts = [...cc].map(([k, v]) => (v === '' ? k : `${k}=${v}`));
  parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return parts.join(', ');
}

/**
 * updateCacheHeaders returns the response headers (lower-case names) a client should see, case by
 * case as in the Go server:
 * - forceCache drops `private` and `no-store` and normalises the directives;
 * - otherwise `private` gets `no-store` added (and nothing else changes), and a `no-store`
 *   response is left alone;
 * - with minCacheDurationMs, `max-age` becomes the largest of it, max-age and Expires - Date,
 *   in whole seconds, and Expires is dropped.
 * Anything else is returned unchanged (the same object).
 */
export function updateCacheHeaders(headers: Record<string, string>, policy: FreshnessPolicy): Record<string, string> {
  const cc = goCacheControl(headers['cache-control']);
  const out: Record<string, string> = { ...headers };
  if (policy.forceCache) {
    cc.delete('private');
    cc.delete('no-store');
    out['cache-control'] = formatCacheControl(cc);
  } else if (cc.has('private')) {
    cc.set('no-store', '');
    out['cache-control'] = formatCacheControl(cc);
    return out;
  } else if (cc.has('no-store')) {
    return headers;
  }
  if (policy.minCacheDurationMs <= 0) return policy.forceCache ? out : headers;
  const maxAgeMs = /^\d+$/.test(cc.get('max-age') ?? '') ? Number(cc.get('max-age')) * 1000 : 0;
  // Go reads Expires only against a Date header; without one it counts for nothing.
  const date = parseHttpDate(headers['date']), expires = parseHttpDate(headers['expires']);
  const expiresMs = date !== undefined && expires !== undefined ? Math.max(0, expires - date) : 0;
  const lifetimeMs = Math.max(policy.minCacheDurationMs, maxAgeMs, expiresMs);
  cc.set('max-age', String(Math.floor(lifetimeMs / 1000)));
  out['cache-control'] = formatCacheControl(cc);
  delete out['expires'];
  return out;
}
