import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { FIXTURES } from '../helpers/paths.js';
import { startOrigin, type Origin } from '../helpers/origin.js';
import { inlineTransformer, quietLogger } from '../helpers/proxy.js';
import { serveHandler } from '../helpers/serve.js';
import { imageproxy, type HandlerOptions } from '../../lib/handler.js';
import { createServer } from '../../lib/server.js';

// fixtures/ximage/yellow_rose-small.png — golang.org/x/image testdata, BSD-3-Clause
const PNG = readFileSync(path.join(FIXTURES, 'ximage/yellow_rose-small.png'));
const PNG_MAGIC = '\x89PNG';

let origin: Origin;
before(async () => {
  origin = await startOrigin({ '/a.png': { headers: { 'Content-Type': 'image/png' }, body: PNG } });
});
after(() => origin.close());

/** Want is what one request should get: a status, a body test, and headers that must match. */
interface Case {
  method?: string;
  path: string;
  status: number;
  /** The body starts with this. */
  body?: string;
  /** The body must not match this. */
  notBody?: RegExp;
  headers?: Record<string, string>;
}

/** proxyOpts are the options every handler here gets: loopback origins, inline transforms, quiet. */
const proxyOpts = (extra: HandlerOptions = {}): HandlerOptions => ({
  allowPrivateNetworks: true, transformer: inlineTransformer, logger: quietLogger, ...extra,
});

/** check sends every case to base and compares status, body and headers. */
async function check(name: string, base: string, cases: Case[]): Promise<void> {
  for (const c of cases) {
    const method = c.method ?? 'GET';
    const r = await fetch(base + c.path, { method });
    const text = Buffer.from(await r.arrayBuffer()).toString('latin1');
    const what = `${name}: ${method} ${c.path}`;
    assert.equal(r.status, c.status, `${what} status = ${r.status} (${JSON.stringify(text.slice(0, 60))}), want ${c.status}`);
    if (c.body !== undefined) assert.ok(text.startsWith(c.body), `${what} body = ${JSON.stringify(text.slice(0, 60))}, want it to start with ${JSON.stringify(c.body)}`);
    if (c.notBody !== undefined) assert.doesNotMatch(text, c.notBody, `${what} body = ${JSON.stringify(text.slice(0, 60))}, want no match of ${c.notBody}`);
    for (const [k, v] of Object.entries(c.headers ?? {})) {
      assert.equal(r.headers.get(k), v, `${what} header ${k} = ${r.headers.get(k)}, want ${v}`);
    }
  }
}

