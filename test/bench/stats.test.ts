/**
 * Tests of the benchmark's pure helpers: statistics, PSNR and the Lanczos3 reference resize,
 * /proc parsing, the ready-line parser, result merging, the closed loop and the RESULTS.md section
 * editing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percentile, median, mean, summarize, ratio, fmt, fmtBytes } from '../../bench/lib/stats.js';
import { lanczos3, lanczos3Resize, psnr, type Pixels } from '../../bench/lib/psnr.js';
import { parseProcStatus, listeningURL } from '../../bench/lib/proc.js';
import { replaceSection, prependHistory, verdict, table } from '../../bench/lib/report.js';
import { closedLoop, mergeLoops } from '../../bench/lib/client.js';
import { mergeCannon, type CannonSummary } from '../../bench/lib/cannon.js';

function close(got: number, want: number, eps: number, what: string): void {
  assert.ok(Math.abs(got - want) <= eps, `${what} = ${got}, want ${want} (±${eps})`);
}

test('percentile interpolates between ranks', () => {
  const cases: Array<{ values: number[]; p: number; want: number }> = [
    { values: [1, 2, 3, 4], p: 50, want: 2.5 },
    { values: [4, 1, 3, 2], p: 0, want: 1 },
    { values: [4, 1, 3, 2], p: 100, want: 4 },
    { values: [10, 20], p: 25, want: 12.5 },
    { values: [7], p: 99, want: 7 },
    { values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], p: 90, want: 10 },
  ];
  for (const { values, p, want } of cases) {
    close(percentile(values, p), want, 1e-12, `percentile(${JSON.stringify(values)}, ${p})`);
  }
  assert.ok(Number.isNaN(percentile([], 50)), 'percentile([], 50) = not NaN, want NaN');
  assert.throws(() => percentile([1], 101), RangeError);
});

test('median, mean and summarize', () => {
  const cases: Array<{ values: number[]; wantMedian: number; wantMean: number }> = [
    { values: [3, 1, 2], wantMedian: 2, wantMean: 2 },
    { values: [5, 1, 2, 100], wantMedian: 3.5, wantMean: 27 },
    { values: [2, 2, 2, 2], wantMedian: 2, wantMean: 2 },
  ];
  for (const { values, wantMedian, wantMean } of cases) {
    close(median(values), wantMedian, 1e-12, `median(${JSON.stringify(values)})`);
    close(mean(values), wantMean, 1e-12, `mean(${JSON.stringify(values)})`);
  }
  const s = summarize([9, 1, 5, 3, 7]);
  assert.deepEqual(
    { count: s.count, min: s.min, median: s.median, mean: s.mean, max: s.max },
    { count: 5, min: 1, median: 5, mean: 5, max: 9 },
    `summarize([9,1,5,3,7]) = ${JSON.stringify(s)}`,
  );
  close(s.p99, 8.92, 1e-9, 'summarize([9,1,5,3,7]).p99');
});

test('ratio and formatting treat missing values as n/a', () => {
  const cases: Array<{ a?: number | undefined; b: number | undefined; want: number }> = [
    { a: 6, b: 3, want: 2 },
    { a: 1, b: 4, want: 0.25 },
    { b: 3, want: NaN },
    { a: 3, b: 0, want: NaN },
    { a: NaN, b: 2, want: NaN },
  ];
  for (const { a, b, want } of cases) {
    const got = ratio(a, b);
    assert.ok(Object.is(got, want) || got === want, `ratio(${a}, ${b}) = ${got}, want ${want}`);
  }
  const fmts: Array<{ got: string; want: string }> = [
    { got: fmt(1.234, 2), want: '1.23' },
    { got: fmt(NaN), want: 'n/a' },
    { got: fmt(undefined), want: 'n/a' },
    { got: fmt(Infinity), want: '∞' },
    { got: fmtBytes(512), want: '512 B' },
    { got: fmtBytes(2048), want: '2.0 KiB' },
    { got: fmtBytes(3 * 1024 * 1024), want: '3.0 MiB' },
    { got: fmtBytes(NaN), want: 'n/a' },
  ];
  for (const { got, want } of fmts) assert.equal(got, want, `format = ${got}, want ${want}`);
});

function image(width: number, height: number, f: (x: number, y: number, c: number) => number): Pixels {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) data[(y * width + x) * 4 + c] = f(x, y, c);
      data[(y * width + x) * 4 + 3] = 255;
    }
  }
  return { width, height, data };
}

test('psnr matches the textbook formula', () => {
  const a = image(4, 4, () => 100);
  assert.equal(psnr(a, a), Infinity, 'psnr(a, a) should be Infinity');
  // Every RGB sample off by 5: MSE 25, PSNR = 10·log10(255²/25).
  const b = image(4, 4, () => 105);
  close(psnr(b, a), 10 * Math.log10((255 * 255) / 25), 1e-9, 'psnr(off by 5)');
  // One channel of one pixel off by 48 in a 2x2 image: MSE = 48²/12 = 192.
  const c = image(2, 2, (x, y, ch) => (x === 0 && y === 0 && ch === 1 ? 148 : 100));
  const d = image(2, 2, () => 100);
  close(psnr(c, d), 10 * Math.log10((255 * 255) / 192), 1e-9, 'psnr(single error)');
  // Alpha is ignored.
  const e = image(2, 2, () => 100);
  e.data[3] = 0;
  assert.equal(psnr(e, d), Infinity, 'psnr should ignore alpha');
  // Reference values are clamped to 0..255 before comparing.
  const ref = { width: 1, height: 1, data: new Float64Array([300, -20, 255, 255]) };
  const px = { width: 1, height: 1, data: new Uint8Array([255, 0, 255, 255]) };
  assert.equal(psnr(px, ref), Infinity, 'psnr should clamp the reference');
  assert.throws(() => psnr(image(2, 2, () => 0), image(2, 3, () => 0)), RangeError);
});

test('lanczos3 kernel', () => {
  const cases: Array<{ x: number; want: number }> = [
    { x: 0, want: 1 },
    { x: 1, want: 0 },
    { x: -2, want: 0 },
    { x: 3, want: 0 },
    { x: 4.5, want: 0 },
    // 3·sin(πx)·sin(πx/3) / (πx)² at x = 0.5.
    { x: 0.5, want: (3 * Math.sin(Math.PI / 2) * Math.sin(Math.PI / 6)) / ((Math.PI / 2) * (Math.PI / 2)) },
  ];
  for (const { x, want } of cases) close(lanczos3(x), want, 1e-12, `lanczos3(${x})`);
  assert.ok(lanczos3(1.5) < 0, `lanczos3(1.5) = ${lanczos3(1.5)}, want a negative lobe`);
});

test('lanczos3Resize keeps flat images flat and ramps linear', () => {
  // A flat image stays flat at any size (weights are normalised).
  const flat = image(37, 23, () => 77);
  const small = lanczos3Resize(flat, 10, 6);
  for (let i = 0; i < small.data.length; i += 4) close(small.data[i], 77, 1e-9, `flat resize sample ${i}`);
  // Same size is the identity.
  const noise = image(9, 7, (x, y, c) => (x * 31 + y * 17 + c * 7) % 256);
  const same = lanczos3Resize(noise, 9, 7);
  for (let i = 0; i < same.data.length; i++) close(same.data[i], noise.data[i], 1e-9, `identity sample ${i}`);
  // Halving a horizontal ramp keeps it a ramp away from the edges: output x sits at source 2x+0.5.
  const ramp = image(64, 4, (x) => x * 3);
  const half = lanczos3Resize(ramp, 32, 2);
  for (let x = 4; x < 28; x++) close(half.data[x * 4], (2 * x + 0.5) * 3, 1e-6, `half ramp x=${x}`);
});

test('parseProcStatus reads VmRSS and VmHWM in bytes', () => {
  const text = 'Name:\tnode\nVmPeak:\t 999 kB\nVmHWM:\t   204800 kB\nVmRSS:\t  102400 kB\nThreads:\t11\n';
  assert.deepEqual(parseProcStatus(text), { rss: 102400 * 1024, hwm: 204800 * 1024 });
  assert.deepEqual(parseProcStatus('Name: x\n'), { rss: 0, hwm: 0 });
});

test('listeningURL finds the ready line', () => {
  const cases: Array<{ text: string; want?: string | undefined }> = [
    { text: 'imageproxy listening on 127.0.0.1:40123\n', want: 'http://127.0.0.1:40123' },
    { text: 'starting\nimageproxy listening on http://127.0.0.1:5/\n', want: 'http://127.0.0.1:5' },
    { text: 'imageproxy listening on [::1]:8080', want: 'http://[::1]:8080' },
    { text: 'listening soon' },
  ];
  for (const { text, want } of cases) assert.equal(listeningURL(text), want, `listeningURL(${JSON.stringify(text)})`);
});

test('replaceSection and prependHistory edit only their section', () => {
  const doc = '# R\n\n<!-- bench:begin -->\nold\n<!-- bench:end -->\n\ntail\n';
  const got = replaceSection(doc, 'bench', 'new body');
  assert.equal(got, '# R\n\n<!-- bench:begin -->\nnew body\n<!-- bench:end -->\n\ntail\n');
  const added = replaceSection('# R\n', 'load', 'x', '## Load');
  assert.equal(added, '# R\n\n## Load\n\n<!-- load:begin -->\nx\n<!-- load:end -->\n');
  let h = prependHistory('# R\n', '- one');
  h = prependHistory(h, '- two');
  assert.ok(h.includes('<!-- history:begin -->\n- two\n- one\n<!-- history:end -->'), `history = ${JSON.stringify(h)}`);
});

test('verdict and table', () => {
  const cases: Array<{ v: number; l: number; k: 'atLeast' | 'atMost' | 'below'; want: string }> = [
    { v: 3.2, l: 3, k: 'atLeast', want: 'met' },
    { v: 2.9, l: 3, k: 'atLeast', want: 'not met' },
    { v: 1.5, l: 1.5, k: 'atMost', want: 'met' },
    { v: 1.6, l: 1.5, k: 'atMost', want: 'not met' },
    { v: 512, l: 512, k: 'below', want: 'not met' },
    { v: NaN, l: 3, k: 'atLeast', want: 'n/a' },
    { v: Infinity, l: 0, k: 'atLeast', want: 'met' },
  ];
  for (const { v, l, k, want } of cases) assert.equal(verdict(v, l, k), want, `verdict(${v}, ${l}, ${k})`);
  assert.equal(table(['a', 'b'], [['1', '2']]), '| a | b |\n| --- | --- |\n| 1 | 2 |');
});

test('closedLoop keeps exactly `concurrency` tasks in flight until the deadline', async () => {
  let inFlight = 0;
  let maxInFlight = 0;
  const r = await closedLoop(3, 0.2, async (i) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    // A turn of the event loop, not a timer: on a loaded machine timers of a few ms fire late.
    await new Promise((res) => setImmediate(res));
    inFlight--;
    if (i % 5 === 4) throw new Error(`task ${i} failed`);
  });
  assert.equal(maxInFlight, 3, `max in flight = ${maxInFlight}, want 3`);
  assert.ok(r.ok > 10 && r.failed > 0, `closedLoop ok=${r.ok} failed=${r.failed}, want both > 0`);
  assert.equal(r.latencies.length, r.ok, `latencies = ${r.latencies.length}, want ${r.ok}`);
  assert.ok(r.seconds >= 0.2, `seconds = ${r.seconds}, want >= 0.2`);
  close(r.rps, r.ok / r.seconds, 1e-9, 'rps');
  assert.match(r.firstError ?? '', /^task \d+ failed$/);
});

test('mergeLoops and mergeCannon add up runs', () => {
  const m = mergeLoops([
    { ok: 10, failed: 1, seconds: 2, rps: 5, latencies: [1, 2], firstError: 'x' },
    { ok: 20, failed: 0, seconds: 3, rps: 6.67, latencies: [3] },
  ]);
  assert.deepEqual(
    { ok: m.ok, failed: m.failed, seconds: m.seconds, rps: m.rps, latencies: m.latencies, firstError: m.firstError },
    { ok: 30, failed: 1, seconds: 5, rps: 6, latencies: [1, 2, 3], firstError: 'x' },
  );
  const run = (total: number, seconds: number, p50: number, max: number, codes: Record<string, number>): CannonSummary => ({
    rps: total / seconds, total, p50, p99: p50 * 2, max, errors: 1, timeouts: 0, statusCounts: codes, seconds,
  });
  const c = mergeCannon([run(100, 2, 4, 9, { '200': 99, '503': 1 }), run(300, 3, 6, 7, { '200': 300 })]);
  assert.deepEqual(
    { rps: c.rps, total: c.total, p50: c.p50, p99: c.p99, max: c.max, errors: c.errors, statusCounts: c.statusCounts },
    { rps: 80, total: 400, p50: 5, p99: 10, max: 9, errors: 2, statusCounts: { '200': 399, '503': 1 } },
  );
  assert.throws(() => mergeCannon([]), RangeError);
});
