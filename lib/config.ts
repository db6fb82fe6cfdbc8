/**
 * Proxy configuration: every setting the server takes, with its default and the reason for it.
 *
 * `bin/` turns flags and environment variables into a ProxyConfig; the library never reads
 * process.argv or process.env itself.
 */
import type { Cache } from './cache/cache.js';
import { DEFAULT_AVIF_QUALITY, DEFAULT_WEBP_QUALITY, MAX_AVIF_PIXELS } from './codecs/encoder-defaults.js';

/** DEFAULT_TIMEOUT_MS bounds a whole request, so a slow origin cannot hold a connection forever. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** DEFAULT_MAX_SOURCE_BYTES caps a remote body (50 MB), so one request cannot exhaust memory. */
export const DEFAULT_MAX_SOURCE_BYTES = 50 * 1024 * 1024;
/**
 * DEFAULT_MAX_SOURCE_MEMORY caps the origin bodies all requests in progress hold at once
 * (256 MB), so many concurrent large fetches are shed with 503 instead of exhausting memory.
 */
export const DEFAULT_MAX_SOURCE_MEMORY = 256 * 1024 * 1024;
/** DEFAULT_MAX_PIXELS caps width*height before decoding (50 MP ~ 200 MB of RGBA). */
export const DEFAULT_MAX_PIXELS = 50_000_000;
/** MAX_OUTPUT_SIDE caps each side of an output image, so scaleUp cannot allocate gigabytes. */
export const DEFAULT_MAX_OUTPUT_SIDE = 8192;
/**
 * DEFAULT_ORIGIN_IDLE_CONNS bounds the idle keep-alive sockets kept per origin: a connect per
 * image costs an origin round trip and ~1.6 ms of the event loop here; more than the pool's
 * workers can use at once would only hold the origin's sockets.
 */
export const DEFAULT_ORIGIN_IDLE_CONNS = 16;
/** DEFAULT_MAX_REDIRECTS matches Go's http.Client, which stops after 10 redirects. */
export const DEFAULT_MAX_REDIRECTS = 10;
/** DEFAULT_MAX_FRAMES caps GIF frames, since per-frame bookkeeping costs memory even for 1x1 frames. */
export const DEFAULT_MAX_FRAMES = 10_000;
/**
 * DEFAULT_MAX_SCANS caps the scans of a progressive JPEG: each scan may walk every block, so a
 * crafted file with thousands of tiny scans would cost time out of proportion to its size;
 * encoders write a few dozen at most.
 */
export const DEFAULT_MAX_SCANS = 256;
/** DEFAULT_TRANSFORM_TIMEOUT_MS bounds one transform (under the 30 s request limit), so a pathological image cannot hold a worker forever. */
export const DEFAULT_TRANSFORM_TIMEOUT_MS = 20_000;
/** DEFAULT_WORKER_MEMORY_MB caps each worker's JS heap, so a runaway decoder kills its worker, not the server. */
export const DEFAULT_WORKER_MEMORY_MB = 512;
/** DEFAULT_CACHE_TIMEOUT_MS bounds one cache operation, so a slow backend becomes a miss instead of a slow request. */
export const DEFAULT_CACHE_TIMEOUT_MS = 5_000;
/** DEFAULT_MAX_QUEUE bounds waiting transforms, so overload is shed with 503 instead of piling up. */
export const DEFAULT_MAX_QUEUE = 64;
/**
 * DEFAULT_LEASE_TIME_MS is the life of a fleet lease and the most another instance waits for its
 * holder (15 s): longer than a typical fetch and transform, and short enough that a request whose
 * holder died still answers within the 30 s request limit after doing the work itself.
 */
export const DEFAULT_LEASE_TIME_MS = 15_000;
/** DEFAULT_SHUTDOWN_GRACE_MS is how long in-flight requests may finish after SIGTERM. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
/**
 * DEFAULT_HEADER_TIMEOUT_MS bounds how long a client may take to send a request's headers (10 s,
 * the Go server's whole-request ReadTimeout): they are a few hundred bytes, so only a broken or
 * hostile (slowloris) client needs longer. Idle time between keep-alive requests does not count.
 */
export const DEFAULT_HEADER_TIMEOUT_MS = 10_000;
/**
 * DEFAULT_REQUEST_TIMEOUT_MS bounds receiving a whole request, body included (20 s): proxy
 * requests have no body, so it only cuts clients that drip one, and leaves room to raise the
 * header limit, which may not exceed it.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 20_000;
/**
 * DEFAULT_KEEP_ALIVE_TIMEOUT_MS is how long an idle keep-alive connection stays open (120 s, the Go
 * server's IdleTimeout): longer than the idle timeout of the usual load balancers (AWS ALB and
 * nginx: 60 s), which must close first, or they reuse a connection being closed and answer 502.
 */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 120_000;
