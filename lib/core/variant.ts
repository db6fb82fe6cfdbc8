/**
 * Loading a variant: a transformed image, from the cache when fresh, renewed when its original
 * has not changed, or made again from the original; concurrent requests for the same variant
 * share one load (and so one transform).
 */
import { sameVersion } from '../cache/freshness.js';
import { BadGatewayError, isProxyError } from '../errors.js';
import type { TransformResult } from '../transform/types.js';
import type { CachedResponse } from '../cache/cache.js';
import { withFormat, type RequestContext } from './context.js';
import { animationFallback } from './negotiate.js';
import { originalFlight } from './original.js';
import { asBuffer, hitOf, peekHit, refresh, store } from './store.js';
import { fleetLoad, freshHit } from './fleet.js';
import { log } from './answer.js';
import type { Outcome } from './types.js';

/** variantFlight loads the variant once for all concurrent requests whose origin request would be the same. */
export function variantFlight(ctx: RequestContext): Promise<Outcome> {
  const hit = peekHit(ctx, ctx.variantKey as string);
  if (hit) return Promise.resolve(hit);
  return ctx.core.variants.do(ctx.variantFlightKey as string, (s) => loadVariant(ctx, s), ctx.signal);
}

/**
 * loadVariant serves a transformed variant from cache, or transforms the original (`given`, when
 * already loaded); `signal` is the flight's.
 */
export async function loadVariant(ctx: RequestContext, signal: AbortSignal, given?: Outcome): Promise<Outcome> {
  const key = ctx.variantKey as string;
  const cached = await ctx.core.responses?.get(key);
  const hit = hitOf(cached);
  if (hit) return hit;
  // Across a fleet, one instance transforms while the others wait for its entry.
  return fleetLoad(ctx, 'variant', key, () => freshHit(ctx, key), () => makeVariant(ctx, key, cached, signal, given), signal);
}

/**
 * makeVariant renews the stale variant `cached` when its original is unchanged, or transforms the
 * original (`given`, when already loaded) and stores the result.
 */
async function makeVariant(ctx: RequestContext, key: string, cached: CachedResponse | undefined, signal: AbortSignal, given?: Outcome): Promise<Outcome> {
  const orig = given ?? await originalFlight(ctx, signal);
  if (orig.kind !== 'image') return orig;
  // An animation negotiated to AVIF is answered as the next accepted format's variant instead.
  const fallback = given ? undefined : animationFallback(ctx.negotiation, orig.entry.body);
  if (fallback !== undefined) return loadVariant(withFormat(ctx, fallback), signal, orig);
  const { 'content-type': _, ...origHeaders } = orig.entry.headers;
  if (cached && orig.cache !== 'MISS' && sameVersion(cached.headers, orig.entry.headers)) {
    // The origin has not changed since this variant was made: renew it instead of transforming again.
    return { kind: 'image', entry: await refresh(ctx, key, cached, origHeaders), cache: orig.cache === 'HIT' ? 'HIT' : 'REVALIDATED' };
  }
  const result = await transformOriginal(ctx, orig.entry, signal);
  const headers = { ...origHeaders, 'content-type': result.contentType };
  const entry = await store(ctx, key, { status: 200, headers, body: asBuffer(result.bytes) });
  return { kind: 'image', entry, cache: 'MISS' };
}

/** quality is the request's quality, or the configured default of a WebP or AVIF output (JPEG's is the plan's 95). */
function quality(ctx: RequestContext): number {
  const { options } = ctx.preq;
  if (options.quality !== 0) return options.quality;
  const { webpQuality, avifQuality } = ctx.core.config;
  return options.format === 'webp' ? webpQuality : options.format === 'avif' ? avifQuality : 0;
}

/**
 * transformOriginal runs the transformer on the original, timed; a failure that is not a
 * ProxyError (a transformer bug) is a 502 with the cause kept for the log.
 */
async function transformOriginal(ctx: RequestContext, orig: CachedResponse, signal: AbortSignal): Promise<TransformResult> {
  const { config, metrics, transformer } = ctx.core;
  const options = { ...ctx.preq.options, scaleUp: ctx.preq.options.scaleUp || config.scaleUp, quality: quality(ctx) };
  const end = metrics.transformationDuration.startTimer();
  let result: TransformResult;
  try {
    result = await transformer.run(orig.body, options, config.limits, signal);
  } catch (err) {
    if (isProxyError(err) || signal.aborted) throw err;
    const e = new BadGatewayError('The remote image could not be processed.', 'transform_failed');
    e.cause = err;
    throw e;
  }
  end();
  // What the transform ignored (a malformed colour profile...) does not fail the request: log it.
  for (const w of result.warnings ?? []) log(ctx.core, 'warn', `imageproxy: transform of ${ctx.preq.remoteString}: ${w}`);
  return result;
}