/** withApp serves app on loopback for f. */
async function withApp(app: Express, f: (base: string) => Promise<void>): Promise<void> {
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await f(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

/** ownRoutes adds the app's own routes, each answering with its name. */
function ownRoutes(app: Express): void {
  app.get('/', (_req, res) => { res.send('home'); });
  app.get('/api/users', (_req, res) => { res.send('users'); });
  app.post('/login', (_req, res) => { res.send('login'); });
  app.get('/health-check', (_req, res) => { res.send('app health'); });
}

const METRICS = /# HELP|# TYPE/;
const ALLOW = { allow: 'GET, HEAD' };

test('mounted at the root, the middleware serves images and leaves every other route to the app', async () => {
  const handler = imageproxy(proxyOpts());
  const app = express();
  app.use(handler);
  ownRoutes(app);
  const img = `${origin.url}/a.png`;
  try {
    await withApp(app, (base) => check('root mount', base, [
      { path: `/${img}`, status: 200, body: PNG_MAGIC },
      { path: `/10x/${img}`, status: 200, body: PNG_MAGIC },
      { method: 'HEAD', path: `/${img}`, status: 200 },
      { path: '/', status: 200, body: 'home' },
      { path: '/api/users', status: 200, body: 'users' },
      { method: 'POST', path: '/login', status: 200, body: 'login' },
      { path: '/health-check', status: 200, body: 'app health' },
      // No route of the app's: Express's own 404, not the proxy's 400 or its metrics.
      { path: '/metrics', status: 404, notBody: METRICS },
      { path: '/favicon.ico', status: 404 },
      { path: '/no/such/page', status: 404 },
      { method: 'POST', path: `/${img}`, status: 405, body: 'Only GET and HEAD are supported.', headers: ALLOW },
      { method: 'DELETE', path: `/10x/${img}`, status: 405, headers: ALLOW },
    ]));
  } finally {
    await handler.close();
  }
});

test('mounted under /img, the middleware serves images only, never /metrics or the health check', async () => {
  const handler = imageproxy(proxyOpts());
  const app = express();
  app.use('/img', handler);
  ownRoutes(app);
  app.get('/img/gallery', (_req, res) => { res.send('gallery'); });
  const img = `${origin.url}/a.png`;
  try {
    await withApp(app, (base) => check('/img mount', base, [
      { path: `/img/${img}`, status: 200, body: PNG_MAGIC },
      { path: `/img/10x/${img}`, status: 200, body: PNG_MAGIC },
      { path: '/img/metrics', status: 404, notBody: METRICS },
      { path: '/img/health-check', status: 404 },
      { path: '/img/', status: 404 },
      { path: '/img', status: 404 },
      // A route of the app's under the mount, registered after the middleware, still reached.
      { path: '/img/gallery', status: 200, body: 'gallery' },
      { path: '/api/users', status: 200, body: 'users' },
      { path: '/health-check', status: 200, body: 'app health' },
      { path: '/metrics', status: 404, notBody: METRICS },
      { method: 'PUT', path: `/img/${img}`, status: 405, headers: ALLOW },
      { method: 'POST', path: '/login', status: 200, body: 'login' },
    ]));
  } finally {
    await handler.close();
  }
});

test('healthCheck and metricsEndpoint turn the endpoints on under a mount, GET and HEAD only', async () => {
  const handler = imageproxy(proxyOpts({ healthCheck: true, metricsEndpoint: true }));
  const app = express();
  app.use('/img', handler);
  try {
    await withApp(app, (base) => check('/img mount with endpoints', base, [
      { path: '/img/health-check', status: 200, body: 'OK' },
      { path: '/img/', status: 200, body: 'OK' },
      { path: '/img/favicon.ico', status: 200 },
      { path: '/img/metrics', status: 200, body: '# HELP' },
      { method: 'POST', path: '/img/metrics', status: 405, headers: ALLOW },
      { method: 'POST', path: '/img/', status: 405, headers: ALLOW },
      { method: 'DELETE', path: '/img/health-check', status: 405, headers: ALLOW },
      { path: '/metrics', status: 404, notBody: METRICS },
    ]));
  } finally {
    await handler.close();
  }
});

test('fallthrough: false keeps every request under the mount: bad URLs get their 400', async () => {
  const handler = imageproxy(proxyOpts({ fallthrough: false }));
  const app = express();
  app.use('/img', handler);
  ownRoutes(app);
  try {
    await withApp(app, (base) => check('/img mount without fallthrough', base, [
      { path: `/img/10x/${origin.url}/a.png`, status: 200, body: PNG_MAGIC },
      { path: '/img/no-such-thing', status: 400, body: 'The request path must be' },
      { path: '/img/metrics', status: 404, body: 'Not found: this path is not an image request.', notBody: METRICS },
      { method: 'POST', path: '/img/no-such-thing', status: 405, headers: ALLOW },
      { path: '/api/users', status: 200, body: 'users' },
    ]));
  } finally {
    await handler.close();
  }
});

test('as a plain node:http listener, the endpoints are off unless asked for and bad URLs are 400', async () => {
  const cases: { name: string; opts: HandlerOptions; cases: Case[] }[] = [
    {
      name: 'default', opts: {}, cases: [
        { path: `/${origin.url}/a.png`, status: 200, body: PNG_MAGIC },
        { path: '/metrics', status: 404, notBody: METRICS },
        { path: '/health-check', status: 404 },
        { path: '/', status: 404 },
        { path: '/no-such-thing', status: 400 },
        { method: 'POST', path: `/${origin.url}/a.png`, status: 405, headers: ALLOW },
      ],
    },
    {
      name: 'endpoints on', opts: { healthCheck: true, metricsEndpoint: true }, cases: [
        { path: '/metrics', status: 200, body: '# HELP' },
        { path: '/health-check', status: 200, body: 'OK' },
        { method: 'POST', path: '/', status: 405, headers: ALLOW },
        { method: 'PATCH', path: '/metrics', status: 405, headers: ALLOW },
      ],
    },
  ];
  for (const c of cases) {
    const served = await serveHandler(imageproxy(proxyOpts(c.opts)));
    try {
      await check(`node:http ${c.name}`, served.url, c.cases);
    } finally {
      await served.close();
    }
  }
});

test('the standalone server answers its endpoints, and 405 with Allow for other methods everywhere', async () => {
  const s = createServer({ allowPrivateNetworks: true, logger: quietLogger }, { transformer: inlineTransformer });
  const addr = await s.listen('127.0.0.1:0');
  try {
    await check('createServer', `http://${addr}`, [
      { path: '/', status: 200, body: 'OK' },
      { path: '/health-check', status: 200, body: 'OK' },
      { path: '/metrics', status: 200, body: '# HELP' },
      { path: `/10x/${origin.url}/a.png`, status: 200, body: PNG_MAGIC },
      { method: 'POST', path: '/', status: 405, headers: ALLOW },
      { method: 'POST', path: '/health-check', status: 405, headers: ALLOW },
      { method: 'PUT', path: '/metrics', status: 405, headers: ALLOW },
      { method: 'DELETE', path: '/favicon.ico', status: 405, headers: ALLOW },
      { method: 'POST', path: `/${origin.url}/a.png`, status: 405, headers: ALLOW },
      { path: '/no-such-thing', status: 400 },
    ]);
  } finally {
    await s.close();
  }
});
