// The fleet harness the request-path fleet tests (test/lib/core/fleet-processes.test.ts) build
// on: the round-robin balancer, and metricSum over /metrics text.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { metricSum, startBalancer } from '../../helpers/fleet.js';

async function plainServer(answer: string): Promise<{ url: string; close(): Promise<void> }> {
  const s = http.createServer((_req, res) => res.end(answer));
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => { s.closeAllConnections(); s.close(() => resolve()); }),
  };
}

test('test balancer: takes turns, and skips an instance that cannot be reached', async () => {
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

test('metricSum adds the samples of one metric across labels, or of those with the labels asked for', () => {
  const text = '# HELP x_count help\nx_count{a="1",b="x"} 2\nx_count{ba="x"} 9\nx_count{a="2"} 3.5\nx_count_total 100\nx_countx 7\n';
  const cases: Array<{ name: string; labels?: Record<string, string>; want: number }> = [
    { name: 'x_count', want: 14.5 },
    { name: 'x_count', labels: { a: '1' }, want: 2 },
    { name: 'x_count', labels: { a: '2', b: 'x' }, want: 0 },
    { name: 'x_count', labels: { b: 'x' }, want: 2 },
    { name: 'x_count', labels: { '': '1' }, want: 0 },
    { name: 'missing', want: 0 },
  ];
  for (const c of cases) {
    const got = metricSum(text, c.name, c.labels);
    assert.equal(got, c.want, `metricSum(${c.name}, ${JSON.stringify(c.labels ?? {})}) = ${got}, want ${c.want}`);
  }
});
