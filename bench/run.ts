/**
 * `npm run bench`: measures the proxy against plain jimp and the Go reference on local images and
 * writes the results into bench/RESULTS.md. See bench/README.md for the method.
 *
 * Flags: --runs N (15) --warmup N (3) --seconds N (10, throughput) --cache-seconds N (5)
 *        --connections N (8, cache-hit run) --no-go --no-jimp --no-proxy --no-write
 *        --proxy PATH (dist/bin/imageproxy.js) --proxy-args="-flag value ..." (extra proxy flags)
 */
import os from 'node:os';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startOrigin, startBareServer, type Server } from './lib/origin.js';
import { get, newAgent, closedLoop, mergeLoops, throwUnlessOk, type LoopResult } from './lib/client.js';
import { startProxy, type ServerProcess } from './lib/proc.js';
import { buildGoref, startGoref } from './lib/goref.js';
import { JimpPool } from './lib/jimp.js';
import { runCannon, mergeCannon, type CannonSummary } from './lib/cannon.js';
import { qualityOf, referenceCheck } from './lib/quality.js';
import { summarize, ratio, fmt, fmtBytes, percentile, type Summary } from './lib/stats.js';
import { machineInfo, loadAverage, verdict, table, updateResults, type Verdict } from './lib/report.js';
import { REPO_ROOT, IMAGES_DIR, BENCH_IMAGES, type ImageName } from './lib/images.js';
import { benchColour } from './colour.js';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    'cache-seconds': { type: 'string', default: '5' },
    connections: { type: 'string', default: '8' },
    'no-go': { type: 'boolean', default: false },
    'no-jimp': { type: 'boolean', default: false },
    'no-proxy': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    proxy: { type: 'string', default: path.join(REPO_ROOT, 'dist', 'bin', 'imageproxy.js') },
    'proxy-args': { type: 'string', default: '' },
  },
});
const RUNS = Number(flags.runs);
const WARMUP = Number(flags.warmup);
const SECONDS = Number(flags.seconds);
const CACHE_SECONDS = Number(flags['cache-seconds']);
const CONNECTIONS = Number(flags.connections);
/** TARGET_WIDTH and QUALITY are the request: 500 px wide at JPEG quality 95. */
const TARGET_WIDTH = 500;
const QUALITY = 95;
/** CONCURRENCY is the throughput setting. */
const CONCURRENCY = 4;
/** Throughput widths cycle through 300..700 so no two neighbouring requests are alike. */
const MIN_W = 300;
const MAX_W = 700;

/** CASES are the sequential-latency cases, in report order. */
const CASES: Array<{ image: ImageName; label: string }> = [
  { image: 'jpeg1024', label: 'JPEG 1024x683 → 500w' },
  { image: 'jpeg4000', label: 'JPEG 4000x2667 → 500w' },
  { image: 'png1024', label: 'PNG 1024x683 → 500w' },
  { image: 'gif640', label: 'GIF 640x427 ×5 frames → 500w' },
];

type EngineName = 'proxy' | 'jimp' | 'go';
const ENGINES: EngineName[] = ['proxy', 'jimp', 'go'];
const ENGINE_LABEL: Record<EngineName, string> = { proxy: 'imageproxy (this)', jimp: 'jimp 1.6 (pure JS)', go: 'Go reference' };

/** Engine sends one "resize this image to width w" request and returns the output bytes. */
type Engine = (image: ImageName, width: number, seq: number) => Promise<Uint8Array>;

interface CaseResult {
  latency?: Summary;
  bytes?: number;
  format?: string;
  width?: number;
  height?: number;
  psnr?: number;
  error?: string;
}

interface EngineResult {
  cases: Partial<Record<ImageName, CaseResult>>;
  throughput?: LoopResult;
  peakRss?: number;
}

const notes: string[] = [];
/** PROXY_ARGS are extra proxy flags from --proxy-args, split on spaces. */
const PROXY_ARGS = flags['proxy-args']!.split(/\s+/).filter(Boolean);

const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

function widthFor(i: number): number {
  // A stride coprime with the range visits every width before repeating.
  return MIN_W + ((i * 97) % (MAX_W - MIN_W + 1));
}

/** Contender is an engine under test with its results so far. */
interface Contender {
  name: EngineName;
  engine: Engine;
  result: EngineResult;
}

