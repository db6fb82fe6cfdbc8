/**
 * The fleet figure: work done once across instances. One, two and three proxy processes share one
 * redis-server; the same burst of concurrent cold requests (several variants of several
 * originals, spread over the instances in turn) is sent to each fleet, and the origin's fetches
 * and the fleet's transforms are counted per distinct original and per distinct variant (goal:
 * 1.0 each). Three instances with -fleetLeases=false show what the leases save. Then the
 * throughput of cache hits served through the Redis tier alone (no memory tier), against a bare
 * Node http server sending the same bytes.
 *
 * `npm run bench` runs it as an EXTRA_SECTIONS entry (`run`); `node dist/bench/fleet.js
 * [--no-write]` runs it alone. Either writes the "fleet" section of bench/RESULTS.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startOrigin, startBareServer, type Server } from './lib/origin.js';
import { get, newAgent, throwUnlessOk } from './lib/client.js';
import { startProxy, type ServerProcess } from './lib/proc.js';
import { runCannon, type CannonSummary } from './lib/cannon.js';
import { fmt, percentile } from './lib/stats.js';
import { loadAverage, prependHistory, replaceSection, table } from './lib/report.js';
import { REPO_ROOT, BENCH_IMAGES } from './lib/images.js';
import type { GoalRow } from './lib/goals.js';
import type { SectionContext, SectionResult } from './lib/sections.js';

/** ORIGINALS distinct source URLs per burst (one image, told apart by a query the origin ignores). */
const ORIGINALS = 4;
/** WIDTHS of each original in a burst: ORIGINALS × WIDTHS distinct variants. */
const WIDTHS = [200, 300, 400, 500];
/** REPEATS is how often each variant is asked for in a burst. */
const REPEATS = 6;
/** CONCURRENCY is the number of requests in flight during a burst. */
const CONCURRENCY = 24;
/** FLEET_ARGS are every instance's flags besides -cache: one worker each, so three instances share the two cores fairly. */
const FLEET_ARGS = ['-workers', '1'];
/** HIT_SECONDS and HIT_CONNECTIONS shape the cache-hit run (per server). */
const HIT_SECONDS = 5;
const HIT_CONNECTIONS = 8;
/** SHUFFLE_SEED fixes the order of a burst's requests. */
const SHUFFLE_SEED = 14;

/** BurstResult is one fleet's answer to one burst. */
export interface BurstResult {
  label: string;
  instances: number;
  fetchesPerOriginal: number;
  transformsPerVariant: number;
  /** Whether the instances had fleet leases (-fleetLeases). */
  leases: boolean;
  /** Fleet lease outcomes for variants, summed over the instances. */
  led: number;
  followed: number;
  alone: number;
  /** Wall time of the burst and the slowest answer, ms. */
  wallMs: number;
  p99Ms: number;
  failed: number;
}

/** FleetBenchResult is the whole figure. */
export interface FleetBenchResult {
  bursts: BurstResult[];
  hits?: { redis: CannonSummary; bare: CannonSummary; bytes: number };
  notes: string[];
}

