// Access lines of the standalone server, read back from a real run: a json logger on a
// collecting sink, a loopback origin, real HTTP requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { FIXTURES } from '../helpers/paths.js';
import { startOrigin, waitFor, type Origin } from '../helpers/origin.js';
import { createServer, type ProxyServer } from '../../lib/server.js';
import { createLogger } from '../../lib/log.js';
import { MemoryCache } from '../../lib/cache/memory.js';
import { ACCESS_MESSAGE } from '../../lib/access.js';
import type { Transformer, TransformResult } from '../../lib/transform/types.js';

// fixtures/ximage/yellow_rose-small.png — golang.org/x/image testdata, BSD-3-Clause
const PNG = readFileSync(path.join(FIXTURES, 'ximage/yellow_rose-small.png'));

/** identity returns the source unchanged: the access line does not care what a transform does. */
const identity: Transformer = {
  run: async (bytes: Uint8Array): Promise<TransformResult> => ({ bytes, contentType: 'image/png' }),
  close: async () => undefined,
};

type Record_ = Record<string, unknown>;

/** started runs a server whose log is json lines kept in memory. */
async function started(verbose: boolean): Promise<{ s: ProxyServer; base: string; records(): Record_[] }> {
  let text = '';
  const logger = createLogger({ format: 'json', sink: { write: (c: string) => { text += c; } } });
  const s = createServer({
    allowPrivateNetworks: true, verbose, logger, cache: new MemoryCache({ maxBytes: 10_000_000, maxAgeMs: 0 }),
  }, { transformer: identity });
  const base = `http://${await s.listen('127.0.0.1:0')}`;
  const records = (): Record_[] => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record_);
  return { s, base, records };
}

let origin: Origin;
before(async () => {
  origin = await startOrigin({
    '/a.png': { headers: { 'Content-Type': 'image/png', 'Cache-Control': 'max-age=600' }, body: PNG },
    '/slow.png': { headers: { 'Content-Type': 'image/png' }, body: PNG, delayMs: 5_000 },
  });
});
after(() => origin.close());

test('-verbose writes one access line per request with method, path, status, bytes, duration, cache state and client address', async () => {
  const { s, base, records } = await started(true);
  const image = `/${origin.url}/a.png`;
  const cases: Array<{ name: string; method: string; path: string; want: { status: number; bytes: number; cache: string } }> = [
    { name: 'first fetch', method: 'GET', path: image, want: { status: 200, bytes: PNG.length, cache: 'MISS' } },
    { name: 'from cache', method: 'GET', path: image, want: { status: 200, bytes: PNG.length, cache: 'HIT' } },
    { name: 'HEAD sends no body', method: 'HEAD', path: image, want: { status: 200, bytes: 0, cache: 'HIT' } },
    { name: 'a variant', method: 'GET', path: `/10x/${origin.url}/a.png`, want: { status: 200, bytes: PNG.length, cache: 'MISS' } },
    { name: 'health check', method: 'GET', path: '/health-check', want: { status: 200, bytes: 2, cache: '-' } },
    { name: 'bad URL', method: 'GET', path: '/not-a-url', want: { status: 400, bytes: -1, cache: '-' } },
  ];
  try {
    for (const c of cases) {
      const before = records().filter((r) => r.msg === ACCESS_MESSAGE).length;
      const r = await fetch(base + c.path, { method: c.method });
      const body = Buffer.from(await r.arrayBuffer());
      assert.equal(r.status, c.want.status, `${c.name}: ${c.method} ${c.path} status = ${r.status}`);
      await waitFor(() => records().filter((x) => x.msg === ACCESS_MESSAGE).length > before, `${c.name}: the access line`);
      const lines = records().filter((x) => x.msg === ACCESS_MESSAGE);
      assert.equal(lines.length, before + 1, `${c.name}: access lines = ${lines.length}, want ${before + 1}`);
      const line = lines[lines.length - 1];
      const want = {
        level: 'info', method: c.method, path: c.path, status: c.want.status,
        bytes: c.want.bytes === -1 ? body.length : c.want.bytes, cache: c.want.cache, remote: '127.0.0.1',
      };
      const got = Object.fromEntries(Object.keys(want).map((k) => [k, line[k]]));
      assert.deepEqual(got, want, `${c.name}: access line ${JSON.stringify(line)}`);
      assert.ok(typeof line.durationMs === 'number' && line.durationMs >= 0, `${c.name}: durationMs = ${String(line.durationMs)}`);
      assert.equal(line.aborted, undefined, `${c.name}: aborted = ${String(line.aborted)}`);
    }
    const mentions = records().filter((r) => JSON.stringify(r).includes('/not-a-url') && r.level === 'info');
    assert.equal(mentions.length, 1, `info lines naming the request = ${JSON.stringify(mentions)}, want only the access line`);
  } finally {
    await s.close(100);
  }
});

test('a client that leaves before the answer is logged as 499, aborted', async () => {
  const { s, base, records } = await started(true);
  try {
    const req = http.get(`${base}/${origin.url}/slow.png`);
    req.on('error', () => undefined);
    await waitFor(() => origin.hits('/slow.png') > 0, 'the origin request');
    req.destroy();
    await waitFor(() => records().some((r) => r.msg === ACCESS_MESSAGE), 'the access line');
    const line = records().find((r) => r.msg === ACCESS_MESSAGE)!;
    const got = { status: line.status, aborted: line.aborted, bytes: line.bytes };
    assert.deepEqual(got, { status: 499, aborted: true, bytes: 0 }, `access line ${JSON.stringify(line)}`);
  } finally {
    await s.close(100);
  }
});

test('without -verbose there are no access lines', async () => {
  const { s, base, records } = await started(false);
  try {
    for (const p of [`/${origin.url}/a.png`, '/health-check', '/not-a-url']) await (await fetch(base + p)).arrayBuffer();
    // Each image request is observed in the histogram at the moment its access line would be written.
    const observed = async (): Promise<number> => {
      const m = await s.handler.metrics.requestDurationByOutcome.get();
      return m.values.filter((v) => v.metricName === 'imageproxy_request_duration_seconds_count').reduce((n, v) => n + v.value, 0);
    };
    await waitFor(async () => (await observed()) === 2, 'both image requests in the histogram');
    const access = records().filter((r) => r.msg === ACCESS_MESSAGE);
    assert.deepEqual(access, [], `access lines without -verbose: ${JSON.stringify(access)}`);
  } finally {
    await s.close(100);
  }
});
