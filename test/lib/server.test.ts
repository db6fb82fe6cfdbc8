import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import type { Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { FIXTURES } from '../helpers/paths.js';
import { startOrigin, waitFor, type Origin } from '../helpers/origin.js';
import { rawConnect, drip, parseResponses } from '../helpers/raw.js';
import { getThrough } from '../helpers/agent.js';
import { createServer, parseAddr, type ListenTarget } from '../../lib/server.js';
import type { Transformer, TransformResult } from '../../lib/transform/types.js';

// fixtures/ximage/yellow_rose-small.png — golang.org/x/image testdata, BSD-3-Clause
const PNG = readFileSync(path.join(FIXTURES, 'ximage/yellow_rose-small.png'));

const quiet = { info() {}, warn() {}, error() {} };

/** NullTransformer returns the source unchanged and records close(). */
class NullTransformer implements Transformer {
  closed = false;
  async run(bytes: Uint8Array): Promise<TransformResult> {
    return { bytes, contentType: 'image/png' };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

let origin: Origin;
before(async () => {
  origin = await startOrigin({
    '/a.png': { headers: { 'Content-Type': 'image/png' }, body: PNG },
    '/slow.png': { headers: { 'Content-Type': 'image/png' }, body: PNG, delayMs: 400 },
    '/very-slow.png': { headers: { 'Content-Type': 'image/png' }, body: PNG, delayMs: 2000 },
  });
});
after(() => origin.close());

test('parseAddr table', () => {
  const cases: Array<{ addr: string; want: ListenTarget | 'error' }> = [
    { addr: 'localhost:8080', want: { host: 'localhost', port: 8080 } },
    { addr: '127.0.0.1:0', want: { host: '127.0.0.1', port: 0 } },
    { addr: ':8080', want: { host: '', port: 8080 } },
    { addr: '[::1]:9000', want: { host: '::1', port: 9000 } },
    { addr: 'unix:/run/imageproxy.sock', want: { path: '/run/imageproxy.sock' } },
    { addr: 'unix:', want: 'error' },
    { addr: 'localhost', want: 'error' },
    { addr: 'localhost:http', want: 'error' },
    { addr: 'localhost:70000', want: 'error' },
    { addr: '', want: 'error' },
  ];
  for (const { addr, want } of cases) {
    let got: ListenTarget | 'error';
    try {
      got = parseAddr(addr);
    } catch {
      got = 'error';
    }
    assert.deepEqual(got, want, `parseAddr(${JSON.stringify(addr)}) = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
});

/** request GETs a path from a server given by host:port or unix socket path. */
function request(target: { port?: number; socketPath?: string }, p: string, agent?: http.Agent | false): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', ...target, path: p, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

const portOf = (addr: string): number => Number(addr.slice(addr.lastIndexOf(':') + 1));

test('listens on host:port, reports the bound address, and proxies', async () => {
  const t = new NullTransformer();
  const s = createServer({ allowPrivateNetworks: true, logger: quiet }, { transformer: t });
  const addr = await s.listen('127.0.0.1:0');
  try {
    assert.match(addr, /^127\.0\.0\.1:\d+$/, `listen() = ${addr}`);
    assert.notEqual(portOf(addr), 0);
    const cases: Array<{ p: string; status: number; body: Buffer }> = [
      { p: '/health-check', status: 200, body: Buffer.from('OK') },
      { p: `/${origin.url}/a.png`, status: 200, body: PNG },
      { p: `/10x/${origin.url}/a.png`, status: 200, body: PNG },
    ];
    for (const { p, status, body } of cases) {
      const r = await request({ port: portOf(addr) }, p);
      assert.equal(r.status, status, `GET ${p} status = ${r.status}`);
      assert.ok(r.body.equals(body), `GET ${p} body differs`);
    }
    const powered = await fetch(`http://${addr}/`);
    assert.equal(powered.headers.get('x-powered-by'), null, 'Express advertises itself');
  } finally {
    await s.close(1000);
  }
  assert.equal(t.closed, true, 'close() did not close the transformer');
});

test('listens on a unix socket and refuses to take over a live one', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imageproxy-'));
  const sock = path.join(dir, 'proxy.sock');
  const a = createServer({ logger: quiet }, { transformer: new NullTransformer() });
  const b = createServer({ logger: quiet }, { transformer: new NullTransformer() });
  try {
    assert.equal(await a.listen(`unix:${sock}`), `unix:${sock}`);
    const r = await request({ socketPath: sock }, '/health-check');
    assert.deepEqual([r.status, r.body.toString()], [200, 'OK']);
    await assert.rejects(b.listen(`unix:${sock}`), /EADDRINUSE/);
    const again = await request({ socketPath: sock }, '/health-check');
    assert.equal(again.status, 200, 'the live server lost its socket');
  } finally {
    await a.close(100);
    await b.close(100);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('close() lets in-flight requests finish within the grace period', async () => {
  const s = createServer({ allowPrivateNetworks: true, logger: quiet }, { transformer: new NullTransformer() });
  const port = portOf(await s.listen('127.0.0.1:0'));
  // An idle keep-alive connection must not hold the shutdown up.
  const agent = new http.Agent({ keepAlive: true });
  await request({ port }, '/health-check', agent);
  const inFlight = request({ port }, `/${origin.url}/slow.png`);
  await waitFor(() => origin.hits('/slow.png') === 1, 'the slow request to reach the origin');
  const started = Date.now();
  const closed = s.close(5000);
  const r = await inFlight;
  await closed;
  const took = Date.now() - started;
  agent.destroy();
  assert.equal(r.status, 200, 'in-flight request did not finish');
  assert.ok(r.body.equals(PNG));
  assert.ok(took < 2000, `close took ${took} ms, want about 300`);
  await assert.rejects(request({ port }, '/health-check', false), /ECONNREFUSED/, 'still accepting after close');
});

test('close() cuts requests that outlast the grace period', async () => {
  const s = createServer({ allowPrivateNetworks: true, logger: quiet }, { transformer: new NullTransformer() });
  const port = portOf(await s.listen('127.0.0.1:0'));
  const inFlight = request({ port }, `/${origin.url}/very-slow.png`).then((r) => r.status, () => 'cut');
  await waitFor(() => origin.hits('/very-slow.png') === 1, 'the slow request to reach the origin');
  const started = Date.now();
  await s.close(200);
  const took = Date.now() - started;
  assert.equal(await inFlight, 'cut');
  assert.ok(took < 1500, `close took ${took} ms, want about 200`);
});

/** GateTransformer holds every transform until open() is called, then returns the source. */
class GateTransformer implements Transformer {
  pending = 0;
  open!: () => void;
  private readonly gate = new Promise<void>((resolve) => {
    this.open = resolve;
  });
  async run(bytes: Uint8Array): Promise<TransformResult> {
    this.pending++;
    await this.gate;
    return { bytes, contentType: 'image/png' };
  }
  async close(): Promise<void> {}
}

test('close() under load: in-flight transforms finish, a request still arriving is answered or closed cleanly', async () => {
  const gate = new GateTransformer();
  const s = createServer({ allowPrivateNetworks: true, logger: quiet }, { transformer: gate });
  const port = portOf(await s.listen('127.0.0.1:0'));
  const serverSockets: Socket[] = [];
  s.server!.on('connection', (sock: Socket) => serverSockets.push(sock));
  const agent = new http.Agent({ keepAlive: true });
  try {
    // One idle keep-alive connection, then slow transforms on keep-alive connections.
    assert.equal((await getThrough(`http://127.0.0.1:${port}/health-check`, agent)).status, 200);
    const widths = [10, 20, 30];
    const inFlight = widths.map((w) => getThrough(`http://127.0.0.1:${port}/${w}x/${origin.url}/a.png`, agent));
    await waitFor(() => gate.pending === widths.length, 'every transform to start');
    // A new request whose headers are only half there when the drain starts.
    const late = await rawConnect({ port });
    const head = 'GET /health-check HTTP/1.1\r\nHost: 127.0.0.1\r\n';
    await late.write(head);
    await waitFor(() => serverSockets.some((x) => x.remotePort === late.socket.localPort && x.bytesRead >= head.length),
      'the server to read the partial headers');
    const closed = s.close(10_000);
    await late.write('User-Agent: late\r\n\r\n');
    // The server had read part of the request, so the connection was not idle: it is answered.
    const [answer] = await late.whenResponses(1);
    assert.ok(answer, `late request: no answer, got ${JSON.stringify(late.received())}`);
    assert.deepEqual([answer.status, answer.headers.connection, answer.body], [200, 'close', 'OK'], 'late request answer');
    const ended = await late.ended;
    assert.equal(ended.error, undefined, `late connection ended with ${ended.error}`);
    const released = Date.now();
    gate.open();
    const results = await Promise.all(inFlight);
    for (const [i, r] of results.entries()) {
      assert.equal(r.status, 200, `GET /${widths[i]}x/... during drain status = ${r.status}, want 200`);
      assert.ok(r.body.equals(PNG), `GET /${widths[i]}x/... during drain: body differs`);
      assert.equal(r.connection, 'close', `GET /${widths[i]}x/... during drain Connection = ${r.connection}, want close`);
    }
    await closed;
    // Idle and finished keep-alive connections must not hold the close up until the 10 s grace.
    const took = Date.now() - released;
    assert.ok(took < 5000, `close() took ${took} ms after the last answer, want well under the 10000 ms grace`);
  } finally {
    agent.destroy();
    gate.open();
    await s.close(0);
  }
});

test('the unix-socket listener has the same limits: a slow client is cut with 408, others are served', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imageproxy-'));
  const sock = path.join(dir, 'proxy.sock');
  const limits = { headerTimeoutMs: 1000, requestTimeoutMs: 1000, keepAliveTimeoutMs: 2000 };
  const s = createServer({ logger: quiet }, { transformer: new NullTransformer(), serverLimits: limits });
  try {
    await s.listen(`unix:${sock}`);
    assert.deepEqual([s.server!.headersTimeout, s.server!.requestTimeout, s.server!.keepAliveTimeout], [1000, 1000, 2000]);
    const slow = await rawConnect({ path: sock });
    void drip(slow, `GET /health-check HTTP/1.1\r\nHost: localhost\r\nX-Padding: ${'a'.repeat(400)}\r\n\r\n`, 100);
    const r = await request({ socketPath: sock }, '/health-check');
    assert.deepEqual([r.status, r.body.toString()], [200, 'OK'], 'a normal request beside the slow client');
    const e = await slow.ended;
    assert.ok(e.afterMs >= 950 && e.afterMs <= 1000 + 3000, `slow client cut after ${e.afterMs} ms, want within 1000 + 3000`);
    assert.equal(parseResponses(e.data)[0]?.status, 408, `slow client got ${JSON.stringify(e.data.slice(0, 40))}, want a 408`);
  } finally {
    await s.close(100);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('createServer refuses unusable listener limits', () => {
  const cases: Array<Record<string, number>> = [
    { headerTimeoutMs: 0 },
    { headerTimeoutMs: 30_000, requestTimeoutMs: 20_000 },
    { keepAliveTimeoutMs: -1 },
  ];
  for (const serverLimits of cases) {
    assert.throws(() => createServer({ logger: quiet }, { transformer: new NullTransformer(), serverLimits }), RangeError,
      `createServer(serverLimits ${JSON.stringify(serverLimits)}) did not throw a RangeError`);
  }
});

test('an error thrown in the server request listener answers 500, and the server keeps serving', async () => {
  const errors: string[] = [];
  const logger = { info() {}, warn() {}, error: (m: string) => void errors.push(m) };
  const s = createServer({ logger }, { transformer: new NullTransformer() });
  const port = portOf(await s.listen('127.0.0.1:0'));
  // A fault in the app (the handler, or a wrapper around it) shows up as the request listener
  // throwing synchronously; the listener around it must answer, not crash.
  const original = s.app;
  try {
    s.app = (req, res) => {
      if (req.url === '/fault') throw new Error('app fault');
      original(req, res);
    };
    const r = await request({ port }, '/fault');
    assert.deepEqual([r.status, r.body.toString()], [500, 'The server failed to answer this request.\n']);
    assert.ok(errors.some((m) => /GET \/fault failed in the request listener: Error: app fault/.test(m)), `logged ${JSON.stringify(errors)}`);
    const ok = await request({ port }, '/health-check');
    assert.deepEqual([ok.status, ok.body.toString()], [200, 'OK'], 'the server stopped serving after the fault');
  } finally {
    s.app = original;
    await s.close(100);
  }
});

test('close() ends a keep-alive connection whose answer was already on its way when the drain began', async () => {
  // Large enough that a client that does not read leaves the response unfinished in the buffers.
  const big = Buffer.alloc(24 * 1024 * 1024, 7);
  origin.set('/big.png', { headers: { 'Content-Type': 'image/png' }, body: big });
  const s = createServer({ allowPrivateNetworks: true, logger: quiet }, { transformer: new NullTransformer() });
  const port = portOf(await s.listen('127.0.0.1:0'));
  let sent: http.ServerResponse | undefined;
  s.server!.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    sent = res;
  });
  const client = await rawConnect({ port });
  try {
    client.socket.pause();
    await client.write(`GET /${origin.url}/big.png HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    await waitFor(() => sent !== undefined && sent.headersSent && !sent.writableFinished, 'the answer to be under way', 20_000);
    const started = Date.now();
    const closed = s.close(20_000);
    client.socket.resume();
    const [r] = await client.whenResponses(1, 20_000);
    assert.equal(r?.status, 200);
    assert.equal(r?.headers.connection, 'keep-alive', 'the answer was sent before the drain, so it said keep-alive');
    assert.equal(r?.body.length, big.length);
    await client.ended;
    await closed;
    const took = Date.now() - started;
    assert.ok(took < 10_000, `close() took ${took} ms, want well under the 20000 ms grace`);
  } finally {
    client.socket.destroy();
    await s.close(0);
  }
});

test('listen() waits for the transformer to be ready before it listens', async () => {
  let release!: () => void;
  const events: string[] = [];
  const t = new NullTransformer() as NullTransformer & { ready(): Promise<void> };
  t.ready = () => new Promise<void>((resolve) => { release = () => { events.push('ready'); resolve(); }; });
  const given = createServer({ logger: quiet }, { transformer: t });
  const listening = given.listen('127.0.0.1:0').then(() => events.push('listening'));
  await new Promise((r) => setTimeout(r, 50));
  events.push('released');
  release();
  await listening;
  await given.close();
  assert.deepEqual(events, ['released', 'ready', 'listening'], `events = ${JSON.stringify(events)}, want listening only after ready`);
});
