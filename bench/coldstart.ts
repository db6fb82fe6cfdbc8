/**
 * Cold start: the time from spawning a server process to its first answered transform (the
 * 1024x683 JPEG resized to 500 wide), for imageproxy (`node dist/cli/imageproxy.js`, the package's
 * command; and `node dist/bin/imageproxy.js`, the unbundled ESM build it is made from), the same
 * CLI bundled by esbuild into one file, the Go reference and a minimal sharp server. This is
 * what a serverless or desktop user meets on every start.
 *
 * Method: each round spawns every engine once, in a rotating order, on a free loopback port;
 * from the spawn the client retries the transform request every POLL_MS until it is answered
 * (a refused connection means "not listening yet"), so every engine is timed the same way,
 * whatever it prints. The answer must be a 200. Goal (issue #13): imageproxy's median within
 * COLD_START_GOAL times the Go reference's, measured in one run.
 *
 * Beside the wall time it records, on Linux, the CPU time the process used until its answer (all
 * threads, from /proc: what the start costs whatever the machine's other load) and, for the
 * proxy, when it printed its "listening" line.
 *
 * Run alone: `node dist/bench/coldstart.js [--rounds N] [--no-go] [--no-sharp] [--no-bundle]
 * [--baseline OTHER/dist/bin/imageproxy.js]` (the baseline: another build timed in the same rounds)
 * (after `npm run build`); `npm run bench` runs it as an EXTRA_SECTIONS entry (`run`), whose goal
 * row is issue #15's "first transform answered after start".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { buildGoref, GOREF_BINARY } from './lib/goref.js';
import { startOrigin } from './lib/origin.js';
import { BENCH_IMAGES, REPO_ROOT } from './lib/images.js';
import { fmt, ratio, summarize, type Summary } from './lib/stats.js';
import { table, verdict } from './lib/report.js';
import { firstAnswerGoal, FIRST_ANSWER_GOAL } from './lib/goals.js';
import type { SectionContext, SectionResult } from './lib/sections.js';
import { freePort } from '../test/helpers/servers.js';

/** COLD_START_ROUNDS is how many fresh processes of each engine are timed by default. */
export const COLD_START_ROUNDS = 5;
/** COLD_START_GOAL is the issue's goal: the first transform within 2x the Go reference's. */
export const COLD_START_GOAL = FIRST_ANSWER_GOAL;
/** POLL_MS is the pause between attempts while a server is not listening yet. */
const POLL_MS = 2;
/** START_TIMEOUT_MS bounds one cold start; past it the engine counts as failed. */
const START_TIMEOUT_MS = 60_000;
/** WIDTH is the target width of the first transform, as in the latency bench. */
const WIDTH = 500;

/**
 * SHARP_SERVER is a minimal sharp resize server, `GET /{W}x/{url}` like the Go reference, run
 * with `node --input-type=module -e` from the repository (sharp is a devDependency of the bench).
 */
const SHARP_SERVER = `
import http from 'node:http';
import sharp from 'sharp';
const fetchBytes = (url) => new Promise((resolve, reject) => http.get(url, (r) => {
  const chunks = []; r.on('data', (c) => chunks.push(c)); r.on('end', () => resolve(Buffer.concat(chunks)));
}).on('error', reject));
http.createServer(async (req, res) => {
  try {
    const m = /^\\/(\\d+)x\\/(.+)$/.exec(req.url);
    const out = await sharp(await fetchBytes(m[2])).resize({ width: Number(m[1]) }).jpeg({ quality: 95 }).toBuffer();
    res.writeHead(200, { 'Content-Type': 'image/jpeg' }).end(out);
  } catch (err) { res.writeHead(500).end(String(err)); }
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

/**
 * NODE_FLOOR_SERVER is the least a Node.js server that transforms on a worker thread does before
 * its first answer: boot Node, start one worker thread (empty), fetch the image and send its
 * bytes through the worker and back, untransformed. With `FLOOR_WORKER=0` it skips the worker
 * (Node's boot, node:http and the fetch alone). Neither transforms anything: they show how much
 * of the proxy's first answer the runtime takes before any of the proxy's code runs.
 */
const NODE_FLOOR_SERVER = `
import http from 'node:http';
import { Worker } from 'node:worker_threads';
const echo = process.env.FLOOR_WORKER === '0' ? undefined
  : new Worker("const { parentPort } = require('node:worker_threads'); parentPort.on('message', (b) => parentPort.postMessage(b));", { eval: true, execArgv: [] });
