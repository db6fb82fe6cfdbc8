// HTTP-level cache tests: the real handler (lib/handler.ts) over real cache backends built by
// createCache, against a local origin, checking what reaches the origin.
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, after, before } from 'node:test';
import { imageproxy, type HandlerOptions, type ImageProxyHandler } from '../../../lib/handler.js';
import { createCache } from '../../../lib/cache/index.js';
import { GuardedCache } from '../../../lib/cache/guard.js';
import { TieredCache } from '../../../lib/cache/tiered.js';
import type { MemoryCache } from '../../../lib/cache/memory.js';
import { formatOptions, type Options } from '../../../lib/request/options.js';
import type { Limits } from '../../../lib/config.js';
import type { Transformer, TransformResult } from '../../../lib/transform/types.js';
import { FIXTURES } from '../../helpers/paths.js';
import { startOrigin, type Origin, type OriginRoute } from '../../helpers/origin.js';
import { startRedis } from '../../helpers/servers.js';
import { quietLogger } from './contract.js';
import { serveHandler } from '../../helpers/serve.js';

// fixtures/ximage/yellow_rose-small.png — golang.org/x/image testdata, BSD-3-Clause
const PNG = readFileSync(path.join(FIXTURES, 'ximage/yellow_rose-small.png'));

/** CountingTransformer prefixes the source with the options, so runs are visible and cheap. */
class CountingTransformer implements Transformer {
  runs = 0;
  async run(bytes: Uint8Array, options: Options, _limits: Limits): Promise<TransformResult> {
    this.runs++;
    return { bytes: Buffer.concat([Buffer.from(`${formatOptions(options)}|`), bytes]), contentType: 'image/jpeg' };
  }
  async close(): Promise<void> {}
}

interface Proxy {
  url: string;
  handler: ImageProxyHandler;
  transformer: CountingTransformer;
  close(): Promise<void>;
}

async function startProxy(opts: HandlerOptions): Promise<Proxy> {
  const transformer = new CountingTransformer();
  const handler = imageproxy({ allowPrivateNetworks: true, logger: quietLogger(), transformer, ...opts });
  return { ...(await serveHandler(handler)), handler, transformer };
}

let origin: Origin;
const dirs: string[] = [];
before(async () => {
  origin = await startOrigin();
});
after(async () => {
  await origin.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'ipx-http-'));
  dirs.push(d);
  return d;
}

let n = 0;
function route(headers: Record<string, string>): { url: string; path: string } {
  const p = `/c-${++n}.png`;
  const r: OriginRoute = { headers: { 'Content-Type': 'image/png', ...headers }, body: PNG };
  origin.set(p, r);
  return { url: origin.url + p, path: p };
}

async function get(url: string): Promise<{ status: number; xcache: string | null; body: Buffer }> {
  const r = await fetch(url);
  return { status: r.status, xcache: r.headers.get('x-cache'), body: Buffer.from(await r.arrayBuffer()) };
}

