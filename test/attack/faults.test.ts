/**
 * Faults, end to end: origins that reset or fail, a cache backend that disappears mid-run, a
 * proxy killed with SIGKILL while writing its disk cache, and clients that hang up. The proxy
 * must answer with the right status, never cache a failure, never serve a partial entry, and
 * stop work nobody is waiting for.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startOrigin, type Origin } from '../helpers/origin.js';
import { startRedis } from '../helpers/servers.js';
import { runCli, listening } from '../helpers/cli.js';
import { get, healthy, pngValid, startProxy, summary, type Answer, type Proxy } from '../helpers/hostile.js';
import { MemoryCache } from '../../lib/cache/memory.js';
import { createCache } from '../../lib/cache/index.js';
import { createTransformPool } from '../../lib/pool/pool.js';

const QUIET = { info() {}, warn() {}, error() {} };
const PNG = pngValid(8, 8);
const CACHEABLE = { 'Content-Type': 'image/png', 'Cache-Control': 'public, max-age=3600' };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** until polls cond every 10 ms and fails with `what` after ms. */
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

let origin: Origin;
before(async () => {
  origin = await startOrigin();
});
after(() => origin.close());

test('an origin that resets mid-body gets 502, and nothing is cached', async () => {
  const proxy = await startProxy({ allowPrivateNetworks: true, workers: 1, cache: new MemoryCache({ maxBytes: 1e7, maxAgeMs: 0 }) });
  try {
    const cases: Array<{ p: string; opts: string }> = [
      { p: '/reset.png', opts: '' }, // served unchanged
      { p: '/reset-t.png', opts: '4x/' }, // transformed
    ];
    for (const { p, opts } of cases) {
      origin.set(p, { headers: CACHEABLE, body: PNG, resetAfterBytes: 20 });
      for (let i = 1; i <= 2; i++) {
        const r = await get(proxy.url, `/${opts}${origin.url}${p}`);
        assert.equal(r.status, 502, `reset ${opts}${p} #${i} = ${r.status} ${summary(r)}, want 502`);
        assert.equal(r.headers['cache-control'], 'no-store', `reset ${opts}${p} #${i}: error answers must not be cacheable`);
        assert.equal(origin.hits(p), i, `reset ${opts}${p} #${i}: origin hits = ${origin.hits(p)}, want ${i} (a failure was cached)`);
      }
      // Once the origin recovers, the image is fetched and served whole.
      origin.set(p, { headers: CACHEABLE, body: PNG });
      const ok = await get(proxy.url, `/${opts}${origin.url}${p}`);
      assert.equal(ok.status, 200, `recovered ${opts}${p} = ${ok.status} ${summary(ok)}`);
      assert.equal(ok.headers['x-cache'], 'MISS');
      assert.equal(origin.hits(p), 3);
    }
    // Other broken answers: the connection closes before any response, or mid-headers.
    const broken: Array<{ p: string; raw: string }> = [
      { p: '/closed', raw: '' },
      { p: '/half-head', raw: 'HTTP/1.1 200 OK\r\nContent-Type: ima' },
      { p: '/short', raw: 'HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 1000\r\n\r\n\x89PNG' },
      { p: '/huge-head', raw: `HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nX-Junk: ${'a'.repeat(256 * 1024)}\r\nContent-Length: 4\r\n\r\n\x89PNG` },
      { p: '/not-http', raw: 'SSH-2.0-OpenSSH_9.6\r\n' },
      { p: '/bad-chunks', raw: 'HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n' },
    ];
    for (const { p, raw } of broken) {
      origin.set(p, { raw });
      const r = await get(proxy.url, `/${origin.url}${p}`);
      assert.equal(r.status, 502, `${p} = ${r.status} ${summary(r)}, want 502`);
    }
    await healthy(proxy.url);
  } finally {
    await proxy.close();
  }
});

test('origin 5xx statuses are passed through and never cached', async () => {
  const proxy = await startProxy({ allowPrivateNetworks: true, workers: 1, cache: new MemoryCache({ maxBytes: 1e7, maxAgeMs: 0 }) });
  try {
    for (const status of [500, 502, 503, 504]) {
      const p = `/fail-${status}.png`;
      // Cache headers on an error must not make it stick.
      origin.set(p, { status, headers: CACHEABLE, body: 'upstream trouble' });
      for (const opts of ['', '4x/']) {
        const r = await get(proxy.url, `/${opts}${origin.url}${p}`);
        assert.equal(r.status, status, `GET /${opts}…${p} = ${r.status} ${summary(r)}, want ${status}`);
      }
      assert.equal(origin.hits(p), 2, `${p}: origin hits = ${origin.hits(p)}, want 2 (an error was cached)`);
    }
    await healthy(proxy.url);
  } finally {
    await proxy.close();
  }
});

