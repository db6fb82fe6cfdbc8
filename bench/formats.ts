/**
 * WebP and AVIF output (#11): JPEG 1024x683 -> 500w written as WebP and as AVIF by our transform
 * (the very function the workers run) beside sharp's encoders at their defaults, with output
 * bytes and PSNR against the bench's Lanczos3 reference.
 *
 * Goals, from the issue: our WebP within 1.5x of sharp's WebP time and our AVIF within 2x of
 * sharp's AVIF time, at no more than 1.1x sharp's bytes for equal or better quality. Our default
 * qualities aim higher than sharp's (JPEG q95's quality, not q80's), so bytes are judged at equal
 * quality: the lowest-byte `q` of ours whose PSNR is at least sharp's (its CPU time is shown too;
 * the time goal is judged at both sides' defaults).
 *
 * Times are medians over runs, wall and CPU (user + system of this process, every thread: sharp
 * runs libvips threads, we run one). Both sides are in process and start from the JPEG bytes.
 *
 * `node dist/bench/formats.js [--runs N]` prints the table; `npm run bench` runs it as an
 * EXTRA_SECTIONS entry (`run`), which adds the time and bytes goals to the goals table.
 * sharp is a devDependency used by the bench only.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decode } from '../lib/codecs/index.js';
import { DEFAULT_LIMITS } from '../lib/config.js';
import { parseOptions } from '../lib/request/options.js';
import { transform } from '../lib/transform/transform.js';
import { decodeImage } from './lib/decode.js';
import { lanczos3Resize, psnr, type FloatPixels } from './lib/psnr.js';
import { IMAGES_DIR, BENCH_IMAGES } from './lib/images.js';
import type { GoalRow } from './lib/goals.js';
import type { SectionContext, SectionResult } from './lib/sections.js';

/** TARGET_WIDTH is the issue's output width. */
const TARGET_WIDTH = 500;
/** TIME_GOALS are the issue's time ratios to sharp, per format. */
const TIME_GOALS = { webp: 1.5, avif: 2 } as const;
/** BYTES_GOAL is the issue's bytes ratio to sharp at equal or better PSNR. */
const BYTES_GOAL = 1.1;

/** Format is a format this bench measures. */
type Format = keyof typeof TIME_GOALS;

/** Side is one engine's result for one case. */
export interface Side {
  /** Median wall time of one conversion, ms. */
  wallMs: number;
  /** Median CPU time of one conversion (every thread of the process), ms. */
  cpuMs: number;
  /** Output size at the default quality. */
  bytes: number;
  /** PSNR of the output against the reference, dB. */
  psnr: number;
}

/** FormatCase is one row: ours and sharp's at defaults, and ours at sharp's quality. */
export interface FormatCase {
  label: string;
  format: Format;
  ours: Side;
  sharp: Side;
  /** Our lowest-byte quality whose PSNR is at least sharp's, with its bytes, PSNR and median CPU time. */
  equal: { quality: number; bytes: number; psnr: number; cpuMs?: number } | undefined;
  /** Whether the time goal (CPU ratio) and the bytes goal were met. */
  timeMet: boolean;
  bytesMet: boolean;
}

type SharpFn = (bytes: Uint8Array, format: Format) => Promise<Uint8Array>;

/** loadSharp imports sharp (a devDependency) and returns its conversion at default settings. */
async function loadSharp(): Promise<SharpFn> {
  const sharp = (await import('sharp')).default;
  return async (bytes, format) => {
    const img = sharp(bytes).resize(TARGET_WIDTH);
    return new Uint8Array(await (format === 'webp' ? img.webp() : img.avif()).toBuffer());
  };
}

/** ours converts with our transform at the format's default quality, or at quality q. */
async function ours(bytes: Uint8Array, format: Format, q = 0): Promise<Uint8Array> {
  const opts = `${TARGET_WIDTH}x,${format}${q > 0 ? `,q${q}` : ''}`;
  return (await transform(bytes, parseOptions(opts), DEFAULT_LIMITS)).bytes;
}

/** time runs fn warmup + runs times and returns the median wall and CPU time of the timed runs. */
async function time(runs: number, fn: () => Promise<unknown>): Promise<{ wallMs: number; cpuMs: number }> {
  await fn();
  const wall: number[] = [], cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    await fn();
    wall.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
  }
  const med = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1];
  return { wallMs: med(wall), cpuMs: med(cpu) };
}

/** scorer returns the PSNR of WebP or AVIF bytes against the reference resize of the source. */
function scorer(source: Uint8Array): (out: Uint8Array) => Promise<number> {
  const src = decodeImage(source);
  const refs = new Map<string, FloatPixels>();
  return async (out) => {
    const bm = (await decode(out, { maxPixels: 1e8 })).frames[0].bitmap;
    const key = `${bm.width}x${bm.height}`;
    let ref = refs.get(key);
    if (!ref) refs.set(key, ref = lanczos3Resize(src, bm.width, bm.height));
    return psnr(bm, ref);
  };
}

/**
 * equalQuality finds our lowest quality (so fewest bytes) whose PSNR is at least `target`, by
 * bisection over 1..100 (PSNR rises with quality).
 */
async function equalQuality(bytes: Uint8Array, format: Format, target: number, score: (o: Uint8Array) => Promise<number>): Promise<FormatCase['equal']> {
  let lo = 1, hi = 100;
  let best: FormatCase['equal'];
  while (lo <= hi) {
    const q = (lo + hi) >> 1;
    const out = await ours(bytes, format, q);
    const p = await score(out);
    if (p >= target) {
      best = { quality: q, bytes: out.length, psnr: p };
      hi = q - 1;
    } else {
      lo = q + 1;
    }
  }
  return best;
}