const fetchBytes = (url) => new Promise((resolve, reject) => http.get(url, (r) => {
  const chunks = []; r.on('data', (c) => chunks.push(c)); r.on('end', () => resolve(Buffer.concat(chunks)));
}).on('error', reject));
const through = (bytes) => echo ? new Promise((resolve) => { echo.once('message', (b) => resolve(Buffer.from(b))); echo.postMessage(bytes); }) : bytes;
http.createServer(async (req, res) => {
  try {
    const m = /^\\/(\\d+)x\\/(.+)$/.exec(req.url);
    const out = await through(await fetchBytes(m[2]));
    res.writeHead(200, { 'Content-Type': 'image/jpeg' }).end(out);
  } catch (err) { res.writeHead(500).end(String(err)); }
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

/** ColdEngine is one server to cold-start: how to spawn it on a port. */
interface ColdEngine {
  name: string;
  spawn(port: number): ChildProcess;
  /** Write the image URL with one slash after the scheme (Go's ServeMux redirects a `//` path). */
  singleSlash?: boolean;
}

/** ColdResult is one engine's cold starts. */
export interface ColdResult {
  name: string;
  /** First-answer times in ms, one per round; undefined when the engine could not be timed. */
  times?: Summary;
  /** CPU time (user + system, all threads) the process used until its first answer, ms (Linux). */
  cpu?: Summary;
  /** When the process printed its "listening" line, ms after the spawn (engines that print one). */
  listen?: Summary;
  error?: string;
}

/** ColdSample is one cold start's figures. */
interface ColdSample {
  ms: number;
  cpuMs?: number;
  listenMs?: number;
}

/** ColdStartOptions configure measureColdStart. */
export interface ColdStartOptions {
  /** The proxy CLI script; default dist/cli/imageproxy.js, the package's `imageproxy` command. */
  proxyScript?: string;
  /** Base URL of a bench origin serving BENCH_IMAGES; default: one started here. */
  originUrl?: string;
  /** Rounds; default COLD_START_ROUNDS. */
  rounds?: number;
  /** Another build of the proxy CLI timed beside it in the same rounds (a before/after comparison). */
  baseline?: string;
  /** Extra flags for the proxy. */
  proxyArgs?: string[];
  /** Include the Go reference (built with buildGoref unless goBinary is given); default true. */
  go?: boolean;
  /** The Go reference binary, when the caller built it. */
  goBinary?: string;
  /** Include the sharp server; default true. */
  sharp?: boolean;
  /** Include the proxy bundled by esbuild into one file; default true. */
  bundle?: boolean;
  /** Receives progress lines. */
  log?: (msg: string) => void;
}

/** get resolves with the status of one GET, rejecting on a connection error. */
function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** exited resolves when child has exited. */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** CLOCK_TICK_MS is the unit of /proc/PID/stat's CPU times (USER_HZ, 100 on Linux). */
const CLOCK_TICK_MS = 10;

/** cpuMsOf reads the user + system CPU time of process pid (all its threads) from /proc, or undefined off Linux. */
function cpuMsOf(pid: number | undefined): number | undefined {
  if (pid === undefined || process.platform !== 'linux') return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields 14 and 15 count from after its ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * CLOCK_TICK_MS;
  } catch {
    return undefined;
  }
}

/** coldStart spawns e and returns the ms from the spawn to its first answered transform, with its CPU time. */
async function coldStart(e: ColdEngine, imageUrl: string): Promise<ColdSample> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/${WIDTH}x/${e.singleSlash ? imageUrl.replace('://', ':/') : imageUrl}`;
  const t0 = performance.now();
  const child = e.spawn(port);
  let out = '';
  let listenMs: number | undefined;
  child.stdout?.on('data', (c: Buffer) => {
    out = (out + c.toString()).slice(-2000);
    if (listenMs === undefined && out.includes('listening')) listenMs = performance.now() - t0;
  });
  child.stderr?.on('data', (c: Buffer) => { out = (out + c.toString()).slice(-2000); });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${e.name} exited with ${child.exitCode}: ${out.trim()}`);
      if (performance.now() - t0 > START_TIMEOUT_MS) throw new Error(`${e.name} answered nothing in ${START_TIMEOUT_MS} ms: ${out.trim()}`);
      let status: number;
      try {
        status = await get(url);
      } catch {
        await new Promise((r) => setTimeout(r, POLL_MS));
        continue;
      }
      const ms = performance.now() - t0;
      const cpuMs = cpuMsOf(child.pid);
      if (status !== 200) throw new Error(`${e.name}'s first answer was ${status}: ${out.trim()}`);
      return { ms, cpuMs, listenMs };
    }
  } finally {
    child.kill('SIGKILL');
    await exited(child);
  }
}

