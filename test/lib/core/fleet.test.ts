// The core's fleet leases on a real redis-server: several cores in this process, each with its own
// Redis client, stand for the instances of a fleet; they share one fake origin and count the
// transforms each of them ran.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCache } from '../../../lib/cache/index.js';
import type { Cache } from '../../../lib/cache/cache.js';
import { RedisLeaseStore } from '../../../lib/cache/redis-lease.js';
import { answer } from '../../../lib/core/core.js';
import { createFleet } from '../../../lib/core/fleet.js';
import { createState, type CoreState } from '../../../lib/core/state.js';
import type { Answer } from '../../../lib/core/types.js';
import { defaultConfig, type ProxyConfig } from '../../../lib/config.js';
import { FleetLeases } from '../../../lib/flow/lease.js';
import { Gate, waitFor } from '../../helpers/origin.js';
import { redisCli, startRedis, startRedisSentinel, type RedisServer } from '../../helpers/servers.js';
import { quietLogger } from '../cache/contract.js';
import { FakeOrigin, FakeTransformer, header, image, text } from './fakes.js';

let redis: RedisServer;
const caches: Cache[] = [];
let seq = 0;

before(async () => {
  redis = await startRedis();
});
after(async () => {
  await Promise.all(caches.map((c) => c.close?.()));
  await redis?.stop();
});

/** redisCache is a new client of the test's redis-server (a new instance's own connection), once it answers. */
async function redisCache(specs: string[] = [redis.url]): Promise<Cache> {
  const cache = await createCache(specs, quietLogger(), { timeoutMs: 3000 });
  assert.ok(cache, `createCache(${specs}) returned no cache`);
  caches.push(cache);
  await waitFor(async () => (await cache.get('ready-probe').then(() => true, () => false)), 'a connected Redis client', 20_000);
  return cache;
}

/** Instance is one core of the fleet, its transformer, and how often its lease store was polled. */
interface Instance {
  state: CoreState;
  transformer: FakeTransformer;
  peeks: () => number;
  get(url: string, ctl?: AbortController): Promise<Answer>;
}

/** instance builds a core over its own Redis client, sharing origin with the other instances. */
async function instance(origin: FakeOrigin, config: Partial<ProxyConfig> = {}, transformer = new FakeTransformer(), url = redis.url): Promise<Instance> {
  const cache = await redisCache([url]);
  const state = createState({ config: defaultConfig({ logger: quietLogger(), cache, ...config }), origin, transformer });
  let peeks = 0;
  const store = state.fleet?.store;
  if (store) {
    const peek = store.peek.bind(store);
    store.peek = (key) => { peeks++; return peek(key); };
  }
  return {
    state, transformer, peeks: () => peeks,
    get: (url, ctl) => answer(state, { method: 'GET', url, headers: {} }, ctl),
  };
}

/** outcomes lists an instance's fleet lease counts as `entry/outcome[/reason]=n`, sorted. */
async function outcomes(i: Instance): Promise<string> {
  const { values } = await i.state.metrics.fleetLeases.get();
  return values.map((v) => `${[v.labels.entry, v.labels.outcome, v.labels.reason].filter(Boolean).join('/')}=${v.value}`).sort().join(' ');
}

/** remote is a new origin URL for one test, so tests never share cache entries or leases. */
const remote = (name = 'a.png'): string => `https://img${seq++}.example/${name}`;

const summary = (a: Answer): string => `${a.status} ${header(a, 'x-cache') ?? '-'}`;

/** gated is a route for a new remote whose answer waits for the gate; it returns the URL. */
function gated(origin: FakeOrigin, gate: Gate, headers: Record<string, string> = { 'cache-control': 'max-age=600' }): string {
  return origin.set(remote(), async () => { await gate.wait(); return image(headers); });
}

/**
 * missTogether has a ask for path first and b once a is fetching, opens the gate once b waits on
 * the lease, and returns both answers.
 */
