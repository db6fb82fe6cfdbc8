/**
 * `npm run fuzz` entry: property checks for the request language, a replay of the saved
 * regression inputs, then the decoder mutation fuzzer for the rest of the time budget.
 *
 * Usage: node dist/test/fuzz/run.js [--seconds 60] [--seed N] [--workers N] [--runs N]
 *        [--max-pixels N] [--timeout-ms N] [--no-save] [--replay INDEX [--out FILE]]
 *
 * The seed is printed first; the same seed (and corpus) reproduces the same inputs. New findings
 * are saved to fixtures/fuzz/open/ and make the exit status 1; hangs from the known open bugs in
 * test/fuzz/known.ts are only counted.
 */
import os from 'node:os';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatOptions } from '../../lib/request/options.js';
import { randomSeed } from './prng.js';
import { checkProperties } from './properties.js';
import {
  DEFAULT_FUZZ_MAX_PIXELS, DEFAULT_FUZZ_TIMEOUT_MS, FUZZ_FIXTURES, checkInput, fuzzDecoders, fuzzLimits,
  inputFor, loadCorpus, loadRegressions, startFuzzPool,
} from './harness.js';
import { runTargets } from './targets.js';
import { KNOWN_BUGS } from './known.js';

/** OPEN_FINDINGS is where new findings go until the bug behind them is fixed. */
const OPEN_FINDINGS = path.join(FUZZ_FIXTURES, 'open');

function int(v: string | undefined, def: number, name: string): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got ${v}`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string' }, seed: { type: 'string' }, workers: { type: 'string' }, runs: { type: 'string' },
      'max-pixels': { type: 'string' }, 'timeout-ms': { type: 'string' }, 'no-save': { type: 'boolean' },
      replay: { type: 'string' }, out: { type: 'string' },
    },
  });
  const seconds = int(values.seconds, 60, 'seconds');
  const seed = int(values.seed, randomSeed(), 'seed') >>> 0;
  const workers = int(values.workers, Math.min(2, os.availableParallelism()), 'workers') || 1;
  const runs = int(values.runs, 2000, 'runs');
  const maxPixels = int(values['max-pixels'], DEFAULT_FUZZ_MAX_PIXELS, 'max-pixels');
  const timeoutMs = int(values['timeout-ms'], DEFAULT_FUZZ_TIMEOUT_MS, 'timeout-ms');
  const corpus = loadCorpus();
  console.log(`fuzz seed ${seed} (replay with --seed ${seed}); corpus ${corpus.length} files`);

  if (values.replay !== undefined) {
    const input = inputFor(seed, int(values.replay, 0, 'replay'), corpus);
    console.log(`input ${input.index}: from ${input.seedName}, ${input.steps.join('; ')}; options ${formatOptions(input.options)}, shrink ${input.shrink}, ${input.bytes.length} bytes`);
    if (values.out !== undefined) writeFileSync(values.out, input.bytes);
    const report = await runTargets(input.bytes, input.options, fuzzLimits(maxPixels, input.shrink));
    for (const o of report.outcomes) console.log(`  ${o.target}: ${o.result}${o.code ? ` ${o.code}` : ''}${o.detail ? ` ${o.detail}` : ''} (${o.ms.toFixed(0)} ms)`);
    return report.outcomes.some((o) => o.result === 'finding') ? 1 : 0;
  }

  let failures = 0;
  console.log(`\n== properties (${runs} runs each)`);
  const t0 = performance.now();
  for (const r of checkProperties(seed, runs)) {
    console.log(`${r.failed ? 'FAIL' : 'ok  '} ${r.name}`);
    if (r.failed) {
      failures++;
      console.log(r.message);
    }
  }
  console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);

  const regressions = loadRegressions();
  console.log(`\n== ${regressions.length} regression inputs from ${FUZZ_FIXTURES}`);
  if (regressions.length > 0) {
    const pool = startFuzzPool(workers, timeoutMs);
    try {
      for (const reg of regressions) {
        const res = await checkInput(pool, reg.bytes, reg.options, fuzzLimits(maxPixels, reg.shrink));
        const bad = 'failure' in res ? [res.failure.detail] : res.report.outcomes.filter((o) => o.result === 'finding').map((o) => `${o.target}: ${o.detail}`);
        console.log(`${bad.length > 0 ? 'FAIL' : 'ok  '} ${reg.name}${bad.length > 0 ? `\n  ${bad.join('\n  ')}` : ''}`);
        failures += bad.length > 0 ? 1 : 0;
      }
    } finally {
      await pool.close();
    }
  }

  console.log(`\n== mutation fuzzing for ${seconds} s on ${workers} worker(s), max ${maxPixels} pixels, ${timeoutMs} ms per input`);
  const summary = await fuzzDecoders({
    seed, durationMs: seconds * 1000, workers, timeoutMs, maxPixels, corpus,
    saveDir: values['no-save'] ? undefined : OPEN_FINDINGS, log: (l) => console.log(l),
  });
  console.log(`${summary.inputs} inputs in ${(summary.ms / 1000).toFixed(1)} s (${(summary.inputs / (summary.ms / 1000)).toFixed(0)}/s); peak rss ${summary.peakRssMb.toFixed(0)} MB, peak worker heap ${summary.peakWorkerHeapMb.toFixed(0)} MB`);
  for (const [target, counts] of Object.entries(summary.outcomes)) {
    console.log(`  ${target}: ${Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  }
  console.log(`  slowest: ${summary.slowest.map((s) => `#${s.index} (${s.seedName}) ${s.ms.toFixed(0)} ms`).join(', ')}`);
  for (const [id, indexes] of Object.entries(summary.known)) {
    const bug = KNOWN_BUGS.find((k) => k.id === id);
    console.log(`  known open bug ${id} hit by ${indexes.length} input(s) (e.g. --replay ${indexes[0]}): ${bug?.summary ?? ''}`);
  }
  if (summary.findings.length > 0) {
    console.log(`\n${summary.findings.length} finding(s):`);
    for (const f of summary.findings) {
      console.log(`- ${f.kind} in ${f.target}: input ${f.input.index} (--seed ${seed} --replay ${f.input.index}) from ${f.input.seedName}${f.file ? ` saved as ${path.relative(process.cwd(), f.file)}` : ''}\n  ${f.detail}`);
    }
  }
  failures += summary.findings.length;
  console.log(failures === 0 ? '\nno findings' : `\n${failures} failure(s); seed ${seed}`);
  return failures === 0 ? 0 : 1;
}

process.exitCode = await main();