let seq = 0;

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * measureLatency runs every case with the engines interleaved — warm-ups for each, then run i of
 * each engine in a rotating order — so a change in the machine's other load hits all engines
 * alike instead of whichever happened to run then. Quality is measured afterwards.
 */
async function measureLatency(contenders: Contender[]): Promise<void> {
  for (const c of CASES) {
    const times = new Map<Contender, number[]>();
    const last = new Map<Contender, Uint8Array>();
    const alive = new Set<Contender>();
    const once = async (k: Contender, timed: boolean) => {
      try {
        const t0 = performance.now();
        const out = await k.engine(c.image, TARGET_WIDTH, seq++);
        const ms = performance.now() - t0;
        if (timed) times.get(k)!.push(ms);
        last.set(k, out);
      } catch (err) {
        alive.delete(k);
        k.result.cases[c.image] = { error: errorText(err) };
        notes.push(`${ENGINE_LABEL[k.name]}, ${c.label}: failed: ${errorText(err).slice(0, 300)}`);
        log(`${k.name} ${c.label}: ${errorText(err)}`);
      }
    };
    for (const k of contenders) {
      times.set(k, []);
      alive.add(k);
    }
    for (let i = 0; i < WARMUP; i++) for (const k of contenders) if (alive.has(k)) await once(k, false);
    for (let i = 0; i < RUNS; i++) {
      for (let j = 0; j < contenders.length; j++) {
        const k = contenders[(i + j) % contenders.length];
        if (alive.has(k)) await once(k, true);
      }
    }
    for (const k of alive) {
      const out = last.get(k)!;
      const cr: CaseResult = { latency: summarize(times.get(k)!), bytes: out.length };
      try {
        const q = qualityOf(path.join(IMAGES_DIR, BENCH_IMAGES[c.image]), out);
        Object.assign(cr, q);
        if (q.width !== TARGET_WIDTH) notes.push(`${ENGINE_LABEL[k.name]}, ${c.label}: output is ${q.width}x${q.height}, not ${TARGET_WIDTH} px wide.`);
      } catch (err) {
        notes.push(`${ENGINE_LABEL[k.name]}, ${c.label}: cannot decode the output: ${errorText(err)}`);
      }
      k.result.cases[c.image] = cr;
      log(`${k.name} ${c.label}: median ${fmt(cr.latency!.median)} ms, ${cr.bytes} B, PSNR ${fmt(cr.psnr, 2)} dB`);
    }
  }
}

/** THROUGHPUT_SLICE_S is the length of one engine's turn in the alternating throughput run. */
const THROUGHPUT_SLICE_S = 5;

/**
 * measureThroughput gives each engine SECONDS in total at concurrency 4, in alternating slices of
 * about THROUGHPUT_SLICE_S, and adds up each engine's slices.
 */
async function measureThroughput(contenders: Contender[]): Promise<void> {
  const rounds = Math.max(1, Math.round(SECONDS / THROUGHPUT_SLICE_S));
  const parts = new Map<Contender, LoopResult[]>(contenders.map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const k of contenders) {
      parts.get(k)!.push(await closedLoop(CONCURRENCY, SECONDS / rounds, async () => {
        const i = seq++;
        await k.engine('jpeg1024', widthFor(i), i);
      }));
    }
  }
  for (const k of contenders) {
    const m = mergeLoops(parts.get(k)!);
    k.result.throughput = m;
    if (m.failed > 0) notes.push(`${ENGINE_LABEL[k.name]}, throughput: ${m.failed} failed requests, first: ${m.firstError?.slice(0, 200)}`);
    log(`${k.name} c=${CONCURRENCY}: ${fmt(m.rps, 2)} req/s (${m.ok} ok, ${m.failed} failed)`);
  }
}

/**
 * httpEngine requests `${base}/${w}x${suffix}/${origin}/${file}` with a cache-busting query.
 * singleSlash writes the origin as `http:/host` for Go's ServeMux, which redirects any path
 * containing `//` to its cleaned form (goref restores the `://`).
 */
function httpEngine(base: string, origin: Server, optionSuffix: string, singleSlash = false): Engine {
  const agent = newAgent(CONCURRENCY);
  const originURL = singleSlash ? origin.url.replace('://', ':/') : origin.url;
  return async (image, width, seq) => {
    const url = `${base}/${width}x${optionSuffix}/${originURL}/${BENCH_IMAGES[image]}?bust=${seq}`;
    return throwUnlessOk(await get(url, agent), url).body;
  };
}

