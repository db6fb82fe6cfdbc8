/**
 * `npm run load`: a bounded, self-stopping load test of the caching proxy on the loopback.
 *
 * autocannon sends a mix of cache hits (a small hot set of URLs, warmed first) and misses (random
 * widths plus a unique query, over several images) to `imageproxy -cache memory` for a set time,
 * while a worker thread polls /health-check every 250 ms. The report (requests/s, latency, status
 * counts, shedding, health-check latency, peak RSS) goes into bench/RESULTS.md's load section.
 *
 * Flags: --seconds N (30) --connections N (16) --hit-ratio R (0.8) --no-write
 *        --proxy PATH (dist/cli/imageproxy.js) --proxy-args="-flag value ..." (extra proxy flags)
 */
import os from 'node:os';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { startOrigin } from './lib/origin.js';
import { get } from './lib/client.js';
import { startProxy, type ServerProcess } from './lib/proc.js';
import { runCannon, type CannonSummary } from './lib/cannon.js';
import { percentile, fmt, fmtBytes } from './lib/stats.js';
import { machineInfo, loadAverage, table, updateResults } from './lib/report.js';
import { REPO_ROOT, BENCH_IMAGES, type ImageName } from './lib/images.js';
import type { HealthConfig, HealthReport } from './lib/health-worker.js';

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    connections: { type: 'string', default: '16' },
    'hit-ratio': { type: 'string', default: '0.8' },
    'no-write': { type: 'boolean', default: false },
    proxy: { type: 'string', default: path.join(REPO_ROOT, 'dist', 'cli', 'imageproxy.js') },
    'proxy-args': { type: 'string', default: '' },
  },
});
/** MAX_SECONDS bounds a run whatever the flag says, so a typo cannot start an endless test. */
const MAX_SECONDS = 600;
const SECONDS = Math.min(MAX_SECONDS, Math.max(1, Number(flags.seconds) || 30));
const CONNECTIONS = Math.min(256, Math.max(1, Number(flags.connections) || 16));
const HIT_RATIO = Math.min(1, Math.max(0, Number(flags['hit-ratio'])));
/** HEALTH_INTERVAL_MS is the health-check polling period the issue asks for. */
const HEALTH_INTERVAL_MS = 250;
/** HEALTH_TIMEOUT_MS counts a probe slower than a typical orchestrator timeout as failed. */
const HEALTH_TIMEOUT_MS = 5_000;

/** HOT_SET is the small set of URLs (image, option string) that cache hits cycle through. */
const HOT_SET: Array<[ImageName, string]> = [
  ['jpeg1024', '500x'],
  ['jpeg1024', '300x'],
  ['jpeg1024', '200x200'],
  ['jpeg4000', '500x'],
  ['jpeg4000', '1024x'],
  ['png1024', '400x'],
  ['gif640', '320x'],
  ['jpeg1024', '100x,q80'],
];
/** MISS_MIX weighs the images of cache misses: mostly mid-size JPEGs, some heavy ones. */
const MISS_MIX: Array<[ImageName, number]> = [
  ['jpeg1024', 0.6],
  ['png1024', 0.2],
  ['jpeg4000', 0.1],
  ['gif640', 0.1],
];

/** machineAtStart is the machine description taken before the run. */
let machineAtStart: string[] = [];

/** PROXY_ARGS are extra proxy flags from --proxy-args, split on spaces. */
const PROXY_ARGS = flags['proxy-args']!.split(/\s+/).filter(Boolean);

const log = (msg: string) => process.stderr.write(`load: ${msg}\n`);

function pickMiss(originURL: string, n: number): string {
  let r = Math.random();
  let image: ImageName = MISS_MIX[0][0];
  for (const [name, weight] of MISS_MIX) {
    if (r < weight) {
      image = name;
      break;
    }
    r -= weight;
  }
  const width = 200 + Math.floor(Math.random() * 701);
  return `/${width}x/${originURL}/${BENCH_IMAGES[image]}?miss=${n}`;
}

interface Classified {
  latencies: { hit: number[]; miss: number[] };
  shed: number;
  shedWithoutRetryAfter: number;
}

