/**
 * Loading the original: the origin's response, from the cache when fresh, by revalidation when
 * stale and revalidatable, or by fetching it; concurrent requests for the same origin request
 * share one load.
 */
import type { CachedResponse } from '../cache/cache.js';
import { contentTypeAllowed } from '../origin/contenttype.js';
import { isProxyError } from '../errors.js';
import type { RequestContext } from './context.js';
import { asBuffer, hitOf, peekHit, refresh, store } from './store.js';
import { fleetLoad, freshHit } from './fleet.js';
import type { OriginResponse, Outcome } from './types.js';

/**
 * Fetch failures that are not the origin's fault (a refusal by policy or content type, a request
 * shed for lack of source memory) are not counted as remote fetch errors.
 */
const NOT_ORIGIN_FAILURES = new Set([403, 415, 503]);

/**
 * originalFlight loads the original once for all concurrent requests whose origin request would
 * be the same; the body counts against the lease of the request that started the fetch. `signal`
 * is the caller's: the request's own, or that of the variant load waiting for the original.
 */
export function originalFlight(ctx: RequestContext, signal: AbortSignal): Promise<Outcome> {
  const hit = peekHit(ctx, ctx.originalKey, (e) => servable(ctx, e));
  if (hit) return Promise.resolve(hit);
  return ctx.core.originals.do(ctx.originalFlightKey, (s) => loadOriginal(ctx, s), signal);
}

/** loadOriginal serves the origin's response from cache, by revalidation, or by fetching it; `signal` is the flight's. */
export async function loadOriginal(ctx: RequestContext, signal: AbortSignal): Promise<Outcome> {
  const { core, originalKey: key } = ctx;
  let cached = await core.responses?.get(key);
  // An entry stored under an older, wider contentTypes setting is not served; the fetch decides again.
  if (cached && !servable(ctx, cached)) cached = undefined;
  const hit = hitOf(cached);
  if (hit) return hit;
  // Across a fleet, one instance fetches (or revalidates) while the others wait for its entry.
  return fleetLoad(ctx, 'original', key, () => freshHit(ctx, key, (e) => servable(ctx, e)), () => fetchAndStore(ctx, cached, signal), signal);
}

/** servable reports whether a cached original's type is still allowed by -contentTypes. */
function servable(ctx: RequestContext, entry: CachedResponse): boolean {
  return contentTypeAllowed(entry.headers['content-type'] ?? '', ctx.core.config.contentTypes);
}

/** fetchAndStore fetches the original (conditionally when `cached` is stale) and stores what came. */
async function fetchAndStore(ctx: RequestContext, cached: CachedResponse | undefined, signal: AbortSignal): Promise<Outcome> {
  const key = ctx.originalKey;
  const r = await fetchOriginal(ctx, cached, signal);
  if (r.status === 304 && cached) return { kind: 'image', entry: await refresh(ctx, key, cached, r.headers), cache: 'REVALIDATED' };
  if (r.status >= 300 && r.status < 400) return { kind: 'redirect', status: r.status, location: r.headers.location ?? '' };
  if (r.status === 204) return { kind: 'empty', status: 204 };
  const entry = await store(ctx, key, { status: 200, headers: r.headers, body: asBuffer(r.body) });
  return { kind: 'image', entry, cache: 'MISS' };
}

/** fetchOriginal asks the origin, conditionally when a stale entry has validators, and counts its failures. */
async function fetchOriginal(ctx: RequestContext, cached: CachedResponse | undefined, signal: AbortSignal): Promise<OriginResponse> {
  const { core } = ctx;
  const headers = { ...ctx.originHeaders };
  if (cached?.headers.etag) headers['if-none-match'] = cached.headers.etag;
  if (cached?.headers['last-modified']) headers['if-modified-since'] = cached.headers['last-modified'];
  try {
    return await core.origin.fetch(ctx.preq.remote, { admission: ctx.admission, headers, signal, lease: ctx.lease });
  } catch (err) {
    if (!signal.aborted && isProxyError(err) && !NOT_ORIGIN_FAILURES.has(err.status)) core.metrics.remoteFetchErrors.inc();
    throw err;
  } finally {
    core.metrics.sourceMemoryBytes.set(core.sourceMemory.inUse());
  }
}
