// Work done once across a fleet: three imageproxy processes (the real CLI) sharing one Redis, on a
// single redis-server and on a three-master Redis Cluster, behind the test's round-robin balancer.
// Cold requests for one variant and for five variants of one image fetch the original once and
// make each variant once; a lease holder killed with SIGKILL while it loads delays the others by
// at most the lease time.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startBalancer, startProxyProcess, type Balancer, type ProxyProcess } from '../../helpers/fleet.js';
import { startOrigin, waitFor, type Origin } from '../../helpers/origin.js';
import { FIXTURES } from '../../helpers/paths.js';
import { startRedis, startRedisCluster } from '../../helpers/servers.js';

// fixtures/ximage/yellow_rose-small.png — golang.org/x/image testdata, BSD-3-Clause
const PNG = readFileSync(path.join(FIXTURES, 'ximage/yellow_rose-small.png'));
const CACHED = { 'Content-Type': 'image/png', 'Cache-Control': 'max-age=600' };

/** LEASE_MS is the fleet's -leaseTime: well above one fetch and transform here, short enough for the kill test. */
const LEASE_MS = 3000;
/** ORIGIN_DELAY_MS keeps the first fetch going while all the concurrent requests arrive. */
const ORIGIN_DELAY_MS = 500;
/** ONE_TRANSFORM_MS allows one fetch and one transform after the lease time, with room for a loaded two-core machine. */
const ONE_TRANSFORM_MS = 4000;
/** CONCURRENT is the number of cold requests sent at once. */
const CONCURRENT = 30;

/** Fleet is three proxies on one Redis behind a balancer, and the origin they share. */
interface Fleet {
  proxies: ProxyProcess[];
  lb: Balancer;
  origin: Origin;
  stop(): Promise<void>;
}

const running: Fleet[] = [];
after(async () => {
  await Promise.all(running.map((f) => f.stop()));
});

/** startFleet starts an origin and three proxies on cacheUrl, each with its own User-Agent so the origin can tell them apart. */
async function startFleet(cacheUrl: string, stopRedis: () => Promise<void>): Promise<Fleet> {
  const origin = await startOrigin({});
  const proxies = await Promise.all([0, 1, 2].map((i) => startProxyProcess([
    '-cache', cacheUrl, '-allowPrivateNetworks', '-workers', '1', '-leaseTime', `${LEASE_MS}ms`, '-userAgent', `fleet-${i}`,
  ])));
  const lb = await startBalancer(proxies.map((p) => p.url));
  const fleet: Fleet = {
    proxies, lb, origin,
    async stop() {
      await lb.close();
      await Promise.all(proxies.map((p) => p.stop()));
      await origin.close();
      await stopRedis();
    },
  };
  running.push(fleet);
  await warmUp(fleet);
  return fleet;
}

/**
 * warmUp makes each proxy transform once (its worker is then running) and waits until it gets a
 * HIT for what it stored, so its Redis client is connected before the cold requests begin.
 */
async function warmUp(fleet: Fleet): Promise<void> {
  for (const [i, p] of fleet.proxies.entries()) {
    fleet.origin.set(`/warm${i}.png`, { headers: CACHED, body: PNG });
    await waitFor(async () => {
      const r = await fetch(`${p.url}/20x/${fleet.origin.url}/warm${i}.png`);
      await r.arrayBuffer();
      return r.status === 200 && r.headers.get('x-cache') === 'HIT';
    }, `proxy ${i} serving a hit from Redis`, 30_000);
  }
}

/** total adds a metric up across the fleet. */
async function total(fleet: Fleet, name: string, labels?: Record<string, string>): Promise<number> {
  return (await Promise.all(fleet.proxies.filter((p) => p.proc.exitCode === null && p.proc.signalCode === null)
    .map((p) => p.metric(name, labels)))).reduce((a, b) => a + b, 0);
}

const TRANSFORMS = 'imageproxy_transformation_duration_seconds_count';
const LEASES = 'imageproxy_fleet_leases_total';

/** Sent is one answered request: its status and when it ended, in ms after the burst began. */
interface Sent { url: string; status: number; endedMs: number }

/** burst sends every url at once through the balancer and waits for all the answers. */
async function burst(fleet: Fleet, urls: string[]): Promise<Sent[]> {
  const t0 = performance.now();
  return Promise.all(urls.map(async (url) => {
    const r = await fetch(`${fleet.lb.url}${url}`);
    await r.arrayBuffer();
    return { url, status: r.status, endedMs: performance.now() - t0 };
  }));
}

/** notOk lists the answers that are not 200, for messages. */
const notOk = (sent: Sent[]): string[] => sent.filter((s) => s.status !== 200).map((s) => `${s.status} ${s.url}`);

