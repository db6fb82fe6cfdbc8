/**
 * The cache contract: one suite of behaviours every backend must show, run by each backend's
 * test file against a real server on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { Cache } from '../../../lib/cache/cache.js';
import { ResponseCache } from '../../../lib/cache/responses.js';
import { createCache } from '../../../lib/cache/index.js';
import type { Logger } from '../../../lib/config.js';

/** ContractTarget is a cache under test and the knobs its suite needs. */
export interface ContractTarget {
  /** The cache as createCache built it (guarded). */
  cache: Cache;
  /** Whether set's ttlMs makes entries disappear (memory, redis). */
  honoursTtl: boolean;
  /** Stops the backing server, for the failure tests; absent for in-process backends. */
  stopServer?: () => Promise<void>;
  /** Failures reported through createCache's onError so far. */
  errors: () => number;
  /** Releases everything (cache and server). */
  close: () => Promise<void>;
}

/**
 * serverTarget builds the ContractTarget of a backend that talks to a server started for the
 * test: createCache(spec) with an error counter, stopped and released together with the server.
 */
export async function serverTarget(
  spec: string,
  stopServer: () => Promise<void>,
  opts: { honoursTtl: boolean; timeoutMs: number; env?: Record<string, string | undefined> },
): Promise<ContractTarget> {
  let errors = 0;
  const cache = await createCache([spec], quietLogger(), { env: opts.env, onError: () => errors++, timeoutMs: opts.timeoutMs });
  assert.ok(cache, `createCache(${spec}) returned no cache`);
  return {
    cache,
    honoursTtl: opts.honoursTtl,
    errors: () => errors,
    stopServer,
    close: async () => {
      await cache.close?.();
      await stopServer();
    },
  };
}

/** quietLogger collects log lines instead of printing them. */
export function quietLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
}

