// The fleet harness the request-path fleet test builds on: the round-robin balancer, and three
// imageproxy processes sharing one redis-server behind it (today: a variant made by one instance
// is a cache hit on the others).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { metricSum, startBalancer, startProxyProcess, type ProxyProcess } from '../../helpers/fleet.js';
import { startOrigin, type Origin } from '../../helpers/origin.js';
import { FIXTURES } from '../../helpers/paths.js';
import { startRedis, type RedisServer } from '../../helpers/servers.js';

// fixtures/ximage/yellow_rose-small.png — golang.org/x/image testdata, BSD-3-Clause
const PNG = readFileSync(path.join(FIXTURES, 'ximage/yellow_rose-small.png'));

async function plainServer(answer: string): Promise<{ url: string; close(): Promise<void> }> {
  const s = http.createServer((_req, res) => res.end(answer));
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => { s.closeAllConnections(); s.close(() => resolve()); }),
  };
}

describe('test balancer', () => {
  it('takes turns, and skips an instance that cannot be reached', async () => {
    const servers = await Promise.all(['a', 'b', 'c'].map(plainServer));
    const lb = await startBalancer(servers.map((s) => s.url));
    try {
      const first = await Promise.all(Array.from({ length: 6 }, async () => (await fetch(lb.url)).text()));
      assert.deepEqual(first.sort().join(''), 'aabbcc', `answers = ${first}, want each instance twice`);
      assert.deepEqual(lb.answered, [2, 2, 2]);
      await servers[1].close();
      const second = await Promise.all(Array.from({ length: 6 }, async () => (await fetch(lb.url)).status));
      assert.deepEqual(second, [200, 200, 200, 200, 200, 200], `statuses with b down = ${second}, want 200 each`);
      assert.equal(lb.answered[1], 2, `b answered ${lb.answered[1]} times, want no more after it went away`);
      await Promise.all([servers[0].close(), servers[2].close()]);
      const none = await fetch(lb.url);
      assert.equal(none.status, 502, `status with every instance down = ${none.status}, want 502`);
    } finally {
      await lb.close();
    }
  });
});

describe('metricSum', () => {
  it('adds the samples of one metric across labels, and only of that one', () => {
    const text = '# HELP x_count help\nx_count{a="1"} 2\nx_count{a="2"} 3.5\nx_count_total 100\nx_countx 7\n';
    assert.equal(metricSum(text, 'x_count'), 5.5);
    assert.equal(metricSum(text, 'missing'), 0);
  });
});

describe('three imageproxy processes on one redis-server', () => {
  let redis: RedisServer;
  let origin: Origin;
  let fleet: ProxyProcess[] = [];
  before(async () => {
    [redis, origin] = await Promise.all([
      startRedis(),
      startOrigin({ '/rose.png': { headers: { 'Content-Type': 'image/png', 'Cache-Control': 'max-age=600' }, body: PNG } }),
    ]);
    fleet = await Promise.all([0, 1, 2].map(() => startProxyProcess(['-cache', redis.url, '-allowPrivateNetworks', '-workers', '1'])));
  });
  after(async () => {
    await Promise.all(fleet.map((p) => p.stop()));
    await origin?.close();
    await redis?.stop();
  });

  it('serve a variant made by one instance from Redis on the others', async () => {
    const lb = await startBalancer(fleet.map((p) => p.url));
    try {
      const got: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await fetch(`${lb.url}/40x/${origin.url}/rose.png`);
        assert.equal(r.status, 200, `request ${i} = ${r.status}, want 200`);
        await r.arrayBuffer();
        got.push(r.headers.get('x-cache') ?? '');
      }
      assert.deepEqual(got, ['MISS', 'HIT', 'HIT'], `X-Cache through the balancer = ${got}, want MISS, HIT, HIT`);
      assert.deepEqual(lb.answered, [1, 1, 1], `answers per instance = ${lb.answered}, want one each`);
      assert.equal(origin.hits('/rose.png'), 1, `origin fetches = ${origin.hits('/rose.png')}, want 1`);
      const transforms = (await Promise.all(fleet.map((p) => p.metric('imageproxy_transformation_duration_seconds_count')))).reduce((a, b) => a + b, 0);
      assert.equal(transforms, 1, `transforms across the fleet = ${transforms}, want 1`);
    } finally {
      await lb.close();
    }
  });
});
