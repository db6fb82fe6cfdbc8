/**
 * The request context: everything one image request has worked out before it loads anything —
 * the parsed request, how it was admitted, the headers its origin request carries, its cache and
 * flight keys, its share of source memory and its abort signal — made once, then read by the
 * loading functions.
 */
import { parseRequest, remoteWithOptions, type ProxyRequest } from '../request/request.js';
import { isTransform, type OutputFormat } from '../request/options.js';
import { checkRequest, checkTarget, type Admission } from '../security/policy.js';
import { originRequestHeaders } from '../origin/request.js';
import type { Lease } from '../flow/budget.js';
import { negotiate, type Negotiation } from './negotiate.js';
import type { CoreState } from './state.js';
import type { CoreRequest, RequestHeaders } from './types.js';

/** RequestContext is one image request on its way through the core. */
export interface RequestContext {
  /** The proxy's shared state. */
  readonly core: CoreState;
  /** The request as the adapter gave it. */
  readonly request: CoreRequest;
  /** The parsed proxy request; its options carry the negotiated format, if there is one. */
  readonly preq: ProxyRequest;
  /**
   * The format negotiated from Accept (-autoFormat), when negotiation was possible for this URL:
   * its answers then carry Vary: Accept and an ETag per format (negotiate.ts).
   */
  readonly negotiation: Negotiation | undefined;
  /** How the request was admitted. */
  readonly admission: Admission;
  /** Headers the client contributes to the origin request (passRequestHeaders, Referer). */
  readonly originHeaders: Record<string, string>;
  /** Whether the options ask for a transform, so a variant is what is served. */
  readonly transform: boolean;
  /** Cache key of the original: the remote URL as Go prints it. */
  readonly originalKey: string;
  /** Cache key of the variant (remote#canonical options), when transform is set. */
  readonly variantKey: string | undefined;
  /**
   * Single-flight keys: requests share a load only when their origin request would be the same,
   * so the admission and origin headers are part of them along with the cache key.
   */
  readonly originalFlightKey: string;
  readonly variantFlightKey: string | undefined;
  /** This request's share of -maxSourceMemory; a fetch this request starts grows it. */
  readonly lease: Lease;
  /** Aborts when the client goes away or the request runs out of time. */
  readonly signal: AbortSignal;
}

/**
 * createContext parses and admits one request: the URL language, the request policy (host lists,
 * referrer, signature, expiry), and the first hop's static checks, which run before the cache so
 * that an entry stored under a more permissive configuration is not served. Throws ProxyError
 * (400, 403).
 */
export function createContext(core: CoreState, request: CoreRequest, lease: Lease, signal: AbortSignal): RequestContext {
  const { config } = core;
  const preq = parseRequest(request.url, config.baseURL);
  const admission = checkRequest(preq, headerValue(request.headers, 'referer'), config, Date.now());
  checkTarget(preq.remote, admission, config);
  const originHeaders = originRequestHeaders(config, request.headers);
  const transform = isTransform(preq.options);
  // After the policy checks: a signature never covers the negotiated format.
  const negotiation = negotiate(config.autoFormat, preq.options, transform, headerValue(request.headers, 'accept'));
  const originalKey = preq.remoteString;
  const ctx: RequestContext = {
    core, request, preq, negotiation, admission, originHeaders, transform, originalKey, variantKey: undefined,
    originalFlightKey: flightPolicy(admission, originHeaders) + originalKey, variantFlightKey: undefined, lease, signal,
  };
  return transform ? withFormat(ctx, negotiation?.format ?? preq.options.format) : ctx;
}

/**
 * withFormat is a transform's context with its output format set to `format` and its variant
 * keys made for it: the cache key holds the resolved format, never the Accept header, so one URL
 * has at most one variant per format.
 */
export function withFormat(ctx: RequestContext, format: OutputFormat | ''): RequestContext {
  const preq = format === ctx.preq.options.format ? ctx.preq : { ...ctx.preq, options: { ...ctx.preq.options, format } };
  const variantKey = remoteWithOptions(preq.remoteBase, preq.options);
  return { ...ctx, preq, variantKey, variantFlightKey: flightPolicy(ctx.admission, ctx.originHeaders) + variantKey };
}

/**
 * flightPolicy is the part of a flight key that keeps apart requests whose origin request would
 * differ. JSON text has no raw newline, so it and the cache key cannot run into each other.
 */
function flightPolicy(admission: Admission, originHeaders: Record<string, string>): string {
  return `${JSON.stringify([admission, originHeaders])}\n`;
}

/** headerValue returns one request header as a single string (repeated ones joined as node:http joins them). */
export function headerValue(headers: RequestHeaders, name: string): string | undefined {
  const v = headers[name];
  return v === undefined || typeof v === 'string' ? v : v.join(', ');
}
