/**
 * The fetch handler as a Cloudflare Worker: docs/examples/workers/worker.ts bundled by esbuild into
 * one ESM file (as wrangler does, with the `imageproxy/fetch` entry and the prom-client stand-in),
 * run under workerd by miniflare, resizing a JPEG from a loopback origin through the runtime's
 * fetch, with transforms in the Worker's own thread.
 *
 * The compatibility date is the first one of nodejs_compat's current form (2024-09-23), at which
 * workerd has no node:http, node:fs, node:os or node:worker_threads at all: a Worker that needed
 * any of them would fail to start.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { Miniflare } from 'miniflare';
import { DIST, ROOT } from '../helpers/paths.js';
import type { Origin } from '../helpers/origin.js';
import { JPEG_HEIGHT, JPEG_WIDTH, decodedSize, startJpegOrigin } from './common.js';

/** WORKER_NODE_MODULES are the only node: modules the Worker's own code may import (all in workerd's nodejs_compat). */
const WORKER_NODE_MODULES = new Set(['node:buffer', 'node:crypto', 'node:zlib', 'node:dns', 'node:net', 'node:url', 'node:diagnostics_channel']);

interface Bundle {
  code: string;
  /** Every external module the bundle imports, with the input file that imports it. */
  externals: Array<{ module: string; from: string }>;
}

/** bundleWorker bundles the example Worker as a Workers build would. */
async function bundleWorker(): Promise<Bundle> {
  const r = await esbuild.build({
    entryPoints: [path.join(ROOT, 'docs/examples/workers/worker.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'import'],
    mainFields: ['module', 'main'],
    external: ['node:*', ...builtinModules],
    alias: {
      'imageproxy/fetch': path.join(DIST, 'lib/fetch-entry.js'),
      'prom-client': path.join(DIST, 'lib/metrics-off.js'),
    },
    metafile: true,
    logLevel: 'silent',
  });
  const externals = Object.entries(r.metafile.inputs).flatMap(([from, input]) =>
    input.imports.filter((i) => i.external && i.path !== '<runtime>').map((i) => ({ module: i.path, from })));
  return { code: r.outputFiles[0].text, externals };
}

let origin: Origin;
let bundle: Bundle;
let mf: Miniflare;

before(async () => {
  origin = await startJpegOrigin();
  bundle = await bundleWorker();
  const script = { modules: [{ type: 'ESModule' as const, path: 'worker.mjs', contents: bundle.code }] };
  mf = new Miniflare({
    workers: [
      // The first worker is the one dispatchFetch reaches; loopback origins need private networks allowed.
      { name: 'open', ...script, compatibilityDate: '2024-09-23', compatibilityFlags: ['nodejs_compat'], bindings: { ALLOW_PRIVATE_NETWORKS: 'true' } },
      { name: 'strict', ...script, compatibilityDate: '2024-09-23', compatibilityFlags: ['nodejs_compat'] },
    ],
  });
  await mf.ready;
});
after(async () => {
  await mf?.dispose();
  await origin?.close();
});

test('the Worker bundle imports only node: modules that workerd provides', () => {
  const ours = bundle.externals.filter((e) => !WORKER_NODE_MODULES.has(e.module));
  assert.deepEqual(ours, [], `bundle externals outside ${[...WORKER_NODE_MODULES].join(', ')} = ${JSON.stringify(ours)}, want none`);
});

test('under workerd the Worker resizes JPEGs from a loopback origin, one request after another, and caches them in memory', async () => {
  const cases = [
    { name: 'first request', width: 100, wantCache: 'MISS', wantOriginHits: 1 },
    { name: 'same variant again', width: 100, wantCache: 'HIT', wantOriginHits: 1 },
    // A transform after an earlier request has answered: no state of that request may be needed.
    { name: 'another size', width: 60, wantCache: 'MISS', wantOriginHits: 1 },
    { name: 'a third size', width: 30, wantCache: 'MISS', wantOriginHits: 1 },
  ];
  for (const c of cases) {
    const url = `http://proxy.test/${c.width}x/${origin.url}/photo.jpg`;
    const r = await mf.dispatchFetch(url);
    const body = new Uint8Array(await r.arrayBuffer());
    const got = { status: r.status, type: r.headers.get('content-type'), cache: r.headers.get('x-cache') };
    assert.deepEqual(got, { status: 200, type: 'image/jpeg', cache: c.wantCache }, `${c.name}: GET ${url} = ${JSON.stringify(got)} ${r.status === 200 ? '' : new TextDecoder().decode(body)}`);
    const size = await decodedSize(body);
    const want = { format: 'jpeg', width: c.width, height: Math.round((c.width * JPEG_HEIGHT) / JPEG_WIDTH) };
    assert.deepEqual(size, want, `${c.name}: decoded answer = ${JSON.stringify(size)}, want ${JSON.stringify(want)}`);
    assert.equal(origin.hits('/photo.jpg'), c.wantOriginHits, `${c.name}: origin hits = ${origin.hits('/photo.jpg')}, want ${c.wantOriginHits} (the original is cached)`);
  }
});

test('under workerd WebP and AVIF output are refused with 422: Workers compile no WebAssembly at run time', async () => {
  const cases = [
    { format: 'webp', wantBody: /could not be encoded as WebP/ },
    { format: 'avif', wantBody: /could not be encoded as AVIF/ },
  ];
  for (const c of cases) {
    const url = `http://proxy.test/100x,${c.format}/${origin.url}/photo.jpg`;
    const r = await mf.dispatchFetch(url);
    const body = await r.text();
    assert.equal(r.status, 422, `GET ${url} = ${r.status} ${body}, want 422`);
    assert.match(body, c.wantBody, `GET ${url}: body = ${JSON.stringify(body)}`);
  }
});

test('under workerd the Worker refuses private origins it can see, and says metrics are not collected', async () => {
  // miniflare's Fetcher typings are workerd's; its fetch takes and gives undici's Request and Response.
  const strict = (await mf.getWorker('strict')) as unknown as { fetch(url: string, init: { method: string }): Promise<Response> };
  const cases = [
    { name: 'loopback literal', path: `/100x/${origin.url}/photo.jpg`, wantStatus: 403, wantBody: /private network/ },
    { name: 'localhost name', path: `/100x/http://localhost:${origin.port}/photo.jpg`, wantStatus: 403, wantBody: /private network/ },
    { name: 'metrics', path: '/metrics', wantStatus: 200, wantBody: /not collected/ },
    { name: 'POST', path: `/100x/${origin.url}/photo.jpg`, method: 'POST', wantStatus: 405, wantBody: /GET and HEAD/ },
  ];
  const before = origin.hits();
  for (const c of cases) {
    const r = await strict.fetch(`http://proxy.test${c.path}`, { method: c.method ?? 'GET' });
    const body = await r.text();
    assert.equal(r.status, c.wantStatus, `${c.name}: ${c.method ?? 'GET'} ${c.path} = ${r.status} ${body}, want ${c.wantStatus}`);
    assert.match(body, c.wantBody, `${c.name}: body = ${JSON.stringify(body)}, want ${c.wantBody}`);
  }
  assert.equal(origin.hits(), before, `origin hits after refusals = ${origin.hits()}, want ${before}`);
});
