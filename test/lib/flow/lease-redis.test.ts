// FleetLeases on real Redis (a single redis-server and a three-master cluster), with several
// independent clients in this process standing for the instances of a fleet.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createCache, leaseStoreOf } from '../../../lib/cache/index.js';
import type { Cache } from '../../../lib/cache/cache.js';
import { redisLeaseKey } from '../../../lib/cache/redis.js';
import { FleetLeases, LEASE_DONE, type Coalesced, type FleetLeasesOptions } from '../../../lib/flow/lease.js';
import { redisCli, startRedis, startRedisCluster } from '../../helpers/servers.js';
import { quietLogger } from '../cache/contract.js';
import { timed } from '../../helpers/timed.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Instance is one proxy's share of the fleet: its own cache client and its own leases. */
interface Instance {
  cache: Cache;
  leases: FleetLeases;
  /** runs counts the work this instance did. */
  runs: number;
  /** get coalesces key the way the request core will: lookup = cache.get, work = make and store. */
  get(key: string, workMs: number, opts?: { fail?: Error; signal?: AbortSignal }): Promise<Coalesced<Buffer>>;
}

async function instance(url: string, opts: FleetLeasesOptions): Promise<Instance> {
  const cache = await createCache([url], quietLogger(), { timeoutMs: 3000 });
  assert.ok(cache, `createCache(${url}) returned no cache`);
  const store = leaseStoreOf(cache);
  assert.ok(store, `leaseStoreOf(${url}) found no Redis tier`);
  // createCache waits at most 1 s for a first connection; on a busy machine a cluster client may
  // need longer, and an unconnected instance would (rightly) go on alone. These tests want connected ones.
  for (const deadline = Date.now() + 20_000; ;) {
    const ok = await store.peek('ready-probe').then(() => true, () => false);
    if (ok) break;
    assert.ok(Date.now() < deadline, `the lease store of ${url} did not answer within 20 s`);
    await sleep(100);
  }
  const me: Instance = {
    cache,
    leases: new FleetLeases(store, opts),
    runs: 0,
    get: (key, workMs, o = {}) => me.leases.coalesce(key, () => cache.get(key), async () => {
      me.runs++;
      await sleep(workMs);
      if (o.fail) throw o.fail;
      const v = Buffer.from(`made for ${key}`);
      await cache.set(key, v);
      return v;
    }, { signal: o.signal }),
  };
  return me;
}


function outcomes(got: Array<Coalesced<unknown>>): string {
  return got.map((g) => g.outcome + (g.reason ? `/${g.reason}` : '')).sort().join(',');
}

interface Target {
  url: string;
  /** Port of a node to run redis-cli against for key. */
  portFor(key: string): Promise<number>;
  /** stopFor stops the server (or cluster node) that holds key; startFor brings it back. */
  stopFor(key: string): Promise<void>;
  startFor(key: string): Promise<void>;
  stop(): Promise<void>;
}

let unique = 0;
const freshKey = (name: string) => `https://example.com/${process.pid}/${Date.now()}-${unique++}/${name}.jpg#300x`;