/** CACHE_ROUNDS is how many alternating turns the cache-hit comparison takes per server. */
const CACHE_ROUNDS = 2;

interface CacheResult {
  proxy?: CannonSummary;
  bare?: CannonSummary;
  proxyPeakRss?: number;
}

/** measureCacheHits compares the caching proxy on one hot URL with a bare server of the same bytes. */
async function measureCacheHits(script: string, origin: Server): Promise<CacheResult> {
  const out: CacheResult = {};
  let proxy: ServerProcess | undefined;
  let bare: Server | undefined;
  try {
    proxy = await startProxy(script, ['-cache', 'memory', ...PROXY_ARGS]);
    const pathPart = `/${TARGET_WIDTH}x,q${QUALITY}/${origin.url}/${BENCH_IMAGES.jpeg1024}`;
    const first = throwUnlessOk(await get(proxy.url + pathPart), pathPart);
    await get(proxy.url + pathPart); // Make sure the variant is stored before timing.
    const bareType = String(first.headers['content-type'] ?? 'image/jpeg');
    bare = await startBareServer(first.body, bareType);
    // Alternate the two servers in CACHE_ROUNDS turns each, as with the engines above.
    const proxyRuns: CannonSummary[] = [];
    const bareRuns: CannonSummary[] = [];
    for (let r = 0; r < CACHE_ROUNDS; r++) {
      proxyRuns.push(await runCannon({ url: proxy.url + pathPart, connections: CONNECTIONS, duration: CACHE_SECONDS / CACHE_ROUNDS }));
      bareRuns.push(await runCannon({ url: `${bare.url}${pathPart}`, connections: CONNECTIONS, duration: CACHE_SECONDS / CACHE_ROUNDS }));
    }
    out.proxy = mergeCannon(proxyRuns);
    out.bare = mergeCannon(bareRuns);
    out.proxyPeakRss = proxy.peakRss();
    const non200 = out.proxy.total - (out.proxy.statusCounts['200'] ?? 0);
    if (non200 > 0) notes.push(`cache hits: ${non200} non-200 responses from the proxy (${JSON.stringify(out.proxy.statusCounts)})`);
    log(`cache hits: proxy ${fmt(out.proxy.rps, 0)} req/s, bare ${fmt(out.bare.rps, 0)} req/s`);
  } catch (err) {
    notes.push(`cache-hit run failed: ${err instanceof Error ? err.message.slice(0, 300) : String(err)}`);
  } finally {
    await proxy?.stop();
    await bare?.close();
  }
  return out;
}

function row(cells: Array<string | number>): string[] {
  return cells.map(String);
}

/** machineAtStart is the machine description taken before the run, when its load is still ours to see. */
let machineAtStart: string[] = [];