/** expectServed requests remote through proxy and asserts a 200 with PNG within 3 s; returns X-Cache. */
async function expectServed(proxy: Proxy, req: string, what: string): Promise<string> {
  const r = await get(proxy.url, req, { timeoutMs: 8_000 });
  assert.equal(r.status, 200, `${what}: GET ${req} = ${r.status} ${summary(r)}, want 200`);
  assert.ok(r.ms < 3_000, `${what}: GET ${req} took ${r.ms} ms, want < 3000`);
  return String(r.headers['x-cache']);
}

test('redis stopped mid-run: requests keep succeeding, and caching resumes when it is back', async () => {
  const redis = await startRedis();
  const cache = await createCache([redis.url], QUIET, { timeoutMs: 1_000 });
  const proxy = await startProxy({ allowPrivateNetworks: true, workers: 1, cache });
  try {
    origin.set('/r.png', { headers: CACHEABLE, body: PNG });
    const o = origin.url;
    assert.equal(await expectServed(proxy, `/${o}/r.png`, 'redis up'), 'MISS');
    assert.equal(await expectServed(proxy, `/${o}/r.png`, 'redis up'), 'HIT');
    await redis.stop();
    for (const [req, what] of [[`/${o}/r.png`, 'cached before'], [`/${o}/r.png?new`, 'new URL'], [`/4x/${o}/r.png`, 'transform']]) {
      assert.equal(await expectServed(proxy, req, `redis down, ${what}`), 'MISS');
    }
    await redis.start();
    // ioredis reconnects with back-off (at most 2 s between attempts).
    const deadline = Date.now() + 8_000;
    let state = '';
    while (Date.now() < deadline) {
      await expectServed(proxy, `/${o}/r.png?back`, 'redis back');
      state = await expectServed(proxy, `/${o}/r.png?back`, 'redis back');
      if (state === 'HIT') break;
      await sleep(250);
    }
    assert.equal(state, 'HIT', 'caching did not resume after redis came back');
    await healthy(proxy.url);
  } finally {
    await proxy.close();
    await redis.stop();
  }
});

test('disk cache directory removed and replaced by a file mid-run: requests keep succeeding', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ipx-attack-disk-'));
  const cache = await createCache([dir], QUIET, { timeoutMs: 1_000 });
  const proxy = await startProxy({ allowPrivateNetworks: true, workers: 1, cache });
  try {
    origin.set('/d.png', { headers: CACHEABLE, body: PNG });
    const o = origin.url;
    assert.equal(await expectServed(proxy, `/${o}/d.png`, 'disk fine'), 'MISS');
    assert.equal(await expectServed(proxy, `/${o}/d.png`, 'disk fine'), 'HIT');
    // Tests run as root, where permissions do not stop writes; a file in the directory's place does.
    rmSync(dir, { recursive: true, force: true });
    writeFileSync(dir, 'not a directory');
    for (const [req, what] of [[`/${o}/d.png`, 'cached before'], [`/${o}/d.png?new`, 'new URL'], [`/4x/${o}/d.png`, 'transform']]) {
      assert.equal(await expectServed(proxy, req, `disk gone, ${what}`), 'MISS');
    }
    await healthy(proxy.url);
  } finally {
    await proxy.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------------

/** startCli runs the real command with a disk cache and resolves with its base URL once listening. */
async function startCli(cacheDir: string): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const p = runCli(['-addr', '127.0.0.1:0', '-allowPrivateNetworks', '-cache', cacheDir, '-workers', '1']);
  return { child: p.child, url: `http://${await listening(p)}`, stderr: p.stderr };
}

/** BLOBS are the bodies of /blob?i=N: 256 KB of random bytes each, different for every i. */
const BLOBS = Array.from({ length: 24 }, () => randomBytes(256 * 1024));

/** cacheFiles lists every file under dir. */
function cacheFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile());
}