async function main(): Promise<void> {
  const script = path.resolve(flags.proxy!);
  if (!existsSync(script)) {
    console.error(`load: ${path.relative(REPO_ROOT, script)} does not exist; build the proxy first.`);
    process.exit(1);
  }
  machineAtStart = machineInfo(REPO_ROOT);
  const origin = await startOrigin();
  let proxy: ServerProcess | undefined;
  let health: Worker | undefined;
  try {
    proxy = await startProxy(script, ['-cache', 'memory', ...PROXY_ARGS]);
    log(`proxy on ${proxy.url}, origin on ${origin.url}; ${SECONDS} s, ${CONNECTIONS} connections, ${HIT_RATIO * 100}% hits`);

    const hotPaths = HOT_SET.map(([image, opts]) => `/${opts}/${origin.url}/${BENCH_IMAGES[image]}`);
    const warmNotes: string[] = [];
    for (const p of hotPaths) {
      const r = await get(proxy.url + p);
      if (r.status !== 200) warmNotes.push(`warming ${p} -> ${r.status}`);
    }

    const classified: Classified = { latencies: { hit: [], miss: [] }, shed: 0, shedWithoutRetryAfter: 0 };
    let seq = 0;
    health = new Worker(new URL('./lib/health-worker.js', import.meta.url), {
      workerData: { url: proxy.url, intervalMs: HEALTH_INTERVAL_MS, timeoutMs: HEALTH_TIMEOUT_MS } satisfies HealthConfig,
    });
    const healthDone = new Promise<HealthReport>((resolve, reject) => {
      health!.once('message', resolve);
      health!.once('error', reject);
    });
    const originURL = origin.url;
    const result: CannonSummary = await runCannon({
      url: proxy.url,
      connections: CONNECTIONS,
      duration: SECONDS,
      requests: [
        {
          setupRequest(req, context) {
            const n = seq++;
            const hit = Math.random() < HIT_RATIO;
            context.kind = hit ? 'hit' : 'miss';
            req.path = hit ? hotPaths[n % hotPaths.length] : pickMiss(originURL, n);
            return req;
          },
        },
      ],
      setupClient(client) {
        client.on('headers', (h: { statusCode: number; headers: string[] }) => {
          if (h.statusCode !== 503) return;
          classified.shed++;
          const names = h.headers.filter((_, i) => i % 2 === 0).map((x) => x.toLowerCase());
          if (!names.includes('retry-after')) classified.shedWithoutRetryAfter++;
        });
        client.on('response', (status: number, _bytes: number, ms: number) => {
          const kind = client.requestIterator?.context?.kind;
          if (status === 200 && (kind === 'hit' || kind === 'miss')) classified.latencies[kind].push(ms);
        });
      },
    });
    health.postMessage('stop');
    const hr = await healthDone;
    const peak = proxy.peakRss();
    const md = render(result, classified, hr, peak, warmNotes);
    process.stdout.write(`${md}\n`);
    if (!flags['no-write']) {
      const line =
        `- ${new Date().toISOString().slice(0, 16)}Z load (load avg ${os.loadavg()[0].toFixed(1)}): ${SECONDS} s, ${CONNECTIONS} conns, ${HIT_RATIO * 100}% hits: ` +
        `${fmt(result.rps, 0)} req/s, p50 ${fmt(result.p50)} / p99 ${fmt(result.p99)} ms, ` +
        `503 shed ${classified.shed}, errors ${countErrors(result, classified)}, ` +
        `health p50 ${fmt(percentile(hr.latencies, 50))} / max ${fmt(maxOf(hr.latencies))} ms, peak RSS ${fmtBytes(peak)}`;
      updateResults(path.join(REPO_ROOT, 'bench', 'RESULTS.md'), 'load', md, line);
      log('wrote bench/RESULTS.md');
    }
  } finally {
    await health?.terminate();
    await proxy?.stop();
    await origin.close();
  }
}

function maxOf(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => Math.max(a, b)) : NaN;
}

/** countErrors counts failed requests: connection errors plus non-2xx answers other than 503 shedding with Retry-After. */
function countErrors(r: CannonSummary, c: Classified): number {
  let n = r.errors;
  for (const [code, count] of Object.entries(r.statusCounts)) {
    if (!code.startsWith('2') && code !== '503') n += count;
  }
  return n + c.shedWithoutRetryAfter;
}

function render(r: CannonSummary, c: Classified, hr: HealthReport, peak: number, warmNotes: string[]): string {
  const out: string[] = [];
  out.push(
    `Run: ${SECONDS} s, ${CONNECTIONS} autocannon connections to \`imageproxy ${['-cache', 'memory', ...PROXY_ARGS].join(' ')}\`; ${HIT_RATIO * 100}% of requests ` +
      `cycle over ${HOT_SET.length} hot URLs (warmed first), the rest are misses with a random width 200..900 and a unique query ` +
      `(${MISS_MIX.map(([n, w]) => `${w * 100}% ${BENCH_IMAGES[n]}`).join(', ')}). /health-check polled every ${HEALTH_INTERVAL_MS} ms on a fresh connection.`,
    '',
  );
  out.push('### Machine', '', ...machineAtStart, `- Load average at the end: ${loadAverage()}`, '');
  const lat = (xs: number[]) => `${fmt(percentile(xs, 50))} / ${fmt(percentile(xs, 99))}`;
  out.push(
    table(
      ['measure', 'value'],
      [
        ['responses per second (all statuses)', fmt(r.rps, 1)],
        ['responses', String(r.total)],
        ['latency p50 / p99 / max, ms (all)', `${fmt(r.p50)} / ${fmt(r.p99)} / ${fmt(r.max)}`],
        [`latency p50 / p99, ms, 200 hits (${c.latencies.hit.length})`, lat(c.latencies.hit)],
        [`latency p50 / p99, ms, 200 misses (${c.latencies.miss.length})`, lat(c.latencies.miss)],
        ['responses by status', Object.entries(r.statusCounts).map(([k, v]) => `${k}: ${v}`).join(', ') || 'none'],
        ['503 shed (with Retry-After: expected)', String(c.shed - c.shedWithoutRetryAfter)],
        ['503 without Retry-After (error)', String(c.shedWithoutRetryAfter)],
        ['connection errors / timeouts', `${r.errors} / ${r.timeouts}`],
        ['errors (connection errors + non-2xx other than 503 shedding)', String(countErrors(r, c))],
        [`health-check p50 / max, ms (${hr.latencies.length} ok)`, `${fmt(percentile(hr.latencies, 50))} / ${fmt(maxOf(hr.latencies))}`],
        ['health-check failures', Object.entries(hr.failures).map(([k, v]) => `${k}: ${v}`).join(', ') || 'none'],
        ['proxy peak RSS (VmHWM)', fmtBytes(peak)],
      ],
    ),
    '',
  );
  if (warmNotes.length) out.push('Notes:', '', ...warmNotes.map((n) => `- ${n}`), '');
  return out.join('\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
