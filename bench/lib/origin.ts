/**
 * The benchmark's origin servers: a static image origin and a bare byte server, both on
 * 127.0.0.1 with an ephemeral port.
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { IMAGES_DIR, BENCH_IMAGES, contentTypeOf } from './images.js';

/** Server is a started local HTTP server. */
export interface Server {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Number of requests served so far. */
  requests(): number;
  /** close stops the server and drops idle keep-alive connections. */
  close(): Promise<void>;
}

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer({ keepAliveTimeout: 30_000 }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

async function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/**
 * startOrigin serves every file of bench/images by name (`/photo1024.jpg`), ignoring the query
 * string so cache-busting queries reach the same bytes. Responses are cacheable for a day, with an
 * ETag and Last-Modified, so a caching proxy may keep them.
 */
export async function startOrigin(dir: string = IMAGES_DIR): Promise<Server> {
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const name of Object.values(BENCH_IMAGES)) {
    files.set(`/${name}`, { body: readFileSync(path.join(dir, name)), type: contentTypeOf(name) });
  }
  const lastModified = new Date('2024-01-01T00:00:00Z').toUTCString();
  let count = 0;
  const { server, url } = await listen((req, res) => {
    count++;
    const file = files.get((req.url ?? '/').split('?')[0]);
    if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'Content-Type': file.type,
      'Content-Length': file.body.length,
      'Cache-Control': 'public, max-age=86400',
      'Last-Modified': lastModified,
      ETag: `"${file.body.length.toString(16)}"`,
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  });
  return { url, requests: () => count, close: () => closeServer(server) };
}

/**
 * startBareServer answers every GET with the same bytes: the floor a cache hit is measured
 * against (no routing, no lookup, just Node's HTTP stack).
 */
export async function startBareServer(body: Uint8Array, contentType: string): Promise<Server> {
  const buf = Buffer.from(body);
  let count = 0;
  const { server, url } = await listen((_req, res) => {
    count++;
    res.writeHead(200, { 'Content-Type': contentType, 'Content-Length': buf.length });
    res.end(buf);
  });
  return { url, requests: () => count, close: () => closeServer(server) };
}
