/**
 * Serving a proxy handler on loopback for tests.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ImageProxyHandler } from '../../lib/handler.js';

/** Served is a handler listening on 127.0.0.1 at an ephemeral port. */
export interface Served {
  /** Base URL, e.g. http://127.0.0.1:41234. */
  url: string;
  /** The listening server. */
  server: http.Server;
  /** close drops open connections, stops the server and closes the handler (its pool and cache). */
  close(): Promise<void>;
}

/** serveHandler serves handler on 127.0.0.1:0 with a plain http server. */
export async function serveHandler(handler: ImageProxyHandler): Promise<Served> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await handler.close();
    },
  };
}