interface Redis {
  url: string;
  flush(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** startRedis runs a throw-away redis-server (no persistence) on a free loopback port. */
async function startRedis(): Promise<Redis> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ipx-bench-redis-'));
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out.slice(-300)}`)), 20_000);
    child.once('error', (err) => { clearTimeout(timer); reject(err); });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) { clearTimeout(timer); resolve(); }
    });
  });
  const cli = (args: string[]): Promise<void> => new Promise((resolve, reject) => {
    spawn('redis-cli', ['-p', String(port), ...args], { stdio: 'ignore' }).once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`redis-cli ${args} exited ${code}`))));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    flush: () => cli(['flushall']),
    async stop() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** metricSum adds up the samples of one metric on a proxy's /metrics that carry every label given. */
async function metricSum(proxy: ServerProcess, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = (await get(`${proxy.url}/metrics`)).body.toString();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = `,${(m[2] ?? '{}').slice(1, -1)},`;
    if (Object.entries(labels).every(([k, v]) => have.includes(`,${k}="${v}",`))) sum += Number(m[3]);
  }
  return sum;
}

async function fleetSum(fleet: ServerProcess[], name: string, labels?: Record<string, string>): Promise<number> {
  return (await Promise.all(fleet.map((p) => metricSum(p, name, labels)))).reduce((a, b) => a + b, 0);
}

let burstSeq = 0;

/** shuffled returns items in an order fixed by seed (mulberry32), so every run sends the same sequence. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let a = seed >>> 0;
  const rand = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * burst sends ORIGINALS × WIDTHS × REPEATS cold requests in a shuffled order (the same for every
 * fleet, so that each variant reaches several instances), CONCURRENCY at a time, request i to
 * instance i mod n (a round-robin balancer), and counts the work done for them.
 */
async function burst(label: string, fleet: ServerProcess[], origin: Server, leases: boolean): Promise<BurstResult> {
  const run = burstSeq++;
  const ordered: string[] = [];
  for (let r = 0; r < REPEATS; r++) {
    for (let o = 0; o < ORIGINALS; o++) {
      for (const w of WIDTHS) ordered.push(`/${w}x/${origin.url}/${BENCH_IMAGES.jpeg1024}?fleet=${run}.${o}`);
    }
  }
  const urls = shuffled(ordered, SHUFFLE_SEED);
  const agent = newAgent(CONCURRENCY);
  const fetched0 = origin.requests();
  const transforms0 = await fleetSum(fleet, 'imageproxy_transformation_duration_seconds_count');
  const outcome0 = await Promise.all(['led', 'followed', 'alone'].map((outcome) => fleetSum(fleet, 'imageproxy_fleet_leases_total', { entry: 'variant', outcome })));
  const times: number[] = [];
  let failed = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < urls.length; i = next++) {
      try {
        const r = await get(fleet[i % fleet.length].url + urls[i], agent);
        if (r.status !== 200) failed++;
        times.push(r.ms);
      } catch {
        failed++;
      }
    }
  }));
  const wallMs = performance.now() - t0;
  agent.destroy();
  const transforms = (await fleetSum(fleet, 'imageproxy_transformation_duration_seconds_count')) - transforms0;
  const outcome = await Promise.all(['led', 'followed', 'alone'].map((o) => fleetSum(fleet, 'imageproxy_fleet_leases_total', { entry: 'variant', outcome: o })));
  return {
    label,
    instances: fleet.length,
    leases,
    fetchesPerOriginal: (origin.requests() - fetched0) / ORIGINALS,
    transformsPerVariant: transforms / (ORIGINALS * WIDTHS.length),
    led: outcome[0] - outcome0[0],
    followed: outcome[1] - outcome0[1],
    alone: outcome[2] - outcome0[2],
    wallMs,
    p99Ms: percentile(times, 99),
    failed,
  };
}

/** warm makes every instance transform once, so no burst pays for starting a worker. */
async function warm(fleet: ServerProcess[], origin: Server): Promise<void> {
  for (const [i, p] of fleet.entries()) {
    const url = `${p.url}/100x/${origin.url}/${BENCH_IMAGES.jpeg1024}?warm=${burstSeq}.${i}`;
    throwUnlessOk(await get(url), url);
  }
}

async function startFleet(script: string, n: number, args: string[]): Promise<ServerProcess[]> {
  const fleet: ServerProcess[] = [];
  try {
    for (let i = 0; i < n; i++) fleet.push(await startProxy(script, [...args, ...FLEET_ARGS]));
  } catch (err) {
    await Promise.all(fleet.map((p) => p.stop()));
    throw err;
  }
  return fleet;
}

/** measureHits drives one URL, stored in Redis, through one instance whose only cache tier is Redis. */
async function measureHits(script: string, redis: Redis, origin: Server): Promise<FleetBenchResult['hits']> {
  const [proxy] = await startFleet(script, 1, ['-cache', redis.url]);
  let bare: Server | undefined;
  try {
    const pathPart = `/500x/${origin.url}/${BENCH_IMAGES.jpeg1024}?hits`;
    const first = throwUnlessOk(await get(proxy.url + pathPart), pathPart);
    const again = throwUnlessOk(await get(proxy.url + pathPart), pathPart);
    if (again.headers['x-cache'] !== 'HIT') throw new Error(`the second request was ${again.headers['x-cache']}, not a Redis hit`);
    bare = await startBareServer(first.body, String(first.headers['content-type']));
    const redisRun = await runCannon({ url: proxy.url + pathPart, connections: HIT_CONNECTIONS, duration: HIT_SECONDS });
    const bareRun = await runCannon({ url: bare.url + pathPart, connections: HIT_CONNECTIONS, duration: HIT_SECONDS });
    return { redis: redisRun, bare: bareRun, bytes: first.body.length };
  } finally {
    await proxy.stop();
    await bare?.close();
  }
}

/** runFleetBench measures the fleet figure with the CLI at `script`; see the file comment. */
export async function runFleetBench(script: string): Promise<FleetBenchResult> {
  const notes: string[] = [];
  const bursts: BurstResult[] = [];
  const redis = await startRedis();
  const origin = await startOrigin();
  try {
    const configs: Array<{ label: string; n: number; args: string[] }> = [
      { label: '1 instance', n: 1, args: [] },
      { label: '2 instances', n: 2, args: [] },
      { label: '3 instances', n: 3, args: [] },
      { label: '3 instances, -fleetLeases=false', n: 3, args: ['-fleetLeases=false'] },
    ];
    for (const c of configs) {
      await redis.flush();
      const fleet = await startFleet(script, c.n, ['-cache', redis.url, ...c.args]);
      try {
        await warm(fleet, origin);
        bursts.push(await burst(c.label, fleet, origin, c.args.length === 0));
      } finally {
        await Promise.all(fleet.map((p) => p.stop()));
      }
    }
    await redis.flush();
    let hits: FleetBenchResult['hits'];
    try {
      hits = await measureHits(script, redis, origin);
    } catch (err) {
      notes.push(`Cache hits through Redis not measured: ${String(err).slice(0, 300)}`);
    }
    return { bursts, hits, notes };
  } finally {
    await origin.close();
    await redis.stop();
  }
}

/** renderFleet is the RESULTS.md section for a result. */
export function renderFleet(r: FleetBenchResult): string {
  const out: string[] = [];
  out.push(`Each burst: ${ORIGINALS} originals (JPEG 1024x683) × ${WIDTHS.length} widths = ${ORIGINALS * WIDTHS.length} distinct variants, ` +
    `each asked ${REPEATS} times (${ORIGINALS * WIDTHS.length * REPEATS} cold requests), ${CONCURRENCY} in flight, request i to instance i mod n (order shuffled once, the same for every fleet); ` +
    `instances \`-cache redis://… ${FLEET_ARGS.join(' ')}\` on one redis-server, each warmed by one transform first. ` +
    `Load average at the end: ${loadAverage()}.`, '');
  out.push(table(
    ['fleet', 'origin fetches per original', 'transforms per variant', 'variant leases led / followed / alone', 'burst wall ms', 'p99 ms', 'failed'],
    r.bursts.map((b) => [b.label, fmt(b.fetchesPerOriginal, 2), fmt(b.transformsPerVariant, 2), b.leases ? `${b.led} / ${b.followed} / ${b.alone}` : 'off', fmt(b.wallMs, 0), fmt(b.p99Ms, 0), String(b.failed)]),
  ), '');
  out.push('Goal: 1.00 fetch per original and 1.00 transform per variant whatever the number of instances.', '');
  if (r.hits) {
    const { redis, bare, bytes } = r.hits;
    out.push(`Cache hits through the Redis tier (one instance, \`-cache redis://…\` only, one ${bytes}-byte variant, ${HIT_CONNECTIONS} connections, ${HIT_SECONDS} s each):`, '');
    out.push(table(['server', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx or errors'], [
      ['imageproxy, Redis hit', fmt(redis.rps, 0), fmt(redis.p50, 1), fmt(redis.p99, 1), String(redis.errors + redis.total - (redis.statusCounts['200'] ?? 0))],
      ['bare Node http server, same bytes', fmt(bare.rps, 0), fmt(bare.p50, 1), fmt(bare.p99, 1), String(bare.errors)],
    ]), '');
  }
  for (const n of r.notes) out.push(`- ${n}`);
  return out.join('\n').trim();
}

