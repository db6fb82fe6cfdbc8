/**
 * Tests of the bench's extra sections (bench/lib/sections.ts): picking them by title, and the goal
 * rows each section adds to the goals table (cold start, colour, formats, fleet).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickSections, runSections, type ExtraSection, type SectionContext } from '../../bench/lib/sections.js';
import { verdict } from '../../bench/lib/report.js';
import type { GoalRow } from '../../bench/lib/goals.js';
import { coldStartGoal, type ColdResult } from '../../bench/coldstart.js';
import { colourGoals } from '../../bench/colour.js';
import { formatGoals, type FormatCase } from '../../bench/formats.js';
import { fleetGoals, type BurstResult } from '../../bench/fleet.js';
import { summarize } from '../../bench/lib/stats.js';

const LIST: ExtraSection[] = [
  { title: 'Cold start: spawn to first answer', module: './coldstart.js' },
  { title: 'Colour: Display P3', module: './colour.js' },
  { title: 'Fleet: work done once', module: './fleet.js' },
];

test('pickSections keeps the sections whose title contains a word', () => {
  const cases: Array<{ only: string; want: string[] }> = [
    { only: '', want: ['./coldstart.js', './colour.js', './fleet.js'] },
    { only: 'cold', want: ['./coldstart.js'] },
    { only: 'COLOUR, fleet', want: ['./colour.js', './fleet.js'] },
    { only: 'none', want: [] },
  ];
  for (const c of cases) {
    const got = pickSections(LIST, c.only).map((s) => s.module);
    assert.deepEqual(got, c.want, `pickSections(${JSON.stringify(c.only)}) = ${JSON.stringify(got)}, want ${JSON.stringify(c.want)}`);
  }
});

test('runSections turns a section that fails into a note and keeps going', async () => {
  const notes: string[] = [];
  const ctx = { log() {}, note: (m: string) => void notes.push(m) } as unknown as SectionContext;
  const list: ExtraSection[] = [{ title: 'missing', module: './no-such-section.js' }];
  const got = await runSections(list, ctx, import.meta.url);
  assert.deepEqual(got, [], `runSections(missing module) = ${JSON.stringify(got)}, want []`);
  assert.match(notes.join('\n'), /section "missing" failed/, `notes = ${JSON.stringify(notes)}`);
});

/** status is a goal row's verdict. */
function status(r: GoalRow): string {
  return verdict(r.value, r.limit, r.kind);
}

test('coldStartGoal takes the proxy\'s and Go\'s medians from the cold-start results', () => {
  const cases: Array<{ name: string; results: ColdResult[]; value: number; status: string }> = [
    {
      name: 'both measured',
      results: [
        { name: 'imageproxy (node dist/bin/imageproxy.js)', times: summarize([300, 200, 250]) },
        { name: 'imageproxy bundled (esbuild, one file)', times: summarize([900]) },
        { name: 'Go reference', times: summarize([100, 120, 80]) },
      ],
      value: 2.5, status: 'not met',
    },
    { name: 'Go failed', results: [{ name: 'imageproxy (x)', times: summarize([150]) }, { name: 'Go reference', error: 'no go' }], value: NaN, status: 'n/a' },
  ];
  for (const c of cases) {
    const [row] = coldStartGoal(c.results)!;
    assert.ok(Object.is(row.value, c.value) || Math.abs(row.value - c.value) < 1e-9, `${c.name}: coldStartGoal value = ${row.value}, want ${c.value}`);
    assert.equal(status(row), c.status, `${c.name}: coldStartGoal status = ${status(row)}, want ${c.status}`);
    assert.equal(row.name, 'first transform answered after start');
  }
});

test('colourGoals marks each case against 15% extra', () => {
  const rows = colourGoals([
    { label: 'JPEG out', untaggedMs: 20, p3Ms: 22, extra: 0.1 },
    { label: 'PNG out', untaggedMs: 20, p3Ms: 24, extra: 0.2 },
  ]);
  const got = rows.map((r) => [r.goal, status(r)]);
  const want = [['< 15% extra', 'met'], ['< 15% extra', 'not met']];
  assert.deepEqual(got, want, `colourGoals = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
});

test('formatGoals gives a time and a bytes row per format', () => {
  const side = (cpuMs: number, bytes: number) => ({ wallMs: cpuMs, cpuMs, bytes, psnr: 40 });
  const cases: FormatCase[] = [
    { label: 'WebP', format: 'webp', ours: side(30, 100), sharp: side(25, 90), equal: { quality: 80, bytes: 95, psnr: 40 }, timeMet: true, bytesMet: true },
    { label: 'AVIF', format: 'avif', ours: side(300, 100), sharp: side(100, 90), equal: undefined, timeMet: false, bytesMet: false },
  ];
  const got = formatGoals(cases).map((r) => [r.name, status(r)]);
  const want = [
    ['WebP, CPU time at defaults', 'met'], ['WebP, bytes at sharp\'s PSNR', 'met'],
    ['AVIF, CPU time at defaults', 'not met'], ['AVIF, bytes at sharp\'s PSNR', 'n/a'],
  ];
  assert.deepEqual(got, want, `formatGoals = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
});

test('fleetGoals reads the three-instance fleet with leases', () => {
  const burst = (label: string, fetches: number, transforms: number): BurstResult => ({
    label, instances: 3, fetchesPerOriginal: fetches, transformsPerVariant: transforms, leases: true,
    led: 0, followed: 0, alone: 0, wallMs: 0, p99Ms: 0, failed: 0,
  });
  const rows = fleetGoals({ bursts: [burst('3 instances', 1, 1.25), burst('3 instances, -fleetLeases=false', 3, 3)], notes: [] });
  const got = rows.map((r) => [r.value, status(r)]);
  const want = [[1, 'met'], [1.25, 'not met']];
  assert.deepEqual(got, want, `fleetGoals = ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
});
