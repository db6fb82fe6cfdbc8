// FleetLeases across processes: instances are child processes (test/helpers/lease-child.ts)
// sharing one redis-server or one Redis Cluster, including a lease holder killed with SIGKILL.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startRedis, startRedisCluster } from '../../helpers/servers.js';
import type { LeaseChildEvent } from '../../helpers/lease-child.js';
import { startLeaseChild, type LeaseChild } from '../../helpers/lease-children.js';

type Result = Extract<LeaseChildEvent, { event: 'result' }>;

/** LEASE_MS is the lease time of the children: short, so the killed-holder test is quick. */
const LEASE_MS = 1500;
/** SLACK_MS allows for process scheduling on a busy two-core machine. */
const SLACK_MS = 2000;

const resultOf = (id: string) => (e: LeaseChildEvent): boolean => e.event === 'result' && e.id === id;
const workingOn = (key: string, children: LeaseChild[]) =>
  children.reduce((n, c) => n + c.events.filter((e) => e.event === 'working' && e.id.startsWith(key)).length, 0);

let seq = 0;

function runFleetSuite(name: string, start: () => Promise<{ url: string; stop(): Promise<void> }>): void {
  let server: { url: string; stop(): Promise<void> };
  let children: LeaseChild[] = [];
  let started: Promise<void> | undefined;
  // The server and four children start with the suite's first test, and stop after the file.
  const ready = (): Promise<void> => (started ??= (async () => {
    server = await start();
    children = await Promise.all([0, 1, 2, 3].map(() => startLeaseChild(server.url, LEASE_MS)));
  })());
  after(async () => {
    await Promise.all(children.map((c) => c.end()));
    await server?.stop();
  });

  test(`${name}: four processes missing one key at once: one works, three follow`, async () => {
    await ready();
    const key = `https://example.com/fleet/${seq++}.jpg`;
    children.forEach((c, i) => c.send({ id: `${key}@${i}`, key, workMs: 400 }));
    const got = (await Promise.all(children.map((c, i) => c.next(resultOf(`${key}@${i}`))))) as Result[];
    const outcomes = got.map((r) => r.outcome + (r.reason ? `/${r.reason}` : '')).sort().join(',');
    assert.equal(workingOn(key, children), 1, `work ran ${workingOn(key, children)} times across four processes (${outcomes}), want 1`);
    assert.ok(outcomes === 'followed,followed,followed,led' || /^(followed,)*(hit,)*led$/.test(outcomes) || outcomes.includes('hit'),
      `outcomes = ${outcomes}, want one led and the rest followed (or hits)`);
    assert.equal(new Set(got.map((r) => r.value)).size, 1, `values = ${got.map((r) => r.value)}, want one value for all`);
  });

  test(`${name}: a holder killed with SIGKILL mid-work delays the others by at most the lease time (${LEASE_MS} ms)`, async () => {
    await ready();
    const key = `https://example.com/fleet/${seq++}.jpg`;
    const [holder, ...others] = children;
    holder.send({ id: `${key}@holder`, key, workMs: 60_000 });
    await holder.next((e) => e.event === 'working' && e.id === `${key}@holder`);
    const asked = performance.now();
    others.forEach((c, i) => c.send({ id: `${key}@${i}`, key, workMs: 300 }));
    await new Promise((r) => setTimeout(r, 200));
    holder.proc.kill('SIGKILL');
    const got = (await Promise.all(others.map((c, i) => c.next(resultOf(`${key}@${i}`), LEASE_MS + 300 + 10_000)))) as Result[];
    const took = performance.now() - asked;
    const worst = Math.max(...got.map((r) => r.ms));
    assert.ok(worst < LEASE_MS + 300 + SLACK_MS, `slowest answer after the kill took ${worst.toFixed(0)} ms, want < lease ${LEASE_MS} + work 300 + ${SLACK_MS}`);
    assert.ok(took < LEASE_MS + 300 + 2 * SLACK_MS, `all answers took ${took.toFixed(0)} ms, want < ${LEASE_MS + 300 + 2 * SLACK_MS}`);
    const led = got.filter((r) => r.outcome === 'led').length;
    assert.ok(led >= 1, `outcomes after the kill = ${got.map((r) => `${r.outcome}/${r.reason ?? '-'}`)}, want one that took the lease over`);
    assert.ok(got.every((r) => r.value.startsWith('made by ') && r.value !== `made by ${holder.proc.pid}`), `values = ${got.map((r) => r.value)}`);
    // The replacement for the killed child keeps the fleet at four for any later test.
    children[0] = await startLeaseChild(server.url, LEASE_MS);
    const after = `${key}@after`;
    children[0].send({ id: after, key, workMs: 10 });
    const again = (await children[0].next(resultOf(after))) as Result;
    assert.equal(again.outcome, 'hit', `the key after the takeover = ${again.outcome}, want a hit (entry stored, no lease left stuck)`);
  });
}

runFleetSuite('a single redis-server', async () => {
  const s = await startRedis();
  return { url: s.url, stop: () => s.stop() };
});

runFleetSuite('a three-master Redis Cluster', async () => {
  const c = await startRedisCluster();
  return { url: c.url(), stop: () => c.stop() };
});
