import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createTransformPool, DEEP_WARM_DELAY_MS, DEEP_WARM_IDLE_MS, reviveError, type PoolOptions, type TransformPool } from '../../../lib/pool/pool.js';
import { serializeError, type SerializedError } from '../../../lib/pool/worker.js';
import { badImage } from '../../../lib/codecs/types.js';
import {
  BadRequestError, ForbiddenError, OverloadedError, ProxyError, TooLargeError, UnprocessableImageError,
  UnsupportedMediaError, GatewayTimeoutError, WorkerStartError,
} from '../../../lib/errors.js';
import { emptyOptions } from '../../../lib/request/options.js';
import { DEFAULT_LIMITS } from '../../../lib/config.js';
import { readFileSync } from 'node:fs';
import { DIST, FIXTURES } from '../../helpers/paths.js';
import { probe } from '../../../lib/codecs/index.js';
import { command, mix, reply, TEST_CONTENT_TYPE, type PoolCommand } from '../../helpers/pool-worker.js';

/** TEST_WORKER is the scripted worker (test/helpers/pool-worker.ts) the pool runs instead of transform(). */
const TEST_WORKER = pathToFileURL(path.join(DIST, 'test', 'helpers', 'pool-worker.js'));

/** VIDEO_PNG is a 150x103 RGB PNG from golang.org/x/image testdata (BSD-3-Clause), see fixtures/SOURCES.md. */
const VIDEO_PNG = path.join(FIXTURES, 'ximage', 'video-001.png');

/** testPool starts a pool on the test worker. */
function testPool(o: Partial<PoolOptions> = {}): TransformPool {
  return createTransformPool({ workers: 2, maxQueue: 8, workerModule: TEST_WORKER, ...o });
}

/** send runs one scripted command. */
function send(pool: TransformPool, c: PoolCommand, signal?: AbortSignal) {
  return pool.run(command(c), emptyOptions(), DEFAULT_LIMITS, signal);
}

/** rejection returns what p rejects with, failing the test if it resolves. */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('promise resolved, want a rejection');
}

/** until polls cond every 5 ms for up to ms milliseconds. */
async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('pool returns correct results for concurrent tasks', async () => {
  const pool = testPool({ workers: 2, maxQueue: 16 });
  try {
    const cases = Array.from({ length: 12 }, (_, i) => ({ tag: `t${i}`, rounds: 1000 * (i + 1) }));
    const results = await Promise.all(cases.map((c) => send(pool, { op: 'mix', ...c })));
    for (const [i, c] of cases.entries()) {
      const r = results[i]!;
      const got = reply(r.bytes);
      assert.equal(got.value, mix(c.tag, c.rounds), `run(mix ${c.tag}).value = ${got.value}, want ${mix(c.tag, c.rounds)}`);
      assert.equal(got.tag, c.tag, `run(mix ${c.tag}).tag = ${got.tag}, want ${c.tag}`);
      assert.equal(r.contentType, TEST_CONTENT_TYPE, `run(mix ${c.tag}).contentType = ${r.contentType}, want ${TEST_CONTENT_TYPE}`);
    }
    // Both workers took part, and the pool is idle again.
    const seen = new Set(results.map((r) => reply(r.bytes).seen.join(',')));
    assert.ok(seen.size >= 2, `distinct worker histories = ${seen.size}, want >= 2`);
    assert.deepEqual(pool.stats(), { busy: 0, queued: 0, workers: 2 });
  } finally {
    await pool.close();
  }
});

test('pool starts one worker first and the others once it has answered or a task has to wait', async () => {
  const cases: Array<{ name: string; tasks: number; want: number }> = [
    { name: 'one task, answered', tasks: 1, want: 3 },
    { name: 'two tasks at once (the second would wait)', tasks: 2, want: 3 },
  ];
  for (const c of cases) {
    const pool = testPool({ workers: 3, maxQueue: 8 });
    try {
      const first = pool.stats().workers;
      assert.equal(first, 1, `${c.name}: workers right after createTransformPool = ${first}, want 1`);
      const runs = Array.from({ length: c.tasks }, (_, i) => send(pool, { op: 'mix', tag: `g${i}`, rounds: 1 }));
      if (c.tasks > 1) assert.equal(pool.stats().workers, c.want, `${c.name}: workers once a task had to wait = ${pool.stats().workers}, want ${c.want}`);
      await Promise.all(runs);
      await until(() => pool.stats().workers === c.want);
    } finally {
      await pool.close();
    }
  }
});