function desc(v: Buffer | undefined): string {
  if (v === undefined) return 'undefined';
  return v.length <= 16 ? `<${v.toString('hex')}>` : `<${v.length} bytes ${v.subarray(0, 8).toString('hex')}…>`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** LARGE_ENTRY_BYTES is the size of the large-entry test (10 MB, bigger than any typical image). */
export const LARGE_ENTRY_BYTES = 10 * 1024 * 1024;

/** runCacheContract registers the contract suite for one backend. */
export function runCacheContract(name: string, setup: () => Promise<ContractTarget>): void {
  test(`cache contract: ${name}`, async (suite) => {
    let t: ContractTarget;
    const run = randomBytes(4).toString('hex');
    const k = (s: string) => `https://example.com/${run}/${s}`;

    suite.before(async () => {
      t = await setup();
    });
    suite.after(async () => {
      await t?.close();
    });

    await suite.test('get of a missing key is undefined', async () => {
      const got = await t.cache.get(k('missing'));
      assert.equal(got, undefined, `get(missing) = ${desc(got)}, want undefined`);
    });

    await suite.test('set, get, overwrite, delete', async () => {
      const key = k('a.jpg#100x100');
      await t.cache.set(key, Buffer.from('first'));
      let got = await t.cache.get(key);
      assert.deepEqual(got, Buffer.from('first'), `get after set = ${desc(got)}, want <first>`);
      await t.cache.set(key, Buffer.from('second'));
      got = await t.cache.get(key);
      assert.deepEqual(got, Buffer.from('second'), `get after overwrite = ${desc(got)}, want <second>`);
      await t.cache.delete(key);
      got = await t.cache.get(key);
      assert.equal(got, undefined, `get after delete = ${desc(got)}, want undefined`);
    });

    await suite.test('delete of a missing key does not fail', async () => {
      await t.cache.delete(k('never-stored'));
      assert.equal(t.errors(), 0, `errors after deleting a missing key = ${t.errors()}, want 0`);
    });

    await suite.test('keys differing only slightly are distinct', async () => {
      const keys = [k('x.png'), k('x.png#100x'), k('x.png#100x,q60'), k('ü/é space?q=1')];
      await Promise.all(keys.map((key, i) => t.cache.set(key, Buffer.from([i + 1]))));
      for (const [i, key] of keys.entries()) {
        const got = await t.cache.get(key);
        assert.deepEqual(got, Buffer.from([i + 1]), `get(${key}) = ${desc(got)}, want <0${i + 1}>`);
      }
    });

    await suite.test('is binary safe (all 256 byte values)', async () => {
      const value = Buffer.alloc(1024);
      for (let i = 0; i < value.length; i++) value[i] = (i * 7) & 0xff;
      const all = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), value, Buffer.from([0, 0, 0xff, 0x0d, 0x0a])]);
      await t.cache.set(k('binary'), all);
      const got = await t.cache.get(k('binary'));
      assert.ok(got !== undefined && got.equals(all), `get(binary) = ${desc(got)}, want ${desc(all)}`);
    });

    await suite.test('stores a 10 MB entry', async () => {
      const big = randomBytes(LARGE_ENTRY_BYTES);
      await t.cache.set(k('large'), big);
      const got = await t.cache.get(k('large'));
      assert.ok(got !== undefined && got.equals(big), `get(large) = ${desc(got)}, want ${desc(big)}`);
      assert.equal(t.errors(), 0, `errors after the large entry = ${t.errors()}, want 0`);
    });

    await suite.test('keeps HTTP responses through ResponseCache, and drops corrupt entries', async () => {
      const rc = new ResponseCache(t.cache, { minCacheDurationMs: 0, forceCache: false, logger: quietLogger() });
      const now = Date.now();
      const body = randomBytes(5000);
      const stored = await rc.put(k('resp'), { status: 200, headers: { 'content-type': 'image/png', 'cache-control': 'max-age=60' }, body }, now);
      assert.ok(stored, 'put(max-age=60) = undefined, want a stored entry');
      const got = await rc.get(k('resp'));
      assert.ok(got && got.body.equals(body), `ResponseCache.get(resp) body = ${desc(got?.body)}, want ${desc(body)}`);
      assert.equal(got.expiresAt, now + 60_000, `ResponseCache.get(resp).expiresAt = ${got.expiresAt}, want ${now + 60_000}`);

      await t.cache.set(k('corrupt'), Buffer.concat([Buffer.from('IPXC'), randomBytes(100)]));
      const bad = await rc.get(k('corrupt'));
      assert.equal(bad, undefined, `ResponseCache.get(corrupt) = ${JSON.stringify(bad)}, want undefined`);
      const left = await t.cache.get(k('corrupt'));
      assert.equal(left, undefined, `raw get(corrupt) after the drop = ${desc(left)}, want undefined (deleted)`);
    });

    await suite.test('expires entries by ttl where supported, keeps them otherwise', async () => {
      await t.cache.set(k('ttl'), Buffer.from('short'), 300);
      const early = await t.cache.get(k('ttl'));
      assert.deepEqual(early, Buffer.from('short'), `get(ttl) at once = ${desc(early)}, want <short>`);
      await sleep(700);
      const late = await t.cache.get(k('ttl'));
      if (t.honoursTtl) assert.equal(late, undefined, `get(ttl) after 700 ms = ${desc(late)}, want undefined`);
      else assert.deepEqual(late, Buffer.from('short'), `get(ttl) after 700 ms = ${desc(late)}, want <short> (ttl is only a hint here)`);
    });

    await suite.test('turns failures of a stopped server into misses (runs last)', async (ctx) => {
        if (!t.stopServer) {
          // In-process backends have no server to stop; their failure modes are tested in their own files.
          assert.equal(t.errors(), 0, `errors of an in-process backend = ${t.errors()}, want 0`);
          return;
        }
        await t.cache.set(k('before-stop'), Buffer.from('v'));
        await t.stopServer();
        const before = t.errors();
        const started = Date.now();
        const got = await t.cache.get(k('before-stop'));
        await t.cache.set(k('after-stop'), Buffer.from('w'));
        await t.cache.delete(k('before-stop'));
        const took = Date.now() - started;
        assert.equal(got, undefined, `get on a stopped server = ${desc(got)}, want undefined`);
        assert.ok(t.errors() - before >= 2, `errors counted on a stopped server = ${t.errors() - before}, want >= 2`);
        ctx.diagnostic(`three operations on a stopped server took ${took} ms`);
      });
  });
}
