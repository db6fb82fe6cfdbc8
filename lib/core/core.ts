/**
 * The HTTP-free core: a plain request in, an Answer out. It routes the few fixed endpoints
 * (health check, favicon, metrics), refuses other methods than GET and HEAD, and serves image
 * requests: context, load (original or variant), answer. It never throws or rejects; every
 * failure becomes an error answer.
 */
import { GatewayTimeoutError, ProxyError } from '../errors.js';
import type { ProxyConfig } from '../config.js';
import type { ProxyMetrics } from '../metrics.js';
import { emptyAnswer, errorAnswer, imageAnswer, log, redirectAnswer, textAnswer } from './answer.js';
import { createContext } from './context.js';
import { withVary } from './negotiate.js';
import { originalFlight } from './original.js';
import { createState, type CoreOptions, type CoreState } from './state.js';
import { variantFlight } from './variant.js';
import { CLIENT_CLOSED_REQUEST, ClientGoneError, type Answer, type CoreRequest } from './types.js';

/** ProxyCore is one proxy, independent of any HTTP server: adapters call answer() per request. */
export interface ProxyCore {
  /** The complete configuration in use. */
  readonly config: ProxyConfig;
  /** The metrics the proxy records (and `/metrics` prints). */
  readonly metrics: ProxyMetrics;
  /**
   * answer answers one request; it never rejects. `controller` is the request's cancellation: the
   * adapter aborts it with a ClientGoneError when its client goes away (the answer is then
   * CLIENT_CLOSED_REQUEST), and the core aborts it when the request runs past config.timeoutMs.
   * Without one, the core makes its own.
   */
  answer(req: CoreRequest, controller?: AbortController): Promise<Answer>;
  /** close stops the transformer, lets go of the origin's idle sockets and closes the cache. */
  close(): Promise<void>;
}

/** createCore builds a core from its configuration and collaborators. */
export function createCore(options: CoreOptions): ProxyCore {
  const core = createState(options);
  return {
    config: core.config,
    metrics: core.metrics,
    answer: (req, controller) => answer(core, req, controller),
    close: async () => {
      await core.transformer.close();
      core.origin.close?.();
      await core.config.cache?.close?.();
    },
  };
}

/** bare is an answer with no headers and no body. */
const bare = (status: number): Answer => ({ status, headers: {}, body: undefined });

/** answer routes one request; see ProxyCore.answer. */
export async function answer(core: CoreState, req: CoreRequest, controller?: AbortController): Promise<Answer> {
  try {
    // Before any route: every path the proxy answers, its endpoints included, is GET and HEAD only.
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return errorAnswer(core, req, new ProxyError(405, 'method', 'Only GET and HEAD are supported.', { Allow: 'GET, HEAD' }));
    }
    const q = req.url.indexOf('?');
    const path = q < 0 ? req.url : req.url.slice(0, q);
    if (path === '/' || path === '/health-check') return textAnswer(req, 200, 'OK');
    // An empty 200, as the Go server answers.
    if (path === '/favicon.ico') return bare(200);
    if (path === '/metrics') {
      const text = await core.metrics.registry.metrics();
      return textAnswer(req, 200, text, { 'Content-Type': core.metrics.registry.contentType });
    }
    return await serveImage(core, req, controller ?? new AbortController());
  } catch (err) {
    return lastResort(core, req, err);
  }
}

/** serveImage answers one image request, with its time limit, its share of source memory and its metrics. */
async function serveImage(core: CoreState, req: CoreRequest, ctl: AbortController): Promise<Answer> {
  const { config, metrics } = core;
  const started = Date.now();
  metrics.requestsInFlight.inc();
  const endTimer = metrics.requestDuration.startTimer();
  const timer = setTimeout(() => ctl.abort(new GatewayTimeoutError('The request took too long to answer.')), config.timeoutMs);
  // The origin body this request fetches counts against -maxSourceMemory until it has answered.
  const lease = core.sourceMemory.lease();
  let a: Answer | undefined;
  let cache = '';
  let negotiated = false;
  try {
    const ctx = createContext(core, req, lease, ctl.signal);
    negotiated = ctx.negotiation !== undefined;
    const outcome = ctx.transform ? await variantFlight(ctx) : await originalFlight(ctx, ctx.signal);
    if (outcome.kind === 'empty') {
      a = emptyAnswer(outcome.status);
    } else if (outcome.kind === 'redirect') {
      a = redirectAnswer(outcome.status, outcome.location);
    } else {
      cache = outcome.cache;
      if (cache === 'HIT') metrics.servedFromCache.inc();
      a = imageAnswer(core, req, outcome.entry, outcome.cache, negotiated);
    }
  } catch (err) {
    const gone = err instanceof ClientGoneError || (ctl.signal.aborted && ctl.signal.reason instanceof ClientGoneError);
    a = gone ? bare(CLIENT_CLOSED_REQUEST) : errorAnswer(core, req, err);
  } finally {
    // Every answer to a URL whose format could have been negotiated depends on Accept, errors included.
    if (negotiated && a) withVary(a.headers);
    lease.release();
    metrics.sourceMemoryBytes.set(core.sourceMemory.inUse());
    clearTimeout(timer);
    metrics.requestsInFlight.dec();
    endTimer();
    if (config.verbose) log(core, 'info', `imageproxy: ${req.method} ${req.url} ${a?.status}${cache ? ` ${cache}` : ''} ${Date.now() - started}ms`);
  }
  return a;
}

/** lastResort answers 500 when answering itself failed (a broken metrics registry, say). */
function lastResort(core: CoreState, req: CoreRequest, err: unknown): Answer {
  try {
    return errorAnswer(core, req, err);
  } catch {
    return { status: 500, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }, body: undefined };
  }
}
