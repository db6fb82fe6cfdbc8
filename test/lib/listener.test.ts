import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  checkServerLimits, createHardenedServer, resolveServerLimits, serverOptions, CONNECTIONS_CHECK_INTERVAL_MS,
  DEFAULT_SERVER_LIMITS, type ServerLimits,
} from '../../lib/listener.js';
import { rawConnect, drip, parseResponses, type RawClient } from '../helpers/raw.js';

/** Small limits, so each slow-client test runs in a few seconds. */
const SMALL: ServerLimits = { headerTimeoutMs: 1000, requestTimeoutMs: 2000, keepAliveTimeoutMs: 2000 };
/**
 * SLACK_MS is the margin a limit gets in these tests: Node checks every CONNECTIONS_CHECK_INTERVAL_MS
 * (1 s, at most the header limit) and closes keep-alive sockets 1 s after the advertised time;
 * the rest is room for a loaded 2-core machine.
 */
const SLACK_MS = 3000;

/** Logs collects log lines. */
class Logs {
  lines: string[] = [];
  info = (m: string): void => void this.lines.push(m);
  warn = (m: string): void => void this.lines.push(m);
  error = (m: string): void => void this.lines.push(m);
}

/** listen starts server on 127.0.0.1:0 and returns its port. */
async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function stop(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** get fetches a path on a fresh connection and returns its status and body. */
async function get(port: number, p: string): Promise<{ status: number; body: string }> {
  const r = await fetch(`http://127.0.0.1:${port}${p}`);
  return { status: r.status, body: await r.text() };
}

test('checkServerLimits and resolveServerLimits', () => {
  const cases: Array<{ name: string; limits: Partial<ServerLimits>; want: RegExp | undefined }> = [
    { name: 'defaults', limits: {}, want: undefined },
    { name: 'small', limits: SMALL, want: undefined },
    { name: 'header equal to request', limits: { headerTimeoutMs: 20_000, requestTimeoutMs: 20_000 }, want: undefined },
    { name: 'header longer than request', limits: { headerTimeoutMs: 30_000 }, want: /headerTimeoutMs \(30000\) must not be longer than requestTimeoutMs \(20000\)/ },
    { name: 'zero', limits: { keepAliveTimeoutMs: 0 }, want: /keepAliveTimeoutMs must be a whole number/ },
    { name: 'fraction', limits: { headerTimeoutMs: 1.5 }, want: /headerTimeoutMs must be a whole number/ },
    { name: 'past a day', limits: { keepAliveTimeoutMs: 25 * 3600 * 1000 }, want: /keepAliveTimeoutMs must be a whole number/ },
    { name: 'NaN', limits: { requestTimeoutMs: NaN }, want: /requestTimeoutMs must be a whole number/ },
  ];
  for (const c of cases) {
    const got = checkServerLimits({ ...DEFAULT_SERVER_LIMITS, ...c.limits });
    if (c.want === undefined) {
      assert.equal(got, undefined, `${c.name}: checkServerLimits = ${got}, want undefined`);
      assert.deepEqual(resolveServerLimits(c.limits), { ...DEFAULT_SERVER_LIMITS, ...c.limits });
    } else {
      assert.match(got ?? '', c.want, `${c.name}: checkServerLimits = ${got}, want ${c.want}`);
      assert.throws(() => resolveServerLimits(c.limits), RangeError, `${c.name}: resolveServerLimits did not throw`);
    }
  }
  assert.deepEqual(resolveServerLimits({ headerTimeoutMs: undefined }), DEFAULT_SERVER_LIMITS, 'undefined fields take the default');
});

test('serverOptions: Node gets every limit, checked at least every second', () => {
  const cases: Array<{ limits: ServerLimits; interval: number }> = [
    { limits: DEFAULT_SERVER_LIMITS, interval: CONNECTIONS_CHECK_INTERVAL_MS },
    { limits: { headerTimeoutMs: 300, requestTimeoutMs: 500, keepAliveTimeoutMs: 700 }, interval: 300 },
  ];
  for (const { limits, interval } of cases) {
    const got = serverOptions(limits);
    const want = { headersTimeout: limits.headerTimeoutMs, requestTimeout: limits.requestTimeoutMs, keepAliveTimeout: limits.keepAliveTimeoutMs, connectionsCheckingInterval: interval };
    assert.deepEqual(got, want, `serverOptions(${JSON.stringify(limits)}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
  const s = createHardenedServer(() => undefined, { limits: SMALL });
  assert.deepEqual([s.headersTimeout, s.requestTimeout, s.keepAliveTimeout], [1000, 2000, 2000], 'createHardenedServer limits');
});

test('an error in the request listener answers that request and never reaches the process', async () => {
  const logs = new Logs();
  const server = createHardenedServer((req, res) => {
    switch (req.url) {
      case '/throw':
        res.setHeader('X-Secret', 'leak');
        throw new Error('listener bug');
      case '/reject':
        return Promise.reject(new Error('async listener bug')) as unknown as void;
      case '/throw-after-head':
        res.writeHead(200, { 'Content-Length': '10' });
        res.write('part');
        throw new Error('late listener bug');
      case '/write-after-end':
        res.end('done');
        res.write('more');
        return;
      default:
        res.end('ok');
    }
  }, { logger: logs });
  const port = await listen(server);
  try {
    const cases: Array<{ path: string; want: { status: number; body: string } | 'cut'; log: RegExp }> = [
      { path: '/throw', want: { status: 500, body: 'The server failed to answer this request.\n' }, log: /GET \/throw failed in the request listener: Error: listener bug/ },
      { path: '/reject', want: { status: 500, body: 'The server failed to answer this request.\n' }, log: /GET \/reject failed in the request listener: Error: async listener bug/ },
      { path: '/throw-after-head', want: 'cut', log: /late listener bug/ },
      { path: '/write-after-end', want: { status: 200, body: 'done' }, log: /write-after-end: response failed: write after end/ },
    ];
    for (const c of cases) {
      logs.lines = [];
      let got: { status: number; body: string } | 'cut';
      let secret: string | null = null;
      try {
        const r = await fetch(`http://127.0.0.1:${port}${c.path}`);
        secret = r.headers.get('x-secret');
        got = { status: r.status, body: await r.text() };
      } catch {
        got = 'cut';
      }
      assert.deepEqual(got, c.want, `GET ${c.path} = ${JSON.stringify(got)}, want ${JSON.stringify(c.want)}`);
      assert.equal(secret, null, `GET ${c.path}: a header set before the failure leaked into the 500`);
      await new Promise((r) => setImmediate(r));
      assert.ok(logs.lines.some((l) => c.log.test(l)), `GET ${c.path}: log ${JSON.stringify(logs.lines)}, want ${c.log}`);
      assert.deepEqual(await get(port, '/'), { status: 200, body: 'ok' }, `after GET ${c.path} the server stopped serving`);
    }
  } finally {
    await stop(server);
  }
});

