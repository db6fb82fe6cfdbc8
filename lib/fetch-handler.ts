/**
 * createFetchHandler for runtimes with threads and node:http (Node.js, Bun, Deno): a
 * web-standard `(request) => Promise<Response>` handler over the same core as the node:http
 * handler, for Hono, Bun.serve and Deno.serve. Transforms run on a worker-thread pool and
 * origins are fetched through node:http with every resolved address checked, as in the
 * standalone server.
 *
 * Cloudflare Workers (and any runtime without node:http) use the `imageproxy/fetch` entry
 * (fetch-entry.ts), whose import graph has neither.
 *
 * @example
 * import { createFetchHandler } from 'imageproxy';
 * Bun.serve({ port: 8080, fetch: createFetchHandler({ allowHosts: ['images.example.com'] }) });
 */
import type { ProxyConfig } from './config.js';
import { NoWorkersError, buildFetchHandler, type FetchHandlerOptions, type ImageProxyFetchHandler, type TransformsMode } from './fetch-adapter.js';
import { nodeOrigin } from './origin/fetch.js';
import { webOrigin } from './origin/fetch-web.js';
import { defaultWorkers } from './pool/cpus.js';
import { createInlineTransformer } from './pool/inline.js';
import { createTransformPool, workerResourceLimits } from './pool/pool.js';
import type { Transformer } from './transform/types.js';

export { NoWorkersError } from './fetch-adapter.js';
export type { FetchHandlerOptions, ImageProxyFetchHandler, TransformsMode } from './fetch-adapter.js';

/**
 * canRunWorkers reports whether this runtime runs worker_threads: not on Cloudflare Workers,
 * whose nodejs_compat offers the module without threads behind it.
 */
export function canRunWorkers(): boolean {
  const nav = (globalThis as { navigator?: { userAgent?: string } }).navigator;
  return nav?.userAgent !== 'Cloudflare-Workers';
}

/** threadedTransformer makes the transformer of `mode`: the worker pool, or the inline transformer. */
function threadedTransformer(config: ProxyConfig, mode: TransformsMode): Transformer {
  const inline = mode === 'inline' || (mode === 'auto' && !canRunWorkers());
  if (inline) return createInlineTransformer({ maxQueue: config.maxQueue, taskTimeoutMs: config.transformTimeoutMs });
  if (!canRunWorkers()) throw new NoWorkersError();
  return createTransformPool({
    workers: config.workers || defaultWorkers(),
    maxQueue: config.maxQueue,
    taskTimeoutMs: config.transformTimeoutMs,
    resourceLimits: workerResourceLimits(config.workerMemoryMb),
    logger: config.logger,
  });
}

/**
 * createFetchHandler returns a web-standard request handler for the proxy, configured by
 * `options` over defaultConfig(): `Bun.serve({ fetch: handler })`, `Deno.serve(handler)`, or a
 * Hono route (`app.get('/img/*', (c) => handler(c.req.raw))` with `prefix: '/img'`).
 */
export function createFetchHandler(options: FetchHandlerOptions = {}): ImageProxyFetchHandler {
  return buildFetchHandler(options, {
    transformer: threadedTransformer,
    origin: (config, opts) => (opts.resolve ? webOrigin(config, opts) : nodeOrigin(config)),
    webOrigin,
  });
}
