/**
 * The HTTP-free core: createCore(options) gives a ProxyCore whose answer(request) turns a plain
 * CoreRequest into an Answer. The adapters (lib/handler.ts for node:http and Express) are thin
 * translations around it.
 */
export { createCore, answer } from './core.js';
export type { ProxyCore } from './core.js';
export { createState, LazyTransformer } from './state.js';
export type { CoreOptions, CoreState } from './state.js';
export { createContext, headerValue } from './context.js';
export type { RequestContext } from './context.js';
export { loadOriginal, originalFlight } from './original.js';
export { loadVariant, variantFlight } from './variant.js';
export { imageAnswer, errorAnswer, redirectAnswer, textAnswer, describe } from './answer.js';
export { coreHeaderNames } from './headers.js';
export { CLIENT_CLOSED_REQUEST, ClientGoneError } from './types.js';
export type {
  Answer, CacheState, CoreRequest, FetchHandler, OriginFetcher, OriginRequest, OriginResponse, Outcome, RequestHeaders,
} from './types.js';
