import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Cache } from '../../../lib/cache/cache.js';
import { encodeEntry } from '../../../lib/cache/framing.js';
import { MemoryCache } from '../../../lib/cache/memory.js';
import { hasValidators, isFresh, ResponseCache } from '../../../lib/cache/responses.js';
import { quietLogger } from './contract.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const body = Buffer.from([0, 1, 2, 255]);

/** RecordingCache is a MemoryCache that remembers the ttl of each set. */
class RecordingCache extends MemoryCache {
  ttls = new Map<string, number | undefined>();
  deletes: string[] = [];
  constructor() {
    super({ maxBytes: 1e7, maxAgeMs: 0 });
  }
  override async set(key: string, value: Buffer, ttlMs?: number): Promise<void> {
    this.ttls.set(key, ttlMs);
    return super.set(key, value, ttlMs);
  }
  override async delete(key: string): Promise<void> {
    this.deletes.push(key);
    return super.delete(key);
  }
}

/** ThrowingCache fails every operation, as an unguarded broken backend would. */
const throwing: Cache = {
  get: async () => {
    throw new Error('down');
  },
  set: async () => {
    throw new Error('down');
  },
  delete: async () => {
    throw new Error('down');
  },
};

function rc(cache: Cache, over: Partial<{ minCacheDurationMs: number; forceCache: boolean }> = {}, errors: unknown[] = []) {
  return new ResponseCache(cache, { minCacheDurationMs: 0, forceCache: false, logger: quietLogger(), onError: (e) => errors.push(e), ...over });
}