async function main(): Promise<void> {
  machineAtStart = machineInfo(REPO_ROOT);
  const refDb = referenceCheck();
  if (refDb !== undefined) {
    notes.push(`Reference check: our Lanczos3 vs disintegration/imaging's golden Lanczos resize (branches.png → 150x100): ${fmt(refDb, 2)} dB.`);
  }
  const origin = await startOrigin();
  const results: Partial<Record<EngineName, EngineResult>> = {};
  let cache: CacheResult = {};
  let goRss: number | undefined;
  log(`origin on ${origin.url}; ${RUNS} runs after ${WARMUP} warm-ups; ${SECONDS} s at c=${CONCURRENCY}`);

  // All engines are started first and then driven in turn (interleaved), so drifting load from
  // other processes affects them alike; an idle engine waits on its socket and costs no CPU.
  const contenders: Contender[] = [];
  const stops: Array<() => Promise<void>> = [];
  let proxy: ServerProcess | undefined;
  let go: ServerProcess | undefined;
  const script = path.resolve(flags.proxy!);
  try {
    if (!flags['no-proxy']) {
      if (!existsSync(script)) {
        notes.push(`imageproxy not measured: ${path.relative(REPO_ROOT, script)} does not exist (build it first).`);
      } else {
        try {
          proxy = await startProxy(script, PROXY_ARGS);
          stops.push(() => proxy!.stop());
          log(`proxy (uncached) on ${proxy.url}`);
          contenders.push({ name: 'proxy', engine: httpEngine(proxy.url, origin, `,q${QUALITY}`), result: { cases: {} } });
        } catch (err) {
          notes.push(`imageproxy not measured: ${errorText(err).slice(0, 400)}`);
        }
      }
    }
    if (!flags['no-jimp']) {
      const size = Math.min(CONCURRENCY, os.availableParallelism());
      const pool = new JimpPool(size);
      stops.push(() => pool.close());
      contenders.push({
        name: 'jimp',
        engine: (image, width) => pool.resize(`${origin.url}/${BENCH_IMAGES[image]}`, width, QUALITY),
        result: { cases: {} },
      });
      notes.push(`jimp runs in ${size} worker thread(s) of the bench process (one job per worker), default resize filter, JPEG output for every input.`);
    }
    if (!flags['no-go']) {
      const build = buildGoref();
      if ('skipped' in build) {
        notes.push(`Go reference skipped: ${build.skipped}`);
        log(`Go skipped: ${build.skipped}`);
      } else {
        try {
          go = await startGoref(build.binary);
          stops.push(() => go!.stop());
          log(`Go reference on ${go.url}`);
          contenders.push({ name: 'go', engine: httpEngine(go.url, origin, '', true), result: { cases: {} } });
          notes.push('The Go reference decodes the first frame only and always encodes JPEG q95 (4:2:0).');
        } catch (err) {
          notes.push(`Go reference failed to start: ${errorText(err).slice(0, 300)}`);
        }
      }
    }
    await measureLatency(contenders);
    await measureThroughput(contenders);
    for (const k of contenders) results[k.name] = k.result;
    if (results.proxy) results.proxy.peakRss = proxy!.peakRss();
    if (results.go) goRss = results.go.peakRss = go!.peakRss();
  } finally {
    for (const stop of stops) await stop();
  }
  if (results.proxy) cache = await measureCacheHits(script, origin);
  await origin.close();
  if (!flags['no-proxy']) notes.push(...(await benchColour(RUNS)).map((c) => `Colour (#12), ${c.label}: untagged ${fmt(c.untaggedMs, 1)} ms, Display P3 ${fmt(c.p3Ms, 1)} ms in-process (${fmt(c.extra * 100, 1)}% extra; goal < 15%).`));

  const md = render(results, cache, goRss);
  process.stdout.write(`${md}\n`);
  if (!flags['no-write']) {
    const p = results.proxy?.cases.jpeg1024?.latency?.median;
    const j = results.jimp?.cases.jpeg1024?.latency?.median;
    const g = results.go?.cases.jpeg1024?.latency?.median;
    const p4 = results.proxy?.cases.jpeg4000?.latency?.median;
    const g4 = results.go?.cases.jpeg4000?.latency?.median;
    const line =
      `- ${new Date().toISOString().slice(0, 16)}Z bench (load avg ${os.loadavg()[0].toFixed(1)}): 1024→500 median proxy ${fmt(p)} / jimp ${fmt(j)} / Go ${fmt(g)} ms; ` +
      `4000→500 proxy ${fmt(p4)} / Go ${fmt(g4)} ms; c=4 req/s proxy ${fmt(results.proxy?.throughput?.rps, 2)} / ` +
      `jimp ${fmt(results.jimp?.throughput?.rps, 2)} / Go ${fmt(results.go?.throughput?.rps, 2)}; ` +
      `cache hits ${fmt(cache.proxy?.rps, 0)} vs bare ${fmt(cache.bare?.rps, 0)} req/s; ` +
      `proxy peak RSS ${fmtBytes(results.proxy?.peakRss)}; targets met ${lastMet}/${lastTotal}`;
    updateResults(path.join(REPO_ROOT, 'bench', 'RESULTS.md'), 'bench', md, line);
    log('wrote bench/RESULTS.md');
  }
}

let lastMet = 0;
let lastTotal = 0;