test('a task that would wait while the others are not started goes to a new worker, not behind the first', async () => {
  const pool = testPool({ workers: 2, maxQueue: 8 });
  try {
    const runs = [0, 1].map((i) => send(pool, { op: 'busy', tag: `w${i}`, ms: 400 }));
    // Queued behind the first, the second would start only when the first is done: busy stays 1.
    await until(() => pool.stats().busy === 2 && pool.stats().queued === 0);
    await Promise.all(runs);
  } finally {
    await pool.close();
  }
});

test('pool sends each task to the worker that served the most, unless that one is collecting garbage', async () => {
  const pool = testPool({ workers: 2, maxQueue: 8 });
  try {
    // The second worker starts after the first is ready (EXTRA_WORKERS_DELAY_MS at the latest).
    await pool.ready();
    await until(() => pool.stats().workers === 2);
    await pool.ready();
    const cases: { name: string; cmd: PoolCommand; want: string[]; pause?: number }[] = [
      { name: 'first task', cmd: { op: 'mix', tag: 's0', rounds: 1 }, want: ['s0'] },
      { name: 'sequential tasks stay on the warm worker', cmd: { op: 'mix', tag: 's1', rounds: 1 }, want: ['s0', 's1'] },
      { name: 'a task that leaves 48 MiB of garbage', cmd: { op: 'garbage', tag: 'g', mb: 48 }, want: ['s0', 's1', 'g'] },
      { name: 'the next goes to the other worker while the first collects', cmd: { op: 'mix', tag: 't', rounds: 1 }, want: ['t'] },
      { name: 'once collected, the first (it served more) is chosen again', cmd: { op: 'mix', tag: 'u', rounds: 1 }, want: ['s0', 's1', 'g', 'u'], pause: 500 },
    ];
    for (const c of cases) {
      // A full collection of this worker's small heap takes milliseconds; the pause leaves it ample time.
      if (c.pause) await new Promise((r) => setTimeout(r, c.pause));
      const got = reply((await send(pool, c.cmd)).bytes).seen;
      assert.deepEqual(got, c.want, `${c.name}: run(${c.cmd.op} ${c.cmd.tag}) worker history = ${JSON.stringify(got)}, want ${JSON.stringify(c.want)}`);
    }
  } finally {
    await pool.close();
  }
});

test('pool deep-warms a worker once, when idle after its first answer, never before it', async () => {
  const pool = testPool({ workers: 1, deepWarmUp: true });
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  try {
    await pool.ready();
    // Before any answer the warm-up waits DEEP_WARM_DELAY_MS, so a first request finds none.
    await pause(DEEP_WARM_DELAY_MS / 4);
    const first = reply((await send(pool, { op: 'mix', tag: 'a', rounds: 1 })).bytes).seen;
    await pause(DEEP_WARM_IDLE_MS * 10);
    const second = reply((await send(pool, { op: 'mix', tag: 'b', rounds: 1 })).bytes).seen;
    await pause(DEEP_WARM_IDLE_MS * 10);
    const third = reply((await send(pool, { op: 'mix', tag: 'c', rounds: 1 })).bytes).seen;
    const cases = [
      { name: 'first', got: first, want: ['a'] },
      { name: 'second', got: second, want: ['a', 'deep-warm', 'b'] },
      { name: 'third', got: third, want: ['a', 'deep-warm', 'b', 'c'] },
    ];
    for (const c of cases) assert.deepEqual(c.got, c.want, `${c.name} run: worker history = ${JSON.stringify(c.got)}, want ${JSON.stringify(c.want)}`);
  } finally {
    await pool.close();
  }
});

