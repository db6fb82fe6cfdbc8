/**
 * `npm run bench`: measures the proxy against sharp (libvips), plain jimp and the Go reference on
 * local images and writes the results into bench/RESULTS.md. See bench/README.md for the method.
 *
 * Flags: --runs N (15) --warmup N (3) --settle-ms N (200, before each timed request) --seconds N (10, throughput) --cache-seconds N (5)
 *        --connections N (16, cache-hit run) --no-go --no-jimp --no-sharp --no-proxy --no-write
 *        --only-sections (skip the engines; run only EXTRA_SECTIONS)
 *        --sections=a,b (run only the EXTRA_SECTIONS whose title contains a or b; "none" runs none)
 *        --help (print this)
 *        --proxy PATH (dist/cli/imageproxy.js) --proxy-args="-flag value ..." (extra proxy flags)
 */
import os from 'node:os';
import path from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startOrigin, startBareServer, type Server } from './lib/origin.js';
import { get, newAgent, closedLoop, mergeLoops, throwUnlessOk, type LoopResult } from './lib/client.js';
import { startProxy, type ServerProcess } from './lib/proc.js';
import { buildGoref, startGoref } from './lib/goref.js';
import { startSharp } from './lib/sharpref.js';
import { issueGoals, orderGoals, goalsTable, type CaseFigures, type GoalRow } from './lib/goals.js';
import { pickSections, runSections, type ExtraSection, type SectionContext } from './lib/sections.js';
import { render, CASES, ENGINE_LABEL, type EngineName, type EngineResult, type CaseResult, type CacheResult } from './lib/render.js';
import { JimpPool } from './lib/jimp.js';
import { runCannon, mergeCannon, type CannonSummary } from './lib/cannon.js';
import { qualityOf, referenceCheck } from './lib/quality.js';
import { summarize, fmt, fmtBytes } from './lib/stats.js';
import { machineInfo, updateResults } from './lib/report.js';
import { REPO_ROOT, IMAGES_DIR, BENCH_IMAGES, type ImageName } from './lib/images.js';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '3' },
    'settle-ms': { type: 'string', default: '200' },
    seconds: { type: 'string', default: '10' },
    'cache-seconds': { type: 'string', default: '5' },
    connections: { type: 'string', default: '16' },
    'no-go': { type: 'boolean', default: false },
    'no-sharp': { type: 'boolean', default: false },
    'only-sections': { type: 'boolean', default: false },
    sections: { type: 'string', default: '' },
    help: { type: 'boolean', default: false },
    'no-jimp': { type: 'boolean', default: false },
    'no-proxy': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    proxy: { type: 'string', default: path.join(REPO_ROOT, 'dist', 'cli', 'imageproxy.js') },
    'proxy-args': { type: 'string', default: '' },
  },
});
const RUNS = Number(flags.runs);
const WARMUP = Number(flags.warmup);
/**
 * SETTLE_MS is the pause before each timed request of the latency runs. Without it the engine
 * before in the rotation was still doing its after-work (Go's collector after a 4000x2667 decode,
 * jimp's threads in this process) during the next engine's request, and the order is cyclic, so
 * each engine always followed the same one: the proxy followed Go (and jimp), sharp the proxy.
 */
const SETTLE_MS = Number(flags['settle-ms']);
const SECONDS = Number(flags.seconds);
const CACHE_SECONDS = Number(flags['cache-seconds']);
const CONNECTIONS = Number(flags.connections);
/** TARGET_WIDTH and QUALITY are the issue's request: 500 px wide at JPEG quality 95. */
const TARGET_WIDTH = 500;
const QUALITY = 95;
/** CONCURRENCY is the issue's throughput setting. */
const CONCURRENCY = 4;
/** Throughput widths cycle through 300..700 so no two neighbouring requests are alike. */
const MIN_W = 300;
const MAX_W = 700;

/**
 * EXTRA_SECTIONS are other bench files run after the engines, one line each (module relative to
 * dist/bench/run.js, exporting `run(ctx: SectionContext): Promise<SectionResult>`; see lib/sections.ts).
 */
const EXTRA_SECTIONS: ExtraSection[] = [
  { title: 'Cold start: spawn to the first answered 500w transform of the 1024x683 JPEG (ms)', module: './coldstart.js' },
  { title: 'Colour: what a Display P3 source costs (issue #12)', module: './colour.js' },
  { title: 'WebP and AVIF output (issue #11)', module: './formats.js' },
  { title: 'Fleet: work done once across instances', module: './fleet.js' },
];

/** Engine sends one "resize this image to width w" request and returns the output bytes. */
type Engine = (image: ImageName, width: number, seq: number) => Promise<Uint8Array>;

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
 * each engine in a rotating order, each timed request after SETTLE_MS — so a change in the
 * machine's other load hits all engines alike instead of whichever happened to run then. Quality
 * is measured afterwards.
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
        if (!alive.has(k)) continue;
        if (SETTLE_MS > 0) await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        await once(k, true);
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
 * THROUGHPUT_SETTLE_MS is the pause before each turn, so that the engine before it has finished
 * its after-work (jimp's threads in this process collect hundreds of MB for a while after its
 * turn) and does not take cores from the next engine's turn.
 */
