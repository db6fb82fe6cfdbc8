/**
 * How the pool starts its workers (lib/pool/start.ts, worker-main.ts): the embedded worker needs
 * no file and no codec bytes of its own, and a worker that cannot start is a 500 that says so,
 * never a 503 "busy".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createTransformPool, type PoolOptions } from '../../../lib/pool/pool.js';
import { WORKER_SOURCE } from '../../../lib/pool/worker-source.js';
import { WEBP_DEC_WASM_BASE64 } from '../../../lib/codecs/wasm/webp-dec-bytes.js';
import { AVIF_ENC_WASM_BASE64 } from '../../../lib/codecs/wasm/avif-enc-bytes.js';
import { probe } from '../../../lib/codecs/index.js';
import { DEFAULT_LIMITS } from '../../../lib/config.js';
import { WorkerStartError, isProxyError } from '../../../lib/errors.js';
import { emptyOptions, parseOptions } from '../../../lib/request/options.js';
import { DIST, FIXTURES } from '../../helpers/paths.js';
import { WORKER_CODECS } from '../../../lib/pool/start.js';
import { outputFormat } from '../../../lib/transform/transform.js';
import { OUTPUT_FORMATS } from '../../../lib/request/options.js';
import type { ImageFormat } from '../../../lib/codecs/types.js';

/** ROSE_WEBP is a lossy WebP with alpha from golang.org/x/image testdata (BSD-3-Clause), see fixtures/SOURCES.md. */
const ROSE_WEBP = path.join(FIXTURES, 'ximage', 'yellow_rose.lossy-with-alpha.webp');

/** VIDEO_AVIF is video-001.png from golang.org/x/image testdata encoded as AVIF, see fixtures/SOURCES.md. */
const VIDEO_AVIF = path.join(FIXTURES, 'codecs', 'video-001.avif');

/** QUIET is a logger that drops everything. */
const QUIET = { info() {}, warn() {}, error() {} };

test('the embedded worker holds no codec wasm and names no file of the package', () => {
  const checks = [
    { name: 'WebP decoder bytes', bad: WEBP_DEC_WASM_BASE64.slice(0, 400) },
    { name: 'AVIF encoder bytes', bad: AVIF_ENC_WASM_BASE64.slice(0, 400) },
    { name: 'a path into dist/', bad: DIST },
    { name: 'a createRequire of smartcrop', bad: "require('smartcrop')" },
  ];
  for (const c of checks) {
    assert.ok(!WORKER_SOURCE.includes(c.bad), `WORKER_SOURCE contains ${c.name}, want it left out`);
  }
});

test('the embedded worker decodes WebP and AVIF with the wasm compiled in the pool\'s thread', async () => {
  const pool = createTransformPool({ workers: 1, maxQueue: 4, logger: QUIET });
  try {
    await pool.ready();
    const cases = [
      { name: 'lossy WebP with alpha to PNG', file: ROSE_WEBP, options: '40x,png', format: 'png' },
      { name: 'lossy WebP to JPEG', file: ROSE_WEBP, options: '40x', format: 'jpeg' },
      { name: 'AVIF to JPEG', file: VIDEO_AVIF, options: '40x', format: 'jpeg' },
    ];
    for (const c of cases) {
      const input = readFileSync(c.file);
      const src = probe(input);
      const out = await pool.run(input, parseOptions(c.options), DEFAULT_LIMITS);
      const got = probe(out.bytes);
      const wantH = Math.round((40 * src.height) / src.width);
      assert.equal(`${got.format} ${got.width}x${got.height}`, `${c.format} 40x${wantH}`,
        `run(${c.name}) = ${got.format} ${got.width}x${got.height}, want ${c.format} 40x${wantH}`);
    }
  } finally {
    await pool.close();
  }
});