test('pool copies the input instead of detaching it', async () => {
  const pool = testPool({ workers: 1 });
  try {
    // A small Buffer.from() is a view into Node's shared pool, the trickiest case.
    const input = Buffer.from(JSON.stringify({ op: 'mix', tag: 'view', rounds: 10 }));
    const before = Buffer.from(input);
    const r = await pool.run(input, emptyOptions(), DEFAULT_LIMITS);
    assert.equal(input.byteLength, before.byteLength, `input.byteLength after run = ${input.byteLength}, want ${before.byteLength}`);
    assert.ok(input.equals(before), 'input bytes changed by run');
    assert.equal(reply(r.bytes).value, mix('view', 10));
    // The result owns its memory, so it can be kept or transferred again.
    assert.equal(r.bytes.byteLength, r.bytes.buffer.byteLength, `result buffer size = ${r.bytes.buffer.byteLength}, want ${r.bytes.byteLength}`);
  } finally {
    await pool.close();
  }
});

test('pool maps worker errors to ProxyErrors', async () => {
  const pool = testPool();
  try {
    const cases: Array<{ c: PoolCommand; cls: Function; status: number; code: string; message: string }> = [
      { c: { op: 'proxyError', tag: 'a', status: 400, code: 'bad_option', message: 'The width is invalid.' }, cls: BadRequestError, status: 400, code: 'bad_option', message: 'The width is invalid.' },
      { c: { op: 'proxyError', tag: 'b', status: 403, code: 'forbidden', message: 'No.' }, cls: ForbiddenError, status: 403, code: 'forbidden', message: 'No.' },
      { c: { op: 'proxyError', tag: 'c', status: 413, code: 'too_many_pixels', message: 'The image is too large.' }, cls: TooLargeError, status: 413, code: 'too_many_pixels', message: 'The image is too large.' },
      { c: { op: 'proxyError', tag: 'd', status: 415, code: 'unknown_format', message: 'The format is unknown.' }, cls: UnsupportedMediaError, status: 415, code: 'unknown_format', message: 'The format is unknown.' },
      { c: { op: 'proxyError', tag: 'e', status: 422, code: 'truncated', message: 'The image is truncated.' }, cls: UnprocessableImageError, status: 422, code: 'truncated', message: 'The image is truncated.' },
      { c: { op: 'proxyError', tag: 'f', status: 200, code: 'odd', message: 'Odd.' }, cls: UnprocessableImageError, status: 422, code: 'bad_image', message: 'The image could not be processed.' },
      { c: { op: 'throw', tag: 'g', value: 'error' }, cls: UnprocessableImageError, status: 422, code: 'bad_image', message: 'The image could not be processed.' },
      { c: { op: 'throw', tag: 'h', value: 'string' }, cls: UnprocessableImageError, status: 422, code: 'bad_image', message: 'The image could not be processed.' },
    ];
    for (const tc of cases) {
      const err = await rejection(send(pool, tc.c));
      const desc = `run(${JSON.stringify(tc.c)}) rejects with`;
      assert.ok(err instanceof tc.cls, `${desc} ${String(err)}, want a ${tc.cls.name}`);
      const pe = err as ProxyError;
      assert.equal(pe.status, tc.status, `${desc} status ${pe.status}, want ${tc.status}`);
      assert.equal(pe.code, tc.code, `${desc} code ${pe.code}, want ${tc.code}`);
      assert.equal(pe.message, tc.message, `${desc} message ${pe.message}, want ${tc.message}`);
      assert.equal(pe.name, tc.cls.name, `${desc} name ${pe.name}, want ${tc.cls.name}`);
    }
  } finally {
    await pool.close();
  }
});

