/**
 * Collaborators for driving the core without sockets: an origin that answers from a table, a
 * transformer that shows what it was asked, a logger that keeps its lines, and a core built
 * from them over an in-memory cache.
 */
import { createCore, type ProxyCore } from '../../../lib/core/core.js';
import type { Answer, CoreRequest, OriginFetcher, OriginRequest, OriginResponse } from '../../../lib/core/types.js';
import { defaultConfig, type Limits, type ProxyConfig } from '../../../lib/config.js';
import { NotFoundError } from '../../../lib/errors.js';
import { MemoryCache } from '../../../lib/cache/memory.js';
import { formatOptions, type Options } from '../../../lib/request/options.js';
import type { Transformer, TransformResult } from '../../../lib/transform/types.js';

/** IMAGE stands in for an origin's image bytes; the core never decodes them itself. */
export const IMAGE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]);

/** OriginRoute answers one URL: a response, a function of the request, or an error to throw. */
export type OriginRoute = OriginResponse | ((request: OriginRequest) => OriginResponse | Promise<OriginResponse>) | { fail: unknown };

/** FakeOrigin answers from a table of routes by URL and records every fetch. */
export class FakeOrigin implements OriginFetcher {
  readonly routes = new Map<string, OriginRoute>();
  readonly calls: Array<{ url: string; headers: Record<string, string> }> = [];

  /** set answers `url` with `route` from now on; it returns url, for building requests. */
  set(url: string, route: OriginRoute): string {
    this.routes.set(url, route);
    return url;
  }

  /** hits counts the fetches of url. */
  hits(url: string): number {
    return this.calls.filter((c) => c.url === url).length;
  }

  async fetch(url: URL, request: OriginRequest): Promise<OriginResponse> {
    this.calls.push({ url: url.href, headers: { ...request.headers } });
    const route = this.routes.get(url.href);
    if (route === undefined) throw new NotFoundError();
    if (typeof route === 'function') return route(request);
    if ('fail' in route) throw route.fail;
    return route;
  }
}

/** image is an origin's 200 image response with extra headers (lower-case names). */
export function image(headers: Record<string, string> = {}, body: Uint8Array = IMAGE): OriginResponse {
  return { status: 200, headers: { 'content-type': 'image/png', ...headers }, body };
}

/** hang is a route that never answers until the fetch is aborted, then rejects with the reason. */
export function hang(request: OriginRequest): Promise<OriginResponse> {
  return new Promise((_, reject) => {
    request.signal.addEventListener('abort', () => reject(request.signal.reason), { once: true });
  });
}

/** FakeTransformer prefixes the source with the canonical options, or fails as told. */
export class FakeTransformer implements Transformer {
  readonly runs: Options[] = [];
  fail: unknown = undefined;
  closed = false;

  async run(bytes: Uint8Array, options: Options, _limits: Limits): Promise<TransformResult> {
    this.runs.push(options);
    if (this.fail !== undefined) throw this.fail;
    const prefix = new TextEncoder().encode(`${formatOptions(options)}|`);
    const out = new Uint8Array(prefix.length + bytes.length);
    out.set(prefix);
    out.set(bytes, prefix.length);
    return { bytes: out, contentType: 'image/jpeg' };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Log keeps log lines as `level message`. */
export class Log {
  readonly lines: string[] = [];
  info = (m: string): void => { this.lines.push(`info ${m}`); };
  warn = (m: string): void => { this.lines.push(`warn ${m}`); };
  error = (m: string): void => { this.lines.push(`error ${m}`); };
}

/** Harness is a core with its fake collaborators. */
export interface Harness {
  core: ProxyCore;
  origin: FakeOrigin;
  transformer: FakeTransformer;
  log: Log;
  cache: MemoryCache | undefined;
  /** get answers GET url (a path+query) with the given request headers. */
  get(url: string, headers?: Record<string, string>, method?: string): Promise<Answer>;
}

/** harness builds a core over a FakeOrigin, a FakeTransformer and (unless cache is false) a MemoryCache. */
export function harness(config: Partial<ProxyConfig> = {}, opts: { cache?: boolean } = {}): Harness {
  const origin = new FakeOrigin();
  const transformer = new FakeTransformer();
  const log = new Log();
  const cache = opts.cache === false ? undefined : new MemoryCache({ maxBytes: 10_000_000, maxAgeMs: 0 });
  const core = createCore({ config: defaultConfig({ logger: log, cache, ...config }), origin, transformer });
  const get = (url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> => {
    const req: CoreRequest = { method, url, headers };
    return core.answer(req);
  };
  return { core, origin, transformer, log, cache, get };
}

/** text decodes an answer's body ('' when there is none). */
export function text(a: Answer): string {
  return a.body === undefined ? '' : new TextDecoder().decode(a.body);
}

/** header reads an answer header by name, case-insensitively. */
export function header(a: Answer, name: string): string | undefined {
  const n = name.toLowerCase();
  for (const [k, v] of Object.entries(a.headers)) if (k.toLowerCase() === n) return v;
  return undefined;
}