function render(results: Partial<Record<EngineName, EngineResult>>, cache: CacheResult, goRss: number | undefined): string {
  const out: string[] = [];
  const lat = (e: EngineName, img: ImageName) => results[e]?.cases[img]?.latency?.median;
  const cell = (e: EngineName, img: ImageName) => {
    const c = results[e]?.cases[img];
    if (!results[e]) return 'skipped';
    if (c?.error) return 'error';
    return fmt(c?.latency?.median);
  };

  out.push(`Run: ${RUNS} sequential requests after ${WARMUP} warm-ups per case; throughput ${SECONDS} s at concurrency ${CONCURRENCY} ` +
    `(widths ${MIN_W}..${MAX_W}); cache hits ${CACHE_SECONDS} s at ${CONNECTIONS} connections.` +
    (PROXY_ARGS.length ? ` Extra proxy flags: \`${PROXY_ARGS.join(' ')}\`.` : ''), '');
  out.push('### Machine', '', ...machineAtStart, `- Load average at the end: ${loadAverage()}`, '');

  // Targets.
  const t: Array<{ name: string; value: number; limit: number; kind: 'atLeast' | 'atMost' | 'below'; show: string; goal: string }> = [];
  const p1 = lat('proxy', 'jpeg1024');
  const j1 = lat('jimp', 'jpeg1024');
  const g1 = lat('go', 'jpeg1024');
  const p4 = lat('proxy', 'jpeg4000');
  const g4 = lat('go', 'jpeg4000');
  const pr = results.proxy?.throughput?.rps;
  const jr = results.jimp?.throughput?.rps;
  const gr = results.go?.throughput?.rps;
  t.push({ name: '1024→500 latency vs jimp', value: ratio(j1, p1), limit: 3, kind: 'atLeast', show: `${fmt(ratio(j1, p1), 2)}× faster`, goal: '≥ 3× faster' });
  t.push({ name: '1024→500 latency vs Go', value: ratio(p1, g1), limit: 1.5, kind: 'atMost', show: `${fmt(ratio(p1, g1), 2)}× Go's time`, goal: '≤ 1.5× Go' });
  t.push({ name: `c=${CONCURRENCY} throughput vs jimp`, value: ratio(pr, jr), limit: 3, kind: 'atLeast', show: `${fmt(ratio(pr, jr), 2)}× jimp's req/s`, goal: '≥ 3×' });
  t.push({ name: `c=${CONCURRENCY} throughput vs Go`, value: ratio(gr, pr), limit: 1.5, kind: 'atMost', show: `Go does ${fmt(ratio(gr, pr), 2)}× ours`, goal: 'Go ≤ 1.5× ours' });
  t.push({ name: '4000→500 latency vs Go', value: ratio(p4, g4), limit: 2, kind: 'atMost', show: `${fmt(ratio(p4, g4), 2)}× Go's time`, goal: '≤ 2× Go' });
  for (const img of ['jpeg1024', 'jpeg4000'] as const) {
    const pc = results.proxy?.cases[img];
    const gc = results.go?.cases[img];
    const short = img === 'jpeg1024' ? '1024' : '4000';
    t.push({ name: `${short}→500 output bytes vs Go`, value: ratio(pc?.bytes, gc?.bytes), limit: 1.1, kind: 'atMost', show: `${fmt(ratio(pc?.bytes, gc?.bytes), 3)}× (${pc?.bytes ?? 'n/a'} vs ${gc?.bytes ?? 'n/a'} B)`, goal: '≤ 1.1× Go' });
    const dp = (pc?.psnr ?? NaN) - (gc?.psnr ?? NaN);
    t.push({ name: `${short}→500 PSNR vs Go`, value: dp, limit: 0, kind: 'atLeast', show: `${fmt(pc?.psnr, 2)} vs ${fmt(gc?.psnr, 2)} dB`, goal: '≥ Go' });
  }
  const hit = ratio(cache.proxy?.rps, cache.bare?.rps);
  t.push({ name: 'cache hits vs bare http server', value: hit, limit: 0.6, kind: 'atLeast', show: `${fmt(hit, 2)}× (${fmt(cache.proxy?.rps, 0)} vs ${fmt(cache.bare?.rps, 0)} req/s)`, goal: '≥ 0.6×' });
  const rssMB = (results.proxy?.peakRss ?? NaN) / 2 ** 20;
  t.push({ name: 'proxy peak RSS (uncached run)', value: rssMB, limit: 512, kind: 'below', show: `${fmt(rssMB, 0)} MiB`, goal: '< 512 MiB' });
  const verdicts: Verdict[] = t.map((x) => verdict(x.value, x.limit, x.kind));
  lastMet = verdicts.filter((v) => v === 'met').length;
  lastTotal = verdicts.length;
  out.push('### Targets', '', table(['target', 'measured', 'goal', 'status'], t.map((x, i) => row([x.name, x.show, x.goal, `**${verdicts[i]}**`]))), '');
  out.push(`${lastMet} of ${lastTotal} targets met (n/a = an engine was skipped or failed).`, '');

  // Latency.
  out.push(`### Uncached latency, median ms (${RUNS} sequential requests)`, '');
  out.push(table(
    ['case', 'imageproxy', 'jimp', 'Go', 'jimp ÷ imageproxy', 'imageproxy ÷ Go'],
    CASES.map((c) => row([c.label, cell('proxy', c.image), cell('jimp', c.image), cell('go', c.image),
      fmt(ratio(lat('jimp', c.image), lat('proxy', c.image)), 2), fmt(ratio(lat('proxy', c.image), lat('go', c.image)), 2)])),
  ), '');
  out.push('Spread (min / p99 / max, ms):', '');
  const spreadRows: string[][] = [];
  for (const c of CASES) {
    for (const e of ENGINES) {
      const l = results[e]?.cases[c.image]?.latency;
      if (l) spreadRows.push(row([c.label, ENGINE_LABEL[e], `${fmt(l.min)} / ${fmt(l.p99)} / ${fmt(l.max)}`]));
    }
  }
  out.push(table(['case', 'engine', 'min / p99 / max'], spreadRows), '');

  // Output.
  out.push('### Output: size and quality', '');
  out.push('PSNR (dB, RGB) of the decoded output against a double-precision Lanczos3 resize of the full-resolution decode, at the output\'s own size; higher is better.', '');
  const outRows: string[][] = [];
  for (const c of CASES) {
    for (const e of ENGINES) {
      const r = results[e]?.cases[c.image];
      if (!r || r.error) continue;
      outRows.push(row([c.label, ENGINE_LABEL[e], r.format ?? '?', `${r.width}x${r.height}`, `${r.bytes} (${fmtBytes(r.bytes)})`, fmt(r.psnr, 2)]));
    }
  }
  out.push(table(['case', 'engine', 'format', 'size', 'bytes', 'PSNR'], outRows), '');

  // Throughput.
  out.push(`### Throughput, uncached, JPEG 1024x683 → ${MIN_W}..${MAX_W}w, concurrency ${CONCURRENCY}`, '');
  out.push(table(['engine', 'req/s', 'ok', 'failed', 'latency p50 ms', 'p99 ms'], ENGINES.filter((e) => results[e]).map((e) => {
    const r = results[e]!.throughput;
    if (!r) return row([ENGINE_LABEL[e], 'error', '', '', '', '']);
    return row([ENGINE_LABEL[e], fmt(r.rps, 2), r.ok, r.failed, fmt(percentile(r.latencies, 50)), fmt(percentile(r.latencies, 99))]);
  })), '');

  // Cache hits.
  out.push(`### Cache hits (proxy with -cache memory, one URL) vs a bare Node http server sending the same bytes`, '');
  out.push(`Each server ran ${CACHE_ROUNDS} alternating turns; p50 and p99 are the means of the turns' percentiles.`, '');
  const ch = (name: string, s?: CannonSummary) => (s ? row([name, fmt(s.rps, 0), fmt(s.p50, 1), fmt(s.p99, 1), s.errors, JSON.stringify(s.statusCounts)]) : row([name, 'n/a', '', '', '', '']));
  out.push(table(['server', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'statuses'], [ch('imageproxy (cache hit)', cache.proxy), ch('bare http server', cache.bare)]), '');

  // Memory.
  out.push('### Memory (peak RSS, VmHWM)', '');
  out.push(`- imageproxy, uncached run (all cases + throughput): ${fmtBytes(results.proxy?.peakRss)}`);
  out.push(`- imageproxy, cache-hit run: ${fmtBytes(cache.proxyPeakRss)}`);
  out.push(`- Go reference: ${fmtBytes(goRss)}`, '');

  if (notes.length) out.push('### Notes', '', ...notes.map((n) => `- ${n.replace(/\n/g, ' ')}`), '');
  return out.join('\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