test('ResponseCache', async (suite) => {
  await suite.test('stores and returns a cacheable response with lower-case headers, without hop-by-hop ones', async () => {
    const c = new RecordingCache();
    const r = rc(c);
    const put = await r.put('u', { status: 200, headers: { 'Content-Type': 'image/png', 'Cache-Control': 'max-age=60', Connection: 'close', 'Set-Cookie': 'a=b' }, body }, NOW);
    assert.ok(put, 'put(max-age=60) = undefined, want stored');
    const got = await r.get('u');
    assert.ok(got);
    assert.deepEqual(got.headers, { 'content-type': 'image/png', 'cache-control': 'max-age=60' }, `get(u).headers = ${JSON.stringify(got.headers)}`);
    assert.ok(got.body.equals(body));
    assert.equal(got.storedAt, NOW);
    assert.equal(got.expiresAt, NOW + 60_000, `get(u).expiresAt = ${got.expiresAt}, want ${NOW + 60_000}`);
    assert.equal(c.ttls.get('u'), 60_000, `ttl hint without validators = ${c.ttls.get('u')}, want 60000`);
  });

  await suite.test('gives no ttl hint to entries with validators, so they outlive freshness for revalidation', async () => {
    const c = new RecordingCache();
    await rc(c).put('u', { status: 200, headers: { 'cache-control': 'max-age=60', etag: '"e"' }, body }, NOW);
    assert.equal(c.ttls.get('u'), undefined, `ttl hint with ETag = ${c.ttls.get('u')}, want undefined`);
  });

  await suite.test('does not store what HTTP caching forbids, unless forced', async () => {
    const c = new RecordingCache();
    const r = rc(c);
    for (const cc of ['no-store', 'private, max-age=60']) {
      const got = await r.put(`u-${cc}`, { status: 200, headers: { 'cache-control': cc }, body }, NOW);
      assert.equal(got, undefined, `put(${cc}) = stored, want undefined`);
      assert.equal(await c.get(`u-${cc}`), undefined);
    }
    const forced = await rc(c, { forceCache: true, minCacheDurationMs: 1000 }).put('f', { status: 200, headers: { 'cache-control': 'no-store' }, body }, NOW);
    assert.equal(forced?.expiresAt, NOW + 1000, `forced put(no-store).expiresAt = ${forced?.expiresAt}, want ${NOW + 1000}`);
  });

  await suite.test('drops and deletes a corrupt entry', async () => {
    const c = new RecordingCache();
    const errors: unknown[] = [];
    const r = rc(c, {}, errors);
    const good = encodeEntry({ status: 200, headers: {}, body, storedAt: NOW, expiresAt: NOW + 1 });
    const flipped = Buffer.from(good);
    flipped[flipped.length - 1] ^= 1;
    await c.set('bad', flipped);
    assert.equal(await r.get('bad'), undefined, 'get(bit-flipped) = entry, want undefined');
    assert.deepEqual(c.deletes, ['bad'], `deletes = ${c.deletes}, want [bad]`);
    assert.equal(await c.get('bad'), undefined, 'raw entry still present after drop');
    assert.equal(errors.length, 1, `onError calls = ${errors.length}, want 1`);
    await c.set('short', good.subarray(0, good.length - 2));
    assert.equal(await r.get('short'), undefined, 'get(truncated) = entry, want undefined');
  });

  await suite.test('never throws when the backend fails', async () => {
    const errors: unknown[] = [];
    const r = rc(throwing, {}, errors);
    assert.equal(await r.get('u'), undefined);
    const put = await r.put('u', { status: 200, headers: { 'cache-control': 'max-age=5' }, body }, NOW);
    assert.equal(put?.expiresAt, NOW + 5000, 'put with a failing backend should still return the record');
    const entry = { status: 200, headers: { etag: '"a"' }, body, storedAt: NOW, expiresAt: NOW };
    const refreshed = await r.refresh('u', entry, { 'cache-control': 'max-age=9' }, NOW + 1);
    assert.equal(refreshed.expiresAt, NOW + 1 + 9000);
    assert.equal(errors.length, 3, `onError calls = ${errors.length}, want 3`);
  });

  await suite.test('never throws, whatever the backend, the hooks, the logger or the headers do; counts and logs each failure', async () => {
    // The handler used to wrap every call in try/catch; the core relies on this instead.
    const syncThrowing: Cache = {
      get: () => { throw new Error('sync down'); },
      set: () => { throw new Error('sync down'); },
      delete: () => { throw new Error('sync down'); },
    };
    const notBytes: Cache = { ...new MemoryCache({ maxBytes: 1e6, maxAgeMs: 0 }), get: async () => 'not a buffer' as unknown as Buffer, set: async () => {}, delete: async () => {} };
    const badHeaders = { 'cache-control': 42, vary: {} } as unknown as Record<string, string>;
    const entry = { status: 200, headers: { etag: '"a"' }, body, storedAt: NOW, expiresAt: NOW };
    const brokenLogger = { info: () => { throw new Error('log'); }, warn: () => { throw new Error('log'); }, error: () => { throw new Error('log'); } };
    const cases: Array<{ name: string; cache: Cache; headers: Record<string, string>; logger?: typeof brokenLogger; onErrorThrows?: boolean; wantErrors: number }> = [
      { name: 'backend rejects', cache: throwing, headers: { 'cache-control': 'max-age=5' }, wantErrors: 3 },
      { name: 'backend throws synchronously', cache: syncThrowing, headers: { 'cache-control': 'max-age=5' }, wantErrors: 3 },
      { name: 'backend returns no bytes (read, then the delete of the corrupt entry)', cache: notBytes, headers: { 'cache-control': 'max-age=5' }, wantErrors: 1 },
      { name: 'headers that are not strings', cache: new MemoryCache({ maxBytes: 1e6, maxAgeMs: 0 }), headers: badHeaders, wantErrors: 2 },
      { name: 'broken logger and hook', cache: throwing, headers: { 'cache-control': 'max-age=5' }, logger: brokenLogger, onErrorThrows: true, wantErrors: 3 },
    ];
    for (const { name, cache, headers, logger, onErrorThrows, wantErrors } of cases) {
      const errors: unknown[] = [];
      const log = quietLogger();
      const r = new ResponseCache(cache, {
        minCacheDurationMs: 0, forceCache: false, logger: logger ?? log,
        onError: (e) => { errors.push(e); if (onErrorThrows) throw new Error('hook'); },
      });
      const got = await r.get('u');
      assert.equal(got, undefined, `${name}: get(u) = ${JSON.stringify(got)}, want undefined`);
      await r.put('u', { status: 200, headers, body }, NOW);
      const refreshed = await r.refresh('u', entry, headers, NOW + 1);
      assert.ok(refreshed.body.equals(body), `${name}: refresh() lost the body`);
      assert.equal(errors.length, wantErrors, `${name}: onError calls = ${errors.length}, want ${wantErrors}`);
      if (!logger) {
        const warned = log.lines.filter((l) => /cache: .* for u: /.test(l)).length;
        assert.equal(warned, wantErrors, `${name}: warnings = ${JSON.stringify(log.lines)}, want ${wantErrors} naming the key`);
      }
    }
  });

  await suite.test('refresh applies the 304 headers and recomputes expiry', async () => {
    const c = new RecordingCache();
    const r = rc(c);
    const first = await r.put(
      'u',
      { status: 200, headers: { 'content-type': 'image/jpeg', 'content-length': '4', 'cache-control': 'max-age=10', etag: '"v1"', age: '3' }, body },
      NOW,
    );
    assert.ok(first);
    assert.equal(isFresh(first, NOW + 6_000), true, 'isFresh at 6s of 7s = false, want true');
    assert.equal(isFresh(first, NOW + 7_000), false, 'isFresh at 7s of 7s = true, want false');
    const later = NOW + 60_000;
    const refreshed = await r.refresh('u', first, { 'Cache-Control': 'max-age=300', ETag: '"v2"', 'Content-Type': 'text/html', 'Content-Length': '999', Date: new Date(later).toUTCString() }, later);
    assert.equal(refreshed.expiresAt, later + 300_000, `refresh().expiresAt = ${refreshed.expiresAt}, want ${later + 300_000}`);
    assert.equal(refreshed.headers.etag, '"v2"');
    assert.equal(refreshed.headers['content-type'], 'image/jpeg', '304 must not replace content-type');
    assert.equal(refreshed.headers['content-length'], '4', '304 must not replace content-length');
    assert.equal(refreshed.headers.age, undefined, 'the old Age must be dropped');
    assert.ok(refreshed.body.equals(body));
    const stored = await r.get('u');
    assert.equal(stored?.expiresAt, later + 300_000, `stored expiresAt after refresh = ${stored?.expiresAt}`);
    assert.equal(stored?.storedAt, later);
  });

  await suite.test('refresh deletes the entry when the 304 forbids storing', async () => {
    const c = new RecordingCache();
    const r = rc(c);
    const first = await r.put('u', { status: 200, headers: { 'cache-control': 'max-age=10', etag: '"v1"' }, body }, NOW);
    assert.ok(first);
    const refreshed = await r.refresh('u', first, { 'cache-control': 'no-store' }, NOW + 20_000);
    assert.equal(refreshed.expiresAt, NOW + 20_000);
    assert.equal(await r.get('u'), undefined, 'get(u) after a no-store 304 = entry, want deleted');
  });

  await suite.test('serves a memory backend its own record: the frame is not read again, a copy of it is', async () => {
    const c = new RecordingCache();
    const r = rc(c);
    await r.put('u', { status: 200, headers: { 'cache-control': 'max-age=60' }, body }, NOW);
    const frame = c.peek('u');
    assert.ok(frame, 'peek(u) after put = miss, want the frame');
    // Spoil the stored checksum in place: only a check of the frame would notice.
    frame.writeUInt32BE(frame.readUInt32BE(16) ^ 1, 16);
    assert.ok(await r.get('u'), 'get(u) of the Buffer it wrote, its checksum spoiled in place = miss, want the record it wrote');
    const remote = rc({ ...throwing, get: async () => Buffer.from(frame), delete: async () => {} });
    assert.equal(await remote.get('u'), undefined, 'get(u) of a copy with a spoiled checksum (a remote backend) = entry, want undefined');
    const a = await r.get('u'), b = r.peek('u');
    assert.ok(a && a === b, 'get(u) and peek(u) = different records, want the one shared record');
    assert.ok(a.body.equals(body), `get(u).body = ${a.body.toString('hex')}, want ${body.toString('hex')}`);
    assert.throws(() => { (a.headers as Record<string, string>).x = 'y'; }, TypeError, 'a shared record\'s headers can be changed, want frozen');
  });

  await suite.test('peek answers only from a backend in this process, and never throws', async () => {
    const mem = new RecordingCache();
    await rc(mem).put('u', { status: 200, headers: { 'cache-control': 'max-age=60' }, body }, NOW);
    await mem.set('bad', Buffer.from('not a frame'));
    const peekThrows: Cache = { ...throwing, peek: () => { throw new Error('down'); } };
    const cases: Array<{ name: string; cache: Cache; key: string; want: boolean }> = [
      { name: 'memory, stored', cache: mem, key: 'u', want: true },
      { name: 'memory, missing', cache: mem, key: 'v', want: false },
      { name: 'memory, corrupt', cache: mem, key: 'bad', want: false },
      { name: 'a backend without peek', cache: throwing, key: 'u', want: false },
      { name: 'a peek that throws', cache: peekThrows, key: 'u', want: false },
    ];
    for (const { name, cache, key, want } of cases) {
      const got = rc(cache).peek(key);
      assert.equal(got !== undefined, want, `${name}: peek(${key}) found = ${got !== undefined}, want ${want}`);
    }
  });

  await suite.test('hasValidators looks for ETag or Last-Modified', () => {
    const e = (headers: Record<string, string>) => ({ status: 200, headers, body, storedAt: 0, expiresAt: 0 });
    const cases: Array<{ h: Record<string, string>; want: boolean }> = [
      { h: {}, want: false },
      { h: { etag: '"x"' }, want: true },
      { h: { 'last-modified': 'Wed, 21 Oct 2015 07:28:00 GMT' }, want: true },
      { h: { 'cache-control': 'max-age=5' }, want: false },
    ];
    for (const { h, want } of cases) assert.equal(hasValidators(e(h)), want, `hasValidators(${JSON.stringify(h)}) = ${!want}, want ${want}`);
  });
});