test('reviveError keeps status, code, message and headers', () => {
  const cases: Array<{ in: SerializedError; cls: Function }> = [
    { in: { status: 504, code: 'timeout', message: 'Slow.', headers: {} }, cls: GatewayTimeoutError },
    { in: { status: 503, code: 'overloaded', message: 'Busy.', headers: { 'Retry-After': '4' } }, cls: OverloadedError },
    { in: { status: 418, code: 'teapot', message: 'Tea.', headers: {} }, cls: ProxyError },
  ];
  for (const tc of cases) {
    const got = reviveError(tc.in);
    const want = JSON.stringify(tc.in);
    const gotS = JSON.stringify({ status: got.status, code: got.code, message: got.message, headers: got.headers });
    assert.equal(gotS, want, `reviveError(${want}) = ${gotS}, want ${want}`);
    assert.ok(got instanceof tc.cls, `reviveError(${want}) is ${got.name}, want ${tc.cls.name}`);
  }
});

test('serializeError and reviveError carry the log-only detail across the thread boundary', () => {
  const cases: Array<[unknown, string, string | undefined]> = [
    [badImage('The PNG image is corrupt', new Error('invalid stored block lengths')), 'The PNG image is corrupt.', 'invalid stored block lengths'],
    [new TypeError('x is undefined'), 'The image could not be processed.', 'TypeError: x is undefined'],
    [new GatewayTimeoutError(), new GatewayTimeoutError().message, undefined],
  ];
  for (const [err, wantMessage, wantDetail] of cases) {
    const got = reviveError(serializeError(err));
    assert.equal(got.message, wantMessage, `reviveError(serializeError(${String(err)})).message = ${got.message}, want ${wantMessage}`);
    assert.equal(got.detail, wantDetail, `reviveError(serializeError(${String(err)})).detail = ${got.detail}, want ${wantDetail}`);
  }
});

test('pool rejects with 503 and Retry-After when the queue is full', async () => {
  const pool = testPool({ workers: 1, maxQueue: 2, retryAfterSeconds: 7 });
  try {
    const running = send(pool, { op: 'busy', tag: 'run', ms: 300 });
    const queued = [send(pool, { op: 'mix', tag: 'q1', rounds: 1 }), send(pool, { op: 'mix', tag: 'q2', rounds: 1 })];
    assert.deepEqual(pool.stats(), { busy: 1, queued: 2, workers: 1 });
    const t0 = performance.now();
    const err = await rejection(send(pool, { op: 'mix', tag: 'over', rounds: 1 }));
    const ms = performance.now() - t0;
    assert.ok(err instanceof OverloadedError, `run(full queue) rejects with ${String(err)}, want OverloadedError`);
    assert.equal(err.status, 503);
    assert.equal(err.headers['Retry-After'], '7', `Retry-After = ${err.headers['Retry-After']}, want 7`);
    assert.ok(ms < 100, `run(full queue) took ${ms.toFixed(1)} ms, want an immediate rejection`);
    // The accepted tasks still complete, in order.
    await running;
    const [a, b] = await Promise.all(queued);
    assert.deepEqual(reply(b!.bytes).seen, ['run', 'q1', 'q2']);
    assert.equal(reply(a!.bytes).tag, 'q1');
  } finally {
    await pool.close();
  }
  const dflt = testPool({ workers: 1, maxQueue: 0 });
  try {
    const running = send(dflt, { op: 'busy', tag: 'run', ms: 100 });
    const err = await rejection(send(dflt, { op: 'mix', tag: 'over', rounds: 1 }));
    assert.ok(err instanceof OverloadedError && err.headers['Retry-After'] === '1', `run(maxQueue 0) rejects with ${String(err)}, want OverloadedError with Retry-After 1`);
    await running;
  } finally {
    await dflt.close();
  }
});

