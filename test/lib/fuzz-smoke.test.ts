import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkProperties } from '../fuzz/properties.js';
import { MAX_GROWTH_BYTES } from '../fuzz/mutate.js';
import {
  DEFAULT_FUZZ_MAX_PIXELS, FUZZ_FIXTURES, checkInput, fuzzDecoders, fuzzLimits, inputFor, loadCorpus, loadRegressions, startFuzzPool,
} from '../fuzz/harness.js';
import { createTransformPool } from '../../lib/pool/pool.js';
import { isProxyError } from '../../lib/errors.js';
import { emptyOptions } from '../../lib/request/options.js';
import { DEFAULT_LIMITS } from '../../lib/config.js';
import { FIXTURES } from '../helpers/paths.js';

/** SMOKE_SEED fixes the smoke run's inputs; `npm run fuzz -- --seed 20261128` replays them and more. */
const SMOKE_SEED = 20261128;

/** OPEN_FINDINGS are fuzz findings whose bug is not fixed yet (see fixtures/fuzz/README.md). */
const OPEN_FINDINGS = path.join(FUZZ_FIXTURES, 'open');

/** QUAD_PNG is a 32x32 four-colour PNG made by fixtures/codecs/generate.sh (project-made, Apache-2.0). */
const QUAD_PNG = path.join(FIXTURES, 'codecs', 'quad-palette.png');

test('fuzz inputs are a function of seed and index, and stay bounded', () => {
  const corpus = loadCorpus();
  for (const i of [0, 1, 17, 999]) {
    const a = inputFor(SMOKE_SEED, i, corpus);
    const b = inputFor(SMOKE_SEED, i, corpus);
    assert.ok(Buffer.from(a.bytes).equals(b.bytes) && a.steps.join() === b.steps.join(), `inputFor(${SMOKE_SEED}, ${i}) differs between calls`);
  }
  // The mutator itself must survive any input it produces (it walks mangled headers).
  for (let i = 0; i < 5000; i++) {
    const input = inputFor(SMOKE_SEED + 1, i, corpus);
    const src = corpus.find((c) => c.name === input.seedName)!;
    assert.ok(input.bytes.length <= src.bytes.length + MAX_GROWTH_BYTES, `inputFor(${SMOKE_SEED + 1}, ${i}) is ${input.bytes.length} bytes, want <= ${src.bytes.length + MAX_GROWTH_BYTES}`);
  }
  const differing = [0, 1, 2, 3, 4, 5, 6, 7].filter((i) => !Buffer.from(inputFor(1, i, corpus).bytes).equals(inputFor(2, i, corpus).bytes));
  assert.ok(differing.length >= 6, `inputs of seeds 1 and 2 differ at ${differing.length} of 8 indexes, want >= 6`);
});

test('fuzz smoke: request-language properties hold', () => {
  for (const r of checkProperties(SMOKE_SEED, 300)) {
    assert.ok(!r.failed, `property "${r.name}" failed:\n${r.message}`);
    assert.equal(r.numRuns, 300, `property "${r.name}" ran ${r.numRuns} cases, want 300`);
  }
});

test('fuzz smoke: saved regression inputs and mutated fixtures break no decoder property', async (t) => {
  const corpus = loadCorpus();
  assert.ok(corpus.length >= 10, `loadCorpus() found ${corpus.length} seed files, want >= 10`);
  // Saved regressions first: each must now be rejected cleanly (4xx) or decoded.
  const regressions = loadRegressions();
  const pool = startFuzzPool(2);
  try {
    for (const reg of regressions) {
      const res = await checkInput(pool, reg.bytes, reg.options, fuzzLimits(DEFAULT_FUZZ_MAX_PIXELS, reg.shrink));
      const bad = 'failure' in res ? [res.failure.detail] : res.report.outcomes.filter((o) => o.result === 'finding').map((o) => `${o.target}: ${o.detail}`);
      assert.deepEqual(bad, [], `regression ${reg.name}: findings ${JSON.stringify(bad)}, want none`);
    }
  } finally {
    await pool.close();
  }
  // Inputs that hit a known open bug are skipped here: the next test covers those bugs.
  const summary = await fuzzDecoders({ seed: SMOKE_SEED, maxInputs: 250, durationMs: 8000, workers: 2, corpus, skipKnown: true });
  t.diagnostic(`seed ${SMOKE_SEED}: ${summary.inputs} inputs in ${(summary.ms / 1000).toFixed(1)} s, ${regressions.length} regressions, skipped for known open bugs: ${JSON.stringify(summary.known)}`);
  assert.ok(summary.inputs >= 10, `fuzzDecoders ran ${summary.inputs} inputs, want >= 10`);
  const findings = summary.findings.map((f) => `${f.kind} in ${f.target} (input ${f.input.index} from ${f.input.seedName}): ${f.detail}`);
  assert.deepEqual(findings, [], `fuzzDecoders(seed ${SMOKE_SEED}) found ${findings.length} problem(s); replay with npm run fuzz -- --seed ${SMOKE_SEED} --replay N`);
  const rejected = Object.values(summary.outcomes.decode ?? {}).reduce((a, b) => a + b, 0) - (summary.outcomes.decode?.ok ?? 0);
  assert.ok(rejected > 0, 'no mutated input was rejected by decode; the mutator is not mutating');
});

test('fuzz smoke: open findings still end in a 4xx from the production pool', async () => {
  const open = loadRegressions(OPEN_FINDINGS);
  // The real worker, with a short time limit: a hang must become 422 too_slow, never a 5xx or a crash.
  const pool = createTransformPool({ workers: 1, maxQueue: open.length + 1, taskTimeoutMs: 1500 });
  try {
    for (const reg of open) {
      const t0 = performance.now();
      let outcome = 'ok';
      try {
        await pool.run(reg.bytes, reg.options, DEFAULT_LIMITS);
      } catch (err) {
        assert.ok(isProxyError(err) && err.status >= 400 && err.status < 500, `pool.run(${reg.name}) rejected with ${String(err)}, want a 4xx ProxyError`);
        outcome = err.code;
      }
      const ms = performance.now() - t0;
      assert.ok(ms < 10_000, `pool.run(${reg.name}) took ${ms.toFixed(0)} ms (${outcome}), want it cut off by the 1.5 s task limit`);
    }
    // The pool still works afterwards.
    const r = await pool.run(readFileSync(QUAD_PNG), { ...emptyOptions(), width: 8, height: 8 }, DEFAULT_LIMITS);
    assert.equal(r.contentType, 'image/png', `pool.run(quad-palette.png, 8x8).contentType = ${r.contentType}, want image/png`);
  } finally {
    await pool.close();
  }
});
