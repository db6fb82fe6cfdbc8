/**
 * The request context: everything one image request has worked out before it loads anything —
 * the parsed request, how it was admitted, the headers its origin request carries, its cache and
 * flight keys, its share of source memory and its abort signal — made once, then read by the
 * loading functions.
 */
import { parseRequest, remoteWithOptions, type ProxyRequest } from '../request/request.js';
import { isTransform } from '../request/options.js';
import { checkRequest, checkTarget, type Admission } from '../security/policy.js';
import { originRequestHeaders } from '../origin/request.js';
import type { Lease } from '../flow/budget.js';
import type { CoreState } from './state.js';
import type { CoreRequest, RequestHeaders } from './types.js';

/** RequestContext is one image request on its way through the core. */
export interface RequestContext {
  /** The proxy's shared state. */
  readonly core: CoreState;
  /** The request as the adapter gave it. */
  readonly request: CoreRequest;
  /** The parsed proxy request. */
  readonly preq: ProxyRequest;
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
  const originalKey = preq.remoteString;
  const variantKey = transform ? remoteWithOptions(preq.remoteBase, preq.options) : undefined;
  // JSON text has no raw newline, so the policy part and the key cannot run into each other.
  const policy = `${JSON.stringify([admission, originHeaders])}\n`;
  return {
    core, request, preq, admission, originHeaders, transform, originalKey, variantKey,
    originalFlightKey: policy + originalKey,
    variantFlightKey: variantKey === undefined ? undefined : policy + variantKey,
    lease, signal,
  };
}

/** headerValue returns one request header as a single string (repeated ones joined as node:http joins them). */
export function headerValue(headers: RequestHeaders, name: string): string | undefined {
  const v = headers[name];
  return v === undefined || typeof v === 'string' ? v : v.join(', ');
}