test('pool drops a task whose signal aborts while queued', async () => {
  const pool = testPool({ workers: 1, maxQueue: 4 });
  try {
    const running = send(pool, { op: 'busy', tag: 'first', ms: 200 });
    const ac = new AbortController();
    const dropped = send(pool, { op: 'mix', tag: 'dropped', rounds: 1 }, ac.signal);
    const after = send(pool, { op: 'mix', tag: 'after', rounds: 1 });
    assert.equal(pool.stats().queued, 2);
    ac.abort();
    const err = await rejection(dropped);
    assert.equal((err as Error).name, 'AbortError', `aborted run rejects with ${String(err)}, want an AbortError`);
    assert.equal(pool.stats().queued, 1, `stats().queued after abort = ${pool.stats().queued}, want 1`);
    await running;
    const seen = reply((await after).bytes).seen;
    assert.deepEqual(seen, ['first', 'after'], `worker saw ${JSON.stringify(seen)}, want the aborted task skipped`);
    // An already-aborted signal never queues.
    const err2 = await rejection(send(pool, { op: 'mix', tag: 'pre', rounds: 1 }, AbortSignal.abort()));
    assert.equal((err2 as Error).name, 'AbortError');
    assert.deepEqual(reply((await send(pool, { op: 'mix', tag: 'last', rounds: 1 })).bytes).seen, ['first', 'after', 'last']);
  } finally {
    await pool.close();
  }
});

test('pool stops waiting for a running task whose signal aborts, and the worker stays usable', async () => {
  const pool = testPool({ workers: 1 });
  try {
    const ac = new AbortController();
    const p = send(pool, { op: 'busy', tag: 'long', ms: 300 }, ac.signal);
    await until(() => pool.stats().busy === 1);
    const t0 = performance.now();
    setTimeout(() => ac.abort(), 20);
    const err = await rejection(p);
    const ms = performance.now() - t0;
    assert.equal((err as Error).name, 'AbortError');
    assert.ok(ms < 200, `aborted running task rejected after ${ms.toFixed(0)} ms, want promptly`);
    // The worker finishes the discarded task, then serves the next one without a restart.
    const r = reply((await send(pool, { op: 'mix', tag: 'next', rounds: 1 })).bytes);
    assert.deepEqual(r.seen, ['long', 'next']);
  } finally {
    await pool.close();
  }
});

test('pool replaces a crashed worker and fails only its task', async () => {
  const pool = testPool({ workers: 2, resourceLimits: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 8 } });
  try {
    const cases: Array<{ c: PoolCommand; code: string }> = [
      { c: { op: 'exit', tag: 'exit' }, code: 'worker_crashed' },
      { c: { op: 'oom', tag: 'oom' }, code: 'too_much_memory' },
    ];
    for (const tc of cases) {
      const other = send(pool, { op: 'busy', tag: 'other', ms: 50 });
      const err = await rejection(send(pool, tc.c));
      assert.ok(err instanceof UnprocessableImageError, `run(${tc.c.op}) rejects with ${String(err)}, want UnprocessableImageError`);
      assert.equal(err.status, 422);
      assert.equal(err.code, tc.code, `run(${tc.c.op}) code = ${err.code}, want ${tc.code}`);
      assert.equal(reply((await other).bytes).tag, 'other', 'a task on another worker failed');
      await until(() => pool.stats().workers === 2);
      const results = await Promise.all([1, 2, 3].map((i) => send(pool, { op: 'mix', tag: `after${i}`, rounds: 5 })));
      assert.deepEqual(results.map((r) => reply(r.bytes).value), [1, 2, 3].map((i) => mix(`after${i}`, 5)));
    }
  } finally {
    await pool.close();
  }
});

test('pool terminates a task that runs past the time limit', async () => {
  const pool = testPool({ workers: 1, taskTimeoutMs: 150 });
  try {
    const t0 = performance.now();
    const err = await rejection(send(pool, { op: 'busy', tag: 'slow', ms: 10_000 }));
    const ms = performance.now() - t0;
    assert.ok(err instanceof UnprocessableImageError && err.code === 'too_slow', `run(slow) rejects with ${String(err)}, want 422 too_slow`);
    assert.ok(ms < 3000, `run(slow) rejected after ${ms.toFixed(0)} ms, want about 150`);
    const r = reply((await send(pool, { op: 'mix', tag: 'fresh', rounds: 3 })).bytes);
    assert.deepEqual(r.seen, ['fresh'], `replacement worker saw ${JSON.stringify(r.seen)}, want a fresh worker`);
  } finally {
    await pool.close();
  }
});

