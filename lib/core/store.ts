/**
 * Keeping what the core loaded: storing a response in the cache when HTTP caching allows, and
 * renewing a stale entry after the origin confirmed it. ResponseCache never throws, so neither
 * does anything here.
 */
import type { CachedResponse } from '../cache/cache.js';
import { isFresh } from '../cache/responses.js';
import type { RequestContext } from './context.js';
import type { Outcome } from './types.js';

/** LoadedResponse is a response about to be stored: an origin's, or a transform's. */
export interface LoadedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * store keeps resp under key when its headers and the origin request behind it allow, and
 * returns what to serve: the stored record, or resp as a record that is stale at once.
 */
export async function store(ctx: RequestContext, key: string, resp: LoadedResponse): Promise<CachedResponse> {
  const { core } = ctx;
  const now = Date.now();
  const stored = await core.responses?.put(key, resp, now, {
    authorization: 'authorization' in ctx.originHeaders,
    clientHeaders: core.clientHeaders,
  });
  return stored ?? { ...resp, storedAt: now, expiresAt: now };
}

/** refresh renews a stale entry with the headers of the origin's 304, and returns it. */
export function refresh(ctx: RequestContext, key: string, entry: CachedResponse, headers: Record<string, string>): Promise<CachedResponse> {
  const { responses } = ctx.core;
  return responses ? responses.refresh(key, entry, headers, Date.now()) : Promise.resolve(entry);
}

/** hitOf is entry as a HIT when it is fresh and `accept` (when given) accepts it, else undefined. */
export function hitOf(entry: CachedResponse | undefined, accept?: (entry: CachedResponse) => boolean): Outcome | undefined {
  if (entry === undefined || !isFresh(entry, Date.now()) || (accept && !accept(entry))) return undefined;
  return { kind: 'image', entry, cache: 'HIT' };
}

/**
 * peekHit is hitOf the entry under key that the cache holds in this process (the memory
 * backend, or the memory tier in front of others), or undefined: then the flight loads it.
 * Such a hit needs no flight, no backend time limit and no wait for the event loop.
 */
export function peekHit(ctx: RequestContext, key: string, accept?: (entry: CachedResponse) => boolean): Outcome | undefined {
  return hitOf(ctx.core.responses?.peek(key), accept);
}

/** asBuffer views bytes as a Buffer without copying (the cache stores Buffers). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
