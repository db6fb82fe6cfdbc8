/**
 * A programmable origin server for tests: listens on 127.0.0.1 at an ephemeral port and answers
 * each path the way a route says — status, headers, body, chunked, gzip, slow drip, reset
 * mid-body, redirects, raw bytes — and records every request it sees.
 *
 * @example
 * const origin = await startOrigin({ '/a.png': { headers: { 'Content-Type': 'image/png' }, body: png } });
 * try { await fetch(`${origin.url}/a.png`); assert.equal(origin.hits('/a.png'), 1); }
 * finally { await origin.close(); }
 */
import http from 'node:http';
import zlib from 'node:zlib';
import type { AddressInfo, Socket } from 'node:net';

/** OriginRoute says how the origin answers one path. Fields combine; unset ones take defaults. */
export interface OriginRoute {
  /** Status code; default 200 (302 when `redirect` is set). */
  status?: number;
  /** Response headers; an array value sends the header once per element. */
  headers?: Record<string, string | string[]>;
  /** Response body; default empty. */
  body?: Buffer | string;
  /** Encode the body with this content coding and send Content-Encoding. */
  encoding?: 'gzip' | 'deflate' | 'br';
  /** Send the body chunked (no Content-Length) in pieces of this many bytes (true = 1024). */
  chunked?: boolean | number;
  /** Wait this long before sending the response head. */
  delayMs?: number;
  /** After the head (and `body`), write `chunk` every `intervalMs`, `count` times (default: until the client leaves). */
  drip?: { chunk: Buffer | string; intervalMs: number; count?: number };
  /** Write this many bytes of the body, then destroy the connection. */
  resetAfterBytes?: number;
  /** Redirect to this Location (relative or absolute). */
  redirect?: string;
  /** Write these bytes verbatim to the socket (a whole HTTP response, possibly malformed), then close it. */
  raw?: Buffer | string;
  /** Answer with custom code instead; the other fields are ignored. */
  handler?: (req: http.IncomingMessage, res: http.ServerResponse) => void;
}

/** RecordedRequest is one request the origin received. */
export interface RecordedRequest {
  /** Method, e.g. GET. */
  method: string;
  /** Path and query as received. */
  url: string;
  /** Request headers (lower-case names). */
  headers: http.IncomingHttpHeaders;
}

/** Origin is a running test origin. */
export interface Origin {
  /** Base URL without trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Port the origin listens on. */
  port: number;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** set adds or replaces the route for `path` (a pathname, or pathname with query for an exact match). */
  set(path: string, route: OriginRoute): void;
  /** hits counts requests whose pathname is `path` (all requests when omitted). */
  hits(path?: string): number;
  /** aborted counts responses to `path` (all when omitted) that the client abandoned before their end. */
  aborted(path?: string): number;
  /** whenAborted resolves once aborted(path) reaches `n` (default 1), and rejects after `timeoutMs` (default 10 s). */
  whenAborted(path: string, n?: number, timeoutMs?: number): Promise<void>;
  /** close stops the server and destroys every open connection. */
  close(): Promise<void>;
}

function encode(body: Buffer, encoding: OriginRoute['encoding']): Buffer {
  switch (encoding) {
    case 'gzip': return zlib.gzipSync(body);
    case 'deflate': return zlib.deflateSync(body);
    case 'br': return zlib.brotliCompressSync(body);
    default: return body;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** startOrigin starts an origin on 127.0.0.1:0 serving `routes` (path -> route); unknown paths get 404. */
export async function startOrigin(routes: Record<string, OriginRoute> = {}): Promise<Origin> {
  const table = new Map<string, OriginRoute>(Object.entries(routes));
  const requests: RecordedRequest[] = [];
  const abortedPaths: string[] = [];
  const sockets = new Set<Socket>();

  const pathname = (u: string): string => new URL(u, 'http://x').pathname;

  async function answer(req: http.IncomingMessage, res: http.ServerResponse, route: OriginRoute): Promise<void> {
    if (route.handler) {
      route.handler(req, res);
      return;
    }
    if (route.delayMs) await sleep(route.delayMs);
    if (res.destroyed) return;
    if (route.raw !== undefined) {
      const sock = req.socket;
      sock.end(route.raw);
      return;
    }
    let body = encode(Buffer.from(route.body ?? ''), route.encoding);
    const status = route.status ?? (route.redirect !== undefined ? 302 : 200);
    res.statusCode = status;
    for (const [k, v] of Object.entries(route.headers ?? {})) res.setHeader(k, v);
    if (route.redirect !== undefined) res.setHeader('Location', route.redirect);
    if (route.encoding) res.setHeader('Content-Encoding', route.encoding);
    const streaming = route.chunked || route.drip || route.resetAfterBytes !== undefined;
    if (!streaming && !res.hasHeader('Content-Length')) res.setHeader('Content-Length', body.length);
    if (route.resetAfterBytes !== undefined) {
      if (!res.hasHeader('Content-Length')) res.setHeader('Content-Length', body.length);
      res.flushHeaders();
      res.write(body.subarray(0, route.resetAfterBytes));
      await sleep(20);
      req.socket.destroy();
      return;
    }
    if (route.chunked) {
      const size = route.chunked === true ? 1024 : route.chunked;
      for (let i = 0; i < body.length && !res.destroyed; i += size) {
        res.write(body.subarray(i, i + size));
        await sleep(0);
      }
      body = Buffer.alloc(0);
    } else if (body.length > 0) {
      res.write(body);
    }
    if (route.drip) {
      res.flushHeaders();
      const chunk = Buffer.from(route.drip.chunk);
      for (let i = 0; route.drip.count === undefined || i < route.drip.count; i++) {
        if (res.destroyed) return;
        await sleep(route.drip.intervalMs);
        if (res.destroyed) return;
        res.write(chunk);
      }
    }
    res.end();
  }

  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push({ method: req.method ?? 'GET', url, headers: req.headers });
    res.on('close', () => {
      if (!res.writableFinished) {
        abortedPaths.push(pathname(url));
      }
    });
    const route = table.get(url) ?? table.get(pathname(url));
    if (!route) {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain');
      res.end('not found');
      return;
    }
    answer(req, res, route).catch(() => res.destroy());
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const count = (list: string[], path?: string): number => (path === undefined ? list.length : list.filter((p) => p === path).length);

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    set(path, route) {
      table.set(path, route);
    },
    hits(path) {
      return count(requests.map((r) => pathname(r.url)), path);
    },
    aborted(path) {
      return count(abortedPaths, path);
    },
    whenAborted(path, n = 1, timeoutMs = 10_000) {
      return waitFor(() => count(abortedPaths, path) >= n, `${n} abandoned response(s) for ${path}`, timeoutMs);
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * waitFor polls `cond` every few milliseconds until it holds, and fails after `timeoutMs`;
 * tests use it instead of fixed sleeps so that a loaded machine does not make them flaky.
 */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Gate holds responses until opened: a route handler awaits `wait()`, the test calls `open()`. */
export class Gate {
  private readonly opened: Promise<void>;
  /** open releases every current and future waiter. */
  open!: () => void;
  constructor() {
    this.opened = new Promise<void>((resolve) => {
      this.open = resolve;
    });
  }
  /** wait resolves once the gate is open. */
  wait(): Promise<void> {
    return this.opened;
  }
}