test('pool close rejects queued and running tasks and refuses new ones', async () => {
  const pool = testPool({ workers: 1, maxQueue: 4 });
  // Capture the rejections now, so that none is unhandled while close() runs.
  const running = rejection(send(pool, { op: 'busy', tag: 'run', ms: 5000 }));
  const queued = rejection(send(pool, { op: 'mix', tag: 'q', rounds: 1 }));
  await until(() => pool.stats().busy === 1);
  const t0 = performance.now();
  await pool.close();
  const ms = performance.now() - t0;
  assert.ok(ms < 2000, `close() took ${ms.toFixed(0)} ms, want it not to wait for the running task`);
  const fresh = rejection(send(pool, { op: 'mix', tag: 'n', rounds: 1 }));
  for (const [name, p] of [['running', running], ['queued', queued], ['new', fresh]] as const) {
    const err = await p;
    assert.ok(err instanceof OverloadedError, `${name} task after close rejects with ${String(err)}, want OverloadedError`);
  }
  assert.deepEqual(pool.stats(), { busy: 0, queued: 0, workers: 0 });
  await pool.close(); // idempotent
});

test('pool answers 500 (not 503 busy) when its workers cannot start, and does not spin', async () => {
  let exits = 0;
  const logger = { info() {}, error() {}, warn(m: string) { if (m.includes('exited')) exits++; } };
  const pool = testPool({ workers: 2, logger, workerModule: pathToFileURL(path.join(DIST, 'no-such-worker.js')) });
  try {
    const err = await rejection(send(pool, { op: 'mix', tag: 'x', rounds: 1 }));
    assert.ok(err instanceof WorkerStartError && err.status === 500, `run(broken install) rejects with ${String(err)}, want a 500 WorkerStartError`);
    // Restarts back off (100 ms, 200 ms, 400 ms, ...), so 600 ms sees only a few attempts per slot.
    await new Promise((r) => setTimeout(r, 600));
    assert.ok(exits >= 2 && exits <= 10, `workers exited ${exits} times in 600 ms, want 2..10 (backed-off restarts)`);
  } finally {
    await pool.close();
  }
});