test('a logger that throws does not turn a listener error into a crash', async () => {
  const boom = (): void => {
    throw new Error('logger down');
  };
  const server = createHardenedServer(() => {
    throw new Error('listener bug');
  }, { logger: { info: boom, warn: boom, error: boom } });
  const port = await listen(server);
  try {
    const r = await get(port, '/');
    assert.equal(r.status, 500);
  } finally {
    await stop(server);
  }
});

/** slowClient starts a request that sends one byte every intervalMs and would take far longer than any limit. */
async function slowClient(port: number, intervalMs: number): Promise<RawClient> {
  const c = await rawConnect({ port });
  void drip(c, `GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'a'.repeat(400)}\r\n\r\n`, intervalMs);
  return c;
}

test('slow clients are cut at the header limit with 408 while other requests are served', async () => {
  const server = createHardenedServer((_req, res) => res.end('ok'), { limits: SMALL });
  const port = await listen(server);
  try {
    const slow = await Promise.all([1, 2, 3, 4, 5].map(() => slowClient(port, 100)));
    const silent = await rawConnect({ port });
    let served = 0;
    let failed = 0;
    const all = Promise.all([...slow, silent].map((c) => c.ended));
    let done = false;
    void all.then(() => {
      done = true;
    });
    while (!done) {
      const r = await get(port, '/').catch(() => ({ status: 0, body: '' }));
      if (r.status === 200 && r.body === 'ok') served++;
      else failed++;
      await new Promise((res) => setTimeout(res, 50));
    }
    const ended = await all;
    for (const [i, e] of ended.entries()) {
      const who = i < slow.length ? `slow client ${i}` : 'silent client';
      assert.ok(e.afterMs >= SMALL.headerTimeoutMs - 50, `${who} cut after ${e.afterMs} ms, before the ${SMALL.headerTimeoutMs} ms limit`);
      assert.ok(e.afterMs <= SMALL.headerTimeoutMs + SLACK_MS, `${who} cut after ${e.afterMs} ms, want within ${SMALL.headerTimeoutMs} + ${SLACK_MS}`);
      const [r] = parseResponses(e.data);
      assert.equal(r?.status, 408, `${who} got ${JSON.stringify(e.data.slice(0, 40))}, want a 408`);
    }
    assert.equal(failed, 0, `${failed} normal requests failed while slow clients were connected`);
    assert.ok(served >= 3, `only ${served} normal requests served while slow clients were connected`);
  } finally {
    await stop(server);
  }
});