async function missTogether(a: Instance, b: Instance, origin: FakeOrigin, gate: Gate, path: string): Promise<[Answer, Answer]> {
  const first = a.get(path);
  await waitFor(() => origin.calls.length === 1, 'instance a fetching');
  const second = b.get(path);
  await waitFor(() => b.peeks() > 0, 'instance b waiting on the lease');
  gate.open();
  return Promise.all([first, second]);
}

test('createFleet: leases only with a Redis tier, and only while -fleetLeases is on', async () => {
  const cases: Array<{ name: string; specs: string[] | undefined; fleetLeases: boolean; want: boolean }> = [
    { name: 'no cache', specs: undefined, fleetLeases: true, want: false },
    { name: 'memory only', specs: ['memory'], fleetLeases: true, want: false },
    { name: 'redis', specs: [redis.url], fleetLeases: true, want: true },
    { name: 'memory above redis', specs: ['memory', redis.url], fleetLeases: true, want: true },
    { name: 'redis, -fleetLeases=false', specs: [redis.url], fleetLeases: false, want: false },
  ];
  for (const c of cases) {
    const cache = c.specs && (await redisCache(c.specs));
    const fleet = createFleet(defaultConfig({ cache, fleetLeases: c.fleetLeases, leaseTimeMs: 1234 }));
    const got = fleet instanceof FleetLeases && fleet.store instanceof RedisLeaseStore && fleet.leaseTimeMs === 1234;
    assert.equal(got, c.want, `createFleet(${c.name}) = ${fleet?.constructor.name}, want ${c.want ? 'FleetLeases on Redis with the lease time' : 'none'}`);
  }
});

test('two instances miss one entry: one fetches (and transforms), the other serves its entry as a HIT', async () => {
  const cases: Array<{ name: string; path: (url: string) => string; wantRuns: number[]; want: string[] }> = [
    { name: 'a variant', path: (url) => `/40x/${url}`, wantRuns: [1, 0], want: ['original/led=1 variant/led=1', 'variant/followed=1'] },
    { name: 'an original', path: (url) => `/${url}`, wantRuns: [0, 0], want: ['original/led=1', 'original/followed=1'] },
  ];
  for (const c of cases) {
    const [origin, gate] = [new FakeOrigin(), new Gate()];
    const url = gated(origin, gate);
    const [a, b] = [await instance(origin), await instance(origin)];
    const [ra, rb] = await missTogether(a, b, origin, gate, c.path(url));
    assert.deepEqual([summary(ra), summary(rb)], ['200 MISS', '200 HIT'], `${c.name}: answers = ${summary(ra)}, ${summary(rb)}, want 200 MISS, 200 HIT`);
    assert.equal(text(rb), text(ra), `${c.name}: b's body = ${text(rb)}, want a's ${text(ra)}`);
    assert.equal(origin.hits(url), 1, `${c.name}: origin fetches = ${origin.hits(url)}, want 1`);
    const runs = [a.transformer.runs.length, b.transformer.runs.length];
    assert.deepEqual(runs, c.wantRuns, `${c.name}: transforms per instance = ${runs}, want ${c.wantRuns}`);
    const got = [await outcomes(a), await outcomes(b)];
    assert.deepEqual(got, c.want, `${c.name}: lease outcomes = ${got.join(' | ')}, want ${c.want.join(' | ')}`);
  }
});

test('two instances holding a stale original: one revalidates, the other serves the renewed entry', async () => {
  const [origin, gate] = [new FakeOrigin(), new Gate()];
  const url = origin.set(remote(), async (req) => {
    await gate.wait();
    return req.headers['if-none-match'] === '"v1"' ? { status: 304, headers: { 'cache-control': 'max-age=600', etag: '"v1"' }, body: new Uint8Array() } : image();
  });
  const [a, b] = [await instance(origin), await instance(origin)];
  // Stored an hour ago with a minute of freshness: stale now, and revalidatable by its ETag.
  const stored = await a.state.responses!.put(url, { status: 200, headers: { 'content-type': 'image/png', 'cache-control': 'max-age=60', etag: '"v1"' }, body: Buffer.from('old') }, Date.now() - 3_600_000);
  assert.ok(stored, 'the stale entry was not stored');
  const got = (await missTogether(a, b, origin, gate, `/${url}`)).map((r) => `${summary(r)} ${text(r)}`);
  assert.deepEqual(got, ['200 REVALIDATED old', '200 HIT old'], `answers = ${got}, want a revalidated and b served the renewed entry`);
  const conditional = origin.calls.map((c) => c.headers['if-none-match'] ?? '-');
  assert.deepEqual(conditional, ['"v1"'], `origin requests (If-None-Match) = ${conditional}, want one conditional request`);
});