/** FLEETS are the Redis setups the same tests run on; each is started once, by its first test. */
const FLEETS: Array<{ name: string; start: () => Promise<Fleet> }> = [
  {
    name: 'one redis-server',
    start: async () => { const r = await startRedis(); return startFleet(r.url, () => r.stop()); },
  },
  {
    name: 'a three-master Redis Cluster',
    start: async () => { const c = await startRedisCluster(); return startFleet(c.url(), () => c.stop()); },
  },
];

for (const setup of FLEETS) {
  let started: Promise<Fleet> | undefined;
  const fleetOf = (): Promise<Fleet> => (started ??= setup.start());

  test(`${setup.name}: ${CONCURRENT} cold requests for one variant fetch the original once and transform it once`, async () => {
    const fleet = await fleetOf();
    fleet.origin.set('/one.png', { headers: CACHED, body: PNG, delayMs: ORIGIN_DELAY_MS });
    const [transforms0, led0, followed0] = [await total(fleet, TRANSFORMS), await total(fleet, LEASES, { entry: 'variant', outcome: 'led' }),
      await total(fleet, LEASES, { entry: 'variant', outcome: 'followed' })];
    const sent = await burst(fleet, Array.from({ length: CONCURRENT }, () => `/40x/${fleet.origin.url}/one.png`));
    assert.deepEqual(notOk(sent), [], 'answers other than 200');
    assert.equal(fleet.origin.hits('/one.png'), 1, `origin fetches = ${fleet.origin.hits('/one.png')}, want 1`);
    const transforms = (await total(fleet, TRANSFORMS)) - transforms0;
    assert.equal(transforms, 1, `transforms across the fleet = ${transforms}, want 1`);
    const led = (await total(fleet, LEASES, { entry: 'variant', outcome: 'led' })) - led0;
    const followed = (await total(fleet, LEASES, { entry: 'variant', outcome: 'followed' })) - followed0;
    assert.equal(led, 1, `variant leases led across the fleet = ${led}, want 1`);
    assert.ok(followed >= 1, `variant leases followed = ${followed}, want the other instances waiting for the leader's entry`);
  });

  test(`${setup.name}: ${CONCURRENT} cold requests for five variants of one image fetch it once and make each variant once`, async () => {
    const fleet = await fleetOf();
    fleet.origin.set('/five.png', { headers: CACHED, body: PNG, delayMs: ORIGIN_DELAY_MS });
    const widths = [10, 20, 30, 40, 50];
    const transforms0 = await total(fleet, TRANSFORMS);
    const sent = await burst(fleet, Array.from({ length: CONCURRENT }, (_, i) => `/${widths[i % widths.length]}x/${fleet.origin.url}/five.png`));
    assert.deepEqual(notOk(sent), [], 'answers other than 200');
    assert.equal(fleet.origin.hits('/five.png'), 1, `origin fetches = ${fleet.origin.hits('/five.png')}, want 1`);
    const transforms = (await total(fleet, TRANSFORMS)) - transforms0;
    assert.equal(transforms, widths.length, `transforms across the fleet = ${transforms}, want one per variant (${widths.length})`);
  });

  test(`${setup.name}: the lease holder killed with SIGKILL mid-load delays the others by at most the lease time`, async () => {
    const fleet = await fleetOf();
    let fetches = 0;
    fleet.origin.set('/killed.png', {
      handler: (_req, res) => {
        res.writeHead(200, { ...CACHED, 'Content-Length': String(PNG.length) });
        // The first fetch sends part of the body and then nothing: its instance is killed while it reads.
        if (fetches++ === 0) res.write(PNG.subarray(0, 64));
        else res.end(PNG);
      },
    });
    const url = `/40x/${fleet.origin.url}/killed.png`;
    const pending = burst(fleet, Array.from({ length: CONCURRENT }, () => url));
    await waitFor(() => fleet.origin.hits('/killed.png') === 1, 'the first fetch of the image');
    const ua = String(fleet.origin.requests.find((r) => r.url === '/killed.png')?.headers['user-agent']);
    const holder = fleet.proxies.findIndex((_, i) => ua === `fleet-${i}`);
    assert.ok(holder >= 0, `the first fetch came with User-Agent ${ua}, want one of the fleet's`);
    await fleet.proxies[holder].kill();
    const sent = await pending;
    assert.deepEqual(notOk(sent), [], 'answers other than 200 after the holder was killed');
    const worst = Math.max(...sent.map((s) => s.endedMs));
    assert.ok(worst < LEASE_MS + ONE_TRANSFORM_MS, `the last answer came ${worst.toFixed(0)} ms after the burst, want < lease ${LEASE_MS} + one transform ${ONE_TRANSFORM_MS}`);
    const after = await fetch(`${fleet.lb.url}${url}`);
    await after.arrayBuffer();
    assert.equal(`${after.status} ${after.headers.get('x-cache')}`, '200 HIT', 'the variant after the takeover, want stored (no lease left stuck)');
  });
}
