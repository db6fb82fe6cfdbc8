/**
 * Mutation fuzzer for the decoders: seeds from fixtures/, mutates them reproducibly, runs every
 * input through the fuzz targets on pool workers, and collects findings.
 *
 * Input i of a run is a pure function of (seed, i, corpus): the per-input generator is seeded
 * with both, so any finding is replayed with `--seed S --replay i`.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { createTransformPool, type TransformPool } from '../../lib/pool/pool.js';
import { DEFAULT_LIMITS } from '../../lib/config.js';
import { emptyOptions, formatOptions, parseOptions, type Options } from '../../lib/request/options.js';
import { isProxyError } from '../../lib/errors.js';
import { FIXTURES } from '../helpers/paths.js';
import { Rng } from './prng.js';
import { mutate } from './mutate.js';
import type { FuzzLimits, InputReport, TargetOutcome } from './targets.js';
import { knownBug } from './known.js';

/** FUZZ_FIXTURES holds regression inputs: one file per finding, with a .json sidecar. */
export const FUZZ_FIXTURES = path.join(FIXTURES, 'fuzz');

/** FUZZ_WORKER is the pool worker that runs the targets (test/fuzz/fuzz-worker.ts). */
const FUZZ_WORKER = new URL('./fuzz-worker.js', import.meta.url);

/** DEFAULT_FUZZ_MAX_PIXELS keeps each input cheap; header tweaks still probe the limit checks. */
export const DEFAULT_FUZZ_MAX_PIXELS = 4_000_000;

/** DEFAULT_FUZZ_TIMEOUT_MS is the time one input may take on all targets before it is a hang. */
export const DEFAULT_FUZZ_TIMEOUT_MS = 10_000;

/** DEFAULT_FUZZ_MAX_RSS_GROWTH_MB is how far the process may grow over its start before it is a leak. */
export const DEFAULT_FUZZ_MAX_RSS_GROWTH_MB = 1536;

/** IMAGE_EXTENSIONS are the fixture files used as seeds. */
const IMAGE_EXTENSIONS = /\.(jpe?g|png|gif|bmp|tiff?|webp|svg|bin|pgm|ppm)$/i;

/** OPTION_SETS are the transforms tried on each input (small outputs keep the run fast). */
const OPTION_SETS: readonly string[] = [
  '32x32', '40x,fit', 'x24', '0.5x', '16x16,r90,fv', '20x20,fh,r180', '24x24,sc', '16x16,trim', 'trim',
  'cx4,cy4,cw16,ch16', 'cx0.25,cy0.25,cw0.5,ch0.5,20x', 'png', 'jpeg,q40', 'tiff', '30x30,jpeg', 'r270', '12x12,scaleUp',
];

/** Seed is one corpus file. */
export interface Seed {
  name: string;
  bytes: Uint8Array;
}

/** FuzzInput is one generated input and how it was made. */
export interface FuzzInput {
  index: number;
  seedName: string;
  steps: string[];
  bytes: Uint8Array;
  options: Options;
  shrink: number;
}

/** Finding is an input that broke a property. */
export interface Finding {
  kind: 'error' | 'invariant' | 'hang' | 'crash' | 'memory';
  target: string;
  detail: string;
  input: FuzzInput;
  /** The file the input was saved to, when saved. */
  file?: string;
}

/** FuzzConfig configures fuzzDecoders. */
export interface FuzzConfig {
  seed: number;
  /** Stop after this long (ms) ... */
  durationMs?: number;
  /** ... or after this many inputs, whichever comes first. */
  maxInputs?: number;
  /** First input index (to resume or replay). */
  startIndex?: number;
  workers: number;
  timeoutMs?: number;
  maxPixels?: number;
  maxRssGrowthMb?: number;
  corpus: Seed[];
  /** Do not run inputs that trigger a known open bug (they are counted in `known` instead). */
  skipKnown?: boolean;
  /** Where findings are written; undefined = not saved. */
  saveDir?: string;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** FuzzSummary is the result of a run. */
export interface FuzzSummary {
  seed: number;
  inputs: number;
  ms: number;
  findings: Finding[];
  /** Hangs and blow-ups from known open bugs (test/fuzz/known.ts): bug id -> input indexes. */
  known: Record<string, number[]>;
  /** target -> outcome (`ok`, or the rejection code) -> count. */
  outcomes: Record<string, Record<string, number>>;
  slowest: Array<{ index: number; seedName: string; ms: number }>;
  peakRssMb: number;
  peakWorkerHeapMb: number;
}

/**
 * loadCorpus reads every image file under dir (recursively, sorted, so runs are reproducible),
 * except open findings, whose mutants would mostly rediscover the same bug.
 */
export function loadCorpus(dir = FIXTURES): Seed[] {
  const out: Seed[] = [];
  const skip = path.join(FUZZ_FIXTURES, 'open');
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (p === skip) continue;
      if (statSync(p).isDirectory()) walk(p);
      else if (IMAGE_EXTENSIONS.test(name)) out.push({ name: path.relative(dir, p), bytes: new Uint8Array(readFileSync(p)) });
    }
  };
  walk(dir);
  return out;
}