test('three instances, five variants of one image on each: one fetch, one transform per variant', async () => {
  const [origin, gate] = [new FakeOrigin(), new Gate()];
  const url = gated(origin, gate);
  const fleet = [await instance(origin), await instance(origin), await instance(origin)];
  const widths = [10, 20, 30, 40, 50];
  const pending = fleet.flatMap((i) => widths.map((w) => i.get(`/${w}x/${url}`)));
  await waitFor(() => origin.calls.length === 1, 'one instance fetching the original');
  // Whichever instance leads a lease, the others wait on it (one instance may lead them all).
  await waitFor(() => fleet.filter((i) => i.peeks() > 0).length >= 2, 'the instances waiting on leases');
  gate.open();
  const answers = await Promise.all(pending);
  const bad = answers.filter((a) => a.status !== 200).map(summary);
  assert.deepEqual(bad, [], `answers other than 200 = ${bad}`);
  assert.equal(origin.hits(url), 1, `origin fetches = ${origin.hits(url)}, want 1`);
  const made = fleet.flatMap((i) => i.transformer.runs.map((o) => o.width)).sort((x, y) => x - y);
  assert.deepEqual(made, widths, `widths transformed across the fleet = ${made}, want each of ${widths} once`);
  const hits = answers.filter((a) => header(a, 'x-cache') === 'HIT').length;
  assert.equal(hits, 10, `HIT answers = ${hits}, want 10 (each variant made once, served twice from the cache)`);
});

test('a holder that never finishes delays the others by the lease time, then one takes over', async () => {
  const origin = new FakeOrigin();
  const url = origin.set(remote(), image({ 'cache-control': 'max-age=600' }));
  // The holder's transform never settles, as if its process had been killed mid-transform.
  const stuck = new FakeTransformer();
  let stuckRuns = 0;
  stuck.run = () => { stuckRuns++; return new Promise(() => {}); };
  const holder = await instance(origin, { leaseTimeMs: 400 }, stuck);
  const ctl = new AbortController();
  const abandoned = holder.get(`/40x/${url}`, ctl);
  await waitFor(() => stuckRuns === 1, 'the holder transforming');
  const others = [await instance(origin, { leaseTimeMs: 400 }), await instance(origin, { leaseTimeMs: 400 })];
  const answers = await Promise.all(others.map((i) => i.get(`/40x/${url}`)));
  ctl.abort(new Error('the holder is gone'));
  await abandoned;
  const got = answers.map(summary);
  assert.ok(got.every((s) => s.startsWith('200 ')), `answers after the holder stalled = ${got}, want 200 each`);
  assert.equal(origin.hits(url), 1, `origin fetches = ${origin.hits(url)}, want 1 (the holder stored the original before it stalled)`);
  // The other waiter follows the one that took over, or (when its own wait ran out first) works alone.
  const led = (await Promise.all(others.map(outcomes))).join(' | ');
  assert.match(led, /variant\/led=1/, `outcomes of the others = ${led}, want one that took the variant's lease over`);
});

