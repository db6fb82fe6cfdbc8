/**
 * The core's boundary: the plain request it is given, the answer it returns, and the origin it
 * is given to fetch through. Nothing here knows of node:http; the adapters (lib/handler.ts for
 * node:http and Express, a web-standard fetch handler next) translate to and from these.
 */
import type { CachedResponse } from '../cache/cache.js';
import type { Admission } from '../security/policy.js';
import type { Lease } from '../flow/budget.js';

/**
 * RequestHeaders are a client request's headers by lower-case name, as node:http's
 * `IncomingMessage.headers` holds them (so the Node adapter passes those without copying).
 *
 * The core reads only the names `coreHeaderNames(config)` lists: Referer, Accept, the
 * conditionals If-None-Match and If-Modified-Since, the credential markers Authorization and
 * Cookie, and those named by passRequestHeaders. An adapter that must copy headers (a fetch
 * Request) copies only these.
 */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/** CoreRequest is one client request as the core sees it. */
export interface CoreRequest {
  /** HTTP method, upper case. */
  method: string;
  /** Path and query as the proxy saw them, relative to any mount point (e.g. `/100x/https://a.example/b.png`). */
  url: string;
  /** The client's headers; see RequestHeaders for the ones read. */
  headers: RequestHeaders;
}

/**
 * Answer is the core's reply to one request: a status, headers (names as sent, each once), and
 * the body, which is undefined for HEAD, 204, 304, redirects and CLIENT_CLOSED_REQUEST.
 */
export interface Answer {
  /** HTTP status. */
  status: number;
  /** Response headers, names as they are to be sent; no name appears twice in any spelling. */
  headers: Record<string, string>;
  /** Response body, or undefined when there is none to send. */
  body: Uint8Array | undefined;
}

/**
 * CLIENT_CLOSED_REQUEST is the status of an answer nobody is waiting for (nginx's 499): the client
 * went away, so an adapter sends nothing and drops the connection.
 */
export const CLIENT_CLOSED_REQUEST = 499;

/** ClientGoneError is the abort reason an adapter gives when its client disconnects before the answer. */
export class ClientGoneError extends Error {
  constructor() {
    super('The client went away.');
    this.name = 'ClientGoneError';
  }
}

/** OriginRequest is what the core asks of an origin fetch besides the URL. */
export interface OriginRequest {
  /** How the request was admitted; every hop is checked again under it. */
  admission: Admission;
  /** Request headers: the passed client headers, Referer, and the conditionals of a revalidation. */
  headers: Record<string, string>;
  /** Stops the fetch; it then rejects with the signal's reason. */
  signal: AbortSignal;
  /** Grows by every body byte read; its OverloadedError (503) stops the fetch. */
  lease: Lease;
}

/** OriginResponse is an origin's answer read in full. */
export interface OriginResponse {
  /** 2xx; 304 when the request was conditional; a 3xx (with a `location` header) when redirects are not followed. */
  status: number;
  /** Lower-case names, one value each, without hop-by-hop headers; `content-type` is the checked media type. */
  headers: Record<string, string>;
  /** The decoded body (empty for 304 and redirects). */
  body: Uint8Array;
}

/**
 * OriginFetcher is how the core reaches origins. The Node default (origin/fetch.ts nodeOrigin)
 * is fetchRemote; a runtime without node:http plugs in one built on `fetch`. It rejects with a
 * ProxyError for refusals and origin failures (the fetchRemote contract), or with the signal's
 * reason when aborted.
 */
export interface OriginFetcher {
  /** fetch GETs url (following redirects under the admission when configured) and reads the whole body. */
  fetch(url: URL, request: OriginRequest): Promise<OriginResponse>;
  /** close lets go of what the fetcher keeps between requests (idle keep-alive sockets). */
  close?(): void;
}

/** CacheState says how an image answer was produced, for X-Cache and the served-from-cache metric. */
export type CacheState = 'HIT' | 'MISS' | 'REVALIDATED';

/**
 * Outcome is what loading produced: the response to serve, an origin redirect passed through, or
 * an origin's 204 No Content passed through (never cached).
 */
export type Outcome =
  | { kind: 'image'; entry: CachedResponse; cache: CacheState }
  | { kind: 'redirect'; status: number; location: string }
  | { kind: 'empty'; status: 204 };

/**
 * FetchHandler is the web-standard front door (`createFetchHandler(options)`, for Bun, Deno and
 * Cloudflare Workers) that turns a Request into a CoreRequest, calls the core, and turns the
 * Answer into a Response. Only its shape is settled here.
 */
export type FetchHandler = (request: Request) => Promise<Response>;