test('a client dripping a request body is cut at the request limit', async () => {
  // The listener answers only once the whole body is in.
  const server = createHardenedServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  }, { limits: SMALL });
  const port = await listen(server);
  try {
    const c = await rawConnect({ port });
    await c.write('POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n');
    void drip(c, 'x'.repeat(1000), 100);
    const e = await c.ended;
    // Headers were complete at once, so the header limit did not apply; the request limit did.
    assert.ok(e.afterMs >= SMALL.requestTimeoutMs - 50, `cut after ${e.afterMs} ms, before the ${SMALL.requestTimeoutMs} ms request limit`);
    assert.ok(e.afterMs <= SMALL.requestTimeoutMs + SLACK_MS, `cut after ${e.afterMs} ms, want within ${SMALL.requestTimeoutMs} + ${SLACK_MS}`);
    assert.equal(parseResponses(e.data)[0]?.status, 408, `got ${JSON.stringify(e.data.slice(0, 40))}, want a 408`);
  } finally {
    await stop(server);
  }
});

test('an idle keep-alive connection outlives the header limit and closes after the keep-alive limit', async () => {
  // A header limit well under the keep-alive one, so the idle wait below has room on a slow machine.
  const limits = { ...SMALL, headerTimeoutMs: 500, requestTimeoutMs: 1000 };
  const server = createHardenedServer((_req, res) => res.end('ok'), { limits });
  const port = await listen(server);
  const request = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
  try {
    // Idle for longer than the header limit, then a second request: still served.
    const reused = await rawConnect({ port });
    await reused.write(request);
    const [first] = await reused.whenResponses(1);
    assert.equal(first?.headers['keep-alive'], 'timeout=2', `Keep-Alive = ${first?.headers['keep-alive']}, want timeout=2`);
    await new Promise((r) => setTimeout(r, limits.headerTimeoutMs + 300));
    await reused.write(request);
    const both = await reused.whenResponses(2);
    assert.deepEqual(both.map((r) => r.status), [200, 200], 'a keep-alive connection idle past the header limit was not reused');
    reused.socket.destroy();

    // Left idle: closed after the keep-alive limit.
    const idle = await rawConnect({ port });
    await idle.write(request);
    await idle.whenResponses(1);
    const answered = Date.now();
    await idle.ended;
    const idleMs = Date.now() - answered;
    assert.ok(idleMs >= limits.keepAliveTimeoutMs - 50, `idle connection closed after ${idleMs} ms, before the ${limits.keepAliveTimeoutMs} ms limit`);
    assert.ok(idleMs <= limits.keepAliveTimeoutMs + SLACK_MS, `idle connection closed after ${idleMs} ms, want within ${limits.keepAliveTimeoutMs} + ${SLACK_MS}`);
  } finally {
    await stop(server);
  }
});