/** bundleCli bundles the CLI with esbuild into one file in a temporary folder, as the README says. */
async function bundleCli(script: string, dir: string): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = path.join(dir, 'imageproxy.mjs');
  await build({
    entryPoints: [script], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'error',
    banner: { js: "import { createRequire as __cjsRequire } from 'node:module'; const require = __cjsRequire(import.meta.url);" },
  });
  return outfile;
}

/** nodeEngine runs a Node.js script of the proxy CLI. */
function nodeEngine(name: string, script: string, args: string[]): ColdEngine {
  return {
    name,
    spawn: (port) => spawn(process.execPath, [script, '-addr', `127.0.0.1:${port}`, '-allowPrivateNetworks', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  };
}

/** engines lists what can be measured here, with the reasons for what cannot. */
async function engines(o: ColdStartOptions, tmp: string): Promise<{ list: ColdEngine[]; skipped: ColdResult[] }> {
  const list: ColdEngine[] = [];
  const skipped: ColdResult[] = [];
  const script = o.proxyScript ?? path.join(REPO_ROOT, 'dist', 'cli', 'imageproxy.js');
  // The unbundled ESM build beside it (what tsc wrote): the entry a consumer's bundler starts from.
  const esmScript = path.join(path.dirname(script), '..', 'bin', 'imageproxy.js');
  const args = o.proxyArgs ?? [];
  if (existsSync(script)) {
    list.push(nodeEngine(`imageproxy (node ${path.relative(REPO_ROOT, script)})`, script, args));
    try {
      if (existsSync(esmScript) && esmScript !== script) list.push(nodeEngine(`imageproxy unbundled (node ${path.relative(REPO_ROOT, esmScript)})`, esmScript, args));
      if (o.bundle ?? true) list.push(nodeEngine('imageproxy bundled (esbuild, one file)', await bundleCli(existsSync(esmScript) ? esmScript : script, tmp), args));
    } catch (err) {
      skipped.push({ name: 'imageproxy bundled', error: `esbuild failed: ${String(err).slice(0, 200)}` });
    }
    if (o.baseline !== undefined) list.push(nodeEngine(`imageproxy baseline (${o.baseline})`, o.baseline, args));
  } else {
    skipped.push({ name: 'imageproxy', error: `${script} does not exist (npm run build)` });
  }
  if (o.go ?? true) {
    // A worktree has no ../shared beside it; a binary built earlier (same path) still serves.
    const built = o.goBinary !== undefined ? { binary: o.goBinary } : buildGoref();
    const b = 'skipped' in built && existsSync(GOREF_BINARY) ? { binary: GOREF_BINARY } : built;
    if ('binary' in b) {
      const binary = b.binary;
      list.push({ name: 'Go reference', singleSlash: true, spawn: (port) => spawn(binary, ['-addr', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] }) });
    } else {
      skipped.push({ name: 'Go reference', error: b.skipped });
    }
  }
  for (const [name, worker] of [['Node.js floor: boot, one empty worker thread, fetch, no transform', '1'], ['Node.js floor: boot and fetch, no worker, no transform', '0']]) {
    list.push({
      name,
      spawn: (port) => spawn(process.execPath, ['--input-type=module', '-e', NODE_FLOOR_SERVER], {
        env: { ...process.env, PORT: String(port), FLOOR_WORKER: worker }, stdio: ['ignore', 'pipe', 'pipe'],
      }),
    });
  }
  if (o.sharp ?? true) list.push({
    name: 'sharp (libvips, native)',
    spawn: (port) => spawn(process.execPath, ['--input-type=module', '-e', SHARP_SERVER], {
      cwd: REPO_ROOT, env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'],
    }),
  });
  return { list, skipped };
}

/**
 * measureColdStart times `rounds` cold starts of each engine, interleaved with a rotating
 * order so that the machine's drifting load hits them alike.
 */
export async function measureColdStart(o: ColdStartOptions = {}): Promise<ColdResult[]> {
  const rounds = o.rounds ?? COLD_START_ROUNDS;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'imageproxy-coldstart-'));
  const origin = o.originUrl === undefined ? await startOrigin() : undefined;
  const imageUrl = `${o.originUrl ?? origin!.url}/${BENCH_IMAGES.jpeg1024}`;
  try {
    const { list, skipped } = await engines(o, tmp);
    const times = new Map<ColdEngine, ColdSample[]>(list.map((e) => [e, []]));
    const errors = new Map<ColdEngine, string>();
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < list.length; k++) {
        const e = list[(r + k) % list.length];
        if (errors.has(e)) continue;
        try {
          const x = await coldStart(e, imageUrl);
          times.get(e)!.push(x);
          o.log?.(`cold start ${r + 1}/${rounds} ${e.name}: ${fmt(x.ms, 0)} ms (CPU ${fmt(x.cpuMs, 0)} ms${x.listenMs === undefined ? '' : `, listening at ${fmt(x.listenMs, 0)} ms`})`);
        } catch (err) {
          errors.set(e, err instanceof Error ? err.message.slice(0, 300) : String(err));
        }
      }
    }
    return [
      ...list.map((e): ColdResult => (errors.has(e) ? { name: e.name, error: errors.get(e) } : summarizeSamples(e.name, times.get(e)!))),
      ...skipped,
    ];
  } finally {
    await origin?.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** summarizeSamples describes one engine's rounds (CPU and listen times only when every round has one). */
function summarizeSamples(name: string, xs: ColdSample[]): ColdResult {
  const all = (k: 'cpuMs' | 'listenMs'): Summary | undefined =>
    xs.every((x) => x[k] !== undefined) ? summarize(xs.map((x) => x[k]!)) : undefined;
  return { name, times: summarize(xs.map((x) => x.ms)), cpu: all('cpuMs'), listen: all('listenMs') };
}

/** medianOf is the median first answer of the engine whose name starts with prefix. */
function medianOf(results: ColdResult[], prefix: string): number | undefined {
  return results.find((r) => r.name.startsWith(prefix))?.times?.median;
}

/** coldStartGoal is issue #15's goal row from results: the proxy's median against Go's. */
export function coldStartGoal(results: ColdResult[]): SectionResult['goals'] {
  return [firstAnswerGoal(medianOf(results, 'imageproxy ('), medianOf(results, 'Go reference'))];
}

/** coldStartMarkdown renders results as the RESULTS.md section, with the goal's verdict. */
export function coldStartMarkdown(results: ColdResult[]): string {
  const proxy = medianOf(results, 'imageproxy (');
  const go = medianOf(results, 'Go reference');
  const x = ratio(proxy, go);
  const rows = results.map((r) => r.times
    ? [r.name, fmt(r.times.median, 0), fmt(r.times.min, 0), fmt(r.times.max, 0), fmt(ratio(r.times.median, go), 2),
      fmt(r.cpu?.median, 0), fmt(r.listen?.median, 0)]
    : [r.name, 'n/a', 'n/a', 'n/a', r.error ?? 'failed', 'n/a', 'n/a']);
  return [
    `### Cold start: spawn to first answered ${WIDTH}w transform of the 1024x683 JPEG (ms)`,
    '',
    table(['engine', 'median', 'min', 'max', '÷ Go median', 'CPU median (all threads)', '"listening" printed, median'], rows),
    '',
    `Goal: imageproxy ≤ ${COLD_START_GOAL}× the Go reference → ${fmt(x, 2)}× (**${verdict(x, COLD_START_GOAL, 'atMost')}**); ` +
      `${results[0]?.times?.count ?? 0} fresh processes per engine, interleaved; load average ${os.loadavg()[0].toFixed(1)}.`,
    '',
  ].join('\n');
}

/** coldStartSection measures and renders in one call. */
export async function coldStartSection(o: ColdStartOptions = {}): Promise<string> {
  return coldStartMarkdown(await measureColdStart(o));
}

/**
 * run is the bench section (bench/run.ts EXTRA_SECTIONS): the cold starts against the run's
 * origin, with the Go reference and sharp unless the run leaves them out, and the goal row.
 */
export async function run(ctx: SectionContext): Promise<SectionResult> {
  const results = await measureColdStart({
    proxyScript: ctx.proxyScript, proxyArgs: ctx.proxyArgs, originUrl: ctx.origin.url,
    go: ctx.engines.go, goBinary: ctx.goBinary, sharp: ctx.engines.sharp, log: ctx.log,
  });
  for (const r of results) if (r.error) ctx.note(`cold start, ${r.name}: ${r.error}`);
  return { markdown: coldStartMarkdown(results).replace(/^### .*\n\n/, ''), goals: coldStartGoal(results) };
}

/** isEntryPoint reports whether this module is the program being run. */
function isEntryPoint(): boolean {
  try {
    return process.argv[1] !== undefined && pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const { values } = parseArgs({ options: {
    rounds: { type: 'string' }, 'no-go': { type: 'boolean', default: false }, 'no-sharp': { type: 'boolean', default: false },
    'no-bundle': { type: 'boolean', default: false }, baseline: { type: 'string' },
  } });
  const log = (m: string) => process.stderr.write(`coldstart: ${m}\n`);
  const md = await coldStartSection({
    rounds: values.rounds ? Number(values.rounds) : undefined, go: !values['no-go'], sharp: !values['no-sharp'], bundle: !values['no-bundle'], baseline: values.baseline, log,
  });
  process.stdout.write(md);
}
