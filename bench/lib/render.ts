/**
 * The Markdown report of `npm run bench`: the goals of issue #15, the earlier targets, and the
 * latency, output, throughput, cache-hit and memory tables.
 */
import { ratio, fmt, fmtBytes, percentile, type Summary } from './stats.js';
import { loadAverage, verdict, table, type Verdict } from './report.js';
import type { LoopResult } from './client.js';
import type { CannonSummary } from './cannon.js';
import type { ImageName } from './images.js';
import { goalsTable, type GoalRow } from './goals.js';

/** CASES are the sequential-latency cases, in report order. */
export const CASES: Array<{ image: ImageName; label: string }> = [
  { image: 'jpeg1024', label: 'JPEG 1024x683 → 500w' },
  { image: 'jpeg4000', label: 'JPEG 4000x2667 → 500w' },
  { image: 'png1024', label: 'PNG 1024x683 → 500w' },
  { image: 'gif640', label: 'GIF 640x427 ×5 frames → 500w' },
];

/** EngineName names an engine under test. */
export type EngineName = 'proxy' | 'sharp' | 'jimp' | 'go';
/** ENGINES is the report order. */
export const ENGINES: EngineName[] = ['proxy', 'sharp', 'jimp', 'go'];
/** ENGINE_LABEL is each engine's name in the report. */
export const ENGINE_LABEL: Record<EngineName, string> = {
  proxy: 'imageproxy (this)', sharp: 'sharp (libvips)', jimp: 'jimp 1.6 (pure JS)', go: 'Go reference',
};

/** CaseResult is one engine's result for one case. */
export interface CaseResult {
  latency?: Summary;
  bytes?: number;
  format?: string;
  width?: number;
  height?: number;
  psnr?: number;
  error?: string;
}

/** EngineResult is one engine's results. */
export interface EngineResult {
  cases: Partial<Record<ImageName, CaseResult>>;
  throughput?: LoopResult;
  peakRss?: number;
}

/** CacheResult is the cache-hit comparison. */
export interface CacheResult {
  proxy?: CannonSummary;
  bare?: CannonSummary;
  proxyPeakRss?: number;
}

/** RunSettings describes the run for the report's first line. */
export interface RunSettings {
  runs: number; warmup: number; seconds: number; concurrency: number; minW: number; maxW: number;
  cacheSeconds: number; connections: number; cacheRounds: number; proxyArgs: string[];
}

/** ReportInput is everything the report shows. */
export interface ReportInput {
  settings: RunSettings;
  machine: string[];
  results: Partial<Record<EngineName, EngineResult>>;
  cache: CacheResult;
  goRss?: number;
  sharpRss?: number;
  goals: GoalRow[];
  sections: Array<{ title: string; markdown?: string }>;
  notes: string[];
}

/** ReportOutput is the Markdown and the counts for the history line. */
export interface ReportOutput {
  markdown: string;
  targetsMet: number;
  targetsTotal: number;
  goalsMet: number;
  goalsTotal: number;
}

function row(cells: Array<string | number>): string[] {
  return cells.map(String);
}

