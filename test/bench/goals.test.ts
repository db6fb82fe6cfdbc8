/**
 * Tests of the goals table of issue #15 (bench/lib/goals.ts): each goal's ratio and status from
 * given figures, and the rendered table's count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { issueGoals, goalsTable, firstAnswerGoal, orderGoals, type GoalInputs, type GoalRow } from '../../bench/lib/goals.js';
import { verdict } from '../../bench/lib/report.js';

const base: GoalInputs = {
  proxy: { jpeg1024: { median: 13, bytes: 100, psnr: 36 }, jpeg4000: { median: 80 }, png1024: { median: 40 }, gif640: { median: 30, bytes: 400 } },
  sharp: { jpeg1024: { median: 10 }, jpeg4000: { median: 50 }, png1024: { median: 25 }, gif640: { bytes: 380 } },
  go: { jpeg1024: { bytes: 110, psnr: 35 }, png1024: { median: 50 }, gif640: { median: 35 } },
  rps: { proxy: 90, sharp: 100 },
  cache: { proxy: 900, bare: 1000, connections: 16 },
  gifSourceBytes: 700,
  peakRssBytes: 200 * 2 ** 20,
};

test('issueGoals computes each goal of the issue from the figures', () => {
  const cases: Array<{ name: string; want: Array<[value: number, status: string]> }> = [
    {
      name: 'figures near the limits (4000→500 at 1.6× sharp misses)',
      want: [[1.3, 'met'], [1.6, 'not met'], [0.9, 'met'], [0.8, 'met'], [1.6, 'met'], [30 / 35, 'met'], [400 / 380, 'met'],
        [400 / 700, 'met'], [0.9, 'met'], [100 / 110, 'met'], [1, 'met'], [200, 'met']],
    },
  ];
  for (const c of cases) {
    const rows = issueGoals(base);
    assert.equal(rows.length, c.want.length, `${c.name}: issueGoals rows = ${rows.length}, want ${c.want.length}`);
    rows.forEach((r, i) => {
      const [value, status] = c.want[i];
      assert.ok(Math.abs(r.value - value) < 1e-9, `${c.name}: issueGoals row ${i} (${r.name}) value = ${r.value}, want ${value}`);
      const got = verdict(r.value, r.limit, r.kind);
      assert.equal(got, status, `${c.name}: issueGoals row ${i} (${r.name}) status = ${got}, want ${status}`);
    });
  }
});

test('firstAnswerGoal compares the proxy\'s first answer with Go\'s', () => {
  const cases: Array<{ name: string; proxy?: number; go?: number; status: string; show: RegExp }> = [
    { name: 'within 2x', proxy: 150, go: 100, status: 'met', show: /^1\.50× Go \(150 vs 100 ms\)$/ },
    { name: 'past 2x', proxy: 700, go: 60, status: 'not met', show: /^11\.67× Go \(700 vs 60 ms\)$/ },
    { name: 'proxy not measured', go: 100, status: 'n/a', show: /not measured \(Go 100 ms\)/ },
    { name: 'Go not measured', proxy: 150, status: 'n/a', show: /n\/a/ },
  ];
  for (const c of cases) {
    const r = firstAnswerGoal(c.proxy, c.go);
    const got = verdict(r.value, r.limit, r.kind);
    assert.equal(got, c.status, `${c.name}: firstAnswerGoal(${c.proxy}, ${c.go}) status = ${got}, want ${c.status}`);
    assert.match(r.show, c.show, `${c.name}: firstAnswerGoal(${c.proxy}, ${c.go}).show = ${r.show}, want ${c.show}`);
  }
});

test('orderGoals puts a section\'s row into the issue\'s order and other goals after', () => {
  const extra: GoalRow = { name: 'P3 JPEG: extra time', value: 5, limit: 15, kind: 'below', show: '5%', goal: '< 15% extra' };
  const rows = orderGoals([extra, ...issueGoals(base), firstAnswerGoal(150, 100)]);
  const names = rows.map((r) => r.name);
  const at = names.indexOf('first transform answered after start');
  assert.equal(names[at - 1], 'animated GIF 640x427 ×5 → 500w, bytes', `orderGoals: row before the first answer = ${names[at - 1]}, want the GIF bytes row`);
  assert.equal(names[at + 1], 'cache hits, 16 connections', `orderGoals: row after the first answer = ${names[at + 1]}, want cache hits`);
  assert.equal(names.at(-1), extra.name, `orderGoals: last row = ${names.at(-1)}, want ${extra.name}`);
  assert.equal(names[0], 'JPEG 1024x683 → 500w, median latency', `orderGoals: first row = ${names[0]}`);
});

test('issueGoals shows n/a where an engine is missing', () => {
  const rows = issueGoals({ ...base, sharp: {} });
  assert.equal(verdict(rows[0].value, rows[0].limit, rows[0].kind), 'n/a', `row 0 without sharp = ${rows[0].value}, want n/a`);
});

test('goalsTable counts the goals met', () => {
  const rows = issueGoals(base);
  const t = goalsTable(rows);
  assert.equal(t.total, rows.length);
  assert.equal(t.met, rows.length - 1, `goalsTable met = ${t.met}, want ${rows.length - 1}`);
  assert.match(t.markdown, /\| case \| measured \| goal \| status \|/);
  assert.match(t.markdown, new RegExp(`${t.met} of ${t.total} goals met`));
});