const THROUGHPUT_SETTLE_MS = 1_000;

/**
 * measureThroughput gives each engine SECONDS in total at concurrency 4, in alternating slices of
 * about THROUGHPUT_SLICE_S (a rotating order, each after THROUGHPUT_SETTLE_MS), and adds up each
 * engine's slices.
 */
async function measureThroughput(contenders: Contender[]): Promise<void> {
  const rounds = Math.max(1, Math.round(SECONDS / THROUGHPUT_SLICE_S));
  const parts = new Map<Contender, LoopResult[]>(contenders.map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (let j = 0; j < contenders.length; j++) {
      const k = contenders[(r + j) % contenders.length];
      await new Promise((resolve) => setTimeout(resolve, THROUGHPUT_SETTLE_MS));
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

/** machineAtStart is the machine description taken before the run, when its load is still ours to see. */
let machineAtStart: string[] = [];

/** figures picks the goal inputs of one engine's cases. */
function figures(r: EngineResult | undefined): Partial<Record<ImageName, CaseFigures>> {
  const out: Partial<Record<ImageName, CaseFigures>> = {};
  for (const c of CASES) {
    const x = r?.cases[c.image];
    if (x && !x.error) out[c.image] = { median: x.latency?.median, bytes: x.bytes, psnr: x.psnr };
  }
  return out;
}

/** startEngines starts every engine asked for and adds it to contenders. */
async function startEngines(script: string, origin: Server, contenders: Contender[], stops: Array<() => Promise<void>>):
  Promise<{ proxy?: ServerProcess; go?: ServerProcess; sharp?: ServerProcess; goBinary?: string }> {
  const out: { proxy?: ServerProcess; go?: ServerProcess; sharp?: ServerProcess; goBinary?: string } = {};
  if (!flags['no-proxy']) {
    if (!existsSync(script)) {
      notes.push(`imageproxy not measured: ${path.relative(REPO_ROOT, script)} does not exist (build it first).`);
    } else {
      try {
        const proxy = out.proxy = await startProxy(script, PROXY_ARGS);
        stops.push(() => proxy.stop());
        log(`proxy (uncached) on ${proxy.url}`);
        contenders.push({ name: 'proxy', engine: httpEngine(proxy.url, origin, `,q${QUALITY}`), result: { cases: {} } });
      } catch (err) {
        notes.push(`imageproxy not measured: ${errorText(err).slice(0, 400)}`);
      }
    }
  }
  if (!flags['no-sharp']) {
    try {
      const sharp = out.sharp = await startSharp();
      stops.push(() => sharp.stop());
      log(`sharp reference on ${sharp.url}`);
      contenders.push({ name: 'sharp', engine: httpEngine(sharp.url, origin, `,q${QUALITY}`), result: { cases: {} } });
      notes.push('sharp runs in its own node:http process with its defaults (Lanczos3; JPEG q95 4:2:0, PNG level 6, GIF with every frame), keeping the input format as the proxy does.');
    } catch (err) {
      notes.push(`sharp reference failed to start: ${errorText(err).slice(0, 300)}`);
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
      out.goBinary = build.binary;
      try {
        const go = out.go = await startGoref(build.binary);
        stops.push(() => go.stop());
        log(`Go reference on ${go.url}`);
        contenders.push({ name: 'go', engine: httpEngine(go.url, origin, '', true), result: { cases: {} } });
        notes.push('The Go reference decodes the first frame only and always encodes JPEG q95 (4:2:0).');
      } catch (err) {
        notes.push(`Go reference failed to start: ${errorText(err).slice(0, 300)}`);
      }
    }
  }
  return out;
}

/**
 * sectionsReport is what a sections-only run prints: the machine, the sections' goal rows and
 * their tables (the engines' tables would be empty).
 */
function sectionsReport(goals: GoalRow[], sections: Array<{ title: string; markdown?: string }>): string {
  const out = ['### Machine', '', ...machineAtStart, `- Load average at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`, '',
    '### Goals measured by the sections', '', goalsTable(goals).markdown, ''];
  for (const s of sections) if (s.markdown) out.push(`### ${s.title}`, '', s.markdown.trim(), '');
  if (notes.length) out.push('### Notes', '', ...notes.map((n) => `- ${n.replace(/\n/g, ' ')}`), '');
  return out.join('\n');
}

async function main(): Promise<void> {
  if (flags.help) {
    const src = await import('node:fs').then((fs) => fs.readFileSync(new URL(import.meta.url), 'utf8'));
    process.stdout.write(`${/\/\*\*([\s\S]*?)\*\//.exec(src)?.[1].replace(/^ \* ?/gm, '').trim() ?? ''}\n`);
    return;
  }
  machineAtStart = machineInfo(REPO_ROOT);
  const refDb = referenceCheck();
  if (refDb !== undefined) {
    notes.push(`Reference check: our Lanczos3 vs disintegration/imaging's golden Lanczos resize (branches.png → 150x100): ${fmt(refDb, 2)} dB.`);
  }
  const origin = await startOrigin();
  const results: Partial<Record<EngineName, EngineResult>> = {};
  let cache: CacheResult = {};
  let goRss: number | undefined;
  let sharpRss: number | undefined;
  let goBinary: string | undefined;
  log(`origin on ${origin.url}; ${RUNS} runs after ${WARMUP} warm-ups; ${SECONDS} s at c=${CONCURRENCY}`);

  // All engines are started first and then driven in turn (interleaved), so drifting load from
  // other processes affects them alike; an idle engine waits on its socket and costs no CPU.
  const contenders: Contender[] = [];
  const stops: Array<() => Promise<void>> = [];
  const script = path.resolve(flags.proxy!);
  if (!flags['only-sections']) {
    try {
      const started = await startEngines(script, origin, contenders, stops);
      goBinary = started.goBinary;
      await measureLatency(contenders);
      await measureThroughput(contenders);
      for (const k of contenders) results[k.name] = k.result;
      if (results.proxy) results.proxy.peakRss = started.proxy!.peakRss();
      if (results.go) goRss = results.go.peakRss = started.go!.peakRss();
      if (results.sharp) sharpRss = results.sharp.peakRss = started.sharp!.peakRss();
    } finally {
      for (const stop of stops) await stop();
    }
    if (results.proxy) cache = await measureCacheHits(script, origin);
  }
  const ctx: SectionContext = {
    origin, proxyScript: script, proxyArgs: PROXY_ARGS, goBinary, log, note: (m) => notes.push(m),
    engines: { go: !flags['no-go'], sharp: !flags['no-sharp'] }, runs: RUNS, write: !flags['no-write'],
  };
  const sections = await runSections(pickSections(EXTRA_SECTIONS, flags.sections!), ctx, import.meta.url);
  await origin.close();

  const engineGoals: GoalRow[] = issueGoals({
    proxy: figures(results.proxy), sharp: figures(results.sharp), go: figures(results.go),
    rps: { proxy: results.proxy?.throughput?.rps, sharp: results.sharp?.throughput?.rps },
    cache: { proxy: cache.proxy?.rps, bare: cache.bare?.rps, connections: CONNECTIONS },
    gifSourceBytes: statSync(path.join(IMAGES_DIR, BENCH_IMAGES.gif640)).size,
    peakRssBytes: results.proxy?.peakRss,
  });
  const goals = orderGoals([...(flags['only-sections'] ? [] : engineGoals), ...sections.flatMap((s) => s.goals ?? [])]);
  const report = render({
    settings: { runs: RUNS, warmup: WARMUP, seconds: SECONDS, concurrency: CONCURRENCY, minW: MIN_W, maxW: MAX_W,
      cacheSeconds: CACHE_SECONDS, connections: CONNECTIONS, cacheRounds: CACHE_ROUNDS, proxyArgs: PROXY_ARGS },
    machine: machineAtStart, results, cache, goRss, sharpRss, goals, sections, notes,
  });
  process.stdout.write(`${flags['only-sections'] ? sectionsReport(goals, sections) : report.markdown}\n`);
  // A sections-only run has no engine figures to record; its sections write their own.
  if (!flags['no-write'] && !flags['only-sections']) {
    const med = (e: EngineName, img: ImageName) => fmt(results[e]?.cases[img]?.latency?.median);
    const line =
      `- ${new Date().toISOString().slice(0, 16)}Z bench (load avg ${os.loadavg()[0].toFixed(1)}): 1024→500 median proxy ${med('proxy', 'jpeg1024')} / sharp ${med('sharp', 'jpeg1024')} / jimp ${med('jimp', 'jpeg1024')} / Go ${med('go', 'jpeg1024')} ms; ` +
      `4000→500 proxy ${med('proxy', 'jpeg4000')} / sharp ${med('sharp', 'jpeg4000')} / Go ${med('go', 'jpeg4000')} ms; c=4 req/s proxy ${fmt(results.proxy?.throughput?.rps, 2)} / ` +
      `sharp ${fmt(results.sharp?.throughput?.rps, 2)} / jimp ${fmt(results.jimp?.throughput?.rps, 2)} / Go ${fmt(results.go?.throughput?.rps, 2)}; ` +
      `GIF proxy ${med('proxy', 'gif640')} ms ${results.proxy?.cases.gif640?.bytes ?? 'n/a'} B; ` +
      `cache hits ${fmt(cache.proxy?.rps, 0)} vs bare ${fmt(cache.bare?.rps, 0)} req/s; ` +
      `proxy peak RSS ${fmtBytes(results.proxy?.peakRss)}; goals met ${report.goalsMet}/${report.goalsTotal}; targets met ${report.targetsMet}/${report.targetsTotal}`;
    updateResults(path.join(REPO_ROOT, 'bench', 'RESULTS.md'), 'bench', report.markdown, line);
    log('wrote bench/RESULTS.md');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