test('HTTP caching through createCache backends', async (suite) => {
  await suite.test('serves a repeated transform from a disk cache without reaching the origin', async () => {
    const cache = await createCache([tempDir()], quietLogger());
    const p = await startProxy({ cache });
    try {
      const img = route({ 'Cache-Control': 'max-age=600' });
      const a = await get(`${p.url}/100x/${img.url}`);
      const b = await get(`${p.url}/100x/${img.url}`);
      assert.deepEqual([a.status, a.xcache, b.status, b.xcache], [200, 'MISS', 200, 'HIT'], `responses = ${[a.status, a.xcache, b.status, b.xcache]}`);
      assert.ok(b.body.equals(a.body), 'cached variant differs from the first response');
      assert.equal(origin.hits(img.path), 1, `origin hits = ${origin.hits(img.path)}, want 1`);
      assert.equal(p.transformer.runs, 1, `transforms = ${p.transformer.runs}, want 1`);
    } finally {
      await p.close();
    }
  });

  await suite.test('refetches no-store and private responses, unless forceCache', async () => {
    const cases: Array<{ name: string; cc: string; forceCache: boolean; want: number }> = [
      // name, Cache-Control, forceCache, want origin hits after two requests
      { name: 'no-store', cc: 'no-store, max-age=600', forceCache: false, want: 2 },
      { name: 'private', cc: 'private, max-age=600', forceCache: false, want: 2 },
      { name: 'no-store forced', cc: 'no-store, max-age=600', forceCache: true, want: 1 },
      { name: 'private forced', cc: 'private, max-age=600', forceCache: true, want: 1 },
      { name: 'max-age=0 without validators', cc: 'max-age=0', forceCache: false, want: 2 },
    ];
    for (const { name, cc, forceCache, want } of cases) {
      const cache = await createCache(['memory'], quietLogger());
      const p = await startProxy({ cache, forceCache });
      try {
        const img = route({ 'Cache-Control': cc });
        for (let i = 0; i < 2; i++) assert.equal((await get(`${p.url}/${img.url}`)).status, 200, `${name}: status`);
        assert.equal(origin.hits(img.path), want, `${name}: origin hits = ${origin.hits(img.path)}, want ${want}`);
      } finally {
        await p.close();
      }
    }
  });

  await suite.test('minCacheDuration keeps responses without freshness information', async () => {
    const cache = await createCache(['memory'], quietLogger());
    const p = await startProxy({ cache, minCacheDurationMs: 60_000 });
    try {
      const img = route({});
      await get(`${p.url}/${img.url}`);
      const again = await get(`${p.url}/${img.url}`);
      assert.equal(again.xcache, 'HIT', `X-Cache = ${again.xcache}, want HIT`);
      assert.equal(origin.hits(img.path), 1, `origin hits = ${origin.hits(img.path)}, want 1`);
    } finally {
      await p.close();
    }
  });

  await suite.test('revalidates a stale disk entry with a conditional request answered 304', async () => {
    const cache = await createCache([tempDir()], quietLogger());
    const p = await startProxy({ cache });
    try {
      const img = route({ 'Cache-Control': 'max-age=0', ETag: '"v1"' });
      origin.set(img.path, {
        handler: (req, res) => {
          if (req.headers['if-none-match'] === '"v1"') {
            res.writeHead(304, { ETag: '"v1"', 'Cache-Control': 'max-age=600' });
            res.end();
            return;
          }
          res.writeHead(200, { 'Content-Type': 'image/png', ETag: '"v1"', 'Cache-Control': 'max-age=0' });
          res.end(PNG);
        },
      });
      const states = [];
      for (let i = 0; i < 3; i++) states.push((await get(`${p.url}/${img.url}`)).xcache);
      // The 304 carried max-age=600, so the third request is a plain hit.
      assert.deepEqual(states, ['MISS', 'REVALIDATED', 'HIT'], `X-Cache sequence = ${states}`);
      const conditional = origin.requests.filter((r) => r.url === img.path).map((r) => r.headers['if-none-match']);
      assert.deepEqual(conditional, [undefined, '"v1"'], `origin requests = ${conditional}`);
    } finally {
      await p.close();
    }
  });

  await suite.test('keeps serving from a disk cache after a restart, and fills a memory tier from it', async () => {
    const dir = tempDir();
    const img = route({ 'Cache-Control': 'max-age=600' });
    const first = await startProxy({ cache: await createCache([dir], quietLogger()) });
    try {
      assert.equal((await get(`${first.url}/80x/${img.url}`)).xcache, 'MISS');
    } finally {
      await first.close();
    }
    const cache = await createCache(['memory', dir], quietLogger());
    assert.ok(cache instanceof TieredCache);
    const second = await startProxy({ cache });
    try {
      const r = await get(`${second.url}/80x/${img.url}`);
      assert.deepEqual([r.status, r.xcache], [200, 'HIT'], `after restart: ${r.status} ${r.xcache}, want 200 HIT`);
      assert.equal(origin.hits(img.path), 1, `origin hits across the restart = ${origin.hits(img.path)}, want 1`);
      const mem = (cache.tiers[0] as GuardedCache).inner as MemoryCache;
      assert.ok(mem.size > 0, 'memory tier not filled from the disk tier');
    } finally {
      await second.close();
    }
  });

  await suite.test('answers every request while Redis is down', async () => {
    const server = await startRedis();
    const cache = await createCache([server.url], quietLogger(), { timeoutMs: 2000 });
    const p = await startProxy({ cache });
    try {
      const img = route({ 'Cache-Control': 'max-age=600' });
      assert.equal((await get(`${p.url}/50x/${img.url}`)).xcache, 'MISS');
      assert.equal((await get(`${p.url}/50x/${img.url}`)).xcache, 'HIT');
      await server.stop();
      const t0 = Date.now();
      const r = await get(`${p.url}/50x/${img.url}`);
      assert.deepEqual([r.status, r.xcache], [200, 'MISS'], `with Redis down: ${r.status} ${r.xcache}, want 200 MISS`);
      assert.ok(Date.now() - t0 < 3000, `request with Redis down took ${Date.now() - t0} ms`);
      assert.ok((cache as GuardedCache).errors >= 2, `guard errors = ${(cache as GuardedCache).errors}, want >= 2`);
    } finally {
      await p.close();
      await server.stop();
    }
  });
});