/**
 * DEFAULT_MAX_COLOR_PROFILE_SIZE bounds an embedded ICC profile (4 MB): real ones are a few KB
 * to a few hundred KB, and a compressed PNG iCCP could otherwise inflate to gigabytes.
 */
export const DEFAULT_MAX_COLOR_PROFILE_SIZE = 4 * 1024 * 1024;
/** DEFAULT_QUALITY is the JPEG quality when the request names none, as in the Go server. */
export const DEFAULT_QUALITY = 95;
/** DEFAULT_WEBP_QUALITY is the WebP quality when a request names none (see codecs/webp-encode.ts for why 92). */
export { DEFAULT_WEBP_QUALITY };
/** DEFAULT_AVIF_QUALITY is the AVIF quality when a request names none (see codecs/avif.ts for why 85). */
export { DEFAULT_AVIF_QUALITY };
/** DEFAULT_MAX_AVIF_PIXELS caps AVIF output (width*height): aom costs ~2.5 µs a pixel, so 3 MP is ~7.5 s of a worker. */
export const DEFAULT_MAX_AVIF_PIXELS = MAX_AVIF_PIXELS;
/** NegotiableFormat is an output format that -autoFormat may choose from a request's Accept header. */
export type NegotiableFormat = 'webp' | 'avif';
/** NEGOTIABLE_FORMATS are the formats -autoFormat may list. */
export const NEGOTIABLE_FORMATS: readonly NegotiableFormat[] = ['webp', 'avif'];
/** DEFAULT_PASS_RESPONSE_HEADERS are the origin headers copied to the client, as in the Go server. */
export const DEFAULT_PASS_RESPONSE_HEADERS = ['Cache-Control', 'Last-Modified', 'Expires', 'Etag', 'Link'];
/** DEFAULT_CONTENT_TYPES allows any image type, as in the Go server. */
export const DEFAULT_CONTENT_TYPES = ['image/*'];
/** DEFAULT_USER_AGENT identifies the proxy to origins. */
export const DEFAULT_USER_AGENT = 'imageproxy-node';

/** Limits are the decode and output bounds a transform enforces. */
export interface Limits {
  /** Largest width*height (summed over GIF frames) that will be decoded. */
  maxPixels: number;
  /** Largest output width or height. */
  maxOutputSide: number;
  /** Largest number of GIF frames decoded; DEFAULT_MAX_FRAMES when absent. */
  maxFrames?: number;
  /** Largest number of scans in a JPEG; DEFAULT_MAX_SCANS when absent. */
  maxScans?: number;
  /** Largest AVIF output (width*height); DEFAULT_MAX_AVIF_PIXELS when absent. */
  maxAvifPixels?: number;
  /** Largest embedded colour profile read; DEFAULT_MAX_COLOR_PROFILE_SIZE when absent. */
  maxColorProfileSize?: number;
  /** Keep the source's ICC profile in JPEG, PNG and WebP output instead of converting to sRGB. */
  keepColorProfile?: boolean;
}

/** DEFAULT_LIMITS are the transform limits used when none are given. */
export const DEFAULT_LIMITS: Limits = {
  maxPixels: DEFAULT_MAX_PIXELS,
  maxOutputSide: DEFAULT_MAX_OUTPUT_SIDE,
  maxFrames: DEFAULT_MAX_FRAMES,
  maxScans: DEFAULT_MAX_SCANS,
  maxAvifPixels: DEFAULT_MAX_AVIF_PIXELS,
};

