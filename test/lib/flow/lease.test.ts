// FleetLeases' decisions against stores that misbehave on purpose; the same code against real
// Redis servers is in lease-redis.test.ts and lease-fleet.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FleetLeases, LEASE_DONE, type LeaseStore } from '../../../lib/flow/lease.js';
import { timed } from '../../helpers/timed.js';

/** MapStore is a LeaseStore in a Map with real-time expiry, and a log of the calls it got. */
class MapStore implements LeaseStore {
  readonly entries = new Map<string, { value: string; until: number }>();
  readonly calls: string[] = [];
  private value(key: string): string | undefined {
    const e = this.entries.get(key);
    if (e && e.until <= performance.now()) this.entries.delete(key);
    return this.entries.get(key)?.value;
  }
  async acquire(key: string, token: string, ttlMs: number): Promise<boolean> {
    this.calls.push('acquire');
    if (this.value(key) !== undefined) return false;
    this.entries.set(key, { value: token, until: performance.now() + ttlMs });
    return true;
  }
  async peek(key: string): Promise<string | undefined> {
    this.calls.push('peek');
    return this.value(key);
  }
  async finish(key: string, token: string, markMs: number): Promise<boolean> {
    this.calls.push('finish');
    if (this.value(key) !== token) return false;
    this.entries.set(key, { value: LEASE_DONE, until: performance.now() + markMs });
    return true;
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const never = () => new Promise<never>(() => {});


/** counted returns a work function that counts its runs and resolves with value after ms. */
function counted<T>(value: T, ms = 0): { work: () => Promise<T>; runs: () => number } {
  let n = 0;
  return { work: async () => { n++; await sleep(ms); return value; }, runs: () => n };
}

test('a well-behaved store: leads when the lease is free, and marks it done', async () => {
  const store = new MapStore();
  const leases = new FleetLeases(store, { leaseTimeMs: 1000 });
  const { work, runs } = counted('v');
  const got = await leases.coalesce('k', async () => undefined, work);
  assert.deepEqual([got.value, got.outcome, runs()], ['v', 'led', 1], `coalesce = ${JSON.stringify(got)}, runs ${runs()}; want v, led, 1 run`);
  assert.equal(await store.peek('k'), LEASE_DONE, 'lease after leading is not the done mark');
});

test('a well-behaved store: follows a holder on the same store and finds its entry', async () => {
  const store = new MapStore();
  const cache = new Map<string, string>();
  const a = new FleetLeases(store, { leaseTimeMs: 2000 });
  const b = new FleetLeases(store, { leaseTimeMs: 2000 });
  const wa = counted('from-a', 150);
  const wb = counted('from-b');
  const lookup = async () => cache.get('k');
  const pa = a.coalesce('k', lookup, async () => { const v = await wa.work(); cache.set('k', v); return v; });
  await sleep(10);
  const [gb, ms] = await timed(() => b.coalesce('k', lookup, wb.work));
  const ga = await pa;
  assert.deepEqual([ga.outcome, gb.outcome, gb.value], ['led', 'followed', 'from-a'], `outcomes = ${ga.outcome}, ${gb.outcome} (${gb.value}); want led, followed (from-a)`);
  assert.equal(wb.runs(), 0, `b ran work ${wb.runs()} times, want 0`);
  assert.ok(ms < 1800, `b waited ${ms} ms, want about one work plus one poll pause, less than the 2 s lease`);
  assert.ok(gb.waitedMs > 0, `b.waitedMs = ${gb.waitedMs}, want > 0`);
  assert.deepEqual([a.stats.led, b.stats.followed, a.stats.alone + b.stats.alone], [1, 1, 0], `stats a=${JSON.stringify(a.stats)} b=${JSON.stringify(b.stats)}`);
});

test('a well-behaved store: goes on alone when the holder finishes without an entry', async () => {
  const store = new MapStore();
  const a = new FleetLeases(store, { leaseTimeMs: 5000 });
  const b = new FleetLeases(store, { leaseTimeMs: 5000 });
  const pa = a.coalesce('k', async () => undefined, async () => { await sleep(100); return 'uncacheable'; });
  await sleep(10);
  const [gb, ms] = await timed(() => b.coalesce('k', async () => undefined, async () => 'own'));
  await pa;
  assert.deepEqual([gb.outcome, gb.reason, gb.value], ['alone', 'unfinished', 'own'], `b = ${JSON.stringify(gb)}`);
  assert.ok(ms < 3000, `b went on after ${ms} ms, want soon after the holder (100 ms), not the 5 s lease time`);
});

test("a well-behaved store: passes work's error on, after marking the lease done", async () => {
  const store = new MapStore();
  const leases = new FleetLeases(store);
  const boom = new Error('origin said 502');
  await assert.rejects(leases.coalesce('k', async () => undefined, async () => { throw boom; }), (e) => e === boom);
  assert.equal(await store.peek('k'), LEASE_DONE, 'lease after a failed work is not the done mark');
});

test('a well-behaved store: treats a lookup that rejects as a miss', async () => {
  const store = new MapStore();
  await store.acquire('k', 'other', 60_000);
  await store.finish('k', 'other', 60_000);
  const leases = new FleetLeases(store);
  const got = await leases.coalesce('k', async () => { throw new Error('cache broke'); }, async () => 'own');
  assert.deepEqual([got.outcome, got.reason, got.value], ['alone', 'unfinished', 'own'], `coalesce = ${JSON.stringify(got)}`);
});

test('a well-behaved store: takes over an expired lease, looking the entry up once more first', async () => {
  const store = new MapStore();
  await store.acquire('k', 'dead-holder', 200);
  const leases = new FleetLeases(store, { leaseTimeMs: 5000 });
  let looks = 0;
  const { work, runs } = counted('mine');
  const [got, ms] = await timed(() => leases.coalesce('k', async () => { looks++; return undefined; }, work));
  assert.deepEqual([got.outcome, runs(), looks], ['led', 1, 1], `coalesce = ${got.outcome}, runs ${runs()}, looks ${looks}; want led, 1, 1`);
  assert.ok(ms >= 190 && ms < 200 + 2000, `took over after ${ms} ms, want just after the 200 ms lease`);
});

test('a well-behaved store: stops waiting when the signal aborts', async () => {
  const store = new MapStore();
  await store.acquire('k', 'holder', 60_000);
  const leases = new FleetLeases(store, { leaseTimeMs: 60_000 });
  const ac = new AbortController();
  const reason = new Error('client went away');
  setTimeout(() => ac.abort(reason), 50);
  const { work, runs } = counted('x');
  const [err, ms] = await timed(() => leases.coalesce('k', async () => undefined, work, { signal: ac.signal }).catch((e: unknown) => e));
  assert.equal(err, reason, `coalesce rejected with ${String(err)}, want the abort reason`);
  assert.ok(ms < 2000 && runs() === 0, `abort took ${ms} ms with ${runs()} runs, want well below the 60 s lease and 0 runs`);
});

test('a well-behaved store: never touches the store for an already aborted signal', async () => {
  const store = new MapStore();
  const ac = new AbortController();
  ac.abort(new Error('gone'));
  await assert.rejects(new FleetLeases(store).coalesce('k', async () => undefined, async () => 'x', { signal: ac.signal }), /gone/);
  assert.deepEqual(store.calls, [], `store calls = ${store.calls}, want none`);
});

const hostile: Array<{ name: string; store: () => LeaseStore; opTimeoutMs?: number; leaseTimeMs?: number; want: string; within: number }> = [
  {
    name: 'every command rejects',
    store: () => ({ acquire: async () => { throw new Error('ECONNREFUSED'); }, peek: async () => { throw new Error('x'); }, finish: async () => { throw new Error('x'); } }),
    want: 'alone/unavailable', within: 1000,
  },
  {
    name: 'acquire never answers',
    store: () => ({ acquire: never, peek: never, finish: never }),
    opTimeoutMs: 100, want: 'alone/unavailable', within: 1000,
  },
  {
    name: 'peek rejects after a lost acquire',
    store: () => ({ acquire: async () => false, peek: async () => { throw new Error('LOADING'); }, finish: async () => false }),
    want: 'alone/unavailable', within: 1000,
  },
  {
    name: 'acquire always loses yet peek always says free (a liar)',
    store: () => ({ acquire: async () => false, peek: async () => undefined, finish: async () => false }),
    leaseTimeMs: 300, want: 'alone/timeout', within: 2000,
  },
  {
    name: 'a lease holding a value that is no token, forever',
    store: () => ({ acquire: async () => false, peek: async () => '\u0000'.repeat(1 << 20), finish: async () => false }),
    leaseTimeMs: 300, want: 'alone/timeout', within: 2000,
  },
  {
    name: 'finish rejects after a won acquire',
    store: () => ({ acquire: async () => true, peek: async () => undefined, finish: async () => { throw new Error('READONLY'); } }),
    want: 'led/-', within: 1000,
  },
];
for (const c of hostile) {
  test(`a hostile store: ${c.name}: ${c.want} within ${c.within} ms`, async () => {
    const leases = new FleetLeases(c.store(), { leaseTimeMs: c.leaseTimeMs ?? 60_000, opTimeoutMs: c.opTimeoutMs });
    const { work, runs } = counted('v');
    const [got, ms] = await timed(() => leases.coalesce('k', async () => undefined, work));
    const outcome = `${got.outcome}/${got.reason ?? '-'}`;
    assert.equal(outcome, c.want, `coalesce outcome = ${outcome}, want ${c.want}`);
    assert.equal(runs(), 1, `work ran ${runs()} times, want 1`);
    assert.ok(ms < c.within, `coalesce took ${ms.toFixed(0)} ms, want < ${c.within}`);
  });
}

test('a hostile store: sends a store that refuses one command per miss, and counts the failure', async () => {
  const calls: string[] = [];
  const refusing: LeaseStore = {
    acquire: async () => { calls.push('acquire'); throw new Error('ECONNREFUSED'); },
    peek: async () => { calls.push('peek'); throw new Error('ECONNREFUSED'); },
    finish: async () => { calls.push('finish'); throw new Error('ECONNREFUSED'); },
  };
  const leases = new FleetLeases(refusing);
  for (let i = 0; i < 3; i++) await leases.coalesce(`k${i}`, async () => undefined, async () => 'v');
  assert.deepEqual(calls, ['acquire', 'acquire', 'acquire'], `store calls = ${calls}, want one acquire per miss`);
  assert.deepEqual([leases.stats.alone, leases.stats.storeFailures], [3, 3], `stats = ${JSON.stringify(leases.stats)}`);
});

test('a hostile store: ends a lease whose acquire timed out but may still land', async () => {
  const store = new MapStore();
  const slow: LeaseStore = {
    acquire: async (k, t, ms) => { await sleep(150); return store.acquire(k, t, ms); },
    peek: (k) => store.peek(k),
    finish: async (k, t, ms) => { await sleep(200); return store.finish(k, t, ms); },
  };
  const got = await new FleetLeases(slow, { opTimeoutMs: 50 }).coalesce('k', async () => undefined, async () => 'v');
  assert.equal(`${got.outcome}/${got.reason}`, 'alone/unavailable');
  await sleep(400);
  const left = await store.peek('k');
  assert.equal(left, LEASE_DONE, `lease after the late acquire = ${left}, want the done mark (not a stray holder)`);
});

test('a well-behaved store: onDecision hears each outcome once, before work runs, and cannot break coalesce', async () => {
  const store = new MapStore();
  await store.acquire('held', 'holder', 150);
  const cases: Array<{ name: string; key: string; lookup: () => Promise<string | undefined>; want: string }> = [
    { name: 'free lease', key: 'free', lookup: async () => undefined, want: 'led' },
    { name: 'expired holder, entry there', key: 'held', lookup: async () => 'theirs', want: 'followed' },
    { name: 'done without an entry', key: 'free', lookup: async () => undefined, want: 'alone/unfinished' },
  ];
  for (const c of cases) {
    const heard: string[] = [];
    const leases = new FleetLeases(store, { leaseTimeMs: 5000 });
    const work = async (): Promise<string> => { heard.push('work'); return 'mine'; };
    const onDecision = (outcome: string, reason?: string): void => {
      heard.push(reason ? `${outcome}/${reason}` : outcome);
      throw new Error('a broken counter');
    };
    const got = await leases.coalesce(c.key, c.lookup, work, { onDecision });
    const want = c.want === 'followed' ? [c.want] : [c.want, 'work'];
    assert.deepEqual(heard, want, `${c.name}: calls = ${heard}, want ${want}`);
    assert.equal(got.outcome, c.want.split('/')[0], `${c.name}: coalesce outcome = ${got.outcome}, want ${c.want}`);
  }
});
