import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AbandonedError, SingleFlight } from '../../../lib/flow/singleflight.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('concurrent calls for one key share one run; different keys do not', async () => {
  const cases: Array<{ keys: string[]; wantRuns: number }> = [
    { keys: ['a'], wantRuns: 1 },
    { keys: ['a', 'a', 'a', 'a', 'a'], wantRuns: 1 },
    { keys: ['a', 'b', 'a', 'b'], wantRuns: 2 },
    { keys: ['a', 'b', 'c'], wantRuns: 3 },
  ];
  for (const { keys, wantRuns } of cases) {
    const sf = new SingleFlight<string>();
    let runs = 0;
    const results = await Promise.all(keys.map((k) => sf.do(k, async () => {
      runs++;
      await tick();
      return `v-${k}`;
    })));
    assert.equal(runs, wantRuns, `runs for ${keys.join(',')} = ${runs}, want ${wantRuns}`);
    assert.deepEqual(results, keys.map((k) => `v-${k}`));
    assert.equal(sf.size, 0, `size after settling = ${sf.size}, want 0`);
  }
});

test('a failure reaches every waiter, and the next call runs again', async () => {
  const sf = new SingleFlight<number>();
  let runs = 0;
  const fail = async (): Promise<number> => {
    runs++;
    await tick();
    throw new Error('boom');
  };
  const got = await Promise.allSettled([sf.do('k', fail), sf.do('k', fail)]);
  assert.deepEqual(got.map((r) => r.status), ['rejected', 'rejected']);
  assert.equal(runs, 1, `runs = ${runs}, want 1`);
  await assert.rejects(sf.do('k', fail), /boom/);
  assert.equal(runs, 2, `runs after retry = ${runs}, want 2`);
});

/** startHanging starts a flight that only ends when its signal aborts, and reports that abort. */
function hanging(): { fn: (s: AbortSignal) => Promise<string>; aborted: () => unknown } {
  let reason: unknown;
  return {
    fn: (s) => new Promise<string>((_, reject) => {
      s.addEventListener('abort', () => {
        reason = s.reason;
        reject(s.reason);
      });
    }),
    aborted: () => reason,
  };
}

test('the work is cancelled only when every waiter has gone', async () => {
  for (const waiters of [1, 2, 5]) {
    const sf = new SingleFlight<string>();
    const h = hanging();
    const ctls = Array.from({ length: waiters }, () => new AbortController());
    const calls = ctls.map((c) => sf.do('k', h.fn, c.signal));
    for (const c of calls) c.catch(() => undefined);
    for (let i = 0; i < waiters; i++) {
      await tick();
      assert.equal(h.aborted(), undefined, `${waiters} waiters, ${i} gone: work aborted early`);
      ctls[i].abort(new Error(`gone ${i}`));
      await assert.rejects(calls[i], new RegExp(`gone ${i}`));
    }
    await tick();
    assert.ok(h.aborted() instanceof AbandonedError, `${waiters} waiters all gone: abort reason = ${String(h.aborted())}, want AbandonedError`);
    assert.equal(sf.size, 0, 'an abandoned key is free again');
  }
});

test('a waiter without a signal keeps the work alive; an already-aborted signal never joins', async () => {
  const sf = new SingleFlight<string>();
  let release!: (v: string) => void;
  const p1 = sf.do('k', () => new Promise<string>((r) => { release = r; }));
  const ctl = new AbortController();
  const p2 = sf.do('k', () => Promise.resolve('other'), ctl.signal);
  ctl.abort(new Error('left'));
  await assert.rejects(p2, /left/);
  const gone = new AbortController();
  gone.abort(new Error('already'));
  await assert.rejects(sf.do('k', () => Promise.resolve('x'), gone.signal), /already/);
  release('done');
  assert.equal(await p1, 'done');
});
