/**
 * The `imageproxy/fetch` entry: createFetchHandler for Cloudflare Workers and any runtime without
 * threads or node:http. Its import graph has no node:http, node:fs, node:os or node:worker_threads
 * (it needs the `nodejs_compat` flag on Workers, for node:buffer, node:crypto and node:zlib):
 * transforms run in the calling thread with the pool's limits (pool/inline.ts), and origins are
 * fetched through the runtime's fetch (origin/fetch-web.ts), whose address checks are limited to
 * what the runtime shows (IP literals and localhost names; see docs/SECURITY.md).
 *
 * @example
 * import { createFetchHandler, MemoryCache } from 'imageproxy/fetch';
 * const handler = createFetchHandler({ allowHosts: ['images.example.com'], cache: new MemoryCache({ maxBytes: 64 << 20, maxAgeMs: 0 }) });
 * export default { fetch: (request: Request) => handler(request) };
 */
import type { ProxyConfig } from './config.js';
import { NoWorkersError, buildFetchHandler, type FetchHandlerOptions, type ImageProxyFetchHandler, type TransformsMode } from './fetch-adapter.js';
import { webOrigin } from './origin/fetch-web.js';
import { createInlineTransformer } from './pool/inline.js';
import type { Transformer } from './transform/types.js';

export type { FetchHandlerOptions, ImageProxyFetchHandler, TransformsMode } from './fetch-adapter.js';
export { NoWorkersError, requestTarget, toResponse } from './fetch-adapter.js';
export { webOrigin, fetchWeb } from './origin/fetch-web.js';
export type { WebFetch, AddressResolver, WebOriginOptions } from './origin/fetch-web.js';
export { createInlineTransformer } from './pool/inline.js';
export type { InlineOptions, InlineTransformer, InlineStats } from './pool/inline.js';
export { MemoryCache } from './cache/memory.js';
export type { MemoryCacheOptions } from './cache/memory.js';
export type { Cache, CachedResponse } from './cache/cache.js';
export { defaultConfig, DEFAULT_LIMITS } from './config.js';
export type { ProxyConfig, Limits, Logger } from './config.js';
export { signURL } from './request/signature.js';
export * from './errors.js';

/** inlineOnly makes the inline transformer; this entry has no worker pool to offer. */
function inlineOnly(config: ProxyConfig, mode: TransformsMode): Transformer {
  if (mode === 'workers') {
    throw new NoWorkersError();
  }
  return createInlineTransformer({ maxQueue: config.maxQueue, taskTimeoutMs: config.transformTimeoutMs });
}

/**
 * createFetchHandler returns a web-standard request handler for the proxy, configured by
 * `options` over defaultConfig(), with transforms in the calling thread and origins fetched
 * through the runtime's fetch; `export default { fetch: handler }` on Cloudflare Workers.
 */
export function createFetchHandler(options: FetchHandlerOptions = {}): ImageProxyFetchHandler {
  return buildFetchHandler(options, { transformer: inlineOnly, origin: webOrigin, webOrigin });
}
