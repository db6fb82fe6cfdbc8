import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Cache } from '../../../lib/cache/cache.js';
import { CacheTimeoutError, GuardedCache } from '../../../lib/cache/guard.js';
import { MemoryCache } from '../../../lib/cache/memory.js';
import { quietLogger } from './contract.js';

/** FlakyCache fails while `down` is set and hangs forever while `hang` is set. */
class FlakyCache implements Cache {
  down = false;
  hang = false;
  private readonly mem = new MemoryCache({ maxBytes: 1e6, maxAgeMs: 0 });
  private check(): Promise<void> {
    if (this.hang) return new Promise(() => {});
    if (this.down) return Promise.reject(new Error('connection refused'));
    return Promise.resolve();
  }
  async get(key: string) {
    await this.check();
    return this.mem.get(key);
  }
  async set(key: string, v: Buffer) {
    await this.check();
    return this.mem.set(key, v);
  }
  async delete(key: string) {
    await this.check();
    return this.mem.delete(key);
  }
}

test('GuardedCache', async (suite) => {
  await suite.test('passes operations through while the backend works', async () => {
    const g = new GuardedCache(new FlakyCache(), { name: 'flaky', logger: quietLogger() });
    await g.set('k', Buffer.from('v'));
    assert.deepEqual(await g.get('k'), Buffer.from('v'));
    await g.delete('k');
    assert.equal(await g.get('k'), undefined);
    assert.equal(g.errors, 0);
  });

  await suite.test('peek passes through a backend that answers at once; a throw is a counted miss', async () => {
    const mem = new MemoryCache({ maxBytes: 1e6, maxAgeMs: 0 });
    await mem.set('k', Buffer.from('v'));
    const broken: Cache = { ...new FlakyCache(), get: async () => undefined, set: async () => {}, delete: async () => {}, peek: () => { throw new Error('down'); } };
    const cases: Array<{ name: string; inner: Cache; want: Buffer | undefined; wantErrors: number }> = [
      { name: 'memory', inner: mem, want: Buffer.from('v'), wantErrors: 0 },
      { name: 'a backend without peek', inner: new FlakyCache(), want: undefined, wantErrors: 0 },
      { name: 'a peek that throws', inner: broken, want: undefined, wantErrors: 1 },
    ];
    for (const { name, inner, want, wantErrors } of cases) {
      const g = new GuardedCache(inner, { name: 'g', logger: quietLogger() });
      const got = g.peek('k');
      assert.deepEqual({ got, errors: g.errors }, { got: want, errors: wantErrors }, `${name}: peek(k) = ${got} with ${g.errors} errors, want ${want} with ${wantErrors}`);
    }
  });

  await suite.test('turns failures into misses, counts them, and logs once per burst', async () => {
    const inner = new FlakyCache();
    const logger = quietLogger();
    let clock = 0;
    const seen: string[] = [];
    const g = new GuardedCache(inner, { name: 'flaky', logger, now: () => clock, logIntervalMs: 60_000, onError: (b) => seen.push(b) });
    await g.set('k', Buffer.from('v'));
    inner.down = true;
    for (let i = 0; i < 10; i++) {
      assert.equal(await g.get('k'), undefined, `get #${i} while down = hit, want undefined`);
      clock += 1000;
    }
    await g.set('k2', Buffer.from('x'));
    await g.delete('k');
    assert.equal(g.errors, 12, `errors = ${g.errors}, want 12`);
    assert.equal(seen.length, 12, `onError calls = ${seen.length}, want 12`);
    assert.ok(seen.every((b) => b === 'flaky'), 'onError got the wrong backend name');
    const warns = logger.lines.filter((l) => l.startsWith('warn'));
    assert.equal(warns.length, 1, `warn lines in one burst = ${warns.length}, want 1: ${warns}`);
    assert.match(warns[0], /cache flaky: get failed, treated as a miss: connection refused/);
    clock += 60_000;
    await g.get('k');
    const warns2 = logger.lines.filter((l) => l.startsWith('warn'));
    assert.equal(warns2.length, 2, `warn lines after the quiet interval = ${warns2.length}, want 2`);
    assert.match(warns2[1], /11 earlier failures not logged/);
    inner.down = false;
    assert.deepEqual(await g.get('k'), Buffer.from('v'), 'get after recovery = miss, want hit');
    assert.ok(logger.lines.some((l) => /info cache flaky: working again/.test(l)), `no recovery line in ${logger.lines}`);
  });

  await suite.test('times out a hung backend', async () => {
    const inner = new FlakyCache();
    inner.hang = true;
    const errors: unknown[] = [];
    const g = new GuardedCache(inner, { name: 'hung', logger: quietLogger(), timeoutMs: 100, onError: (_, e) => errors.push(e) });
    const t0 = Date.now();
    assert.equal(await g.get('k'), undefined);
    await g.set('k', Buffer.from('v'));
    const took = Date.now() - t0;
    assert.ok(took >= 180 && took < 1500, `two hung operations took ${took} ms, want about 200`);
    assert.ok(errors[0] instanceof CacheTimeoutError, `error = ${errors[0]}, want CacheTimeoutError`);
  });

  await suite.test('survives a synchronous throw and a throwing onError hook', async () => {
    const bad: Cache = {
      get: () => {
        throw new Error('sync');
      },
      set: async () => {},
      delete: async () => {},
    };
    const g = new GuardedCache(bad, {
      name: 'bad',
      logger: quietLogger(),
      onError: () => {
        throw new Error('hook');
      },
    });
    assert.equal(await g.get('k'), undefined);
    assert.equal(g.errors, 1);
  });
});