/** FLEET_HEADING is the section's heading in RESULTS.md, placed after the latest bench and load sections when first written. */
const FLEET_HEADING = '## Latest fleet benchmark';

/** writeFleet puts the section into bench/RESULTS.md and adds a history line. */
export function writeFleet(r: FleetBenchResult, file = path.join(REPO_ROOT, 'bench', 'RESULTS.md')): void {
  let doc = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const body = renderFleet(r);
  if (!doc.includes('<!-- fleet:begin -->')) {
    const before = ['## What each change bought', '## History'].map((h) => doc.indexOf(h)).filter((x) => x >= 0);
    const at = before.length > 0 ? Math.min(...before) : -1;
    const block = `${FLEET_HEADING}\n\n<!-- fleet:begin -->\n<!-- fleet:end -->\n\n`;
    doc = at >= 0 ? doc.slice(0, at) + block + doc.slice(at) : `${doc}\n${block}`;
  }
  doc = replaceSection(doc, 'fleet', body);
  const b = (label: string) => r.bursts.find((x) => x.label === label);
  const cell = (x?: BurstResult) => (x ? `${fmt(x.fetchesPerOriginal, 2)}/${fmt(x.transformsPerVariant, 2)}` : 'n/a');
  const line = `- ${new Date().toISOString().slice(0, 16)}Z fleet (load avg ${os.loadavg()[0].toFixed(1)}): fetches/transforms per original/variant ` +
    `1 inst ${cell(b('1 instance'))}, 2 ${cell(b('2 instances'))}, 3 ${cell(b('3 instances'))}, 3 without leases ${cell(b('3 instances, -fleetLeases=false'))}; ` +
    `Redis hits ${fmt(r.hits?.redis.rps, 0)} vs bare ${fmt(r.hits?.bare.rps, 0)} req/s`;
  writeFileSync(file, prependHistory(doc, line));
}