/** inputFor builds input number index of the run with the given seed. */
export function inputFor(seed: number, index: number, corpus: readonly Seed[]): FuzzInput {
  const rng = new Rng(seed, index);
  const s = rng.pick(corpus);
  const { bytes, steps } = mutate(s.bytes, rng, corpus.map((c) => c.bytes));
  const options = parseOptions(rng.pick(OPTION_SETS));
  const shrink = rng.pick([1, 1, 2, 4, 8]);
  return { index, seedName: s.name, steps, bytes, options, shrink };
}

/** fuzzLimits are the limits every fuzz input runs with. */
export function fuzzLimits(maxPixels: number, shrink: number): FuzzLimits {
  return { ...DEFAULT_LIMITS, maxPixels, shrink };
}

/** startFuzzPool starts pool workers that run the fuzz targets. */
export function startFuzzPool(workers: number, timeoutMs = DEFAULT_FUZZ_TIMEOUT_MS): TransformPool {
  return createTransformPool({ workers, maxQueue: workers * 2, workerModule: FUZZ_WORKER, taskTimeoutMs: timeoutMs });
}

/** CheckResult is the report for one input, or the pool-level failure it caused. */
export type CheckResult = { report: InputReport; ms: number } | { failure: { kind: Finding['kind']; detail: string }; ms: number };

/** checkInput runs one input on the pool; a rejection from the pool is a crash, hang or heap blow-up. */
export async function checkInput(pool: TransformPool, bytes: Uint8Array, options: Options, limits: FuzzLimits): Promise<CheckResult> {
  const t0 = performance.now();
  try {
    const r = await pool.run(bytes, options, limits);
    return { report: JSON.parse(new TextDecoder().decode(r.bytes)) as InputReport, ms: performance.now() - t0 };
  } catch (err) {
    const ms = performance.now() - t0;
    const code = isProxyError(err) ? err.code : 'unknown';
    const kind = code === 'too_slow' ? 'hang' : code === 'too_much_memory' ? 'memory' : 'crash';
    return { failure: { kind, detail: `worker ${code}: ${String(err)}` }, ms };
  }
}

/** findingsOf turns a report's bad outcomes into findings. */
export function findingsOf(input: FuzzInput, outcomes: TargetOutcome[]): Finding[] {
  return outcomes.filter((o) => o.result === 'finding').map((o) => ({
    kind: o.detail?.startsWith('InvariantError') ? 'invariant' as const : 'error' as const,
    target: o.target, detail: o.detail ?? '', input,
  }));
}

/**
 * saveFinding writes the input to dir as `<target>-<sha256 prefix>.bin` with a `.json` sidecar
 * (seed, index, steps, options, what broke), unless the same input is already there.
 */
export function saveFinding(f: Finding, seed: number, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const hash = createHash('sha256').update(f.input.bytes).digest('hex').slice(0, 12);
  const base = path.join(dir, `${f.target}-${f.kind}-${hash}`);
  if (!existsSync(`${base}.bin`)) {
    writeFileSync(`${base}.bin`, f.input.bytes);
    const meta = {
      seed, index: f.input.index, source: f.input.seedName, steps: f.input.steps,
      options: formatOptions(f.input.options), shrink: f.input.shrink, kind: f.kind, target: f.target, detail: f.detail,
    };
    writeFileSync(`${base}.json`, `${JSON.stringify(meta, null, 2)}\n`);
  }
  return `${base}.bin`;
}

/** Regression is a saved finding to replay. */
export interface Regression {
  name: string;
  bytes: Uint8Array;
  options: Options;
  shrink: number;
}

