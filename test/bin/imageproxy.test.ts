import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { FIXTURES } from '../helpers/paths.js';
import { runCli, listening } from '../helpers/cli.js';
import { startOrigin, waitFor, Gate, type Origin } from '../helpers/origin.js';
import { rawConnect, drip, parseResponses } from '../helpers/raw.js';
import { getThrough } from '../helpers/agent.js';

// fixtures/ximage/yellow_rose-small.png — golang.org/x/image testdata, BSD-3-Clause
const PNG = readFileSync(path.join(FIXTURES, 'ximage/yellow_rose-small.png'));

let origin: Origin;
before(async () => {
  origin = await startOrigin({
    '/a.png': { headers: { 'Content-Type': 'image/png', 'Cache-Control': 'max-age=600' }, body: PNG },
    '/slow.png': { headers: { 'Content-Type': 'image/png' }, body: PNG, delayMs: 600 },
  });
});
after(() => origin.close());

const run = runCli;

async function get(url: string): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const r = await fetch(url);
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
}

test('serves, proxies, transforms with the real pool, caches, and exits 0 on SIGTERM', async () => {
  const p = run(['-addr', '127.0.0.1:0', '-allowPrivateNetworks', '-cache', 'memory', '-workers', '1']);
  try {
    const addr = await listening(p);
    assert.match(addr, /^127\.0\.0\.1:[1-9]\d*$/, `listening on ${addr}`);
    const base = `http://${addr}`;
    const cases: Array<{ reqPath: string; status: number; cache: string; ok: (b: Buffer) => boolean }> = [
      { reqPath: `/${origin.url}/a.png`, status: 200, cache: 'MISS', ok: (b) => b.equals(PNG) },
      { reqPath: `/${origin.url}/a.png`, status: 200, cache: 'HIT', ok: (b) => b.equals(PNG) },
      // A real transform: a PNG 10 pixels wide (IHDR width at byte 16).
      { reqPath: `/10x/${origin.url}/a.png`, status: 200, cache: 'MISS', ok: (b) => b.readUInt32BE(16) === 10 },
      { reqPath: `/10x/${origin.url}/a.png`, status: 200, cache: 'HIT', ok: (b) => b.readUInt32BE(16) === 10 },
    ];
    for (const { reqPath, status, cache, ok } of cases) {
      const r = await get(base + reqPath);
      assert.equal(r.status, status, `GET ${reqPath} status = ${r.status}, want ${status}`);
      assert.equal(r.headers.get('x-cache'), cache, `GET ${reqPath} X-Cache = ${r.headers.get('x-cache')}, want ${cache}`);
      assert.ok(ok(r.body), `GET ${reqPath} body wrong`);
    }
    assert.equal(origin.hits('/a.png'), 1, 'origin fetched more than once');
    const metrics = (await get(`${base}/metrics`)).body.toString();
    assert.match(metrics, /^imageproxy_requests_served_from_cache_total 2$/m);
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0, `exit code; stderr=${p.stderr()}`);
  } finally {
    p.child.kill('SIGKILL');
  }
});

test('SIGTERM lets a slow in-flight request finish, then exits 0', async () => {
  // Configured through the environment this time, to show IMAGEPROXY_* variables reach the proxy.
  const p = run(['-addr', '127.0.0.1:0', '-shutdownGrace', '5s'], { IMAGEPROXY_ALLOWPRIVATENETWORKS: 'true' });
  try {
    const addr = await listening(p);
    const inFlight = get(`http://${addr}/${origin.url}/slow.png`);
    await waitFor(() => origin.hits('/slow.png') === 1, 'the slow request to reach the origin');
    p.child.kill('SIGTERM');
    const r = await inFlight;
    assert.equal(r.status, 200, 'in-flight request did not finish');
    assert.ok(r.body.equals(PNG));
    assert.equal(await p.exited, 0, `exit code; stderr=${p.stderr()}`);
  } finally {
    p.child.kill('SIGKILL');
  }
});

test('command line errors exit 2 with usage; -help exits 0', async () => {
  const cases: Array<{ args: string[]; code: number; stream: 'stdout' | 'stderr'; re: RegExp }> = [
    { args: ['-nosuchflag'], code: 2, stream: 'stderr', re: /unknown flag[\s\S]*Usage: imageproxy/ },
    { args: ['-maxRedirects', 'many'], code: 2, stream: 'stderr', re: /maxRedirects[\s\S]*Usage: imageproxy/ },
    { args: ['-addr', 'nonsense'], code: 2, stream: 'stderr', re: /invalid listen address[\s\S]*Usage: imageproxy/ },
    { args: ['-help'], code: 0, stream: 'stdout', re: /^Usage: imageproxy/ },
  ];
  for (const { args, code, stream, re } of cases) {
    const p = run(args);
    const got = await p.exited;
    assert.equal(got, code, `imageproxy ${args.join(' ')} exit = ${got}, want ${code}; stderr=${p.stderr()}`);
    assert.match(stream === 'stdout' ? p.stdout() : p.stderr(), re, `imageproxy ${args.join(' ')} ${stream}`);
  }
});