test('an idle pool does not keep the process alive', async () => {
  // The child runs one task and never calls close(); it must still exit on its own.
  const poolURL = pathToFileURL(path.join(DIST, 'lib', 'pool', 'pool.js')).href;
  const script = `
    import { createTransformPool } from ${JSON.stringify(poolURL)};
    const pool = createTransformPool({ workers: 2, maxQueue: 1, workerModule: new URL(${JSON.stringify(TEST_WORKER.href)}) });
    const r = await pool.run(new TextEncoder().encode('{"op":"mix","tag":"x","rounds":1}'), {}, { maxPixels: 1, maxOutputSide: 1 });
    console.log(JSON.parse(new TextDecoder().decode(r.bytes)).tag);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill(); reject(new Error('child did not exit within 10 s')); }, 10_000);
    child.on('exit', (c) => { clearTimeout(timer); resolve(c); });
  });
  assert.equal(code, 0, `child exit code = ${code}, want 0`);
  assert.equal(out.trim(), 'x', `child printed ${JSON.stringify(out)}, want "x"`);
});

/** Measurement is what one saturation window of the responsiveness test saw. */
interface Measurement { p99: number; max: number; median: number; busy: number; failed: boolean }

test('main thread stays responsive while every worker is busy', async (t) => {
  const pool = testPool({ workers: 2, maxQueue: 8 });
  const server = http.createServer((req, res) => {
    res.writeHead(req.url === '/health' ? 200 : 404, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true });
  const get = () => new Promise<number>((resolve, reject) => {
    const t0 = performance.now();
    http.get({ host: '127.0.0.1', port, path: '/health', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? performance.now() - t0 : -1));
    }).on('error', reject);
  });
  /** window saturates both workers for about 700 ms and measures the main thread meanwhile. */
  const window = async (): Promise<Measurement> => {
    const heavy = [0, 1].map((i) => send(pool, { op: 'busy', tag: `h${i}`, ms: 700 }));
    await until(() => pool.stats().busy === 2);
    const h = monitorEventLoopDelay({ resolution: 2 });
    h.enable();
    const latencies: number[] = [];
    for (let i = 0; i < 20; i++) {
      latencies.push(await get());
      await new Promise((r) => setTimeout(r, 20));
    }
    h.disable();
    const busy = pool.stats().busy;
    await Promise.all(heavy);
    latencies.sort((a, b) => a - b);
    return {
      p99: h.percentile(99) / 1e6, max: h.max / 1e6, median: latencies[latencies.length >> 1]!,
      busy, failed: latencies[0]! < 0,
    };
  };
  try {
    await get(); // warm the connection
    // The CPU is shared with other test processes, and a descheduled main thread looks like a
    // blocked event loop; so take up to three windows and require one clean one. Work done on
    // the main thread would instead block every window for the full 700 ms.
    const seen: Measurement[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const m = await window();
      seen.push(m);
      t.diagnostic(`event loop delay p99 ${m.p99.toFixed(1)} ms, max ${m.max.toFixed(1)} ms; /health median ${m.median.toFixed(1)} ms`);
      assert.equal(m.busy, 2, `stats().busy during measurement = ${m.busy}, want 2 (workers saturated)`);
      assert.ok(!m.failed, 'a /health request failed');
      if (m.p99 < 50 && m.median < 20) break;
    }
    const best = seen.reduce((a, b) => (b.p99 < a.p99 ? b : a));
    assert.ok(best.p99 < 50, `event loop delay p99 = ${best.p99.toFixed(1)} ms, want < 50 ms`);
    assert.ok(Math.min(...seen.map((m) => m.median)) < 20, `/health median latency = ${best.median.toFixed(1)} ms, want < 20 ms`);
  } finally {
    agent.destroy();
    await new Promise((r) => server.close(r));
    await pool.close();
  }
});

test('pool runs the real transform on worker threads', async () => {
  const pool = createTransformPool({ workers: 2, maxQueue: 8 });
  try {
    const png = readFileSync(VIDEO_PNG);
    const src = probe(png);
    const cases = [
      { options: { width: 50, height: 0 }, format: 'png', width: 50, height: Math.round((50 * src.height) / src.width) },
      { options: { width: 40, height: 30, format: 'jpeg' as const }, format: 'jpeg', width: 40, height: 30 },
      { options: { rotate: 90 }, format: 'png', width: src.height, height: src.width },
    ];
    const results = await Promise.all(cases.map((c) => pool.run(png, { ...emptyOptions(), ...c.options }, DEFAULT_LIMITS)));
    for (const [i, c] of cases.entries()) {
      const got = probe(results[i]!.bytes);
      const desc = `run(video-001.png, ${JSON.stringify(c.options)})`;
      assert.equal(got.format, c.format, `${desc} format = ${got.format}, want ${c.format}`);
      assert.equal(`${got.width}x${got.height}`, `${c.width}x${c.height}`, `${desc} size = ${got.width}x${got.height}, want ${c.width}x${c.height}`);
      assert.equal(results[i]!.contentType, `image/${c.format}`);
    }
    assert.ok(png.equals(readFileSync(VIDEO_PNG)), 'run changed the caller\'s input bytes');
    // A corrupt image is a 422, never a crash or a 500.
    const broken = Buffer.concat([png.subarray(0, 200), Buffer.alloc(100, 0xff)]);
    const err = await rejection(pool.run(broken, { ...emptyOptions(), width: 10 }, DEFAULT_LIMITS));
    assert.ok(err instanceof ProxyError && err.status === 422, `run(truncated png) rejects with ${String(err)}, want a 422 ProxyError`);
    // Too many pixels is refused by the limits passed along with the task.
    const err2 = await rejection(pool.run(png, { ...emptyOptions(), width: 10 }, { ...DEFAULT_LIMITS, maxPixels: 100 }));
    assert.ok(err2 instanceof ProxyError && err2.status === 422, `run(png, maxPixels 100) rejects with ${String(err2)}, want 422`);
  } finally {
    await pool.close();
  }
});
