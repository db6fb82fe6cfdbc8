/**
 * Tests of the goals table of issue #15 (bench/lib/goals.ts): each goal's ratio and status from
 * given figures, and the rendered table's count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { issueGoals, goalsTable, type GoalInputs } from '../../bench/lib/goals.js';
import { verdict } from '../../bench/lib/report.js';

const base: GoalInputs = {
  proxy: { jpeg1024: { median: 13, bytes: 100, psnr: 36 }, jpeg4000: { median: 80 }, png1024: { median: 40 }, gif640: { median: 30, bytes: 400 } },
  sharp: { jpeg1024: { median: 10 }, jpeg4000: { median: 50 }, png1024: { median: 25 }, gif640: { bytes: 380 } },
  go: { jpeg1024: { bytes: 110, psnr: 35 }, png1024: { median: 50 }, gif640: { median: 35 } },
  rps: { proxy: 90, sharp: 100 },
  firstAnswer: { proxy: 150, go: 100 },
  cache: { proxy: 900, bare: 1000, connections: 16 },
  gifSourceBytes: 700,
  peakRssBytes: 200 * 2 ** 20,
};

test('issueGoals computes each goal of the issue from the figures', () => {
  const cases: Array<{ name: string; want: Array<[value: number, status: string]> }> = [
    {
      name: 'figures near the limits (4000→500 at 1.6× sharp misses)',
      want: [[1.3, 'met'], [1.6, 'not met'], [0.9, 'met'], [0.8, 'met'], [1.6, 'met'], [30 / 35, 'met'], [400 / 380, 'met'],
        [400 / 700, 'met'], [1.5, 'met'], [0.9, 'met'], [100 / 110, 'met'], [1, 'met'], [200, 'met']],
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

test('issueGoals shows n/a and "not measured" where an engine is missing', () => {
  const rows = issueGoals({ ...base, sharp: {}, firstAnswer: { go: 100 } });
  const first = rows.find((r) => r.name.startsWith('first transform'))!;
  assert.match(first.show, /not measured/, `first-answer row show = ${first.show}, want "not measured"`);
  assert.equal(verdict(first.value, first.limit, first.kind), 'n/a');
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