/** Logger receives the proxy's log lines; console is a valid Logger. */
export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** ProxyConfig is the complete configuration of a proxy handler. */
export interface ProxyConfig {
  /** Hosts allowed as origins: exact names, `*.example.com`, or CIDR blocks. Empty = all. */
  allowHosts: string[];
  /** Hosts refused as origins; wins over allowHosts. */
  denyHosts: string[];
  /** Hosts the Referer header must name; empty = no check. */
  referrers: string[];
  /** HMAC keys; a request signed with any of them passes. */
  signatureKeys: Buffer[];
  /** Base URL that relative remote URLs are resolved against. */
  baseURL?: URL;
  /** Allow origins on loopback, private, link-local and other non-public addresses. */
  allowPrivateNetworks: boolean;
  /** Follow origin redirects (up to maxRedirects); otherwise pass the redirect through. */
  followRedirects: boolean;
  /** Largest number of redirects followed. */
  maxRedirects: number;
  /** Idle keep-alive connections kept per origin (and policy); 0 opens a connection per request. */
  originIdleConns: number;
  /** Time limit for a whole request, in milliseconds. */
  timeoutMs: number;
  /** Largest remote body, in bytes. */
  maxSourceBytes: number;
  /** Most bytes of origin bodies that requests in progress may hold together; beyond it, 503. */
  maxSourceMemory: number;
  /** Allowed content types (wildcards allowed); empty = all. */
  contentTypes: string[];
  /** User-Agent sent to origins. */
  userAgent: string;
  /** Request headers copied from the client to the origin. */
  passRequestHeaders: string[];
  /** Response headers copied from the origin to the client. */
  passResponseHeaders: string[];
  /** Send the client's Referer to the origin. */
  includeReferer: boolean;
  /** Allow every request to scale up beyond the source size. */
  scaleUp: boolean;
  /** Log every request. */
  verbose: boolean;
  /** Transform limits. */
  limits: Limits;
  /** Worker threads for transforms. */
  workers: number;
  /** Largest number of transforms waiting for a worker. */
  maxQueue: number;
  /** Time limit for one transform in milliseconds; past it the worker is stopped and the answer is 422. */
  transformTimeoutMs: number;
  /** Heap limit of each worker thread, in megabytes. */
  workerMemoryMb: number;
  /**
   * Directory where the workers keep V8's compiled code between starts (lib/pool/code-cache.ts);
   * undefined or '' keeps none (the library's default; the CLI's is a private folder under the
   * system's temp directory).
   */
  codeCacheDir?: string;
  /** Cache for originals and transformed variants; undefined = no caching. */
  cache?: Cache;
  /** Raise the freshness lifetime of cached responses to at least this many milliseconds. */
  minCacheDurationMs: number;
  /** Cache every response regardless of Cache-Control private/no-store. */
  forceCache: boolean;
  /**
   * Coalesce misses across instances with leases in the cache's Redis tier (single, Cluster or
   * Sentinel), when there is one: one instance does the work, the others wait for its entry.
   */
  fleetLeases: boolean;
  /** Life of a fleet lease, and the most an instance waits for another's work, in milliseconds. */
  leaseTimeMs: number;
  /** Where log lines go. */
  logger: Logger;
  /**
   * Output formats chosen from a request's Accept header when its URL names none, in order of
   * preference (`['avif', 'webp']`); empty (the default) turns negotiation off.
   */
  autoFormat: NegotiableFormat[];
  /** WebP quality (1-100) when a request names none. */
  webpQuality: number;
  /** AVIF quality (1-100) when a request names none. */
  avifQuality: number;
}

/** defaultConfig returns a ProxyConfig with every default, overridden by `overrides`. */
export function defaultConfig(overrides: Partial<ProxyConfig> = {}): ProxyConfig {
  return {
    allowHosts: [],
    denyHosts: [],
    referrers: [],
    signatureKeys: [],
    allowPrivateNetworks: false,
    followRedirects: true,
    maxRedirects: DEFAULT_MAX_REDIRECTS,
    originIdleConns: DEFAULT_ORIGIN_IDLE_CONNS,
    timeoutMs: DEFAULT_TIMEOUT_MS,
    maxSourceBytes: DEFAULT_MAX_SOURCE_BYTES,
    maxSourceMemory: DEFAULT_MAX_SOURCE_MEMORY,
    contentTypes: [...DEFAULT_CONTENT_TYPES],
    userAgent: DEFAULT_USER_AGENT,
    passRequestHeaders: [],
    passResponseHeaders: [...DEFAULT_PASS_RESPONSE_HEADERS],
    includeReferer: false,
    scaleUp: false,
    verbose: false,
    limits: { ...DEFAULT_LIMITS },
    workers: 0,
    maxQueue: DEFAULT_MAX_QUEUE,
    transformTimeoutMs: DEFAULT_TRANSFORM_TIMEOUT_MS,
    workerMemoryMb: DEFAULT_WORKER_MEMORY_MB,
    minCacheDurationMs: 0,
    forceCache: false,
    fleetLeases: true,
    leaseTimeMs: DEFAULT_LEASE_TIME_MS,
    logger: console,
    autoFormat: [],
    webpQuality: DEFAULT_WEBP_QUALITY,
    avifQuality: DEFAULT_AVIF_QUALITY,
    ...overrides,
  };
}