test('an uncacheable result: the waiter goes on alone once the holder is done', async () => {
  const [origin, gate] = [new FakeOrigin(), new Gate()];
  const url = gated(origin, gate, { 'cache-control': 'no-store' });
  const [a, b] = [await instance(origin), await instance(origin)];
  const got = (await missTogether(a, b, origin, gate, `/${url}`)).map(summary);
  assert.deepEqual(got, ['200 MISS', '200 MISS'], `answers = ${got}, want both 200 MISS`);
  assert.equal(origin.hits(url), 2, `origin fetches = ${origin.hits(url)}, want 2 (nothing to share)`);
  assert.equal(await outcomes(b), 'original/alone/unfinished=1', `b's outcomes = ${await outcomes(b)}`);
});

test('-fleetLeases=false: every instance works alone and leaves no lease in Redis', async () => {
  const origin = new FakeOrigin();
  const url = origin.set(remote(), image({ 'cache-control': 'max-age=600' }));
  const a = await instance(origin, { fleetLeases: false });
  assert.equal(a.state.fleet, undefined, 'createState(fleetLeases: false).fleet is set, want none');
  const r = await a.get(`/40x/${url}`);
  assert.equal(summary(r), '200 MISS', `answer = ${summary(r)}, want 200 MISS`);
  const leases = (await redisCli(['-p', String(redis.port), '--scan', '--pattern', '*lease:*'])).trim();
  const before = leases.split('\n').filter(Boolean).length;
  const again = await a.get(`/41x/${url}`);
  const after = (await redisCli(['-p', String(redis.port), '--scan', '--pattern', '*lease:*'])).trim().split('\n').filter(Boolean).length;
  assert.equal(summary(again), '200 MISS');
  assert.equal(after, before, `lease keys after a miss without fleet leases = ${after}, want unchanged ${before}`);
  assert.equal(await outcomes(a), '', `outcomes = ${await outcomes(a)}, want none counted`);
});

test('Redis down: misses go on alone and every request still answers 200', async () => {
  const down = await startRedis();
  const cache = await createCache([down.url], quietLogger(), { timeoutMs: 500 });
  caches.push(cache!);
  await waitFor(async () => (await cache!.get('ready-probe').then(() => true, () => false)), 'a connected Redis client', 20_000);
  await down.stop();
  const origin = new FakeOrigin();
  const url = origin.set(remote(), image({ 'cache-control': 'max-age=600' }));
  const state = createState({ config: defaultConfig({ logger: quietLogger(), cache }), origin, transformer: new FakeTransformer() });
  const got: string[] = [];
  for (const u of [`/${url}`, `/40x/${url}`]) got.push(summary(await answer(state, { method: 'GET', url: u, headers: {} })));
  assert.deepEqual(got, ['200 MISS', '200 MISS'], `answers with Redis down = ${got}, want 200 MISS each`);
  const { values } = await state.metrics.fleetLeases.get();
  const alone = values.filter((v) => v.labels.outcome === 'alone' && v.labels.reason === 'unavailable').reduce((n, v) => n + v.value, 0);
  assert.ok(alone >= 2, `alone/unavailable outcomes = ${alone}, want one per miss (original and variant at least)`);
});

test('a Sentinel-managed Redis: two instances share one fetch and one transform', async () => {
  const sentinel = await startRedisSentinel({ replicas: 0, sentinels: 1 });
  try {
    const [origin, gate] = [new FakeOrigin(), new Gate()];
    const url = gated(origin, gate);
    const [a, b] = [await instance(origin, {}, undefined, sentinel.url()), await instance(origin, {}, undefined, sentinel.url())];
    const got = (await missTogether(a, b, origin, gate, `/40x/${url}`)).map(summary);
    assert.deepEqual(got, ['200 MISS', '200 HIT'], `answers over Sentinel = ${got}, want 200 MISS, 200 HIT`);
    const runs = a.transformer.runs.length + b.transformer.runs.length;
    assert.equal(runs, 1, `transforms over Sentinel = ${runs}, want 1`);
    assert.equal(origin.hits(url), 1, `origin fetches over Sentinel = ${origin.hits(url)}, want 1`);
  } finally {
    await Promise.all(caches.splice(0).map((c) => c.close?.()));
    await sentinel.stop();
  }
});