test('SIGKILL during disk-cache writes: after a restart every served entry is whole, and damaged entries are refetched', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ipx-attack-kill-'));
  const ROSE = pngValid(300, 200);
  let spread = true;
  origin.set('/blob', {
    handler: (req, res) => {
      // Before the kill, answers are spread over about 600 ms, so it lands while later ones are
      // still arriving; afterwards they come at once.
      const i = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('i'));
      setTimeout(() => {
        res.writeHead(200, { ...CACHEABLE, 'Content-Length': BLOBS[i].length });
        res.end(BLOBS[i]);
      }, spread ? i * 25 : 0);
    },
  });
  origin.set('/rose.png', { headers: CACHEABLE, body: ROSE });
  const o = origin.url;
  const reqs: string[] = [];
  for (let i = 0; i < BLOBS.length; i++) reqs.push(`/${o}/blob?i=${i}`);
  for (let i = 0; i < 6; i++) reqs.push(`/8x/${o}/rose.png?i=${i}`);

  // What each request must answer: the origin's bytes, or a fresh transform without any cache.
  const fresh = await startProxy({ allowPrivateNetworks: true, workers: 1 });
  const expected = new Map<string, Buffer>();
  try {
    for (const r of reqs) {
      if (r.includes('/blob?')) expected.set(r, BLOBS[Number(r.split('i=')[1])]);
      else {
        const a = await get(fresh.url, r);
        assert.equal(a.status, 200);
        expected.set(r, a.body);
      }
    }
  } finally {
    await fresh.close();
  }
  const whole = (what: string, req: string, a: Answer): void => {
    assert.equal(a.status, 200, `${what}: GET ${req} = ${a.status} ${summary(a)}`);
    assert.ok(a.body.equals(expected.get(req)!), `${what}: GET ${req} served ${a.body.length} bytes that differ from a fresh fetch (${expected.get(req)!.length} bytes)`);
  };

  let first: Awaited<ReturnType<typeof startCli>> | undefined;
  let second: Awaited<ReturnType<typeof startCli>> | undefined;
  try {
    first = await startCli(dir);
    const done = new Map<string, Answer>();
    const pending = reqs.map((r) => get(first!.url, r, { timeoutMs: 10_000 }).then((a) => { done.set(r, a); }, () => undefined));
    await until(() => done.size >= 8, 10_000, '8 answers before the kill');
    first.child.kill('SIGKILL');
    await Promise.all(pending);
    assert.ok(done.size < reqs.length, 'every request finished before the kill; nothing was cut short');
    spread = false;
    for (const [r, a] of done) whole('before the kill', r, a);

    second = await startCli(dir);
    let hits = 0;
    for (const r of reqs) {
      const a = await get(second.url, r);
      whole('after the restart', r, a);
      if (a.headers['x-cache'] === 'HIT') hits++;
      // Everything answered before the kill had been stored before it was answered.
      if (done.has(r)) assert.equal(a.headers['x-cache'], 'HIT', `GET ${r} answered before the kill, but is not cached after it`);
    }
    assert.ok(hits >= done.size, `only ${hits} hits after the restart`);

    // Simulate torn writes (power loss, a full disk): truncate half the entries, flip a byte in the rest.
    const entries = cacheFiles(dir).filter((f) => !f.endsWith('.tmp'));
    assert.ok(entries.length >= reqs.length, `${entries.length} cache files for ${reqs.length} requests`);
    entries.forEach((f, i) => {
      const b = readFileSync(f);
      if (i % 2 === 0) writeFileSync(f, b.subarray(0, Math.floor(b.length / 2)));
      else {
        b[Math.floor(b.length * 0.75)] ^= 0xff;
        writeFileSync(f, b);
      }
    });
    for (const r of reqs) {
      const a = await get(second.url, r);
      whole('after damaging the cache', r, a);
      assert.equal(a.headers['x-cache'], 'MISS', `GET ${r} was served from a damaged entry`);
    }
    await healthy(second.url);
  } finally {
    first?.child.kill('SIGKILL');
    second?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------------

/** openRequest starts GET path on base and returns the request, so the test can hang up at will. */
function openRequest(base: string, reqPath: string): { req: http.ClientRequest; answer: Promise<Answer | undefined> } {
  const u = new URL(base);
  const started = Date.now();
  let req!: http.ClientRequest;
  const answer = new Promise<Answer | undefined>((resolve) => {
    req = http.request({ host: u.hostname, port: u.port, path: reqPath, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), ms: Date.now() - started }));
      res.on('error', () => resolve(undefined));
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
  return { req, answer };
}

test('a client that hangs up cancels the origin fetch when nobody else waits for it', async () => {
  const proxy = await startProxy({ allowPrivateNetworks: true, workers: 1 });
  try {
    origin.set('/endless.png', { headers: { 'Content-Type': 'image/png' }, drip: { chunk: 'x', intervalMs: 50 } });
    const { req } = openRequest(proxy.url, `/${origin.url}/endless.png`);
    await until(() => origin.hits('/endless.png') === 1, 3_000, 'the origin request');
    await sleep(100);
    req.destroy();
    await Promise.race([origin.whenAborted('/endless.png'), sleep(2_000).then(() => { throw new Error('the origin socket stayed open after the client left'); })]);

    // The same through a transform request, whose fetch sits under a second layer of sharing.
    origin.set('/endless-t.png', { headers: { 'Content-Type': 'image/png' }, drip: { chunk: 'x', intervalMs: 50 } });
    const t = openRequest(proxy.url, `/10x/${origin.url}/endless-t.png`);
    await until(() => origin.hits('/endless-t.png') === 1, 3_000, 'the origin request of the transform');
    await sleep(100);
    t.req.destroy();
    await Promise.race([origin.whenAborted('/endless-t.png'), sleep(2_000).then(() => { throw new Error('the origin socket of a transform request stayed open after the client left'); })]);

    // With a second client on the same fetch, the first one leaving must not cancel it.
    origin.set('/shared.png', { headers: { 'Content-Type': 'image/png' }, body: PNG, drip: { chunk: Buffer.alloc(1), intervalMs: 50, count: 10 } });
    const a = openRequest(proxy.url, `/${origin.url}/shared.png`);
    await until(() => origin.hits('/shared.png') === 1, 3_000, 'the shared origin request');
    const b = openRequest(proxy.url, `/${origin.url}/shared.png`);
    await sleep(100);
    a.req.destroy();
    const r = await b.answer;
    assert.ok(r !== undefined && r.status === 200, `the remaining client got ${r ? `${r.status} ${summary(r)}` : 'no answer'}, want 200`);
    assert.equal(r.body.length, PNG.length + 10, `the remaining client got ${r.body.length} bytes, want ${PNG.length + 10}`);
    assert.equal(origin.hits('/shared.png'), 1, 'the two clients did not share one origin fetch');
    assert.equal(origin.aborted('/shared.png'), 0, 'the shared origin fetch was cancelled though a client still waited');
    await healthy(proxy.url);
  } finally {
    await proxy.close();
  }
});

test('a client that hangs up while its transform is queued has the transform dropped', async () => {
  const pool = createTransformPool({ workers: 1, maxQueue: 8, logger: QUIET });
  const proxy = await startProxy({ allowPrivateNetworks: true, transformer: pool });
  try {
    // A 3000x3000 PNG takes the only worker for about a second; the queued one would too.
    const big = pngValid(3000, 3000);
    origin.set('/big-a.png', { headers: { 'Content-Type': 'image/png' }, body: big });
    origin.set('/big-b.png', { headers: { 'Content-Type': 'image/png' }, body: big });
    const running = openRequest(proxy.url, `/100x/${origin.url}/big-a.png`);
    let runningDone = false;
    void running.answer.then(() => { runningDone = true; });
    await until(() => pool.stats().busy === 1, 5_000, 'the first transform to start');
    const queued = openRequest(proxy.url, `/100x/${origin.url}/big-b.png`);
    await until(() => pool.stats().queued === 1, 3_000, 'the second transform to queue');
    queued.req.destroy();
    await until(() => pool.stats().queued === 0, 500, 'the queued transform to leave the queue');
    assert.ok(!runningDone, 'the first transform finished before the check; the queue may have emptied by dispatch');
    const r = await running.answer;
    assert.ok(r !== undefined && r.status === 200, `the first transform = ${r ? `${r.status} ${summary(r)}` : 'no answer'}, want 200`);
    // Had the second task been dispatched, the worker would now be busy with it for a second.
    await until(() => pool.stats().busy === 0, 300, 'the worker to be idle (it is running the dropped transform)');
    await healthy(proxy.url);
  } finally {
    await proxy.close();
  }
});