function runLeaseSuite(name: string, start: () => Promise<Target>): void {
  let t: Target;
  let started: Promise<Target> | undefined;
  const fleet: Instance[] = [];
  // The target starts with the first test that makes instances, and stops after the file.
  const make = async (n: number, opts: FleetLeasesOptions = {}) => {
    t = await (started ??= start());
    const made = await Promise.all(Array.from({ length: n }, () => instance(t.url, opts)));
    fleet.push(...made);
    return made;
  };
  after(async () => {
    await Promise.all(fleet.map((i) => i.cache.close?.()));
    await (await started)?.stop();
  });

  test(`${name}: five instances missing at once: one works, four follow its entry`, async () => {
    const five = await make(5);
    const key = freshKey('five');
    const [got, ms] = await timed(() => Promise.all(five.map((i) => i.get(key, 300))));
    const runs = five.reduce((n, i) => n + i.runs, 0);
    assert.equal(runs, 1, `work ran ${runs} times across five instances, want 1`);
    assert.equal(outcomes(got), 'followed,followed,followed,followed,led');
    assert.ok(got.every((g) => g.value.equals(Buffer.from(`made for ${key}`))), 'some instance got another value');
    assert.ok(ms < 5000, `five instances took ${ms.toFixed(0)} ms, want about one work (300 ms) plus one poll, far below the 15 s lease`);
  });

  test(`${name}: different keys do not wait for each other`, async () => {
    const [a, b] = await make(2);
    const [ka, kb] = [freshKey('a'), freshKey('b')];
    const got = await Promise.all([a.get(ka, 300), b.get(kb, 300)]);
    assert.equal(outcomes(got), 'led,led');
    assert.deepEqual(got.map((g) => g.waitedMs), [0, 0], `waits = ${got.map((g) => g.waitedMs)}, want none`);
  });

  test(`${name}: a holder whose work fails lets the waiters go on at once`, async () => {
    const [a, b] = await make(2, { leaseTimeMs: 10_000 });
    const key = freshKey('fails');
    // Caught at once: the rejection arrives while the test awaits the waiter.
    const pa = a.get(key, 200, { fail: new Error('origin 502') }).then(() => undefined, (e: unknown) => e);
    await sleep(30);
    const [gb, ms] = await timed(() => b.get(key, 10));
    assert.match(String(await pa), /origin 502/, 'the holder did not pass on its error');
    assert.equal(`${gb.outcome}/${gb.reason}`, 'alone/unfinished');
    assert.ok(ms < 5000, `the waiter went on after ${ms.toFixed(0)} ms, want soon after the 200 ms work, not the 10 s lease`);
  });

  test(`${name}: a lease that expires while its holder works: the waiter takes over, the holder cannot end its lease`, async () => {
    // The holder's lease lasts 500 ms; the waiter's own lease (once it takes over) outlives the test.
    const [a] = await make(1, { leaseTimeMs: 500 });
    const [b] = await make(1, { leaseTimeMs: 5000 });
    const key = freshKey('expires');
    const pa = a.get(key, 1200);
    await sleep(30);
    const pb = b.get(key, 1500);
    const ga = await pa;
    // a finished at ~1200 ms, after its lease expired at 500 ms and b took the key over.
    const left = (await redisCli(['-p', String(await t.portFor(key)), 'get', redisLeaseKey('imageproxy:', key)])).trim();
    assert.ok(left !== LEASE_DONE && left.length > 0, `lease after the late holder finished = ${JSON.stringify(left)}, want the new holder's token`);
    const gb = await pb;
    assert.deepEqual([ga.outcome, gb.outcome], ['led', 'led'], `outcomes = ${ga.outcome}, ${gb.outcome}; want led twice`);
    assert.ok(gb.waitedMs >= 450 && gb.waitedMs < 500 + 2000, `the waiter took over after ${gb.waitedMs.toFixed(0)} ms, want just after the 500 ms lease`);
  });

  test(`${name}: the lease expires by the store clock: PTTL is the lease time, and wall-clock jumps change nothing`, async () => {
    const [a, b] = await make(2, { leaseTimeMs: 800 });
    const key = freshKey('clock');
    const began = performance.now();
    const pa = a.get(key, 1200);
    await sleep(30);
    const pttl = Number(await redisCli(['-p', String(await t.portFor(key)), 'pttl', redisLeaseKey('imageproxy:', key)]));
    assert.ok(pttl > 0 && pttl <= 800, `PTTL of a fresh lease = ${pttl}, want in (0, 800]`);
    const realNow = Date.now;
    let flip = 0;
    // Every look at the wall clock sees it jump an hour forward or back.
    Date.now = () => realNow() + (flip++ % 2 === 0 ? 3_600_000 : -3_600_000);
    let gb: Coalesced<Buffer>;
    try {
      gb = await b.get(key, 10);
    } finally {
      Date.now = realNow;
    }
    const tookOver = performance.now() - began;
    assert.equal(gb.outcome, 'led', `waiter outcome = ${gb.outcome}, want led (took over the expired lease)`);
    assert.ok(tookOver >= 780 && tookOver < 800 + 2000, `the lease ended ${tookOver.toFixed(0)} ms after it was taken, want about 800 ms`);
    await pa;
  });

  test(`${name}: a lease written by hand without expiry delays a miss by at most the lease time`, async () => {
    const [a] = await make(1, { leaseTimeMs: 600 });
    const key = freshKey('no-expiry');
    await redisCli(['-p', String(await t.portFor(key)), 'set', redisLeaseKey('imageproxy:', key), 'x'.repeat(100_000)]);
    const got = await a.get(key, 10);
    assert.equal(`${got.outcome}/${got.reason}`, 'alone/timeout');
    assert.ok(got.waitedMs >= 595 && got.waitedMs < 600 + 2000, `waited ${got.waitedMs.toFixed(0)} ms, want about the 600 ms lease time`);
  });

  test(`${name}: keys with braces, newlines and 10 kB still coalesce`, async () => {
    const three = await make(3);
    for (const base of ['https://example.com/{x}/a.jpg', 'https://example.com/}{\n\u0000/b.jpg', `https://example.com/${'é'.repeat(5000)}`]) {
      const key = `${base}#${unique++}`;
      const before = three.reduce((n, i) => n + i.runs, 0);
      const got = await Promise.all(three.map((i) => i.get(key, 100)));
      const runs = three.reduce((n, i) => n + i.runs, 0) - before;
      assert.equal(runs, 1, `work for ${JSON.stringify(key.slice(0, 30))} ran ${runs} times, want 1 (${outcomes(got)})`);
    }
  });

  test(`${name}: the server going away mid-wait sends the waiter on alone at once; coalesce works again once it is back`, async () => {
    const [a, b] = await make(2, { leaseTimeMs: 10_000 });
    const key = freshKey('stops');
    const pa = a.get(key, 2000);
    await sleep(50);
    const pb = timed(() => b.get(key, 10));
    await sleep(100);
    const stopped = performance.now();
    await t.stopFor(key);
    const stopMs = performance.now() - stopped;
    const [gb] = await pb;
    assert.equal(`${gb.outcome}/${gb.reason}`, 'alone/unavailable');
    assert.ok(gb.waitedMs < 100 + stopMs + 3000, `the waiter gave up ${gb.waitedMs.toFixed(0)} ms after it began (stop took ${stopMs.toFixed(0)} ms), want within a poll and a command of the stop`);
    const ga = await pa;
    assert.equal(ga.outcome, 'led', `the holder, whose store went away, = ${ga.outcome}, want led`);
    // The same key, so that on a cluster its lease is on the node that went away.
    const gc = await a.get(key, 10);
    assert.equal(`${gc.outcome}/${gc.reason}`, 'alone/unavailable');
    assert.ok(gc.waitedMs === 0, `a miss with the server away waited ${gc.waitedMs.toFixed(0)} ms, want no waiting`);
    await t.startFor(key);
    const again = freshKey('again');
    let got: Array<Coalesced<Buffer>> = [];
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      got = await Promise.all([a.get(again, 100), b.get(again, 100)]);
      if (outcomes(got) === 'followed,led' || outcomes(got) === 'led,led') break;
      await sleep(200);
    }
    assert.ok(got.some((g) => g.outcome === 'led'), `after the server came back: ${outcomes(got)}, want a lease taken again`);
  });
}

