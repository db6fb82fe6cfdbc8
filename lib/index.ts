/**
 * imageproxy: a caching, resizing image proxy, URL- and signature-compatible with
 * willnorris/imageproxy.
 *
 * @example
 * import express from 'express';
 * import { imageproxy } from 'imageproxy';
 * const app = express();
 * app.use('/img', imageproxy({ allowHosts: ['images.example.com'] }));
 */
export { imageproxy, SECURITY_HEADERS } from './handler.js';
export type { HandlerOptions, ImageProxyHandler } from './handler.js';
export { createCore, LazyTransformer, coreHeaderNames, CLIENT_CLOSED_REQUEST, ClientGoneError } from './core/index.js';
export type {
  ProxyCore, CoreOptions, Answer, CoreRequest, RequestHeaders, OriginFetcher, OriginRequest, OriginResponse, CacheState,
  FetchHandler,
} from './core/index.js';
export { createServer, parseAddr, DEFAULT_ADDR } from './server.js';
export type { ProxyServer, ListenTarget, ServerOptions } from './server.js';
export { createHardenedServer, guardListener, resolveServerLimits, DEFAULT_SERVER_LIMITS } from './listener.js';
export type { ServerLimits, HardenedServerOptions } from './listener.js';
export { createMetrics } from './metrics.js';
export type { ProxyMetrics } from './metrics.js';
export { observePool, statusClass, REQUEST_DURATION_BUCKETS } from './metrics.js';
export type { MetricsOptions } from './metrics.js';
export { createLogger, isLogFormat, LOG_FORMATS, DEFAULT_LOG_FORMAT } from './log.js';
export type { LogFormat, LogSink, LoggerOptions } from './log.js';
export { logFields, formatFields } from './log-format.js';
export type { FieldLogger, LogFields, LogLevel } from './log-format.js';
export { createMetricsListener, METRICS_PATH } from './metrics-listener.js';
export { fetchRemote, originRequestHeaders, nodeOrigin } from './origin/fetch.js';
export type { FetchOptions, FetchResult } from './origin/fetch.js';
export { sniffImageType } from './origin/sniff.js';
export { parseMediaType, contentTypeAllowed } from './origin/contenttype.js';
export type { MediaType } from './origin/contenttype.js';
export { SingleFlight } from './flow/singleflight.js';
export * from './config.js';
export * from './errors.js';
export { parseOptions, formatOptions, isTransform, emptyOptions, OPTIONS, OUTPUT_FORMATS } from './request/options.js';
export type { Options, OutputFormat } from './request/options.js';
export { parseRequest, cacheKey, remoteWithOptions } from './request/request.js';
export type { ProxyRequest } from './request/request.js';
export { checkRequest, checkHop, checkTarget } from './security/policy.js';
export type { Admission } from './security/policy.js';
export { signURL, verifySignature, verifySignature as verify } from './request/signature.js';
export { createCache, CacheConfigError } from './cache/index.js';
export type { CreateCacheOptions } from './cache/index.js';
export { ResponseCache, isFresh } from './cache/responses.js';
export { MemoryCache } from './cache/memory.js';
export { DiskCache } from './cache/disk.js';
export type { Cache, CachedResponse } from './cache/cache.js';
export { createTransformPool } from './pool/pool.js';
export type { TransformPool, PoolOptions } from './pool/pool.js';
export type { Transformer, TransformResult } from './transform/types.js';
export { transform } from './transform/transform.js';
export { detectFormat, probe, decode, encode } from './codecs/index.js';
export type { Bitmap, DecodedImage, Frame, ImageFormat, ProbeResult } from './codecs/index.js';
export { createFetchHandler, canRunWorkers, NoWorkersError } from './fetch-handler.js';
export type { FetchHandlerOptions, ImageProxyFetchHandler, TransformsMode } from './fetch-handler.js';
export { webOrigin, fetchWeb } from './origin/fetch-web.js';
export type { WebFetch, AddressResolver, WebOriginOptions } from './origin/fetch-web.js';
export { createInlineTransformer } from './pool/inline.js';
export type { InlineOptions, InlineTransformer, InlineStats } from './pool/inline.js';
