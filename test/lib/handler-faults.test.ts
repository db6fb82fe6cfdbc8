// The library's handler inside someone else's server (a plain http.createServer): whatever its
// collaborators throw, it answers or cuts that one request, never throws out of it, and never
// touches the server's own timeouts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { FIXTURES } from '../helpers/paths.js';
import { startOrigin, type Origin } from '../helpers/origin.js';
import { imageproxy, createMetrics, type HandlerOptions, type Cache, type Transformer, type Logger } from '../../lib/index.js';

// fixtures/ximage/yellow_rose-small.png — golang.org/x/image testdata, BSD-3-Clause
const PNG = readFileSync(path.join(FIXTURES, 'ximage/yellow_rose-small.png'));

const quiet: Logger = { info() {}, warn() {}, error() {} };
const fault = (what: string) => (): never => {
  throw new Error(`${what} fault`);
};

/** Transformer whose run throws synchronously, before returning any promise. */
const throwingTransformer: Transformer = { run: fault('transformer'), close: async () => undefined };
/** Transformer whose run rejects with something that is not an Error. */
const stringTransformer: Transformer = { run: () => Promise.reject('not an error'), close: async () => undefined };
/** Cache whose every method throws synchronously. */
const throwingCache: Cache = { get: fault('cache get'), set: fault('cache set'), delete: fault('cache delete') };
/** Logger whose every method throws. */
const throwingLogger: Logger = { info: fault('logger'), warn: fault('logger'), error: fault('logger') };

/** metricsWithThrowingGauge returns real metrics whose in-flight gauge throws. */
function metricsWithThrowingGauge(): HandlerOptions['metrics'] {
  const m = createMetrics();
  m.requestsInFlight.inc = fault('metrics');
  return m;
}

let origin: Origin;
before(async () => {
  origin = await startOrigin({ '/a.png': { headers: { 'Content-Type': 'image/png' }, body: PNG } });
});
after(() => origin.close());

/** get fetches url and returns its status, or 'cut' when the connection ended without an answer. */
async function get(url: string): Promise<number | 'cut'> {
  try {
    const r = await fetch(url);
    await r.arrayBuffer();
    return r.status;
  } catch {
    return 'cut';
  }
}

test('a collaborator that throws never takes a plain http server down', async () => {
  const cases: Array<{ name: string; opts: HandlerOptions; path: () => string; want: Array<number | 'cut'> }> = [
    { name: 'transformer throws synchronously', opts: { transformer: throwingTransformer }, path: () => `/10x/${origin.url}/a.png`, want: [502] },
    { name: 'transformer rejects with a string', opts: { transformer: stringTransformer }, path: () => `/10x/${origin.url}/a.png`, want: [502] },
    { name: 'cache throws synchronously (a miss)', opts: { cache: throwingCache }, path: () => `/${origin.url}/a.png`, want: [200] },
    { name: 'metrics throw', opts: { metrics: metricsWithThrowingGauge() }, path: () => `/${origin.url}/a.png`, want: [500] },
    { name: 'logger throws on a refusal', opts: { logger: throwingLogger }, path: () => '/not-a-url', want: [400, 'cut'] },
    { name: 'logger throws on every served request', opts: { logger: throwingLogger, verbose: true }, path: () => `/${origin.url}/a.png`, want: [200] },
  ];
  for (const c of cases) {
    const handler = imageproxy({ allowPrivateNetworks: true, logger: quiet, healthCheck: true, metricsEndpoint: true, ...c.opts });
    const server = http.createServer(handler);
    const defaults = [server.headersTimeout, server.requestTimeout, server.keepAliveTimeout, server.timeout];
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const got = await get(base + c.path());
      assert.ok(c.want.includes(got), `${c.name}: GET ${c.path()} = ${got}, want ${c.want.join(' or ')}`);
      assert.equal(await get(`${base}/health-check`), 200, `${c.name}: the server stopped serving`);
      const now = [server.headersTimeout, server.requestTimeout, server.keepAliveTimeout, server.timeout];
      assert.deepEqual(now, defaults, `${c.name}: the handler changed the server's timeouts`);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await handler.close().catch(() => undefined);
    }
  }
});