test('the worker is handed every codec module a transform can reach, WebP and AVIF encoders included', () => {
  // The worker's own codec bytes are stubs: every encoder a transform can reach must be handed in.
  const sources: ImageFormat[] = ['jpeg', 'png', 'gif', 'tiff', 'bmp', 'webp', 'avif', 'svg'];
  const encoders = new Set<string>();
  for (const src of sources) {
    for (const req of ['', ...OUTPUT_FORMATS] as const) {
      const f = outputFormat(src, req);
      if (f === 'webp' || f === 'avif') encoders.add(`${f}_enc`);
    }
  }
  const missing = [...encoders].filter((n) => !WORKER_CODECS.includes(n as never));
  assert.deepEqual(missing, [], `encoders a transform reaches but WORKER_CODECS lacks = ${JSON.stringify(missing)}, want none`);
  assert.deepEqual([...encoders].sort(), ['avif_enc', 'webp_enc'], `encoders reached = ${JSON.stringify([...encoders])}, want both`);
});

test('a pool whose workers cannot start answers WorkerStartError (500) with the cause for the log', async () => {
  const cases: Array<{ name: string; opts: Partial<PoolOptions>; detail: RegExp }> = [
    { name: 'source that throws at start', opts: { workerSource: "throw new Error('broken install')" }, detail: /broken install/ },
    { name: 'source that exits at start', opts: { workerSource: 'process.exit(3)' }, detail: /exited with code 3/ },
    { name: 'source with a syntax error', opts: { workerSource: 'this is not javascript' }, detail: /SyntaxError/ },
    { name: 'module that does not exist', opts: { workerModule: pathToFileURL(path.join(DIST, 'no-such-worker.js')) }, detail: /Cannot find module|ERR_MODULE_NOT_FOUND|no-such-worker/ },
  ];
  for (const c of cases) {
    const warnings: string[] = [];
    const pool = createTransformPool({ workers: 2, maxQueue: 4, logger: { ...QUIET, warn: (m: string) => warnings.push(m) }, ...c.opts });
    try {
      const first = await pool.run(new Uint8Array(8), emptyOptions(), DEFAULT_LIMITS).then(() => undefined, (e: unknown) => e);
      assert.ok(first instanceof WorkerStartError, `run(${c.name}) rejects with ${String(first)}, want WorkerStartError`);
      assert.equal(`${first.status} ${first.code}`, '500 worker_start_failed', `run(${c.name}) = ${first.status} ${first.code}, want 500 worker_start_failed`);
      assert.match(first.detail ?? '', c.detail, `run(${c.name}).detail = ${first.detail}, want ${c.detail}`);
      assert.doesNotMatch(first.message, /busy|try again/i, `run(${c.name}).message = ${first.message}, want no "busy"`);
      // ready() settles rather than waiting for workers that will never start.
      await pool.ready();
      // Later tasks fail the same way while no worker has started, without queueing behind the restarts.
      const second = await pool.run(new Uint8Array(8), emptyOptions(), DEFAULT_LIMITS).then(() => undefined, (e: unknown) => e);
      assert.ok(second instanceof WorkerStartError, `second run(${c.name}) rejects with ${String(second)}, want WorkerStartError`);
      assert.equal(pool.stats().queued, 0, `stats().queued after run(${c.name}) = ${pool.stats().queued}, want 0`);
      assert.ok(warnings.some((w) => w.includes('exited')), `logger.warn for ${c.name} got ${JSON.stringify(warnings)}, want the worker's exit`);
    } finally {
      await pool.close();
    }
  }
});

test('a pool that never started a worker still closes cleanly', async () => {
  const pool = createTransformPool({ workers: 1, maxQueue: 1, logger: QUIET, workerSource: "throw new Error('broken')" });
  await pool.ready();
  await pool.close();
  const err = await pool.run(new Uint8Array(8), emptyOptions(), DEFAULT_LIMITS).then(() => undefined, (e: unknown) => e);
  assert.ok(isProxyError(err) && err.status === 503, `run after close rejects with ${String(err)}, want the 503 of a closed pool`);
});