/** benchFleet is `npm run bench`'s fleet case: measure, print, and (unless write is false) record. */
export async function benchFleet(script: string, write = true): Promise<void> {
  const r = await runFleetBench(script);
  process.stdout.write(`\n${FLEET_HEADING}\n\n${renderFleet(r)}\n`);
  if (write) writeFleet(r);
}

/** FLEET_GOAL_LABEL is the fleet whose figures the goal rows show: the largest one, with leases. */
const FLEET_GOAL_LABEL = '3 instances';

/** fleetGoals are the goal rows of r: work done once per original and per variant across the instances. */
export function fleetGoals(r: FleetBenchResult): GoalRow[] {
  const b = r.bursts.find((x) => x.label === FLEET_GOAL_LABEL);
  const row = (what: string, v: number | undefined): GoalRow => ({
    name: `fleet of ${FLEET_GOAL_LABEL} on one Redis, ${what}`, value: v ?? NaN, limit: 1, kind: 'atMost', show: fmt(v, 2), goal: '1.00',
  });
  return [row('origin fetches per original', b?.fetchesPerOriginal), row('transforms per variant', b?.transformsPerVariant)];
}

/**
 * run is the bench section (bench/run.ts EXTRA_SECTIONS): the fleet figure with its goal rows.
 * With writing on, the figure goes to its own RESULTS.md section (as when run alone) and the
 * bench report points there instead of holding a second copy.
 */
export async function run(ctx: SectionContext): Promise<SectionResult> {
  const r = await runFleetBench(ctx.proxyScript);
  const markdown = renderFleet(r);
  if (!ctx.write) return { markdown, goals: fleetGoals(r) };
  writeFleet(r);
  ctx.log(`fleet:\n${markdown}`);
  return { markdown: `Written to "${FLEET_HEADING.replace(/^#+ /, '')}" below.`, goals: fleetGoals(r) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const script = path.join(REPO_ROOT, 'dist', 'cli', 'imageproxy.js');
  benchFleet(script, !process.argv.includes('--no-write')).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