/** targets are the earlier issue's targets (vs jimp and Go), kept as they were. */
function targets(results: ReportInput['results'], cache: CacheResult, concurrency: number): { md: string; met: number; total: number } {
  const lat = (e: EngineName, img: ImageName) => results[e]?.cases[img]?.latency?.median;
  const t: Array<{ name: string; value: number; limit: number; kind: 'atLeast' | 'atMost' | 'below'; show: string; goal: string }> = [];
  const p1 = lat('proxy', 'jpeg1024'), j1 = lat('jimp', 'jpeg1024'), g1 = lat('go', 'jpeg1024');
  const p4 = lat('proxy', 'jpeg4000'), g4 = lat('go', 'jpeg4000');
  const pr = results.proxy?.throughput?.rps, jr = results.jimp?.throughput?.rps, gr = results.go?.throughput?.rps;
  t.push({ name: '1024→500 latency vs jimp', value: ratio(j1, p1), limit: 3, kind: 'atLeast', show: `${fmt(ratio(j1, p1), 2)}× faster`, goal: '≥ 3× faster' });
  t.push({ name: '1024→500 latency vs Go', value: ratio(p1, g1), limit: 1.5, kind: 'atMost', show: `${fmt(ratio(p1, g1), 2)}× Go's time`, goal: '≤ 1.5× Go' });
  t.push({ name: `c=${concurrency} throughput vs jimp`, value: ratio(pr, jr), limit: 3, kind: 'atLeast', show: `${fmt(ratio(pr, jr), 2)}× jimp's req/s`, goal: '≥ 3×' });
  t.push({ name: `c=${concurrency} throughput vs Go`, value: ratio(gr, pr), limit: 1.5, kind: 'atMost', show: `Go does ${fmt(ratio(gr, pr), 2)}× ours`, goal: 'Go ≤ 1.5× ours' });
  t.push({ name: '4000→500 latency vs Go', value: ratio(p4, g4), limit: 2, kind: 'atMost', show: `${fmt(ratio(p4, g4), 2)}× Go's time`, goal: '≤ 2× Go' });
  for (const img of ['jpeg1024', 'jpeg4000'] as const) {
    const pc = results.proxy?.cases[img], gc = results.go?.cases[img];
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
  const met = verdicts.filter((v) => v === 'met').length;
  return { md: table(['target', 'measured', 'goal', 'status'], t.map((x, i) => row([x.name, x.show, x.goal, `**${verdicts[i]}**`]))), met, total: t.length };
}

/** render builds the whole report. */
export function render(r: ReportInput): ReportOutput {
  const { settings: s, results, cache } = r;
  const out: string[] = [];
  const lat = (e: EngineName, img: ImageName) => results[e]?.cases[img]?.latency?.median;
  const cell = (e: EngineName, img: ImageName) => {
    const c = results[e]?.cases[img];
    if (!results[e]) return 'skipped';
    if (c?.error) return 'error';
    return fmt(c?.latency?.median);
  };
  out.push(`Run: ${s.runs} sequential requests after ${s.warmup} warm-ups per case; throughput ${s.seconds} s at concurrency ${s.concurrency} ` +
    `(widths ${s.minW}..${s.maxW}); cache hits ${s.cacheSeconds} s at ${s.connections} connections.` +
    (s.proxyArgs.length ? ` Extra proxy flags: \`${s.proxyArgs.join(' ')}\`.` : ''), '');
  out.push('### Machine', '', ...r.machine, `- Load average at the end: ${loadAverage()}`, '');

  const goals = goalsTable(r.goals);
  out.push('### Goals (issue #15: close to libvips)', '', goals.markdown, '');
  const tg = targets(results, cache, s.concurrency);
  out.push('### Targets (earlier: vs jimp and Go)', '', tg.md, '');
  out.push(`${tg.met} of ${tg.total} targets met (n/a = an engine was skipped or failed).`, '');

  out.push(`### Uncached latency, median ms (${s.runs} sequential requests)`, '');
  out.push(table(
    ['case', 'imageproxy', 'sharp', 'jimp', 'Go', 'imageproxy ÷ sharp', 'jimp ÷ imageproxy', 'imageproxy ÷ Go'],
    CASES.map((c) => row([c.label, cell('proxy', c.image), cell('sharp', c.image), cell('jimp', c.image), cell('go', c.image),
      fmt(ratio(lat('proxy', c.image), lat('sharp', c.image)), 2),
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

  out.push('### Output: size and quality', '');
  out.push('PSNR (dB, RGB) of the decoded output against a double-precision Lanczos3 resize of the full-resolution decode, at the output\'s own size; higher is better.', '');
  const outRows: string[][] = [];
  for (const c of CASES) {
    for (const e of ENGINES) {
      const x = results[e]?.cases[c.image];
      if (!x || x.error) continue;
      outRows.push(row([c.label, ENGINE_LABEL[e], x.format ?? '?', `${x.width}x${x.height}`, `${x.bytes} (${fmtBytes(x.bytes)})`, fmt(x.psnr, 2)]));
    }
  }
  out.push(table(['case', 'engine', 'format', 'size', 'bytes', 'PSNR'], outRows), '');

  out.push(`### Throughput, uncached, JPEG 1024x683 → ${s.minW}..${s.maxW}w, concurrency ${s.concurrency}`, '');
  out.push(table(['engine', 'req/s', 'ok', 'failed', 'latency p50 ms', 'p99 ms'], ENGINES.filter((e) => results[e]).map((e) => {
    const t = results[e]!.throughput;
    if (!t) return row([ENGINE_LABEL[e], 'error', '', '', '', '']);
    return row([ENGINE_LABEL[e], fmt(t.rps, 2), t.ok, t.failed, fmt(percentile(t.latencies, 50)), fmt(percentile(t.latencies, 99))]);
  })), '');

  out.push(`### Cache hits (proxy with -cache memory, one URL) vs a bare Node http server sending the same bytes`, '');
  out.push(`Each server ran ${s.cacheRounds} alternating turns; p50 and p99 are the means of the turns' percentiles.`, '');
  const ch = (name: string, x?: CannonSummary) => (x ? row([name, fmt(x.rps, 0), fmt(x.p50, 1), fmt(x.p99, 1), x.errors, JSON.stringify(x.statusCounts)]) : row([name, 'n/a', '', '', '', '']));
  out.push(table(['server', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'statuses'], [ch('imageproxy (cache hit)', cache.proxy), ch('bare http server', cache.bare)]), '');

  out.push('### Memory (peak RSS, VmHWM)', '');
  out.push(`- imageproxy, uncached run (all cases + throughput): ${fmtBytes(results.proxy?.peakRss)}`);
  out.push(`- imageproxy, cache-hit run: ${fmtBytes(cache.proxyPeakRss)}`);
  out.push(`- sharp reference: ${fmtBytes(r.sharpRss)}`);
  out.push(`- Go reference: ${fmtBytes(r.goRss)}`, '');

  for (const sec of r.sections) if (sec.markdown) out.push(`### ${sec.title}`, '', sec.markdown.trim(), '');
  if (r.notes.length) out.push('### Notes', '', ...r.notes.map((n) => `- ${n.replace(/\n/g, ' ')}`), '');
  return { markdown: out.join('\n'), targetsMet: tg.met, targetsTotal: tg.total, goalsMet: goals.met, goalsTotal: goals.total };
}