/** loadRegressions reads the saved findings in dir (every `.bin`, with its sidecar when present). */
export function loadRegressions(dir = FUZZ_FIXTURES): Regression[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => n.endsWith('.bin')).sort().map((n) => {
    const sidecar = path.join(dir, n.replace(/\.bin$/, '.json'));
    const meta = existsSync(sidecar) ? JSON.parse(readFileSync(sidecar, 'utf8')) as { options?: string; shrink?: number } : {};
    return {
      name: n,
      bytes: new Uint8Array(readFileSync(path.join(dir, n))),
      options: meta.options !== undefined ? parseOptions(meta.options) : { ...emptyOptions(), width: 32, height: 32 },
      shrink: meta.shrink ?? 1,
    };
  });
}

/** fuzzDecoders runs the mutation fuzzer until its time or input budget is spent. */
export async function fuzzDecoders(cfg: FuzzConfig): Promise<FuzzSummary> {
  if (cfg.corpus.length === 0) throw new Error('the fuzz corpus is empty');
  const timeoutMs = cfg.timeoutMs ?? DEFAULT_FUZZ_TIMEOUT_MS;
  const maxPixels = cfg.maxPixels ?? DEFAULT_FUZZ_MAX_PIXELS;
  const maxGrowth = (cfg.maxRssGrowthMb ?? DEFAULT_FUZZ_MAX_RSS_GROWTH_MB) * 2 ** 20;
  const pool = startFuzzPool(cfg.workers, timeoutMs);
  const start = performance.now();
  const rss0 = process.memoryUsage().rss;
  const summary: FuzzSummary = {
    seed: cfg.seed, inputs: 0, ms: 0, findings: [], known: {}, outcomes: {}, slowest: [], peakRssMb: rss0 / 2 ** 20, peakWorkerHeapMb: 0,
  };
  const record = (f: Finding): void => {
    if (cfg.saveDir !== undefined) f.file = saveFinding(f, cfg.seed, cfg.saveDir);
    summary.findings.push(f);
    cfg.log?.(`FINDING ${f.kind} in ${f.target} (seed ${cfg.seed}, input ${f.input.index}, from ${f.input.seedName}, ${f.input.steps.join('; ')}): ${f.detail}`);
  };
  let next = cfg.startIndex ?? 0;
  const end = cfg.maxInputs !== undefined ? next + cfg.maxInputs : Infinity;
  let memoryReported = false;
  let lastLog = start;
  const lane = async (): Promise<void> => {
    while (next < end && (cfg.durationMs === undefined || performance.now() - start < cfg.durationMs)) {
      const input = inputFor(cfg.seed, next++, cfg.corpus);
      const skip = cfg.skipKnown ? knownBug(input.bytes) : undefined;
      if (skip) {
        (summary.known[skip.id] ??= []).push(input.index);
        continue;
      }
      const res = await checkInput(pool, input.bytes, input.options, fuzzLimits(maxPixels, input.shrink));
      summary.inputs++;
      summary.slowest.push({ index: input.index, seedName: input.seedName, ms: res.ms });
      summary.slowest.sort((a, b) => b.ms - a.ms).splice(5);
      if ('failure' in res) {
        const bug = res.failure.kind === 'crash' ? undefined : knownBug(input.bytes);
        if (bug) (summary.known[bug.id] ??= []).push(input.index);
        else record({ ...res.failure, target: 'worker', input });
        continue;
      }
      summary.peakWorkerHeapMb = Math.max(summary.peakWorkerHeapMb, res.report.heapUsedMb);
      for (const o of res.report.outcomes) {
        const key = o.result === 'rejected' ? o.code ?? 'rejected' : o.result;
        const t = (summary.outcomes[o.target] ??= {});
        t[key] = (t[key] ?? 0) + 1;
      }
      for (const f of findingsOf(input, res.report.outcomes)) record(f);
      const rss = process.memoryUsage().rss;
      summary.peakRssMb = Math.max(summary.peakRssMb, rss / 2 ** 20);
      if (rss - rss0 > maxGrowth && !memoryReported) {
        memoryReported = true;
        record({ kind: 'memory', target: 'process', detail: `rss grew by ${((rss - rss0) / 2 ** 20).toFixed(0)} MB`, input });
      }
      if (cfg.log && performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        cfg.log(`... ${summary.inputs} inputs, ${summary.findings.length} findings, ${(summary.inputs / ((lastLog - start) / 1000)).toFixed(0)}/s`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, cfg.workers) }, lane));
  } finally {
    await pool.close();
  }
  summary.ms = performance.now() - start;
  return summary;
}