test('an address in use exits 1', async () => {
  const first = run(['-addr', '127.0.0.1:0']);
  try {
    const addr = await listening(first);
    const second = run(['-addr', addr]);
    assert.equal(await second.exited, 1);
    assert.match(second.stderr(), /cannot listen on .*EADDRINUSE/);
  } finally {
    first.child.kill('SIGTERM');
    await first.exited;
  }
});

test('SIGTERM under load: in-flight requests finish, a request still arriving is answered or closed cleanly, exit 0', async () => {
  const gate = new Gate();
  const paths = [1, 2, 3, 4, 5].map((i) => `/gated-${i}.png`);
  for (const p of paths) {
    origin.set(p, { handler: (_req, res) => {
      void gate.wait().then(() => {
        res.setHeader('Content-Type', 'image/png');
        res.end(PNG);
      });
    } });
  }
  const p = run(['-addr', '127.0.0.1:0', '-allowPrivateNetworks', '-shutdownGrace', '10s']);
  const agent = new http.Agent({ keepAlive: true });
  try {
    const addr = await listening(p);
    const base = `http://${addr}`;
    // An idle keep-alive connection, and requests held by the origin on keep-alive connections.
    assert.equal((await getThrough(`${base}/health-check`, agent)).status, 200);
    const inFlight = paths.map((x) => getThrough(`${base}/${origin.url}${x}`, agent));
    await waitFor(() => paths.every((x) => origin.hits(x) === 1), 'every request to reach the origin');
    // A new request with half of its headers sent; the idle child reads them at once.
    const late = await rawConnect({ port: Number(addr.slice(addr.lastIndexOf(':') + 1)) });
    await late.write('GET /health-check HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await new Promise((r) => setTimeout(r, 200));
    p.child.kill('SIGTERM');
    await waitFor(() => /SIGTERM received/.test(p.stdout()), 'the CLI to start draining');
    await late.write('User-Agent: late\r\n\r\n').catch(() => undefined);
    const [answer] = await late.whenResponses(1);
    const ended = await late.ended;
    if (answer) {
      assert.deepEqual([answer.status, answer.headers.connection, answer.body], [200, 'close', 'OK'], 'late request answer');
    } else {
      assert.equal(ended.data, '', `late request: partial answer ${JSON.stringify(ended.data)}`);
    }
    gate.open();
    for (const [i, r] of (await Promise.all(inFlight)).entries()) {
      assert.equal(r.status, 200, `GET ${paths[i]} during drain status = ${r.status}, want 200`);
      assert.ok(r.body.equals(PNG), `GET ${paths[i]} during drain: body differs`);
      assert.equal(r.connection, 'close', `GET ${paths[i]} during drain Connection = ${r.connection}, want close`);
    }
    assert.equal(await p.exited, 0, `exit code; stderr=${p.stderr()}`);
  } finally {
    gate.open();
    agent.destroy();
    p.child.kill('SIGKILL');
  }
});

test('-headerTimeout and -keepAliveTimeout: slow clients are cut, others served, idle keep-alive closed', async () => {
  const p = run(['-addr', '127.0.0.1:0', '-headerTimeout', '1s', '-requestTimeout', '2s'], { IMAGEPROXY_KEEPALIVETIMEOUT: '2s' });
  try {
    const addr = await listening(p);
    const port = Number(addr.slice(addr.lastIndexOf(':') + 1));
    const slow = await Promise.all([1, 2, 3].map(async () => {
      const c = await rawConnect({ port });
      void drip(c, `GET /health-check HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'a'.repeat(400)}\r\n\r\n`, 100);
      return c;
    }));
    const idle = await rawConnect({ port });
    await idle.write('GET /health-check HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const [first] = await idle.whenResponses(1);
    assert.equal(first?.headers['keep-alive'], 'timeout=2', `Keep-Alive = ${first?.headers['keep-alive']}, want timeout=2`);
    const answered = Date.now();
    for (let i = 0; i < 5; i++) {
      const r = await get(`http://${addr}/health-check`);
      assert.equal(r.status, 200, 'a normal request beside the slow clients');
    }
    for (const [i, c] of slow.entries()) {
      const e = await c.ended;
      assert.ok(e.afterMs >= 950 && e.afterMs <= 1000 + 3000, `slow client ${i} cut after ${e.afterMs} ms, want within 1000 + 3000`);
      assert.equal(parseResponses(e.data)[0]?.status, 408, `slow client ${i} got ${JSON.stringify(e.data.slice(0, 40))}, want a 408`);
    }
    await idle.ended;
    const idleMs = Date.now() - answered;
    assert.ok(idleMs >= 1950 && idleMs <= 2000 + 3000, `idle keep-alive connection closed after ${idleMs} ms, want within 2000 + 3000`);
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0, `exit code; stderr=${p.stderr()}`);
  } finally {
    p.child.kill('SIGKILL');
  }
});

test('listener limits the server would refuse exit 2 with usage', async () => {
  const p = run(['-headerTimeout', '30s']);
  assert.equal(await p.exited, 2, `exit code; stderr=${p.stderr()}`);
  assert.match(p.stderr(), /-headerTimeout \(30000 ms\) must not be longer than -requestTimeout[\s\S]*Usage: imageproxy/);
});
