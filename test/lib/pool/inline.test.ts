import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createInlineTransformer } from '../../../lib/pool/inline.js';
import type { TransformFn } from '../../../lib/pool/protocol.js';
import { DEFAULT_LIMITS } from '../../../lib/config.js';
import { ForbiddenError, isProxyError } from '../../../lib/errors.js';
import { emptyOptions, type Options } from '../../../lib/request/options.js';
import { JPEG, decodedSize } from '../../runtimes/common.js';

const NONE: Options = emptyOptions();
const bytes = new Uint8Array([1, 2, 3]);

/** outcome is what a run settled with: ok, an error's status and code, or the rejection itself. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return isProxyError(err) ? `${err.status} ${err.code}` : `rejected ${String(err)}`;
  }
}

/** gated is a transform that waits for release() and counts its calls. */
function gated(): { fn: TransformFn; calls: () => number; release: () => void } {
  let calls = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const fn: TransformFn = async (b) => {
    calls++;
    await gate;
    return { bytes: b, contentType: 'image/test' };
  };
  return { fn, calls: () => calls, release };
}

test('the inline transformer runs the real transform in the calling thread', async () => {
  const t = createInlineTransformer();
  try {
    const r = await t.run(JPEG, { ...NONE, width: 100 }, DEFAULT_LIMITS);
    const size = await decodedSize(r.bytes);
    assert.deepEqual({ type: r.contentType, width: size.width }, { type: 'image/jpeg', width: 100 }, `run(JPEG, 100x) = ${r.contentType} ${size.width} px wide`);
  } finally {
    await t.close();
  }
});

test('the inline transformer runs one task at a time and refuses past its queue bound', async () => {
  const g = gated();
  const t = createInlineTransformer({ maxQueue: 1, transform: g.fn });
  const first = t.run(bytes, NONE, DEFAULT_LIMITS);
  const second = t.run(bytes, NONE, DEFAULT_LIMITS);
  const third = outcome(t.run(bytes, NONE, DEFAULT_LIMITS));
  assert.equal(await third, '503 overloaded', `third run with maxQueue 1 = ${await third}, want 503 overloaded`);
  while (g.calls() === 0) await new Promise((r) => setTimeout(r, 1));
  assert.deepEqual(t.stats(), { busy: 1, queued: 1, workers: 1 }, `stats() while one runs and one waits = ${JSON.stringify(t.stats())}`);
  g.release();
  const got = [await outcome(first), await outcome(second)];
  assert.deepEqual(got, ['ok', 'ok'], `queued runs = ${got.join(', ')}, want ok, ok`);
  assert.equal(g.calls(), 2, `transform calls = ${g.calls()}, want 2`);
  await t.close();
});

test('the inline transformer maps failures as the pool does', async () => {
  const forbidden = new ForbiddenError('no', 'test_code');
  const cases: Array<{ name: string; fn: TransformFn; timeoutMs?: number; want: string }> = [
    { name: 'a ProxyError keeps its status and code', fn: async () => { throw forbidden; }, want: '403 test_code' },
    { name: 'any other error is a 422', fn: async () => { throw new RangeError('decoder bug'); }, want: '422 bad_image' },
    { name: 'a transform that yields past the limit', fn: () => new Promise(() => undefined), timeoutMs: 30, want: '422 too_slow' },
    {
      name: 'a transform that blocks past the limit',
      fn: async (b) => {
        const end = Date.now() + 60;
        while (Date.now() < end) { /* the thread is busy, as a long decode keeps it */ }
        return { bytes: b, contentType: 'image/test' };
      },
      timeoutMs: 20,
      want: '422 too_slow',
    },
  ];
  for (const c of cases) {
    const t = createInlineTransformer({ transform: c.fn, taskTimeoutMs: c.timeoutMs });
    const got = await outcome(t.run(bytes, NONE, DEFAULT_LIMITS));
    assert.equal(got, c.want, `run(${c.name}) = ${got}, want ${c.want}`);
    await t.close();
  }
});

test('the inline transformer drops aborted tasks and refuses work once closed', async () => {
  const g = gated();
  const t = createInlineTransformer({ transform: g.fn });
  const running = t.run(bytes, NONE, DEFAULT_LIMITS);
  while (g.calls() === 0) await new Promise((r) => setTimeout(r, 1));
  const ctl = new AbortController();
  const reason = new Error('client left');
  const queued = t.run(bytes, NONE, DEFAULT_LIMITS, ctl.signal);
  ctl.abort(reason);
  await assert.rejects(queued, (e) => e === reason, 'an aborted queued task rejects with its reason');
  const waiting = outcome(t.run(bytes, NONE, DEFAULT_LIMITS));
  await t.close();
  assert.equal(await waiting, '503 overloaded', `a task queued at close = ${await waiting}, want 503 overloaded`);
  assert.equal(await outcome(t.run(bytes, NONE, DEFAULT_LIMITS)), '503 overloaded', 'a run after close is refused');
  g.release();
  assert.equal(await outcome(running), 'ok', 'the running task still finishes');
  assert.equal(g.calls(), 1, `transform calls = ${g.calls()}, want 1 (the aborted and refused tasks never ran)`);
});