runLeaseSuite('a single redis-server', async () => {
  const server = await startRedis();
  return {
    url: server.url,
    portFor: async () => server.port,
    stopFor: () => server.stop(),
    startFor: () => server.start(),
    stop: () => server.stop(),
  };
});

runLeaseSuite('a three-master Redis Cluster', async () => {
  const cluster = await startRedisCluster();
  const nodeOf = async (key: string) => cluster.nodes[await cluster.nodeForKey(redisLeaseKey('imageproxy:', key))];
  return {
    url: cluster.url(),
    portFor: async (key) => (await nodeOf(key)).port,
    stopFor: async (key) => (await nodeOf(key)).stop(),
    startFor: async (key) => {
      await (await nodeOf(key).catch(() => cluster.nodes.find((n) => !n.running)!)).start();
      await cluster.waitHealthy();
    },
    stop: () => cluster.stop(),
  };
});

test('a hung redis-server: a server that stops answering (SIGSTOP) costs a waiter one command time limit', async () => {
  const server = await startRedis();
  const made = await Promise.all([0, 1].map(() => instance(server.url, { leaseTimeMs: 10_000, opTimeoutMs: 300 })));
  try {
    const [a, b] = made;
    const key = freshKey('hung');
    const pa = a.get(key, 1500);
    await sleep(50);
    const pb = timed(() => b.get(key, 10));
    await sleep(100);
    process.kill(server.pid, 'SIGSTOP');
    // The waiter's own work then meets the hung server too (bounded by the cache's limit); what
    // the lease costs is the wait before it decided to go on.
    const [gb] = await pb;
    process.kill(server.pid, 'SIGCONT');
    assert.equal(`${gb.outcome}/${gb.reason}`, 'alone/unavailable');
    assert.ok(gb.waitedMs < 3000, `the waiter gave up after ${gb.waitedMs.toFixed(0)} ms, want within a poll and the 300 ms command limit, far below the 10 s lease`);
    await pa;
  } finally {
    await Promise.all(made.map((i) => i.cache.close?.()));
    await server.stop();
  }
});