/** benchFormats measures the WebP and AVIF cases and returns them with a Markdown table. */
export async function benchFormats(opts: { runs?: number } = {}): Promise<{ cases: FormatCase[]; markdown: string }> {
  const runs = opts.runs ?? 7;
  const source = new Uint8Array(readFileSync(path.join(IMAGES_DIR, BENCH_IMAGES.jpeg1024)));
  const sharp = await loadSharp();
  const score = scorer(source);
  const cases: FormatCase[] = [];
  for (const format of ['webp', 'avif'] as const) {
    const o = await ours(source, format), s = await sharp(source, format);
    const mine: Side = { ...(await time(runs, () => ours(source, format))), bytes: o.length, psnr: await score(o) };
    const theirs: Side = { ...(await time(runs, () => sharp(source, format))), bytes: s.length, psnr: await score(s) };
    const equal = await equalQuality(source, format, theirs.psnr, score);
    if (equal) equal.cpuMs = (await time(runs, () => ours(source, format, equal.quality))).cpuMs;
    cases.push({
      label: `JPEG 1024x683 → ${TARGET_WIDTH}w ${format.toUpperCase()}`, format, ours: mine, sharp: theirs, equal,
      timeMet: mine.cpuMs <= TIME_GOALS[format] * theirs.cpuMs,
      bytesMet: equal !== undefined && equal.bytes <= BYTES_GOAL * theirs.bytes,
    });
  }
  return { cases, markdown: render(cases, runs) };
}

/** FORMATS_MAX_RUNS caps the bench's --runs here: each run is a WebP and an AVIF encode on both sides. */
const FORMATS_MAX_RUNS = 7;

/** formatGoals are the goal rows of cases: CPU time against sharp's, and bytes at sharp's PSNR. */
export function formatGoals(cases: FormatCase[]): GoalRow[] {
  const rows: GoalRow[] = [];
  for (const c of cases) {
    const t = c.ours.cpuMs / c.sharp.cpuMs;
    rows.push({
      name: `${c.label}, CPU time at defaults`, value: t, limit: TIME_GOALS[c.format], kind: 'atMost',
      show: `${t.toFixed(2)}× sharp (${c.ours.cpuMs.toFixed(1)} vs ${c.sharp.cpuMs.toFixed(1)} ms)`, goal: `≤ ${TIME_GOALS[c.format]}× sharp`,
    });
    const b = c.equal ? c.equal.bytes / c.sharp.bytes : NaN;
    rows.push({
      name: `${c.label}, bytes at sharp's PSNR`, value: b, limit: BYTES_GOAL, kind: 'atMost',
      show: c.equal ? `${b.toFixed(2)}× sharp (q${c.equal.quality}: ${c.equal.bytes} vs ${c.sharp.bytes} B)` : 'not reached', goal: `≤ ${BYTES_GOAL}× sharp`,
    });
  }
  return rows;
}

/** run is the bench section (bench/run.ts EXTRA_SECTIONS): the cases with their goal rows; it needs sharp. */
export async function run(ctx: SectionContext): Promise<SectionResult> {
  if (!ctx.engines.sharp) return { markdown: 'Not measured: the run left sharp out (--no-sharp).' };
  const { cases, markdown } = await benchFormats({ runs: Math.min(ctx.runs, FORMATS_MAX_RUNS) });
  return { markdown, goals: formatGoals(cases) };
}

/** render prints the cases as a Markdown table with the goals. */
function render(cases: FormatCase[], runs: number): string {
  const f = (n: number, d = 1): string => n.toFixed(d);
  const kb = (n: number): string => `${f(n / 1024)} KB`;
  const lines = [
    `WebP and AVIF output (median of ${runs} runs; CPU time counts every thread; PSNR against the Lanczos3 reference):`,
    '',
    '| case | ours wall / CPU ms | sharp wall / CPU ms | CPU ratio (goal) | ours default bytes @ dB | sharp default bytes @ dB | ours at sharp\'s PSNR: bytes, CPU | bytes ratio (goal ≤ 1.1) |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const c of cases) {
    const ratio = c.ours.cpuMs / c.sharp.cpuMs;
    const eq = c.equal ? `q${c.equal.quality}: ${kb(c.equal.bytes)} @ ${f(c.equal.psnr, 2)}, CPU ${f(c.equal.cpuMs ?? NaN)} ms (${f((c.equal.cpuMs ?? NaN) / c.sharp.cpuMs, 2)}x)` : 'not reached';
    const bytesRatio = c.equal ? f(c.equal.bytes / c.sharp.bytes, 2) : '-';
    lines.push(`| ${c.label} | ${f(c.ours.wallMs)} / ${f(c.ours.cpuMs)} | ${f(c.sharp.wallMs)} / ${f(c.sharp.cpuMs)} | ` +
      `${f(ratio, 2)}x (≤ ${TIME_GOALS[c.format]}x ${c.timeMet ? 'met' : 'missed'}) | ${kb(c.ours.bytes)} @ ${f(c.ours.psnr, 2)} | ` +
      `${kb(c.sharp.bytes)} @ ${f(c.sharp.psnr, 2)} | ${eq} | ${bytesRatio} (${c.bytesMet ? 'met' : 'missed'}) |`);
  }
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--runs');
  const runs = i > 0 ? Number(process.argv[i + 1]) : undefined;
  benchFormats({ runs }).then(({ markdown }) => process.stdout.write(`${markdown}\n`), (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  });
}
